"""Coaching pages: declaration, assignment, the coach's list, the review and its threads,
finalising and reopening a Livret 2."""

import datetime
import html

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.accounts.factories import UserFactory
from tests.cases.factories import VaeCaseFactory
from tests.dossiers.factories import complete_dossier, dossier_for
from tests.files import png_upload
from vaecos.cases.models import Coaching
from vaecos.coaching import services
from vaecos.coaching.models import CommentThread
from vaecos.dossiers import services as dossier_services
from vaecos.dossiers.models import DossierStatus, DossierTransitionLog


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return html.unescape(response.content.decode())


# --- Declaration -----------------------------------------------------------------------------


def test_the_candidate_declares_their_coaching(dossier, candidate, other_org, institut):
    client = signed_in(candidate)
    url = reverse("coaching:declare", args=[dossier.case.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Cap VAE" in text(page)

    response = client.post(url, {"coaching": "autre", "organisation": other_org.pk})

    assert response.status_code == 302
    dossier.case.refresh_from_db()
    assert (dossier.case.coaching, dossier.case.coaching_organisation) == (
        Coaching.OTHER,
        other_org,
    )


@pytest.mark.parametrize(
    "data, error",
    [
        ({"coaching": "autre"}, "Choisissez votre organisme d'accompagnement."),
        ({"coaching": "autre", "organisation": "99999"}, "Choisissez l'organisme dans la liste."),
        ({"coaching": "autre", "organisation": "²"}, "Choisissez l'organisme dans la liste."),
        ({"coaching": "n'importe quoi"}, "Choisissez l'une des possibilités proposées."),
        ({}, "Choisissez l'une des possibilités proposées."),
    ],
)
def test_a_bad_declaration_is_answered_in_french(dossier, candidate, other_org, data, error):
    response = signed_in(candidate).post(reverse("coaching:declare", args=[dossier.case.pk]), data)

    assert response.status_code == 400
    assert error in text(response)
    dossier.case.refresh_from_db()
    assert dossier.case.coaching == Coaching.UNDECLARED


def test_institut_410_missing_is_said(dossier, candidate):
    client = signed_in(candidate)
    url = reverse("coaching:declare", args=[dossier.case.pk])

    response = client.post(url, {"coaching": "institut_410"}, follow=True)

    assert "L'Institut 4.10 n'est pas encore enregistré" in text(response)


def test_a_transmitted_dossier_locks_the_declaration(dossier, candidate):
    dossier.status = DossierStatus.TRANSMITTED
    dossier.save()
    client = signed_in(candidate)
    url = reverse("coaching:declare", args=[dossier.case.pk])

    assert "ne peut plus être modifié" in text(client.get(url))
    response = client.post(url, {"coaching": "aucun"}, follow=True)
    assert "ne peut plus être modifié" in text(response)
    dossier.case.refresh_from_db()
    assert dossier.case.coaching == Coaching.UNDECLARED


def test_nobody_else_sees_a_candidates_declaration(dossier, other_candidate, coach, instructor):
    url = reverse("coaching:declare", args=[dossier.case.pk])
    for user in (other_candidate, coach, instructor):
        assert signed_in(user).get(url).status_code == 404
    assert signed_in(other_candidate).post(url, {"coaching": "aucun"}).status_code == 404


# --- Assignment -------------------------------------------------------------------------------


@pytest.fixture
def declared(dossier, candidate, institut):
    services.coaching_declare(case=dossier.case, coaching=Coaching.INSTITUT_410, by=candidate)
    return dossier.case


def test_staff_assign_a_coach(
    declared, coach, instructor, candidate, django_capture_on_commit_callbacks
):
    client = signed_in(instructor)
    listing = client.get(reverse("coaching:assignments"))
    assert "À attribuer" in text(listing)
    url = reverse("coaching:assign", args=[declared.pk])
    assert coach.email in text(client.get(url))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"coach": coach.pk}, follow=True)

    assert "tous deux sont prévenus" in text(response)
    declared.refresh_from_db()
    assert declared.coach == coach
    assert {m.to[0] for m in mail.outbox} == {coach.email, candidate.email}


