"""Changing a session that already has candidates: what a new date would break is refused with
every reason; a change of what the convocation says sends it again (same calendar event, next
SEQUENCE); a new date lets the reminder go again; a past session convenes nobody."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from tests.evaluation.factories import (
    EvaluationSessionFactory,
    RegistrationFactory,
    favourable_case,
    valid_jury,
)
from vaecos.evaluation import convocation, sessions
from vaecos.evaluation.convocation import ConvocationError
from vaecos.evaluation.models import EvaluationSession, RegistrationStatus

TODAY = datetime.date(2027, 3, 1)
SESSION_DAY = datetime.date(2027, 6, 15)
VALID_UNTIL = datetime.date(2030, 1, 1)


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


@pytest.fixture
def session(referentiel):
    return EvaluationSessionFactory(referentiel_version=referentiel, date=SESSION_DAY)


def transmitted(session, *, on=datetime.date(2027, 5, 10), validity_end=VALID_UNTIL, **fields):
    case = favourable_case(session.referentiel_version, validity_end=validity_end)
    return RegistrationFactory(
        session=session,
        case=case,
        dossier=case.dossiers.first(),
        transmitted_at=at(on),
        **fields,
    )


def changed(session, **values):
    """The session as the form hands it over: the new values set, not saved."""
    fresh = EvaluationSession.objects.get(pk=session.pk)
    for name, value in values.items():
        setattr(fresh, name, value)
    return fresh


def test_an_earlier_date_that_breaks_the_one_month_rule_is_refused(session, instructor):
    registration = transmitted(session, on=datetime.date(2027, 5, 10))

    with pytest.raises(sessions.SessionRefused) as refused:
        sessions.session_update(
            session=changed(session, date=datetime.date(2027, 6, 1)), by=instructor, today=TODAY
        )

    name = registration.case.candidate.get_full_name()
    assert refused.value.reasons == [
        f"Le dossier de {name} a été transmis le 10/05/2027 : pour une session le 01/06/2027, "
        "il aurait dû l'être au plus tard le 01/05/2027 (un mois avant)."
    ]
    session.refresh_from_db()
    assert session.date == SESSION_DAY


def test_an_earlier_date_still_a_month_after_the_transmission_is_accepted(session, instructor):
    transmitted(session, on=datetime.date(2027, 5, 10))

    sessions.session_update(
        session=changed(session, date=datetime.date(2027, 6, 10)), by=instructor, today=TODAY
    )

    session.refresh_from_db()
    assert session.date == datetime.date(2027, 6, 10)


def test_a_later_date_past_an_admissibility_is_refused_with_every_reason(
    referentiel, session, instructor
):
    short = transmitted(session, validity_end=datetime.date(2027, 7, 1))
    never = RegistrationFactory(session=session, case=favourable_case(referentiel))
    never.case.admissibility_requests.all().delete()
    transmitted(session)  # valid long enough

    with pytest.raises(sessions.SessionRefused) as refused:
        sessions.session_update(
            session=changed(session, date=datetime.date(2027, 9, 1), capacity=2),
            by=instructor,
            today=TODAY,
        )

    reasons = refused.value.reasons
    assert reasons[0] == (
        "La session compte déjà 3 inscrits : sa capacité ne peut pas être inférieure."
    )
    assert sorted(reasons[1:]) == sorted(
        [
            f"{short.case.candidate.get_full_name()} : la recevabilité du candidat prend fin le "
            "01/07/2027, avant la session du 01/09/2027.",
            f"{never.case.candidate.get_full_name()} : la recevabilité du candidat n'est pas "
            "favorable : aucune décision favorable.",
        ]
    )
    assert refused.value.message.endswith("La session n'a pas été modifiée.")
    session.refresh_from_db()
    assert session.date == SESSION_DAY and session.capacity == 8


def test_an_evaluated_registration_does_not_hold_the_date(session, instructor):
    transmitted(
        session,
        on=datetime.date(2027, 5, 10),
        validity_end=datetime.date(2027, 6, 20),
        status=RegistrationStatus.EVALUATED,
    )

    sessions.session_update(
        session=changed(session, date=datetime.date(2027, 9, 1)), by=instructor, today=TODAY
    )


def test_a_new_place_sends_the_convocation_again_to_the_convened_only(
    referentiel, session, instructor, django_capture_on_commit_callbacks
):
    valid_jury(session)
    convened = transmitted(session)
    waiting = transmitted(session)  # transmitted, not convened yet
    with django_capture_on_commit_callbacks(execute=True):
        convocation.convene(registration=convened, by=instructor)
    first_ics = mail.outbox[0].attachments[1][1]
    convened.refresh_from_db()
    first_pdf = convened.convocation.name
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        updated = sessions.session_update(
            session=changed(session, place="Ucanss, 18 rue de Lyon, salle 2"),
            by=instructor,
            today=TODAY,
        )

    assert updated.reconvened == [convened]
    (message,) = mail.outbox
    assert message.to == [convened.case.candidate.email]
    assert message.subject == "Convocation modifiée : jury de VAE du 15/06/2027"
    assert "remplace la précédente" in message.body and "18 rue de Lyon" in message.body
    ics = message.attachments[1][1]
    uid = f"UID:vaecos-inscription-{convened.pk}@vae-cos"
    assert uid in first_ics and uid in ics
    assert "SEQUENCE:0" in first_ics and "SEQUENCE:1" in ics
    convened.refresh_from_db()
    assert convened.convocation_sequence == 1 and convened.convocation.name != first_pdf
    assert not convened.convocation.storage.exists(first_pdf)  # the old letter is gone
    log = convened.transitions.filter(transition="convene").last()
    assert log.reason == "Session modifiée : lieu"
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.REGISTERED and not waiting.convocation


def test_a_new_date_resets_the_reminder_and_reconvenes(
    session, instructor, django_capture_on_commit_callbacks
):
    valid_jury(session)
    registration = transmitted(session)
    convocation.convene(registration=registration, by=instructor)
    registration.refresh_from_db()
    registration.reminder_sent_at = timezone.now()
    registration.save()

    with django_capture_on_commit_callbacks(execute=True):
        sessions.session_update(
            session=changed(session, date=datetime.date(2027, 7, 1), start_time=datetime.time(14)),
            by=instructor,
            today=TODAY,
        )

    registration.refresh_from_db()
    assert registration.reminder_sent_at is None
    (message,) = mail.outbox
    assert "01/07/2027" in message.subject
    assert "DTSTART:20270701T120000Z" in message.attachments[1][1]
    assert registration.transitions.last().reason == "Session modifiée : date, heure"


def test_a_new_time_keeps_the_reminder(session, instructor):
    valid_jury(session)
    registration = transmitted(session)
    convocation.convene(registration=registration, by=instructor)
    sent = timezone.now()
    type(registration).objects.filter(pk=registration.pk).update(reminder_sent_at=sent)

    sessions.session_update(
        session=changed(session, start_time=datetime.time(14)), by=instructor, today=TODAY
    )

    registration.refresh_from_db()
    assert registration.reminder_sent_at == sent and registration.convocation_sequence == 1


def test_other_changes_convene_nobody_again(
    session, instructor, django_capture_on_commit_callbacks
):
    valid_jury(session)
    registration = transmitted(session)
    convocation.convene(registration=registration, by=instructor)

    with django_capture_on_commit_callbacks(execute=True):
        updated = sessions.session_update(
            session=changed(session, capacity=12, practical_details="Badge à l'accueil."),
            by=instructor,
            today=TODAY,
        )

    assert updated.reconvened == [] and mail.outbox == []


def test_a_past_session_convenes_nobody(referentiel, instructor):
    session = EvaluationSessionFactory(
        referentiel_version=referentiel, date=timezone.localdate() - datetime.timedelta(days=1)
    )
    valid_jury(session)
    registration = transmitted(session, on=timezone.localdate() - datetime.timedelta(days=40))

    with pytest.raises(ConvocationError, match="est passée"):
        convocation.convene(registration=registration, by=instructor)
    with pytest.raises(ConvocationError, match="est passée"):
        convocation.convene_session(session=session, by=instructor)

    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REGISTERED and not registration.convocation
