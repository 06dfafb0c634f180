"""The jury's composition (Code du travail D. 6412-6) and who may not sit for a candidate."""

import datetime

import pytest

from tests.accounts.factories import UserFactory
from tests.evaluation.factories import (
    EvaluationSessionFactory,
    JuryMemberFactory,
    RegistrationFactory,
    favourable_case,
    valid_jury,
)
from vaecos.accounts.models import Organisation
from vaecos.admissibility.models import Experience
from vaecos.evaluation import composition
from vaecos.evaluation.composition import CompositionError, composition_report, conflict_reason
from vaecos.evaluation.models import JuryMember

TODAY = datetime.date(2027, 3, 1)


@pytest.fixture
def session(referentiel):
    return EvaluationSessionFactory(
        referentiel_version=referentiel, date=TODAY + datetime.timedelta(days=60)
    )


@pytest.fixture
def case(referentiel):
    return favourable_case(referentiel)


def test_a_valid_jury_has_no_error_and_no_warning(session):
    valid_jury(session)

    report = composition_report(session, today=TODAY)

    assert report.ok and report.errors == [] and report.warnings == []


def test_fewer_than_two_members_blocks(session):
    JuryMemberFactory(session=session, is_president=True, user__gender="F")

    report = composition_report(session, today=TODAY)

    assert not report.ok
    assert any("au moins deux membres ; il en compte 1" in e for e in report.errors)


def test_no_qualified_member_blocks_and_one_is_enough(session):
    president, member = valid_jury(session)
    JuryMember.objects.filter(pk=president.pk).update(qualified=False)

    refused = composition_report(session, today=TODAY)
    JuryMember.objects.filter(pk=member.pk).update(qualified=True)
    allowed = composition_report(session, today=TODAY)

    assert any("qualifié pour la certification" in e for e in refused.errors)
    assert allowed.ok


def test_no_president_blocks(session):
    president, _ = valid_jury(session)
    JuryMember.objects.filter(pk=president.pk).update(is_president=False)

    report = composition_report(session, today=TODAY)

    assert report.errors == ["Le jury n'a pas de président : désignez-en un parmi ses membres."]


def test_a_jury_of_one_gender_is_a_warning_not_a_block(session):
    JuryMemberFactory(session=session, is_president=True, user__gender="F")
    JuryMemberFactory(session=session, user__gender="F")

    report = composition_report(session, today=TODAY)

    assert report.ok
    assert report.warnings == [
        "Le jury ne compte que des femmes : la loi demande un jury équilibré entre les femmes "
        "et les hommes (Code du travail, art. D. 6412-6)."
    ]


def test_an_unknown_gender_is_a_warning_saying_so(session):
    JuryMemberFactory(session=session, is_president=True, user__gender="F")
    unknown = JuryMemberFactory(session=session, user__gender="")

    report = composition_report(session, today=TODAY)

    assert report.ok
    assert report.warnings == [
        f"Le sexe de {unknown.user.display_name} n'est pas renseigné : l'équilibre entre les "
        "femmes et les hommes du jury ne peut pas être vérifié."
    ]


# --- Conflicts ---------------------------------------------------------------------------------


def test_a_member_who_coached_the_candidate_may_not_sit(case):
    coach_then_jury = UserFactory(jury=True)
    other = UserFactory(jury=True)
    case.coach = coach_then_jury
    case.save()

    reason = conflict_reason(coach_then_jury, case, today=TODAY)

    assert reason is not None and "a accompagné" in reason
    assert case.candidate.display_name in reason
    assert conflict_reason(other, case, today=TODAY) is None


def test_a_member_of_the_candidates_organisation_may_not_sit(case):
    caf = Organisation.objects.create(name="CAF du Rhône")
    case.candidate.organisation = caf
    case.candidate.save()
    colleague = UserFactory(jury=True, organisation=caf)
    elsewhere = UserFactory(jury=True, organisation=Organisation.objects.create(name="CPAM"))

    reason = conflict_reason(colleague, case, today=TODAY)

    assert reason is not None and "travaille dans l'organisme" in reason
    assert "CAF du Rhône" in reason
    assert conflict_reason(elsewhere, case, today=TODAY) is None


