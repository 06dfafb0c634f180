"""Transmission of a final Livret 2 to a session's jury: who, the one-month rule at its edges,
and every other refusal, each with its reason."""

import datetime

import pytest
from django.core import mail

from tests.accounts.factories import UserFactory
from tests.evaluation.factories import (
    EvaluationSessionFactory,
    JuryMemberFactory,
    RegistrationFactory,
    transmittable,
)
from vaecos.cases.models import Coaching
from vaecos.dossiers.models import DossierStatus, Situation
from vaecos.evaluation.errors import TransmissionRefused
from vaecos.evaluation.models import Registration, RegistrationStatus
from vaecos.evaluation.transmission import next_sessions, transmission_refusals, transmit

VALID_UNTIL = datetime.date(2030, 1, 1)
SESSION_DAY = datetime.date(2027, 6, 15)
LATEST = datetime.date(2027, 5, 15)  # one month before


@pytest.fixture
def dossier(referentiel):
    return transmittable(referentiel, validity_end=VALID_UNTIL)


@pytest.fixture
def session(referentiel):
    return EvaluationSessionFactory(referentiel_version=referentiel, date=SESSION_DAY)


def test_staff_transmit_on_the_latest_day(
    dossier, session, instructor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = transmit(dossier, session, instructor, today=LATEST)

    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.TRANSMITTED
    assert registration.session == session and registration.dossier == dossier
    assert registration.transmitted_by == instructor and registration.transmitted_at
    assert registration.status == RegistrationStatus.REGISTERED
    with registration.bundle.open("rb") as stream:
        assert stream.read(5) == b"%PDF-"
    assert [m.to for m in mail.outbox] == [[dossier.case.candidate.email]]
    assert "transmis au jury" in mail.outbox[0].body
    assert dossier.transitions.filter(transition="transmit", by=instructor).count() == 1
    assert registration.transitions.filter(transition="register").count() == 1


def test_the_day_after_the_latest_day_is_refused_and_next_sessions_are_offered(
    referentiel, dossier, session, instructor
):
    later = EvaluationSessionFactory(
        referentiel_version=referentiel, date=datetime.date(2027, 9, 20)
    )

    reasons = transmission_refusals(
        dossier, session, instructor, today=LATEST + datetime.timedelta(days=1)
    )

    assert reasons == [
        "La session du 15/06/2027 a lieu dans moins d'un mois : le dossier devait parvenir au "
        "jury au plus tard le 15/05/2027, les inscriptions sont closes."
    ]
    assert next_sessions(dossier.case, LATEST + datetime.timedelta(days=1)) == [later]
    with pytest.raises(TransmissionRefused):
        transmit(dossier, session, instructor, today=LATEST + datetime.timedelta(days=1))
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.FINAL
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("session_day", "latest"),
    [
        (datetime.date(2027, 3, 31), datetime.date(2027, 2, 28)),
        (datetime.date(2028, 3, 31), datetime.date(2028, 2, 29)),  # leap year
        (datetime.date(2027, 5, 31), datetime.date(2027, 4, 30)),
    ],
)
def test_month_ends_are_clamped(referentiel, dossier, instructor, session_day, latest):
    session = EvaluationSessionFactory(referentiel_version=referentiel, date=session_day)

    on_time = transmission_refusals(dossier, session, instructor, today=latest)
    late = transmission_refusals(
        dossier, session, instructor, today=latest + datetime.timedelta(days=1)
    )

    assert on_time == []
    assert len(late) == 1 and f"au plus tard le {latest:%d/%m/%Y}" in late[0]


def test_a_dossier_not_final_is_refused(dossier, session, instructor):
    dossier.status = DossierStatus.IN_PROGRESS
    dossier.save()

    assert transmission_refusals(dossier, session, instructor, today=LATEST) == [
        "Le dossier n'est pas finalisé : le candidat doit le déclarer finalisé avant sa "
        "transmission."
    ]


