"""Votes per bloc and the president's decision: majority, casting vote on a tie, the outcomes,
and the refusals (votes missing, not the president, partial without competences…)."""

import pytest
from django.urls import reverse

from tests.jury.conftest import signed_in, text
from tests.jury.factories import jury_session, transmitted, vote
from vaecos.admissibility.letters import date_fr
from vaecos.dossiers.models import DossierStatus
from vaecos.evaluation.models import RegistrationStatus
from vaecos.jury import services
from vaecos.jury.models import (
    BlocResult,
    BlocVote,
    Deliberation,
    DeliberationMember,
    DeliberationTransitionLog,
    Outcome,
)
from vaecos.utils.errors import ActionRefused


def decide(registration, president, mode="votes", **kwargs):
    return services.deliberation_decide(
        registration=registration, by=president.user, mode=mode, **kwargs
    )


def test_a_tie_between_two_members_is_decided_by_the_president(registration, president, member):
    vote(registration, president, True, False, True, True)
    vote(registration, member, False, True, True, True)

    deliberation = decide(
        registration, president, competences_to_prove="II-3 à l'oral", reasons="Bloc II fragile."
    )

    results = {r.activity.number: r for r in BlocResult.objects.select_related("activity")}
    assert results[1].validated and results[1].casting_vote
    assert not results[2].validated and results[2].casting_vote
    assert results[3].validated and not results[3].casting_vote
    assert (results[3].votes_for, results[3].votes_against) == (2, 0)
    assert (results[1].votes_for, results[1].votes_against) == (1, 1)
    assert deliberation.casting_vote_used
    assert deliberation.outcome == Outcome.PARTIAL
    assert deliberation.status == Deliberation.Status.DELIBERATED
    assert deliberation.deliberated_by == president.user


def test_the_majority_of_three_decides_without_casting_vote(referentiel):
    session, jury = jury_session(referentiel, members=3)
    registration = transmitted(referentiel, session)
    vote(registration, jury[0], False, False, False, False)
    vote(registration, jury[1], True, True, True, True)
    vote(registration, jury[2], True, True, True, True)

    deliberation = decide(registration, jury[0])

    assert deliberation.outcome == Outcome.TOTAL
    assert not deliberation.casting_vote_used
    assert not BlocResult.objects.filter(casting_vote=True).exists()
    # The registration records the outcome once the decision is signed and notified.
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REGISTERED
    for seat in jury:
        services.deliberation_sign(registration=registration, by=seat.user)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.EVALUATED
    assert registration.transitions.get().transition == "evaluate"


def test_no_bloc_validated_is_no_validation_and_needs_reasons(registration, president, member):
    vote(registration, president, False, False, False, False)
    vote(registration, member, False, False, False, False)

    with pytest.raises(ActionRefused, match="indiquez les motifs"):
        decide(registration, president)
    deliberation = decide(registration, president, reasons="Expérience trop courte.")

    assert deliberation.outcome == Outcome.NONE
    assert deliberation.reasons == "Expérience trop courte."


def test_a_partial_validation_needs_competences_and_reasons(registration, president, member):
    vote(registration, president, True, True, False, False)
    vote(registration, member, True, True, False, False)

    with pytest.raises(ActionRefused, match="compétences restant à démontrer"):
        decide(registration, president, reasons="Motifs.")
    with pytest.raises(ActionRefused, match="motifs"):
        decide(registration, president, competences_to_prove="III et IV.")

    assert Deliberation.objects.get().status == Deliberation.Status.DRAFT


@pytest.mark.parametrize(
    ("mode", "outcome", "status", "transition"),
    [
        ("absent", Outcome.ABSENT, RegistrationStatus.ABSENT, "mark_absent"),
        ("excuse", Outcome.EXCUSED, RegistrationStatus.EXCUSED, "mark_excused"),
    ],
)
def test_absent_or_excused_needs_no_vote(
    registration, president, member, mode, outcome, status, transition
):
    deliberation = decide(registration, president, mode=mode)

    assert deliberation.outcome == outcome
    log = DeliberationTransitionLog.objects.get()
    assert (log.from_state, log.to_state, log.by) == ("brouillon", "delibere", president.user)
    # Nothing recorded on the registration before the decision is signed: it may be taken back.
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REGISTERED
    assert not registration.transitions.exists()

    services.deliberation_sign(registration=registration, by=president.user)
    services.deliberation_sign(registration=registration, by=member.user)

    registration.refresh_from_db()
    assert registration.status == status
    assert registration.transitions.get().transition == transition


@pytest.mark.parametrize(("mode", "word"), [("absent", "absent"), ("excuse", "excusé")])
def test_an_absent_or_excused_candidate_gets_their_dossier_back_for_another_session(
    registration, president, member, mode, word
):
    """The letter sends them to another session: their dossier must be transmissible again."""
    decide(registration, president, mode=mode)
    dossier = registration.dossier
    services.deliberation_sign(registration=registration, by=president.user)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.TRANSMITTED  # not before the decision is notified

    services.deliberation_sign(registration=registration, by=member.user)

    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.FINAL
    log = dossier.transitions.get(transition="release")
    assert (log.from_state, log.to_state, log.by) == ("transmis", "finalise", member.user)
    assert log.reason == f"Candidat {word} à la session du {date_fr(registration.session.date)}"
    # The dossier's own rule now lets it go to a jury again.
    from vaecos.evaluation.transmission import _final

    assert _final(dossier).ok