def test_a_coach_of_another_organisation_is_refused_with_the_reason(
    declared, other_org, instructor
):
    outsider = UserFactory(coach=True, organisation=other_org)

    response = signed_in(instructor).post(
        reverse("coaching:assign", args=[declared.pk]), {"coach": outsider.pk}, follow=True
    )

    assert "n'appartient pas à l'organisme d'accompagnement du candidat" in text(response)
    declared.refresh_from_db()
    assert declared.coach is None


@pytest.mark.parametrize("value", ["", "abc", "99999999"])
def test_a_bad_coach_choice_is_a_form_error(declared, coach, instructor, value):
    response = signed_in(instructor).post(
        reverse("coaching:assign", args=[declared.pk]), {"coach": value}
    )

    assert response.status_code == 400
    assert "Choisissez" in text(response)


def test_an_undeclared_case_cannot_get_a_coach(dossier, instructor):
    page = signed_in(instructor).get(reverse("coaching:assign", args=[dossier.case.pk]))
    assert "aucun accompagnateur ne peut lui être attribué" in text(page)


def test_assignment_pages_are_for_staff(declared, coach, candidate, jury_member, administrator):
    for user in (coach, candidate, jury_member):
        client = signed_in(user)
        assert client.get(reverse("coaching:assignments")).status_code == 404
        assert client.get(reverse("coaching:assign", args=[declared.pk])).status_code == 404
    assert signed_in(administrator).get(reverse("coaching:assignments")).status_code == 200


def _declared(referentiel, institut, count, coach=None, name="Nom"):
    """Cases declared coached by Institut 4.10, the first declared first."""
    now = timezone.now()
    for number in range(count):
        VaeCaseFactory(
            referentiel_version=referentiel,
            candidate__last_name=f"{name}{number:02d}",
            coaching=Coaching.INSTITUT_410,
            coaching_organisation=institut,
            coaching_declared_at=now - datetime.timedelta(days=100 - number),
            coach=coach,
        )


@pytest.mark.parametrize("count", [1, 30])
def test_the_assignment_list_has_a_fixed_number_of_queries(
    count, referentiel, institut, instructor, django_assert_num_queries
):
    _declared(referentiel, institut, count)
    client = signed_in(instructor)

    # Session, user, one page of cases (and one row more) with candidate, coach and
    # organisation. Nothing counts them.
    with django_assert_num_queries(3):
        page = text(client.get(reverse("coaching:assignments")))

    assert page.count("<tr>") == 1 + min(count, 25)


def test_the_assignment_list_puts_cases_without_coach_first_and_is_paged(
    referentiel, institut, coach, instructor
):
    _declared(referentiel, institut, 1, coach=coach, name="Suivi")  # declared before the others
    _declared(referentiel, institut, 26)
    client = signed_in(instructor)

    first = text(client.get(reverse("coaching:assignments")))
    second = text(client.get(reverse("coaching:assignments"), {"page": "2"}))

    assert first.index("Nom00") < first.index("Nom24") and "Nom25" not in first
    assert "Suivi00" not in first and second.index("Nom25") < second.index("Suivi00")
    assert 'href="?page=2">Page suivante' in first and "Page précédente" in second


# --- The coach's candidates -------------------------------------------------------------------


def _coached_case(referentiel, coach, institut):
    dossier = dossier_for(referentiel)
    case = dossier.case
    case.coaching, case.coaching_organisation, case.coach = Coaching.INSTITUT_410, institut, coach
    case.save()
    services.thread_open(dossier=dossier, section="context", body="Bonjour", by=coach)
    return dossier


def test_the_coach_sees_only_their_candidates_in_constant_queries(
    referentiel, coach, institut, django_assert_num_queries
):
    other_coach = UserFactory(coach=True, organisation=institut)
    theirs = _coached_case(referentiel, other_coach, institut)
    mine = _coached_case(referentiel, coach, institut)
    client = signed_in(coach)
    url = reverse("coaching:coached")

    # Session, user, the cases with their candidates, their dossiers with open threads.
    with django_assert_num_queries(4):
        page = client.get(url)
    assert mine.case.candidate.display_name in text(page)
    assert theirs.case.candidate.display_name not in text(page)
    assert reverse("coaching:review", args=[mine.pk]) in text(page)
    for _ in range(4):
        _coached_case(referentiel, coach, institut)
    with django_assert_num_queries(4):
        many = client.get(url)
    assert text(many).count("Relire") == 5


