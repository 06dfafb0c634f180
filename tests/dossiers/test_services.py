"""Actions on a Livret 2: situations, branch, and the dossier's workflow."""

import html

import pytest
from django.test import Client
from django.urls import reverse

from tests.accounts.factories import UserFactory
from tests.dossiers.factories import SituationFactory, complete_dossier, dossier_for
from tests.files import png_upload
from tests.referentiels.files import write_version
from vaecos.cases.services import CaseError, case_open
from vaecos.dossiers import services
from vaecos.dossiers.completeness import Status, dossier_report
from vaecos.dossiers.models import DossierStatus, DossierTransitionLog, Situation
from vaecos.dossiers.services import DossierError
from vaecos.dossiers.workflow import DOSSIER_WORKFLOW
from vaecos.referentiels.loader import load_file
from vaecos.utils.workflow import InvalidTransition


@pytest.fixture
def other_version(referentiel, tmp_path):
    return load_file(write_version(tmp_path)).version


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def activity_status(dossier, number):
    return next(a for a in dossier_report(dossier).activities if a.number == number)


# --- Opening --------------------------------------------------------------------------------


def test_opening_a_dossier_prefills_its_header_and_logs_it(referentiel, candidate):
    case = case_open(
        candidate=candidate,
        referentiel_version=referentiel,
        branch=referentiel.branches.get(code="maladie"),
    )

    first = services.dossier_open(case=case)
    second = services.dossier_open(case=case)

    assert (first.attempt, second.attempt) == (1, 2)
    assert (first.last_name, first.first_name, first.branch.name) == (
        "MARTIN",
        "Camille",
        "Maladie",
    )
    assert first.status == DossierStatus.IN_PROGRESS
    log = DossierTransitionLog.objects.get(subject=first)
    assert (log.transition, log.from_state, log.to_state) == ("open", "", DossierStatus.IN_PROGRESS)


def test_only_a_candidate_opens_a_case_on_a_branch_of_its_version(
    referentiel, other_version, candidate, coach
):
    with pytest.raises(CaseError, match="Seul un candidat"):
        case_open(candidate=coach, referentiel_version=referentiel)
    with pytest.raises(CaseError, match="La branche n'appartient pas"):
        case_open(
            candidate=candidate,
            referentiel_version=referentiel,
            branch=other_version.branches.first(),
        )


# --- Situations -----------------------------------------------------------------------------


def test_situations_are_numbered_per_activity(dossier, referentiel, candidate):
    one, two = (referentiel.activities.get(number=n) for n in (1, 2))

    added = [
        services.situation_add(dossier=dossier, activity=activity, by=candidate)
        for activity in (one, one, two, one)
    ]

    assert [(s.activity.number, s.position) for s in added] == [(1, 1), (1, 2), (2, 1), (1, 3)]
    assert all(s.included for s in added)


def test_a_situation_of_another_version_is_refused(dossier, other_version, candidate):
    with pytest.raises(DossierError) as refused:
        services.situation_add(
            dossier=dossier, activity=other_version.activities.get(number=1), by=candidate
        )

    assert refused.value.message == "Cette activité n'appartient pas au référentiel du dossier."
    assert not Situation.objects.exists()


def test_adding_a_situation_through_the_page_opens_it(owner, dossier):
    response = owner.post(reverse("dossiers:situation_add", args=[dossier.pk, 3]))

    situation = Situation.objects.get()
    assert situation.activity.number == 3
    assert response["Location"] == reverse("dossiers:situation", args=[dossier.pk, situation.pk])


def test_leaving_a_situation_out_changes_completeness(referentiel):
    dossier = complete_dossier(referentiel)
    first = dossier.situations.filter(activity__number=1).first()
    assert dossier_report(dossier).is_complete

    services.situation_update_options(
        dossier=dossier, situation=first, by=dossier.case.candidate, included=False
    )

    report = dossier_report(dossier)
    assert not report.is_complete
    assert activity_status(dossier, 1).problems == [
        "Activité I : 1 situation manquante (1 sur 2 exigées)."
    ]
    services.situation_update_options(
        dossier=dossier, situation=first, by=dossier.case.candidate, included=True
    )
    assert dossier_report(dossier).is_complete


