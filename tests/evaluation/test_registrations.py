"""Sessions (create, change, delete) and registrations (register, withdraw), with each refusal."""

import datetime

import pytest
from django.utils import timezone

from tests.accounts.factories import UserFactory
from tests.evaluation.factories import (
    EvaluationSessionFactory,
    JuryMemberFactory,
    RegistrationFactory,
    favourable_case,
)
from vaecos.evaluation import registrations, sessions
from vaecos.evaluation.errors import EvaluationError, RegistrationRefused
from vaecos.evaluation.models import EvaluationSession, Registration, RegistrationStatus

TODAY = datetime.date(2027, 3, 1)
VALID_UNTIL = datetime.date(2030, 1, 1)


@pytest.fixture
def session(referentiel):
    return EvaluationSessionFactory(
        referentiel_version=referentiel, date=datetime.date(2027, 6, 15)
    )


@pytest.fixture
def case(referentiel):
    return favourable_case(referentiel, validity_end=VALID_UNTIL)


def test_a_candidate_registers_to_an_open_session(case, session):
    registration = registrations.register(
        case=case, session=session, by=case.candidate, today=TODAY
    )

    assert registration.status == RegistrationStatus.REGISTERED
    assert registration.registered_by == case.candidate
    assert registrations.open_sessions(case, today=TODAY) == []  # already registered


def test_open_sessions_are_those_of_the_version_and_branch_with_room(referentiel, case, session):
    other_branch = referentiel.branches.exclude(pk=case.branch_id).first()
    EvaluationSessionFactory(
        referentiel_version=referentiel, branch=other_branch, date=session.date
    )
    all_branches = EvaluationSessionFactory(
        referentiel_version=referentiel, date=datetime.date(2027, 7, 1)
    )
    full = EvaluationSessionFactory(
        referentiel_version=referentiel, date=datetime.date(2027, 7, 2), capacity=1
    )
    RegistrationFactory(session=full, case=favourable_case(referentiel))
    closing = EvaluationSessionFactory(
        referentiel_version=referentiel, date=datetime.date(2027, 3, 20)
    )

    assert registrations.open_sessions(case, today=TODAY) == [session, all_branches]
    assert closing not in registrations.open_sessions(case, today=TODAY)


@pytest.mark.parametrize(
    ("today", "closed"),
    [(datetime.date(2027, 5, 15), False), (datetime.date(2027, 5, 16), True)],
)
def test_registration_closes_one_month_before(case, session, today, closed):
    reasons = registrations.registration_refusals(case, session, today=today)

    assert bool(reasons) is closed
    if closed:
        assert "les inscriptions sont closes" in reasons[0]


def test_each_refusal_has_its_reason(referentiel, case, session):
    session.capacity = 1
    session.save()
    RegistrationFactory(session=session, case=favourable_case(referentiel))
    other = EvaluationSessionFactory(
        referentiel_version=referentiel, date=datetime.date(2027, 9, 1)
    )
    RegistrationFactory(session=other, case=case)
    case.admissibility_requests.update(validity_end=datetime.date(2027, 6, 1))
    member = JuryMemberFactory(session=session)
    case.coach = member.user
    case.save()

    with pytest.raises(RegistrationRefused) as refused:
        registrations.register(case=case, session=session, by=case.candidate, today=TODAY)

    reasons = refused.value.reasons
    assert len(reasons) == 4
    assert "prend fin le 01/06/2027" in reasons[0]
    assert "complète (1 place)" in reasons[1]
    assert "déjà inscrit à la session du 01/09/2027" in reasons[2]
    assert "a accompagné" in reasons[3]
    assert not Registration.objects.filter(case=case, session=session).exists()


def test_an_evaluated_registration_elsewhere_does_not_block(referentiel, case, session):
    other = EvaluationSessionFactory(
        referentiel_version=referentiel, date=datetime.date(2027, 4, 1)
    )
    RegistrationFactory(session=other, case=case, status=RegistrationStatus.EVALUATED)

    assert registrations.registration_refusals(case, session, today=TODAY) == []