def test_the_coach_list_is_for_coaches(candidate, instructor):
    for user in (candidate, instructor):
        assert signed_in(user).get(reverse("coaching:coached")).status_code == 404


# --- The review --------------------------------------------------------------------------------


def test_who_reads_the_review(
    coached, coach, candidate, other_candidate, instructor, administrator, jury_member, institut
):
    url = reverse("coaching:review", args=[coached.pk])
    for user in (coach, candidate, instructor, administrator):
        assert signed_in(user).get(url).status_code == 200, user.role
    another_coach = UserFactory(coach=True, organisation=institut)
    for user in (another_coach, other_candidate, jury_member):
        assert signed_in(user).get(url).status_code == 404, user.role
    assert signed_in(coach).get(reverse("coaching:review", args=[999999])).status_code == 404


def test_the_review_shows_the_whole_livret_2(referentiel, candidate, coach, institut):
    dossier = complete_dossier(referentiel, candidate=candidate)
    case = dossier.case
    case.coaching, case.coaching_organisation, case.coach = Coaching.INSTITUT_410, institut, coach
    case.save()
    dossier_services.attachment_add(
        dossier=dossier, upload=png_upload("cv.png"), kind="cv", by=candidate
    )

    page = text(signed_in(coach).get(reverse("coaching:review", args=[dossier.pk])))

    assert "Je veux faire reconnaître mon expérience de conseillère." in page
    assert "L'accueil de la caisse, neuf conseillers" in page
    assert "Une demande de prime d'activité après une reprise d'emploi" in page
    assert "parce que je voulais qu'elle devienne autonome" in page
    assert "II-1" in page  # activity II's competences
    assert "cv.png" in page
    assert 'id="partie-situation-' in page
    assert "Commenter cette partie" in page


def test_the_coach_comments_a_section_and_the_candidate_answers(
    coached, coach, candidate, django_capture_on_commit_callbacks
):
    coach_client = signed_in(coach)
    with django_capture_on_commit_callbacks(execute=True):
        response = coach_client.post(
            reverse("coaching:thread_open", args=[coached.pk]),
            {"section": "motivation", "body": "Développez vos atouts."},
        )
    thread = CommentThread.objects.get()
    assert response["Location"] == reverse("coaching:review", args=[coached.pk]) + (
        f"#fil-{thread.pk}"
    )
    assert mail.outbox[-1].to == [candidate.email]

    owner = signed_in(candidate)
    page = text(owner.get(reverse("coaching:review", args=[coached.pk])))
    assert "Développez vos atouts." in page
    assert "Marquer comme traité" in page
    assert "Commenter cette partie" not in page  # the candidate answers, the coach opens

    with django_capture_on_commit_callbacks(execute=True):
        owner.post(reverse("coaching:thread_reply", args=[thread.pk]), {"body": "Fait."})
        owner.post(reverse("coaching:thread_resolve", args=[thread.pk]))
    thread.refresh_from_db()
    assert thread.is_resolved
    assert [m.to for m in mail.outbox[-2:]] == [[coach.email], [coach.email]]


def test_an_empty_comment_is_a_form_error_and_a_long_one_keeps_its_text(coached, coach):
    client = signed_in(coach)
    url = reverse("coaching:thread_open", args=[coached.pk])

    empty = client.post(url, {"section": "context", "body": "   "})
    assert empty.status_code == 400
    assert "Écrivez votre commentaire avant de l'envoyer." in text(empty)

    long = "Un commentaire trop long. " * 500
    too_long = client.post(url, {"section": "context", "body": long})
    assert too_long.status_code == 400
    assert long.strip() in text(too_long)
    assert not CommentThread.objects.exists()


def test_an_empty_reply_keeps_the_page(coached, coach, candidate):
    thread = services.thread_open(dossier=coached, section="context", body="Bonjour", by=coach)

    response = signed_in(candidate).post(
        reverse("coaching:thread_reply", args=[thread.pk]), {"body": ""}
    )

    assert response.status_code == 400
    assert "Écrivez votre commentaire" in text(response)
    assert thread.comments.count() == 1