def test_an_evaluated_candidates_dossier_stays_transmitted(registration, president, member):
    vote(registration, president, True, True, True, True)
    vote(registration, member, True, True, True, True)
    decide(registration, president)
    services.deliberation_sign(registration=registration, by=president.user)
    services.deliberation_sign(registration=registration, by=member.user)

    registration.dossier.refresh_from_db()
    assert registration.dossier.status == DossierStatus.TRANSMITTED
    assert not registration.dossier.transitions.filter(transition="release").exists()


def test_missing_votes_are_refused_naming_who_and_which_blocs(registration, president, member):
    vote(registration, president, True, True, True, True)
    blocs = services.blocs_to_assess(registration)
    services.votes_save(
        registration=registration, by=member.user, choices={blocs[0].pk: True, blocs[1].pk: True}
    )

    with pytest.raises(ActionRefused) as refused:
        decide(registration, president)

    assert member.user.display_name in refused.value.message
    assert "RNCP35543BC03, RNCP35543BC04" in refused.value.message
    assert president.user.display_name not in refused.value.message


def test_only_the_president_decides(registration, president, member):
    vote(registration, president, True, True, True, True)
    vote(registration, member, True, True, True, True)

    with pytest.raises(ActionRefused, match="Seul le président"):
        decide(registration, member)


def test_deciding_twice_is_refused(registration, president):
    decide(registration, president, mode="absent")

    with pytest.raises(ActionRefused, match="Délibérée"):
        decide(registration, president, mode="excuse")


def test_votes_close_with_the_decision(registration, president, member):
    decide(registration, president, mode="absent")

    with pytest.raises(ActionRefused, match="Les votes sont clos"):
        vote(registration, member, True, True, True, True)


def test_the_page_keeps_the_presidents_text_when_the_decision_is_refused(
    registration, president, member
):
    vote(registration, president, True, True, False, False)
    vote(registration, member, True, True, False, False)
    client = signed_in(president.user)

    response = client.post(
        reverse("jury:deliberate", args=[registration.pk]),
        {"mode": "votes", "competences_to_prove": "", "reasons": "Mes motifs bien pesés."},
    )

    assert response.status_code == 400
    page = text(response)
    assert "indiquez les compétences restant à démontrer" in page
    assert "Mes motifs bien pesés." in page


def test_the_president_sees_what_the_votes_give_and_a_prefill_from_the_grid(
    registration, president, member
):
    two = services.blocs_to_assess(registration)[1]
    competence = two.competences.get(code="II-3")
    services.grid_save(
        registration=registration,
        by=member.user,
        changes=[services.GridChange(two.pk, competence.pk, "a_verifier", "", 0)],
    )
    vote(registration, president, True, False, True, True)
    vote(registration, member, True, False, True, True)

    page = text(signed_in(president.user).get(reverse("jury:candidate", args=[registration.pk])))

    assert "Selon les votes : <strong>Validation partielle</strong>" in page
    assert "II-3 – Recourir à des personnes référentes à bon escient (à vérifier à l'oral)" in page


def test_voting_through_the_page(registration, member):
    blocs = services.blocs_to_assess(registration)
    client = signed_in(member.user)

    client.post(
        reverse("jury:vote", args=[registration.pk]),
        {f"vote-{blocs[0].pk}": "oui", f"vote-{blocs[1].pk}": "non", "vote-999": "oui"},
    )

    votes = dict(Deliberation.objects.get().votes.values_list("activity_id", "validated"))
    assert votes == {blocs[0].pk: True, blocs[1].pk: False}


def test_no_vote_nor_decision_before_the_day_of_the_oral(referentiel, candidate):
    import datetime

    from django.utils import timezone

    session, jury = jury_session(
        referentiel, date=timezone.localdate() + datetime.timedelta(days=1)
    )
    registration = transmitted(referentiel, session, candidate=candidate)
    activity = services.blocs_to_assess(registration)[0]

    with pytest.raises(ActionRefused, match="le jour de l'oral, pas avant"):
        services.votes_save(registration=registration, by=jury[0].user, choices={activity.pk: True})
    with pytest.raises(ActionRefused, match="le jour de l'oral, pas avant"):
        decide(registration, jury[0], mode="absent")
    page = text(signed_in(jury[0].user).get(reverse("jury:candidate", args=[registration.pk])))

    assert "Les votes s'ouvrent le jour de l'oral" in page
    assert "Prononcer la décision" not in page
    assert not Deliberation.objects.exclude(status=Deliberation.Status.DRAFT).exists()


# --- A jury that breaks D. 6412-6 does not decide ------------------------------------------------