def test_an_admissibility_ending_before_the_session_is_refused(referentiel, instructor, session):
    dossier = transmittable(referentiel, validity_end=SESSION_DAY - datetime.timedelta(days=1))

    reasons = transmission_refusals(dossier, session, instructor, today=LATEST)

    assert reasons == [
        "La recevabilité du candidat prend fin le 14/06/2027, avant la session du 15/06/2027."
    ]


def test_no_favourable_admissibility_is_refused(dossier, session, instructor):
    dossier.case.admissibility_requests.all().delete()

    reasons = transmission_refusals(dossier, session, instructor, today=LATEST)

    assert reasons == [
        "La recevabilité du candidat n'est pas favorable : aucune décision favorable."
    ]


def test_template_rules_not_met_are_refused_with_the_problems(dossier, session, instructor):
    Situation.objects.filter(dossier=dossier, activity__number=4).delete()

    reasons = transmission_refusals(dossier, session, instructor, today=LATEST)

    assert reasons[0] == "Le dossier ne respecte pas les règles du modèle de Livret 2."
    assert len(reasons) > 1 and any("IV" in r or "situation" in r.lower() for r in reasons[1:])


def test_unresolved_personal_data_are_refused_with_where(dossier, session, instructor):
    dossier.context = "J'ai reçu M. Jean Dupont, NIR 1 84 12 75 115 423 57, au guichet."
    dossier.save()

    reasons = transmission_refusals(dossier, session, instructor, today=LATEST)

    assert reasons[0] == "Des données personnelles restent à traiter par le candidat."
    assert "données personnelles à traiter" in reasons[1] or "donnée personnelle" in reasons[1]


def test_a_full_session_is_refused(referentiel, dossier, session, instructor):
    session.capacity = 1
    session.save()
    RegistrationFactory(
        session=session, case=transmittable(referentiel, validity_end=VALID_UNTIL).case
    )

    reasons = transmission_refusals(dossier, session, instructor, today=LATEST)

    assert reasons == ["La session du 15/06/2027 est complète (1 place)."]


def test_a_jury_member_in_conflict_is_refused(dossier, session, instructor):
    member = JuryMemberFactory(session=session)
    dossier.case.coach = member.user
    dossier.case.save()

    reasons = transmission_refusals(dossier, session, instructor, today=LATEST)

    assert len(reasons) == 1 and "a accompagné" in reasons[0]


def test_every_reason_is_given_at_once(dossier, session, coach):
    dossier.status = DossierStatus.IN_PROGRESS
    dossier.save()

    reasons = transmission_refusals(
        dossier, session, coach, today=LATEST + datetime.timedelta(days=1)
    )

    assert len(reasons) == 3
    assert "pas par vous" in reasons[0]
    assert "pas finalisé" in reasons[1]
    assert "moins d'un mois" in reasons[2]


# --- Who transmits -----------------------------------------------------------------------------


def test_the_coach_transmits_for_an_institut_410_candidate_and_staff_do_not(
    referentiel, session, coach, instructor, administrator
):
    dossier = transmittable(
        referentiel, validity_end=VALID_UNTIL, coaching=Coaching.INSTITUT_410, coach=coach
    )
    another_coach = UserFactory(coach=True)

    assert "pas par vous" in transmission_refusals(dossier, session, instructor, today=LATEST)[0]
    assert "pas par vous" in transmission_refusals(dossier, session, administrator, today=LATEST)[0]
    assert transmission_refusals(dossier, session, another_coach, today=LATEST)
    assert transmission_refusals(dossier, session, coach, today=LATEST) == []


@pytest.mark.parametrize("coaching", [Coaching.OTHER, Coaching.NONE, Coaching.UNDECLARED])
def test_staff_transmit_for_other_candidates_and_coaches_do_not(
    referentiel, session, coach, administrator, coaching
):
    dossier = transmittable(referentiel, validity_end=VALID_UNTIL, coaching=coaching, coach=coach)

    assert transmission_refusals(dossier, session, administrator, today=LATEST) == []
    assert transmission_refusals(dossier, session, coach, today=LATEST) == [
        "Le dossier de ce candidat est transmis par le service certification de l'Ucanss, pas "
        "par vous."
    ]
    assert transmission_refusals(dossier, session, dossier.case.candidate, today=LATEST)