def test_the_organisation_of_a_current_experience_counts_whatever_the_case_and_accents(case):
    # favourable_case's experience: « CAF de Loire-Atlantique », still going on.
    member = UserFactory(
        jury=True, organisation=Organisation.objects.create(name="caf de loire atlantique")
    )

    assert "travaille dans l'organisme" in conflict_reason(member, case, today=TODAY)


def test_an_experience_ended_more_than_a_year_ago_does_not_count(case):
    member = UserFactory(
        jury=True, organisation=Organisation.objects.create(name="CAF de Loire-Atlantique")
    )
    experience = Experience.objects.get(request__case=case)

    experience.ended_on = TODAY - datetime.timedelta(days=400)
    experience.save()
    old = conflict_reason(member, case, today=TODAY)
    experience.ended_on = TODAY - datetime.timedelta(days=200)
    experience.save()
    recent = conflict_reason(member, case, today=TODAY)

    assert old is None
    assert recent is not None


def test_adding_a_member_in_conflict_with_a_registered_candidate_is_refused(
    session, case, instructor
):
    RegistrationFactory(session=session, case=case)
    coach_then_jury = UserFactory(jury=True)
    case.coach = coach_then_jury
    case.save()

    with pytest.raises(CompositionError) as refused:
        composition.member_add(session=session, user=coach_then_jury, by=instructor, today=TODAY)

    assert case.candidate.display_name in refused.value.message
    assert not session.jury.exists()
    allowed = composition.member_add(
        session=session, user=UserFactory(jury=True), by=instructor, today=TODAY
    )
    assert allowed.session == session


def test_a_conflict_in_the_jury_blocks_the_convocation(session, case):
    president, _ = valid_jury(session)
    RegistrationFactory(session=session, case=case)
    case.coach = president.user
    case.save()

    report = composition_report(session, today=TODAY)

    assert not report.ok and "a accompagné" in report.errors[0]


def test_only_jury_accounts_sit_and_once(session, instructor):
    member = UserFactory(jury=True)
    composition.member_add(session=session, user=member, by=instructor, today=TODAY)

    with pytest.raises(CompositionError, match="fait déjà partie"):
        composition.member_add(session=session, user=member, by=instructor, today=TODAY)
    with pytest.raises(CompositionError, match="pas de compte de membre du jury"):
        composition.member_add(session=session, user=UserFactory(), by=instructor, today=TODAY)


def test_a_new_president_replaces_the_former_one(session, instructor):
    president, member = valid_jury(session)

    composition.member_update(
        member=member, by=instructor, is_president=True, qualified=True, today=TODAY
    )

    president.refresh_from_db()
    member.refresh_from_db()
    assert member.is_president and not president.is_president


def test_the_jury_of_a_past_session_cannot_change(session, instructor):
    president, _ = valid_jury(session)

    with pytest.raises(CompositionError, match="a eu lieu"):
        composition.member_remove(
            member=president, by=instructor, today=session.date + datetime.timedelta(days=1)
        )

    assert JuryMember.objects.filter(pk=president.pk).exists()


def test_a_member_recorded_in_a_decision_cannot_be_removed(referentiel, candidate, instructor):
    from tests.jury.factories import jury_session, transmitted
    from vaecos.jury.models import Deliberation, DeliberationMember

    session, jury = jury_session(referentiel)
    registration = transmitted(referentiel, session, candidate=candidate)
    # An "absent" decision: no vote, but the member sat and must sign.
    deliberation = Deliberation.objects.create(
        registration=registration, status=Deliberation.Status.DELIBERATED, outcome="absent"
    )
    DeliberationMember.objects.create(deliberation=deliberation, user=jury[1].user)

    with pytest.raises(CompositionError, match="délibéré"):
        composition.member_remove(member=jury[1], by=instructor)

    assert JuryMember.objects.filter(pk=jury[1].pk).exists()
