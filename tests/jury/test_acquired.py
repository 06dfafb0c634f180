"""Validated blocs stay on the candidate's record for good; a new attempt asks only for the
missing ones."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tests.jury.conftest import signed_in, text
from tests.jury.factories import jury_session, vote
from vaecos.admissibility.models import AdmissibilityRequest
from vaecos.dossiers.completeness import Status, dossier_report
from vaecos.dossiers.models import Dossier, DossierStatus
from vaecos.evaluation.models import Registration
from vaecos.jury import services
from vaecos.jury.models import AcquiredBloc, Deliberation
from vaecos.utils.errors import ActionRefused


def notify(registration, jury, *validated, mode="votes"):
    if mode == "votes":
        for seat in jury:
            vote(registration, seat, *validated)
    services.deliberation_decide(
        registration=registration,
        by=jury[0].user,
        mode=mode,
        competences_to_prove="Les blocs manquants.",
        reasons="Motifs.",
    )
    for seat in jury:
        services.deliberation_sign(registration=registration, by=seat.user)
    return Deliberation.objects.get(registration=registration)


def second_registration(referentiel, registration, dossier):
    """The same case, registered to a later session (today's; the first one took place three
    months ago) with its new attempt transmitted."""
    first = registration.session
    first.date = timezone.localdate() - datetime.timedelta(days=90)
    first.save(update_fields=["date"])
    session, jury = jury_session(referentiel)
    dossier.status = DossierStatus.TRANSMITTED
    dossier.save()
    again = Registration.objects.create(
        session=session, case=registration.case, dossier=dossier, transmitted_at=timezone.now()
    )
    return again, jury


def test_a_partial_validation_opens_a_new_attempt_for_the_missing_blocs_only(
    referentiel, registration, president, member, candidate
):
    notify(registration, [president, member], True, True, False, False)
    client = signed_in(candidate)

    page = text(client.get(reverse("jury:results")))
    assert "Validation partielle" in page
    assert "RNCP35543BC01" in page and "RNCP35543BC02" in page
    assert "Commencer une nouvelle tentative pour les blocs manquants" in page
    deliberation = Deliberation.objects.get()
    response = client.post(reverse("jury:new_attempt", args=[deliberation.pk]))

    dossier = Dossier.objects.get(case=registration.case, attempt=2)
    assert response["Location"] == reverse("dossiers:overview", args=[dossier.pk])
    assert dossier.status == DossierStatus.IN_PROGRESS
    assert set(dossier.exempt_activities.values_list("number", flat=True)) == {1, 2}
    report = dossier_report(dossier)
    exempt = {a.number: a for a in report.activities}
    assert exempt[1].status == Status.EXEMPT and exempt[1].status.label == "Bloc déjà validé"
    assert exempt[2].status == Status.EXEMPT
    assert not any("Activité I " in p or "Activité II " in p for p in report.problems)
    assert any(p.startswith("Activité III") for p in report.problems)
    # Twice: refused, nothing more created.
    again = client.post(reverse("jury:new_attempt", args=[deliberation.pk]), follow=True)
    assert "Votre nouvelle tentative est déjà ouverte" in text(again)
    assert registration.case.dossiers.count() == 2


def test_the_next_jury_votes_only_on_the_missing_blocs_and_the_first_date_stays(
    referentiel, registration, president, member, candidate
):
    first = notify(registration, [president, member], True, False, False, False)
    AcquiredBloc.objects.update(acquired_on=datetime.date(2026, 1, 15))
    dossier = services.new_attempt(case=registration.case, by=candidate)
    again, jury = second_registration(referentiel, registration, dossier)

    blocs = services.blocs_to_assess(again)
    assert [a.number for a in blocs] == [2, 3, 4]
    page = text(signed_in(jury[1].user).get(reverse("jury:candidate", args=[again.pk])))
    assert "RNCP35543BC01 – " in page and "acquis le 15 janvier 2026" in page
    notify(again, jury, True, True, True)

    acquired = {b.bloc_code: b for b in AcquiredBloc.objects.all()}
    assert set(acquired) == {"RNCP35543BC01", "RNCP35543BC02", "RNCP35543BC03", "RNCP35543BC04"}
    assert acquired["RNCP35543BC01"].acquired_on == datetime.date(2026, 1, 15)
    assert acquired["RNCP35543BC01"].deliberation == first
    assert Deliberation.objects.get(registration=again).outcome == "totale"


def test_a_bloc_validated_again_keeps_its_first_date(referentiel, registration, president, member):
    notify(registration, [president, member], True, False, False, False)
    AcquiredBloc.objects.update(acquired_on=datetime.date(2026, 1, 15))
    activity = registration.case.referentiel_version.activities.get(number=1)
    # Even if a later deliberation validates it again, the record keeps the first one.
    services._keep_validated_blocs(Deliberation.objects.get())

    assert AcquiredBloc.objects.get(activity=activity).acquired_on == datetime.date(2026, 1, 15)
    assert AcquiredBloc.objects.count() == 1


@pytest.mark.parametrize("mode", ["absent", "excuse"])
def test_no_new_attempt_after_an_absence(registration, president, member, candidate, mode):
    notify(registration, [president, member], mode=mode)

    with pytest.raises(ActionRefused, match="après une validation partielle"):
        services.new_attempt(case=registration.case, by=candidate)
    page = text(signed_in(candidate).get(reverse("jury:results")))
    assert "Commencer une nouvelle tentative" not in page


def test_no_new_attempt_once_admissibility_has_ended(registration, president, member, candidate):
    notify(registration, [president, member], False, False, False, False)
    AdmissibilityRequest.objects.update(
        validity_end=timezone.localdate() - datetime.timedelta(days=1)
    )

    with pytest.raises(ActionRefused, match="recevabilité du candidat prend fin"):
        services.new_attempt(case=registration.case, by=candidate)
    page = text(signed_in(candidate).get(reverse("jury:results")))
    assert "recevabilité du candidat prend fin" in page
    assert "Commencer une nouvelle tentative" not in page


def test_only_the_candidate_starts_a_new_attempt(
    registration, president, member, other_candidate, instructor
):
    deliberation = notify(registration, [president, member], True, False, False, False)
    url = reverse("jury:new_attempt", args=[deliberation.pk])

    for user in (other_candidate, instructor, member.user):
        assert signed_in(user).post(url).status_code == 404
    assert registration.case.dossiers.count() == 1


def test_the_result_letter_is_for_the_candidate_and_staff(
    registration, president, member, candidate, other_candidate, instructor
):
    deliberation = notify(registration, [president, member], True, True, True, True)
    url = reverse("jury:result_letter", args=[deliberation.pk])

    assert signed_in(candidate).get(url).status_code == 200
    assert signed_in(instructor).get(url).status_code == 200
    assert signed_in(other_candidate).get(url).status_code == 404
    assert signed_in(member.user).get(url).status_code == 404


def test_the_acquired_blocs_partial_for_the_home_page(registration, president, member, candidate):
    notify(registration, [president, member], True, False, True, False)

    blocs = services.acquired_blocs(candidate)
    html = render_to_string("jury/_acquired_blocs.html", {"acquired_blocs": blocs})

    assert [b.bloc_code for b in blocs] == ["RNCP35543BC01", "RNCP35543BC03"]
    assert "Mes blocs de compétences validés" in html
    assert "RNCP35543BC03" in html and "validé le" in html
    assert render_to_string("jury/_acquired_blocs.html", {"acquired_blocs": []}).strip() == ""


def test_an_exempt_activity_asks_for_nothing_and_counts_as_done(referentiel):
    from vaecos.dossiers.completeness import DossierData, activity_rules, evaluate

    rules = activity_rules(referentiel, exempt=[1, 2, 3, 4])
    report = evaluate(rules=referentiel.template_rules, activities=rules, data=DossierData())
    partly = evaluate(
        rules=referentiel.template_rules,
        activities=activity_rules(referentiel, exempt=[1]),
        data=DossierData(),
    )

    assert not [p for p in report.problems if p.startswith("Activité")]
    assert all(a.status == Status.EXEMPT for a in report.activities)
    assert report.done_count >= 4
    assert not any(p.startswith("Activité I ") for p in partly.problems)
    assert any(p.startswith("Activité II ") for p in partly.problems)


def test_a_bloc_without_rncp_code_is_kept_skipped_and_exempted_under_one_key(
    referentiel, registration, president, member, candidate
):
    """The record, the next jury's blocs and the new attempt's exemptions use the same key for
    a bloc whose RNCP code is empty."""
    from vaecos.referentiels.models import Activity

    Activity.objects.filter(referentiel_version=referentiel, number=3).update(bloc_code="")
    notify(registration, [president, member], True, False, True, False)
    three = referentiel.activities.get(number=3)
    certification = referentiel.certification

    kept = AcquiredBloc.objects.get(activity=three)
    assert kept.bloc_code == services.bloc_key(three, certification)
    assert kept.bloc_code == f"{certification.code}-III"
    dossier = services.new_attempt(case=registration.case, by=candidate)
    assert set(dossier.exempt_activities.values_list("number", flat=True)) == {1, 3}
    again, _ = second_registration(referentiel, registration, dossier)
    assert [a.number for a in services.blocs_to_assess(again)] == [2, 4]