def test_a_situation_elsewhere_needs_its_own_context(referentiel):
    dossier = complete_dossier(referentiel)
    situation = dossier.situations.filter(activity__number=4).get()

    services.situation_update_options(
        dossier=dossier, situation=situation, by=dossier.case.candidate, context_mode="own"
    )

    (report,) = activity_status(dossier, 4).situations
    assert report.missing == ["Contexte propre à la situation"]


def test_competences_are_chosen_among_the_activitys(referentiel):
    dossier = complete_dossier(referentiel)
    situation = dossier.situations.get(activity__number=2)
    codes = dict(situation.activity.competences.values_list("code", "pk"))

    services.situation_update_options(
        dossier=dossier,
        situation=situation,
        by=dossier.case.candidate,
        competence_ids=[codes["II-3"], codes["II-5"]],
    )

    assert sorted(situation.competences.values_list("code", flat=True)) == ["II-3", "II-5"]
    assert activity_status(dossier, 2).status == Status.COMPLETE


def test_a_competence_of_another_activity_is_refused_and_nothing_changes(referentiel):
    dossier = complete_dossier(referentiel)
    situation = dossier.situations.filter(activity__number=1).first()
    foreign = referentiel.activities.get(number=2).competences.first()

    with pytest.raises(DossierError) as refused:
        services.situation_update_options(
            dossier=dossier,
            situation=situation,
            by=dossier.case.candidate,
            included=False,
            competence_ids=[foreign.pk],
        )

    assert refused.value.message == (
        "Ces compétences n'appartiennent pas à l'activité de la situation."
    )
    situation.refresh_from_db()
    assert situation.included
    assert not situation.competences.exists()


def test_an_unknown_place_is_refused_and_nothing_changes(dossier, situation, candidate):
    with pytest.raises(DossierError, match="Lieu de la situation inconnu."):
        services.situation_update_options(
            dossier=dossier, situation=situation, by=candidate, included=False, context_mode="lune"
        )

    situation.refresh_from_db()
    assert (situation.included, situation.context_mode) == (True, "general")


def test_options_through_the_page(owner, dossier, referentiel, candidate):
    situation = SituationFactory(dossier=dossier, activity=referentiel.activities.get(number=2))
    codes = dict(situation.activity.competences.values_list("code", "pk"))

    response = owner.post(
        reverse("dossiers:situation_options", args=[dossier.pk, situation.pk]),
        {"context_mode": "own", "competences": [codes["II-1"], codes["II-2"]]},
        follow=True,
    )

    assert "Options enregistrées à" in page_text(response)
    situation.refresh_from_db()
    assert situation.context_mode == "own"
    assert not situation.included  # an unticked box is not sent by the browser
    assert sorted(situation.competences.values_list("code", flat=True)) == ["II-1", "II-2"]


def test_options_through_htmx_answer_a_status_line(owner, dossier, situation):
    url = reverse("dossiers:situation_options", args=[dossier.pk, situation.pk])

    ok = owner.post(url, {"included": "on", "context_mode": "own"}, headers={"HX-Request": "true"})
    refused = owner.post(url, {"context_mode": "lune"}, headers={"HX-Request": "true"})

    assert ok.status_code == 200
    assert 'id="options-etat"' in page_text(ok)
    assert "Options enregistrées à" in page_text(ok)
    assert refused.status_code == 400
    assert "Lieu de la situation inconnu." in page_text(refused)
    assert "<html" not in page_text(ok)


@pytest.mark.parametrize("competence", ["abc", "1.5", ""])
def test_options_with_an_unreadable_competence_are_refused(owner, dossier, situation, competence):
    response = owner.post(
        reverse("dossiers:situation_options", args=[dossier.pk, situation.pk]),
        {"included": "on", "competences": [competence]},
    )

    assert response.status_code == 400