def test_the_coach_is_told_by_mail_too(
    referentiel, session, coach, django_capture_on_commit_callbacks
):
    dossier = transmittable(
        referentiel, validity_end=VALID_UNTIL, coaching=Coaching.INSTITUT_410, coach=coach
    )

    with django_capture_on_commit_callbacks(execute=True):
        transmit(dossier, session, coach, today=LATEST)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [dossier.case.candidate.email, coach.email]
    )


def test_transmitting_uses_the_existing_registration_and_twice_is_refused(
    dossier, session, instructor
):
    existing = RegistrationFactory(session=session, case=dossier.case)

    registration = transmit(dossier, session, instructor, today=LATEST)

    assert registration.pk == existing.pk
    with pytest.raises(TransmissionRefused, match="déjà été transmis"):
        transmit(dossier, session, instructor, today=LATEST)


def test_registered_to_another_upcoming_session_is_refused(
    referentiel, dossier, session, instructor
):
    other = EvaluationSessionFactory(
        referentiel_version=referentiel, date=datetime.date(2027, 9, 1)
    )
    RegistrationFactory(session=other, case=dossier.case)

    reasons = transmission_refusals(dossier, session, instructor, today=LATEST)

    assert len(reasons) == 1 and "déjà inscrit à la session du 01/09/2027" in reasons[0]


# --- A bundle that cannot be produced, a file that must not stay ---------------------------------


def stored_files():
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.MEDIA_ROOT) / "jury"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_bundle_that_cannot_be_rendered_refuses_and_records_nothing(
    monkeypatch, dossier, session, instructor, django_capture_on_commit_callbacks
):
    from vaecos.documents.engine import RenderError
    from vaecos.evaluation import transmission
    from vaecos.evaluation.errors import DocumentFailed

    def broken(_dossier):
        raise RenderError("livret2.typ: boom")

    monkeypatch.setattr(transmission, "bundle_pdf", broken)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(DocumentFailed) as refused,
    ):
        transmit(dossier, session, instructor, today=LATEST)

    assert refused.value.message.startswith(
        "Le dossier transmis au jury (PDF) n'a pas pu être produit : rien n'a été enregistré"
    )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.FINAL
    assert not Registration.objects.exists() and mail.outbox == [] and stored_files() == []


def test_a_failure_after_the_bundle_is_stored_leaves_no_file(
    monkeypatch, dossier, session, instructor
):
    from vaecos.evaluation import notifications

    def broken(_registration):
        raise RuntimeError("after the file")

    monkeypatch.setattr(notifications, "send_transmitted_after_commit", broken)

    with pytest.raises(RuntimeError):
        transmit(dossier, session, instructor, today=LATEST)

    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.FINAL and stored_files() == []


def test_a_withdrawal_just_before_the_transmission_gets_its_locks(
    monkeypatch, dossier, session, instructor
):
    """The candidate withdrew while the transmission waited for the locks: the transmission
    reads the registration once it holds them, registers the case again and transmits."""
    from vaecos.evaluation import transmission

    RegistrationFactory(session=session, case=dossier.case)
    real = transmission.lock_for_registration

    def withdrawn_meanwhile(case, locked_session):
        Registration.objects.filter(case=case, session=locked_session).delete()
        return real(case, locked_session)

    monkeypatch.setattr(transmission, "lock_for_registration", withdrawn_meanwhile)

    registration = transmit(dossier, session, instructor, today=LATEST)

    assert Registration.objects.get() == registration and registration.transmitted_at


# --- Whoever must transmit for an Institut 4.10 candidate without a coach ----------------------


def test_staff_are_told_to_assign_a_coach(referentiel, session, instructor):
    dossier = transmittable(referentiel, validity_end=VALID_UNTIL, coaching=Coaching.INSTITUT_410)

    assert transmission_refusals(dossier, session, instructor, today=LATEST) == [
        "Ce candidat est accompagné par l'Institut 4.10 : c'est son accompagnateur qui transmet "
        "le dossier. Aucun accompagnateur n'est encore désigné : désignez-en un."
    ]