def test_a_member_who_coached_the_candidate_stops_the_decision(registration, president, member):
    vote(registration, president, True, True, True, True)
    vote(registration, member, True, True, True, True)
    registration.case.coach = member.user
    registration.case.save(update_fields=["coach"])

    with pytest.raises(ActionRefused) as refused:
        decide(registration, president)

    assert "Le jury ne peut pas délibérer" in refused.value.message
    assert f"{member.user.display_name} a accompagné" in refused.value.message
    assert Deliberation.objects.get().status == Deliberation.Status.DRAFT
    page = text(signed_in(president.user).get(reverse("jury:candidate", args=[registration.pk])))
    assert "Le jury ne peut pas délibérer sur ce candidat" in page
    assert f"{member.user.display_name} a accompagné" in page
    assert page.index("Le jury ne peut pas délibérer") < page.index("Prononcer la décision</h2>")


def test_a_jury_without_two_members_nor_a_qualified_one_does_not_decide(referentiel):
    session, jury = jury_session(referentiel, members=1)
    jury[0].qualified = False
    jury[0].save(update_fields=["qualified"])
    registration = transmitted(referentiel, session)

    with pytest.raises(ActionRefused) as refused:
        decide(registration, jury[0], mode="absent")

    assert "au moins deux membres" in refused.value.message
    assert "Aucun membre du jury n'est qualifié" in refused.value.message
    assert not Deliberation.objects.exclude(status=Deliberation.Status.DRAFT).exists()
    page = text(signed_in(jury[0].user).get(reverse("jury:candidate", args=[registration.pk])))
    assert "Aucun membre du jury n'est qualifié" in page


def test_a_conflict_with_another_candidate_stops_only_that_candidates_decision(
    referentiel, registration, session_jury, president, member
):
    other = transmitted(referentiel, session_jury[0])
    other.case.coach = member.user
    other.case.save(update_fields=["coach"])

    assert decide(registration, president, mode="absent").outcome == Outcome.ABSENT
    with pytest.raises(ActionRefused, match="a accompagné"):
        decide(other, president, mode="absent")


# --- Taking a decision back before anyone signed ---------------------------------------------------


def test_the_president_takes_back_a_decision_nobody_signed(registration, president, member):
    decide(registration, president, mode="absent", reasons="Pas venu.")

    deliberation = services.deliberation_reopen(registration=registration, by=president.user)

    assert deliberation.status == Deliberation.Status.DRAFT
    assert deliberation.outcome == ""
    assert deliberation.deliberated_at is None and deliberation.deliberated_by is None
    assert not DeliberationMember.objects.exists()
    log = DeliberationTransitionLog.objects.order_by("pk").last()
    assert (log.transition, log.from_state, log.to_state, log.by) == (
        "reopen",
        "delibere",
        "brouillon",
        president.user,
    )
    assert "Candidat absent" in log.reason
    # Corrected: excused. The registration goes straight to « excused », once.
    decide(registration, president, mode="excuse")
    services.deliberation_sign(registration=registration, by=president.user)
    services.deliberation_sign(registration=registration, by=member.user)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.EXCUSED
    assert list(registration.transitions.values_list("transition", flat=True)) == ["mark_excused"]


def test_taking_back_a_decision_from_the_votes_keeps_the_votes_and_the_text(
    registration, president, member
):
    vote(registration, president, True, True, False, False)
    vote(registration, member, True, True, False, False)
    decide(registration, president, competences_to_prove="III et IV.", reasons="Motifs pesés.")
    client = signed_in(president.user)
    page = text(client.get(reverse("jury:candidate", args=[registration.pk])))
    assert "Reprendre la délibération" in page

    response = client.post(reverse("jury:reopen", args=[registration.pk]), follow=True)

    page = text(response)
    assert "La décision est reprise" in page
    assert not BlocResult.objects.exists()
    assert BlocVote.objects.count() == 8
    assert "Prononcer la décision</h2>" in page
    assert "Motifs pesés." in page and "III et IV." in page


def test_a_signed_decision_cannot_be_taken_back(registration, president, member):
    decide(registration, president, mode="absent")
    services.deliberation_sign(registration=registration, by=member.user)

    with pytest.raises(ActionRefused, match=f"{member.user.display_name} a déjà signé"):
        services.deliberation_reopen(registration=registration, by=president.user)

    deliberation = Deliberation.objects.get()
    assert deliberation.status == Deliberation.Status.DELIBERATED
    assert deliberation.outcome == Outcome.ABSENT
    assert DeliberationMember.objects.count() == 2
    page = text(signed_in(president.user).get(reverse("jury:candidate", args=[registration.pk])))
    assert "Reprendre la délibération" not in page


def test_only_the_president_takes_a_decision_back(registration, president, member):
    decide(registration, president, mode="absent")

    with pytest.raises(ActionRefused, match="Seul le président"):
        services.deliberation_reopen(registration=registration, by=member.user)
    page = text(signed_in(member.user).get(reverse("jury:candidate", args=[registration.pk])))
    assert "Reprendre la délibération" not in page
    with pytest.raises(ActionRefused, match="En préparation"):
        services.deliberation_reopen(
            registration=transmitted(registration.case.referentiel_version, registration.session),
            by=president.user,
        )