def test_an_empty_situation_can_be_deleted(owner, dossier, situation):
    response = owner.post(
        reverse("dossiers:situation_delete", args=[dossier.pk, situation.pk]), follow=True
    )

    assert "La situation vide a été supprimée." in page_text(response)
    assert response.redirect_chain[-1][0] == reverse("dossiers:activity", args=[dossier.pk, 1])
    assert not Situation.objects.exists()


WRITTEN = {
    "text": lambda situation: Situation.objects.filter(pk=situation.pk).update(actions="J'ai…"),
    "attachment": lambda situation: services.attachment_add(
        dossier=situation.dossier,
        upload=png_upload(),
        kind="evidence",
        situation=situation,
        by=situation.dossier.case.candidate,
    ),
    "competence": lambda situation: situation.competences.set(
        situation.activity.competences.all()[:1]
    ),
    # Typed, then erased: the text still lives in the history, so the situation stays.
    "erased-text": lambda situation: [
        services.field_save(
            dossier=situation.dossier,
            field_key=f"situation.{situation.pk}.description",
            text=text,
            base_revision=base,
            by=situation.dossier.case.candidate,
        )
        for base, text in ((0, "Une phrase écrite."), (1, ""))
    ],
}


@pytest.mark.parametrize("write", WRITTEN.values(), ids=WRITTEN.keys())
def test_a_situation_with_something_in_it_is_never_deleted(
    owner, dossier, referentiel, candidate, write
):
    situation = services.situation_add(
        dossier=dossier, activity=referentiel.activities.get(number=2), by=candidate
    )
    write(situation)

    with pytest.raises(DossierError, match="ne peut pas être supprimée"):
        services.situation_delete(dossier=dossier, situation=situation, by=candidate)
    response = owner.post(
        reverse("dossiers:situation_delete", args=[dossier.pk, situation.pk]), follow=True
    )

    assert "Décochez « retenue pour le dossier » pour l'écarter sans rien perdre." in page_text(
        response
    )
    assert Situation.objects.filter(pk=situation.pk).exists()


# --- Branch -------------------------------------------------------------------------------------


def test_the_branch_is_chosen_among_the_versions(dossier, referentiel, other_version, candidate):
    maladie = referentiel.branches.get(code="maladie")

    services.dossier_set_branch(dossier=dossier, branch=maladie, by=candidate)
    with pytest.raises(DossierError) as refused:
        services.dossier_set_branch(
            dossier=dossier, branch=other_version.branches.get(code="famille"), by=candidate
        )

    assert refused.value.message == "Cette branche n'appartient pas au référentiel du dossier."
    dossier.refresh_from_db()
    assert dossier.branch == maladie


def test_the_branch_through_the_page(owner, dossier, referentiel):
    recouvrement = referentiel.branches.get(code="recouvrement")

    response = owner.post(
        reverse("dossiers:header", args=[dossier.pk]), {"branch": recouvrement.pk}, follow=True
    )

    assert "Branche enregistrée : Recouvrement." in page_text(response)
    dossier.refresh_from_db()
    assert dossier.branch == recouvrement