def test_a_session_of_another_branch_is_refused(referentiel, case):
    other_branch = referentiel.branches.exclude(pk=case.branch_id).first()
    session = EvaluationSessionFactory(
        referentiel_version=referentiel, branch=other_branch, date=datetime.date(2027, 6, 15)
    )

    assert registrations.registration_refusals(case, session, today=TODAY) == [
        f"Cette session est réservée à la branche {other_branch.name}."
    ]


def test_withdraw_before_transmission_only(case, session):
    registration = RegistrationFactory(session=session, case=case)
    transmitted = RegistrationFactory(
        session=EvaluationSessionFactory(referentiel_version=session.referentiel_version),
        case=case,
        dossier=case.dossiers.first(),
        transmitted_at=timezone.now(),
    )

    registrations.withdraw(registration=registration, by=case.candidate)
    with pytest.raises(EvaluationError, match="ne peut plus être retirée"):
        registrations.withdraw(registration=transmitted, by=case.candidate)

    assert list(Registration.objects.all()) == [transmitted]


def test_staff_see_the_eligible_cases(referentiel, case, session):
    favourable_case(referentiel, validity_end=datetime.date(2027, 6, 1))  # ends before
    other_branch = referentiel.branches.exclude(pk=case.branch_id).first()
    session.branch = case.branch
    session.save()
    favourable_case(referentiel, validity_end=VALID_UNTIL, branch=other_branch)

    assert registrations.eligible_cases(session, today=TODAY) == [case]


# --- Sessions ----------------------------------------------------------------------------------


def test_a_session_in_the_past_cannot_be_created(referentiel, instructor):
    session = EvaluationSession(
        referentiel_version=referentiel,
        date=TODAY - datetime.timedelta(days=1),
        start_time=datetime.time(9),
        place="Paris",
        capacity=4,
    )

    with pytest.raises(sessions.SessionError, match="passée"):
        sessions.session_create(session=session, by=instructor, today=TODAY)


def test_a_session_needs_a_place_or_a_link(referentiel, instructor):
    session = EvaluationSession(
        referentiel_version=referentiel, date=TODAY, start_time=datetime.time(9), capacity=4
    )

    with pytest.raises(sessions.SessionError, match="lieu ou un lien"):
        sessions.session_create(session=session, by=instructor, today=TODAY)
    session.video_link = "https://visio.example/jury"
    assert sessions.session_create(session=session, by=instructor, today=TODAY).pk


def test_a_session_with_registrations_is_not_deleted(case, session, instructor):
    RegistrationFactory(session=session, case=case)
    JuryMemberFactory(session=session)

    with pytest.raises(sessions.SessionError) as refused:
        sessions.session_delete(session=session, by=instructor)

    assert refused.value.message == (
        "La session du 15/06/2027 compte 1 inscription : retirez-les avant de la supprimer. "
        "Rien n'a été supprimé."
    )
    assert EvaluationSession.objects.filter(pk=session.pk).exists()
    assert session.jury.count() == 1


def test_a_session_without_registrations_is_deleted_with_its_jury(session, instructor):
    JuryMemberFactory(session=session)

    sessions.session_delete(session=session, by=instructor)

    assert not EvaluationSession.objects.exists()


def test_capacity_cannot_go_below_the_registered(case, session, instructor):
    RegistrationFactory(session=session, case=case)
    RegistrationFactory(session=session, case=favourable_case(session.referentiel_version))
    session.capacity = 1

    with pytest.raises(sessions.SessionError, match="déjà 2 inscrits"):
        sessions.session_update(session=session, by=instructor, today=TODAY)


def test_only_jury_accounts_are_offered(session):
    from vaecos.www.evaluation.forms import MemberAddForm

    member = UserFactory(jury=True)
    UserFactory(coach=True)

    form = MemberAddForm(session=session)

    assert list(form.fields["user"].queryset) == [member]


# --- A case waiting on a transmitted dossier, a case already certified -------------------------


def _transmitted_to(case, session, **fields):
    return RegistrationFactory(
        session=session,
        case=case,
        dossier=case.dossiers.first(),
        transmitted_at=timezone.now(),
        **fields,
    )


def _notified(registration, outcome):
    from vaecos.jury.models import Deliberation

    return Deliberation.objects.create(
        registration=registration,
        status=Deliberation.Status.NOTIFIED,
        outcome=outcome,
        notified_at=timezone.now(),
    )


