"""Convocations (PDF, e-mail with .ics), the calendar file itself, and the 14-day reminder."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from pypdf import PdfReader

from tests.evaluation.factories import (
    EvaluationSessionFactory,
    JuryMemberFactory,
    RegistrationFactory,
    favourable_case,
    valid_jury,
)
from vaecos.evaluation import convocation, ics
from vaecos.evaluation.convocation import ConvocationError
from vaecos.evaluation.models import RegistrationStatus
from vaecos.evaluation.tasks import run_session_reminders, send_session_reminders

SESSION_DAY = datetime.date(2027, 6, 15)


@pytest.fixture
def session(referentiel):
    return EvaluationSessionFactory(
        referentiel_version=referentiel,
        date=SESSION_DAY,
        practical_details="Accueil au 2e étage ; badge à retirer, à l'entrée.",
    )


@pytest.fixture
def registration(referentiel, session):
    case = favourable_case(referentiel, validity_end=datetime.date(2030, 1, 1))
    return RegistrationFactory(
        session=session, case=case, dossier=case.dossiers.first(), transmitted_at=timezone.now()
    )


def test_convening_writes_the_letter_and_mails_it_with_a_calendar_file(
    session, registration, instructor, django_capture_on_commit_callbacks
):
    valid_jury(session)

    with django_capture_on_commit_callbacks(execute=True):
        convened = convocation.convene(registration=registration, by=instructor)

    assert convened.status == RegistrationStatus.CONVENED and convened.convened_at
    with convened.convocation.open("rb") as stream:
        text = "".join(page.extract_text() for page in PdfReader(stream).pages)
    assert "Convocation" in text and "15 juin 2027" in text and "9 h 30" in text
    assert "33 avenue du Maine" in text and "Accueil au 2e étage" in text
    assert "pièce d'identité" in text
    (message,) = mail.outbox
    assert message.to == [registration.case.candidate.email]
    names = [a[0] for a in message.attachments]
    assert names == [f"convocation-{registration.pk}.pdf", "session-jury-vae.ics"]
    calendar = message.attachments[1]
    assert calendar[2].startswith("text/calendar")
    assert "DTSTART:20270615T073000Z" in calendar[1]  # 9:30 in Paris, summer time


def test_convening_again_sends_again_and_stays_convened(
    session, registration, instructor, django_capture_on_commit_callbacks
):
    valid_jury(session)
    with django_capture_on_commit_callbacks(execute=True):
        convocation.convene(registration=registration, by=instructor)
        convocation.convene(registration=registration, by=instructor)

    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONVENED
    assert len(mail.outbox) == 2
    assert registration.transitions.filter(transition="convene").count() == 2


def test_no_convocation_without_a_valid_jury(session, registration, instructor):
    JuryMemberFactory(session=session, is_president=True)

    with pytest.raises(ConvocationError, match="au moins deux membres"):
        convocation.convene(registration=registration, by=instructor)

    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REGISTERED and not registration.convocation


def test_no_convocation_before_transmission(referentiel, session, instructor):
    valid_jury(session)
    waiting = RegistrationFactory(session=session, case=favourable_case(referentiel))

    with pytest.raises(ConvocationError, match="pas encore été transmis"):
        convocation.convene(registration=waiting, by=instructor)


def test_the_whole_session_is_convened_at_once(
    referentiel, session, registration, instructor, django_capture_on_commit_callbacks
):
    valid_jury(session)
    RegistrationFactory(session=session, case=favourable_case(referentiel))  # not transmitted

    with django_capture_on_commit_callbacks(execute=True):
        done = convocation.convene_session(session=session, by=instructor)

    assert [r.pk for r in done] == [registration.pk]
    assert len(mail.outbox) == 1


def test_a_video_session_says_what_to_prepare(referentiel, instructor):
    session = EvaluationSessionFactory(
        referentiel_version=referentiel, place="", video_link="https://visio.example/j?x=1,2"
    )
    registration = RegistrationFactory(session=session, case=favourable_case(referentiel))

    data = convocation.convocation_data(registration)

    facts = next(p for p in data["body"] if p["type"] == "facts")["items"]
    assert {"label": "Visioconférence", "value": "https://visio.example/j?x=1,2"} in facts
    assert "caméra" in " ".join(next(p for p in data["body"] if p["type"] == "list")["items"])
    assert "LOCATION:https://visio.example/j?x=1\\,2" in convocation.calendar_file(registration)


# --- The calendar file -------------------------------------------------------------------------


def test_ics_escapes_folds_and_ends_lines_with_crlf():
    start = datetime.datetime(2027, 1, 5, 14, 0, tzinfo=datetime.UTC)
    text = ics.event(
        uid="x@vae-cos",
        start=start,
        end=start + datetime.timedelta(hours=1),
        summary="Jury; VAE, CQP\\COS",
        location="Salle 4\nÉtage 2",
        description="é" * 100,
        stamp=start,
    )

    lines = text.split("\r\n")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    assert "SUMMARY:Jury\\; VAE\\, CQP\\\\COS" in lines
    assert "LOCATION:Salle 4\\nÉtage 2" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert "DESCRIPTION:" + "é" * 100 in unfolded
    assert "DTSTART:20270105T140000Z" in lines and "DTEND:20270105T150000Z" in lines


# --- Reminder 14 days before -------------------------------------------------------------------


@pytest.fixture
def convened(registration):
    registration.status = RegistrationStatus.CONVENED
    registration.save()
    return registration


@pytest.mark.parametrize(
    ("today", "sent"),
    [
        (datetime.date(2027, 5, 31), False),  # 15 days before
        (datetime.date(2027, 6, 1), True),  # 14 days before
        (datetime.date(2027, 6, 14), True),  # catching up the day before
        (datetime.date(2027, 6, 15), False),  # the day itself: too late
    ],
)
def test_the_reminder_goes_14_days_before(
    convened, today, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reminded = send_session_reminders(today)

    assert bool(reminded) is sent
    assert len(mail.outbox) == int(sent)


def test_the_reminder_goes_once_and_only_to_the_convened(
    referentiel, session, convened, django_capture_on_commit_callbacks
):
    RegistrationFactory(session=session, case=favourable_case(referentiel))  # only registered
    with django_capture_on_commit_callbacks(execute=True):
        first = send_session_reminders(datetime.date(2027, 6, 1))
        second = send_session_reminders(datetime.date(2027, 6, 2))

    assert first == [convened] and second == []
    (message,) = mail.outbox
    assert "Rappel" in message.subject and "15/06/2027" in message.subject
    convened.refresh_from_db()
    assert convened.reminder_sent_at is not None


def test_the_reminder_task(convened):
    result = run_session_reminders.enqueue("2027-06-01")

    assert result.return_value == [convened.pk]


# --- A letter that cannot be produced ----------------------------------------------------------


def stored_convocations():
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.MEDIA_ROOT) / "jury" / "convocations"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_failing_letter_in_a_session_leaves_nothing_behind(
    monkeypatch, referentiel, session, registration, instructor, django_capture_on_commit_callbacks
):
    from vaecos.documents.engine import RenderError
    from vaecos.evaluation.errors import DocumentFailed

    valid_jury(session)
    second = favourable_case(referentiel, validity_end=datetime.date(2030, 1, 1))
    RegistrationFactory(
        session=session, case=second, dossier=second.dossiers.first(), transmitted_at=timezone.now()
    )
    real = convocation.render_pdf
    calls = []

    def second_fails(template, data, **kwargs):
        calls.append(template)
        if len(calls) == 2:
            raise RenderError("convocation.typ: boom")
        return real(template, data, **kwargs)

    monkeypatch.setattr(convocation, "render_pdf", second_fails)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(DocumentFailed, match="n'a pas pu être produite : rien n'a été"),
    ):
        convocation.convene_session(session=session, by=instructor)

    assert len(calls) == 2
    assert stored_convocations() == [] and mail.outbox == []
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REGISTERED and not registration.convocation


def test_a_failing_letter_is_a_message_on_the_session_page(
    monkeypatch, session, registration, instructor
):
    from django.contrib.messages import get_messages
    from django.test import Client
    from django.urls import reverse

    from vaecos.documents.engine import RenderError

    valid_jury(session)

    def broken(template, data, **kwargs):
        raise RenderError("convocation.typ: boom")

    monkeypatch.setattr(convocation, "render_pdf", broken)
    client = Client()
    client.force_login(instructor)

    response = client.post(reverse("evaluation:convene", args=[registration.pk]))

    assert response.status_code == 302
    (message,) = [m.message for m in get_messages(response.wsgi_request)]
    assert message.startswith(
        f"La convocation de {registration.case.candidate.get_full_name()} n'a pas pu être "
        "produite : rien n'a été enregistré"
    )
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REGISTERED and stored_convocations() == []


def test_ics_has_a_sequence():
    start = datetime.datetime(2027, 1, 5, 14, 0, tzinfo=datetime.UTC)

    text = ics.event(uid="x@vae-cos", start=start, end=start, summary="Jury", sequence=3)

    assert "\r\nUID:x@vae-cos\r\nSEQUENCE:3\r\n" in text