@pytest.mark.parametrize("section", ["", "x" * 500, "situation-99999999999999", "\x00"])
def test_junk_sections_never_fail(coached, coach, section):
    client = Client(raise_request_exception=False)
    client.force_login(coach)

    for body in ("Bonjour", ""):
        response = client.post(
            reverse("coaching:thread_open", args=[coached.pk]),
            {"section": section, "body": body},
        )
        assert response.status_code in (302, 400)
    assert not CommentThread.objects.exists()


def test_who_may_act_on_a_thread(
    coached, coach, candidate, instructor, administrator, other_candidate
):
    thread = services.thread_open(dossier=coached, section="context", body="Bonjour", by=coach)
    reply = reverse("coaching:thread_reply", args=[thread.pk])
    resolve = reverse("coaching:thread_resolve", args=[thread.pk])
    open_url = reverse("coaching:thread_open", args=[coached.pk])

    for user in (instructor, administrator):  # staff read only
        client = signed_in(user)
        assert "Commenter cette partie" not in text(
            client.get(reverse("coaching:review", args=[coached.pk]))
        )
        assert client.post(reply, {"body": "Non"}).status_code == 404
        assert client.post(resolve).status_code == 404
        assert client.post(open_url, {"section": "context", "body": "Non"}).status_code == 404
    assert signed_in(other_candidate).post(reply, {"body": "Non"}).status_code == 404
    assert signed_in(coach).post(resolve).status_code == 404
    assert (
        signed_in(candidate).post(open_url, {"section": "context", "body": "Non"}).status_code
        == 404
    )
    thread.refresh_from_db()
    assert not thread.is_resolved and thread.comments.count() == 1


def test_the_coach_downloads_the_attachments(coached, coach, candidate, referentiel, institut):
    attachment = dossier_services.attachment_add(
        dossier=coached, upload=png_upload("cv.png"), kind="cv", by=candidate
    )
    url = reverse("coaching:attachment", args=[coached.pk, attachment.pk])

    response = signed_in(coach).get(url)

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    another_coach = UserFactory(coach=True, organisation=institut)
    assert signed_in(another_coach).get(url).status_code == 404
    theirs = dossier_for(referentiel)
    assert (
        signed_in(coach)
        .get(reverse("coaching:attachment", args=[theirs.pk, attachment.pk]))
        .status_code
        == 404
    )


# --- Finalising and reopening ---------------------------------------------------------------


def test_finalising_an_incomplete_dossier_says_why(dossier, candidate):
    response = signed_in(candidate).post(
        reverse("dossiers:finalize", args=[dossier.pk]), follow=True
    )

    assert "ne respecte pas encore les règles du modèle" in text(response)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.IN_PROGRESS


@pytest.fixture
def complete(referentiel, candidate, coach, institut):
    dossier = complete_dossier(referentiel, candidate=candidate)
    case = dossier.case
    case.coaching, case.coaching_organisation, case.coach = Coaching.INSTITUT_410, institut, coach
    case.save()
    return dossier


def test_the_candidate_finalises_a_complete_dossier(
    complete, candidate, coach, django_capture_on_commit_callbacks
):
    client = signed_in(candidate)
    overview = reverse("dossiers:overview", args=[complete.pk])
    assert "Déclarer mon dossier finalisé" in text(client.get(overview))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dossiers:finalize", args=[complete.pk]), follow=True)

    page = text(response)
    assert "Votre Livret 2 est finalisé" in page
    assert "Dossier finalisé le" in page and "il n'est plus modifiable" in page
    assert "Déclarer mon dossier finalisé" not in page
    complete.refresh_from_db()
    assert complete.status == DossierStatus.FINAL
    assert mail.outbox[-1].to == [coach.email]
    # The editor refuses to save into a final dossier.
    save = client.post(
        reverse("dossiers:field_save", args=[complete.pk, "dossier.context"]),
        {"text": "Changé", "base_revision": "0"},
    )
    assert save.status_code == 409
    # Twice: refused with a message, nothing logged twice.
    again = client.post(reverse("dossiers:finalize", args=[complete.pk]), follow=True)
    assert "impossible" in text(again)
    assert DossierTransitionLog.objects.filter(subject=complete, transition="finalize").count() == 1