@pytest.fixture
def past_session(referentiel):
    return EvaluationSessionFactory(
        referentiel_version=referentiel, date=TODAY - datetime.timedelta(days=10)
    )


@pytest.mark.parametrize("status", [RegistrationStatus.CONVENED, RegistrationStatus.EVALUATED])
def test_a_transmitted_dossier_without_a_notified_decision_is_pending_whatever_the_date(
    case, session, past_session, status
):
    _transmitted_to(case, past_session, status=status)

    reasons = registrations.registration_refusals(case, session, today=TODAY)

    assert reasons == [
        f"Le dossier du candidat a été transmis au jury de la session du "
        f"{past_session.date:%d/%m/%Y}, dont la décision n'a pas encore été notifiée : le "
        "candidat ne peut pas être inscrit à une autre session avant."
    ]


@pytest.mark.parametrize("outcome", ["absent", "excuse", "partielle", "aucune"])
def test_a_notified_decision_frees_the_case(case, session, past_session, outcome):
    status = {"absent": RegistrationStatus.ABSENT, "excuse": RegistrationStatus.EXCUSED}.get(
        outcome, RegistrationStatus.EVALUATED
    )
    _notified(_transmitted_to(case, past_session, status=status), outcome)

    assert registrations.registration_refusals(case, session, today=TODAY) == []
    assert registrations.pending_elsewhere(case, None, TODAY) is None


def test_a_case_validated_in_full_is_over(case, session, past_session):
    _notified(_transmitted_to(case, past_session, status=RegistrationStatus.EVALUATED), "totale")

    with pytest.raises(RegistrationRefused) as refused:
        registrations.register(case=case, session=session, by=case.candidate, today=TODAY)

    assert refused.value.reasons == [
        "Le candidat a obtenu la validation totale de la certification (session du "
        f"{past_session.date:%d/%m/%Y}) : son parcours est terminé, il ne peut plus être inscrit "
        "à une session."
    ]
    assert registrations.open_sessions(case, today=TODAY) == []
    assert case not in registrations.eligible_cases(session, today=TODAY)


def test_a_registration_not_transmitted_to_a_past_session_does_not_block(
    case, session, past_session
):
    RegistrationFactory(session=past_session, case=case)

    assert registrations.registration_refusals(case, session, today=TODAY) == []


# --- Withdrawing takes the transmission's locks ------------------------------------------------


def test_withdraw_locks_the_case_and_the_session_like_a_transmission(monkeypatch, case, session):
    registration = RegistrationFactory(session=session, case=case)
    locked = []
    real = registrations.lock_for_registration

    def spy(locked_case, locked_session):
        locked.append((locked_case.pk, locked_session.pk))
        return real(locked_case, locked_session)

    monkeypatch.setattr(registrations, "lock_for_registration", spy)

    registrations.withdraw(registration=registration, by=case.candidate)

    assert locked == [(case.pk, session.pk)]
    assert not Registration.objects.exists()


def test_withdraw_sees_a_transmission_that_committed_while_it_waited(monkeypatch, case, session):
    registration = RegistrationFactory(session=session, case=case)
    real = registrations.lock_for_registration

    def transmitted_meanwhile(locked_case, locked_session):
        # The transmission held the locks; it commits before withdraw gets them.
        Registration.objects.filter(pk=registration.pk).update(
            dossier=case.dossiers.first(), transmitted_at=timezone.now()
        )
        return real(locked_case, locked_session)

    monkeypatch.setattr(registrations, "lock_for_registration", transmitted_meanwhile)

    with pytest.raises(EvaluationError, match="ne peut plus être retirée"):
        registrations.withdraw(registration=registration, by=case.candidate)

    assert Registration.objects.filter(pk=registration.pk).exists()


def test_the_candidate_is_told_of_the_registration_after_commit(
    case, session, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        registrations.register(case=case, session=session, by=case.candidate, today=TODAY)

    [mail] = mailoutbox
    assert mail.to == [case.candidate.email]
    assert mail.subject == "Inscription à la session d'évaluation du 15/06/2027"
    # One month before 15 June: the dossier must reach the jury by 15 May.
    assert "au plus tard le 15/05/2027" in mail.body
    assert "service certification" in mail.body