def test_the_branch_through_htmx(owner, dossier, referentiel):
    response = owner.post(
        reverse("dossiers:header", args=[dossier.pk]),
        {"branch": referentiel.branches.get(code="maladie").pk},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert 'id="branche-etat"' in page_text(response)
    assert "Branche enregistrée : Maladie." in page_text(response)


@pytest.mark.parametrize(
    "raw",
    ["", "abc", "-1", "1.0", "²", "99999999999999999999", "OTHER-VERSION"],
    ids=["empty", "letters", "negative", "decimal", "superscript-two", "huge", "other-version"],
)
def test_a_branch_that_is_not_in_the_list_is_refused(owner, dossier, other_version, raw):
    if raw == "OTHER-VERSION":
        raw = str(other_version.branches.first().pk)
    branch_before = dossier.branch
    client = Client(raise_request_exception=False)
    client.cookies = owner.cookies

    response = client.post(
        reverse("dossiers:header", args=[dossier.pk]),
        {"branch": raw},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 400, f"branch={raw!r} got {response.status_code}"
    assert "Choisissez une branche dans la liste." in page_text(response)
    dossier.refresh_from_db()
    assert dossier.branch == branch_before


# --- Workflow -------------------------------------------------------------------------------


def test_an_incomplete_dossier_cannot_be_finalised(dossier, candidate):
    with pytest.raises(InvalidTransition) as refused:
        DOSSIER_WORKFLOW.apply(dossier, "finalize", by=candidate)

    assert refused.value.message.startswith(
        "Le dossier ne respecte pas encore les règles du modèle : "
    )
    assert "Motivation : « Pourquoi je m'engage dans la VAE » est à remplir." in (
        refused.value.message
    )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.IN_PROGRESS
    assert not DossierTransitionLog.objects.filter(transition="finalize").exists()


def test_a_complete_dossier_is_finalised_and_logged(referentiel):
    dossier = complete_dossier(referentiel)
    candidate = dossier.case.candidate
    assert [t.name for t in DOSSIER_WORKFLOW.available(dossier)] == ["finalize"]

    DOSSIER_WORKFLOW.apply(dossier, "finalize", by=candidate, reason="Relu deux fois.")

    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.FINAL
    assert not dossier.is_editable
    log = DossierTransitionLog.objects.get(transition="finalize")
    assert (log.subject, log.from_state, log.to_state, log.by, log.reason) == (
        dossier,
        DossierStatus.IN_PROGRESS,
        DossierStatus.FINAL,
        candidate,
        "Relu deux fois.",
    )
    # Frozen: nothing can be written any more.
    with pytest.raises(DossierError, match="n'est plus modifiable"):
        services.field_save(
            dossier=dossier,
            field_key="dossier.context",
            text="Ajout.",
            base_revision=0,
            by=candidate,
        )


def test_a_finalised_dossier_cannot_be_finalised_again_but_can_be_reopened(referentiel):
    dossier = complete_dossier(referentiel)
    instructor = UserFactory(instructor=True)
    DOSSIER_WORKFLOW.apply(dossier, "finalize", by=dossier.case.candidate)

    with pytest.raises(InvalidTransition) as refused:
        DOSSIER_WORKFLOW.apply(dossier, "finalize", by=dossier.case.candidate)
    DOSSIER_WORKFLOW.apply(dossier, "reopen", by=instructor, reason="Une pièce manque.")

    assert refused.value.message == (
        "Action « déclarer le dossier finalisé » impossible : le dossier est « Finalisé »."
    )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.IN_PROGRESS
    assert list(
        DossierTransitionLog.objects.filter(subject=dossier)
        .order_by("at", "pk")
        .values_list("transition", "by")
    ) == [("open", None), ("finalize", dossier.case.candidate.pk), ("reopen", instructor.pk)]


def test_an_unknown_action_is_refused(dossier, candidate):
    with pytest.raises(InvalidTransition, match="Action inconnue : transmettre."):
        DOSSIER_WORKFLOW.apply(dossier, "transmettre", by=candidate)


def test_a_finalised_dossier_is_read_only_for_its_owner(owner, dossier, situation):
    dossier.status = DossierStatus.FINAL
    dossier.save()

    page = owner.get(reverse("dossiers:situation", args=[dossier.pk, situation.pk]))
    add = owner.post(reverse("dossiers:situation_add", args=[dossier.pk, 1]))

    assert page.status_code == 200
    assert "Ce dossier est « Finalisé » : il est en lecture seule." in page_text(page)
    assert "readonly" in page_text(page)
    assert 'action="' + reverse("dossiers:attachment_add", args=[dossier.pk]) not in page_text(page)
    assert add.status_code == 302  # back to the overview, told why (tests/dossiers/test_frozen.py)
    assert Situation.objects.count() == 1


def test_a_dossier_for_another_version_uses_that_versions_activities(other_version, candidate):
    dossier = dossier_for(other_version, candidate=candidate)

    added = services.situation_add(
        dossier=dossier, activity=other_version.activities.get(number=4), by=candidate
    )

    assert added.activity.referentiel_version == other_version