def test_only_the_owner_finalises(complete, coach, other_candidate, instructor):
    for user in (coach, other_candidate, instructor):
        response = signed_in(user).post(reverse("dossiers:finalize", args=[complete.pk]))
        assert response.status_code == 404
    complete.refresh_from_db()
    assert complete.status == DossierStatus.IN_PROGRESS


def test_staff_reopen_with_a_reason(
    complete, candidate, instructor, django_capture_on_commit_callbacks
):
    services.dossier_finalize(dossier=complete, by=candidate)
    client = signed_in(instructor)
    review = text(client.get(reverse("coaching:review", args=[complete.pk])))
    assert "Rouvrir le dossier" in review
    url = reverse("dossiers:reopen", args=[complete.pk])
    assert client.get(url).status_code == 200

    empty = client.post(url, {"reason": "  "})
    assert empty.status_code == 400
    assert "Indiquez le motif de la réouverture." in text(empty)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Une pièce n'est pas anonymisée."})

    assert response["Location"] == reverse("coaching:review", args=[complete.pk])
    complete.refresh_from_db()
    assert complete.status == DossierStatus.IN_PROGRESS
    log = DossierTransitionLog.objects.filter(subject=complete).last()
    assert (log.transition, log.reason, log.by) == (
        "reopen",
        "Une pièce n'est pas anonymisée.",
        instructor,
    )
    assert candidate.email in {m.to[0] for m in mail.outbox}


def test_reopening_a_dossier_in_progress_is_refused(dossier, instructor):
    client = signed_in(instructor)
    url = reverse("dossiers:reopen", args=[dossier.pk])
    assert "seul un dossier finalisé peut être rouvert" in text(client.get(url))

    response = client.post(url, {"reason": "Motif"}, follow=True)

    assert "impossible" in text(response)


def test_only_staff_reopen(complete, candidate, coach):
    services.dossier_finalize(dossier=complete, by=candidate)
    for user in (candidate, coach):
        client = signed_in(user)
        assert client.get(reverse("dossiers:reopen", args=[complete.pk])).status_code == 404
        assert (
            client.post(reverse("dossiers:reopen", args=[complete.pk]), {"reason": "x"}).status_code
            == 404
        )


def test_the_coach_requests_a_reopening(
    complete, candidate, coach, instructor, django_capture_on_commit_callbacks
):
    services.dossier_finalize(dossier=complete, by=candidate)
    client = signed_in(coach)
    review_url = reverse("coaching:review", args=[complete.pk])
    assert "Demander la réouverture du dossier" in text(client.get(review_url))
    url = reverse("coaching:reopen_request", args=[complete.pk])

    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 400
    assert "Indiquez le motif de la réouverture." in text(empty)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "La situation II est à reprendre."})

    thread = CommentThread.objects.get(dossier=complete, section="general")
    assert response["Location"] == f"{review_url}#fil-{thread.pk}"
    assert instructor.email in {m.to[0] for m in mail.outbox}
    assert "La situation II est à reprendre." in text(client.get(review_url))
    assert signed_in(candidate).post(url, {"reason": "x"}).status_code == 404


def test_a_comment_refused_because_the_dossier_was_transmitted_meanwhile_is_given_back(
    coached, coach, candidate
):
    """The coach typed on a page opened before the transmission: nothing is stored, the page
    says why and gives the text back to copy."""
    thread = services.thread_open(dossier=coached, section="motivation", body="Premier.", by=coach)
    coached.status = DossierStatus.TRANSMITTED
    coached.save(update_fields=["status"])
    text = "Pensez à détailler la reprise d'emploi de mars."

    opened = signed_in(coach).post(
        reverse("coaching:thread_open", args=[coached.pk]),
        {"section": "context", "body": text},
    )
    replied = signed_in(candidate).post(
        reverse("coaching:thread_reply", args=[thread.pk]), {"body": text}
    )

    for response in (opened, replied):
        page = html.unescape(response.content.decode())
        assert response.status_code == 409
        assert "les commentaires sont clos" in page
        assert text in page
    assert CommentThread.objects.count() == 1
    assert thread.comments.count() == 1
