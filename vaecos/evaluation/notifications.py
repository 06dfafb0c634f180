"""E-mails about a registration, sent once the transaction that changed it has committed.

A rolled-back action sends nothing; a failing mail server never undoes a transmission or a
convocation (the failure is logged, staff may convene again to resend).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from vaecos.evaluation.models import Registration

logger = logging.getLogger(__name__)


def _registration(pk: int) -> Registration | None:
    return (
        Registration.objects.select_related(
            "case__candidate", "case__coach", "session__referentiel_version__certification"
        )
        .filter(pk=pk)
        .first()
    )


def context(registration: Registration) -> dict[str, Any]:
    from vaecos.evaluation.convocation import (
        candidate_name,
        duration_fr,
        signature,
        time_fr,
        weekday_date,
        where,
    )

    session = registration.session
    return {
        "name": candidate_name(registration),
        "certification": session.referentiel_version.certification.name,
        "date": weekday_date(session.date),
        "time": time_fr(session.start_time),
        "duration": duration_fr(session.duration_minutes),
        "where": where(session),
        "practical_details": session.practical_details.strip(),
        "transmitted_on": (
            timezone.localdate(registration.transmitted_at).strftime("%d/%m/%Y")
            if registration.transmitted_at
            else ""
        ),
        "signature": signature(session),
    }


def _render(template: str, data: dict[str, Any]) -> str:
    with translation.override("fr"):
        return render_to_string(template, data)


def _send(
    registration: Registration,
    *,
    subject: str,
    template: str,
    to: list[str],
    attachments: list[tuple[str, Any, str]] | None = None,
    **extra: Any,
) -> bool:
    addresses = [a for a in to if a]
    if not addresses:
        logger.warning("Inscription %s : aucune adresse de courriel", registration.pk)
        return False
    try:
        EmailMessage(
            subject=subject,
            body=_render(template, {**context(registration), **extra}),
            to=addresses,
            attachments=attachments or [],
        ).send()
    except Exception:
        logger.exception(
            "Inscription %s : l'envoi du courriel « %s » a échoué", registration.pk, subject
        )
        return False
    return True


def send_transmitted(pk: int) -> bool:
    """To the candidate, and to their coach if they have one."""
    registration = _registration(pk)
    if registration is None:
        return False
    case = registration.case
    sent = _send(
        registration,
        subject="Votre dossier de validation est transmis au jury",
        template="evaluation/emails/transmitted.txt",
        to=[case.candidate.email],
    )
    if case.coach is not None:
        sent = (
            _send(
                registration,
                subject=f"Dossier de {case.candidate.display_name} transmis au jury",
                template="evaluation/emails/transmitted_coach.txt",
                to=[case.coach.email],
            )
            and sent
        )
    return sent


def send_convocation(pk: int, updated: bool = False) -> bool:
    """The convocation to the candidate, with its PDF and a calendar file (.ics). `updated`: the
    session changed, this convocation replaces the previous one."""
    from vaecos.evaluation.convocation import calendar_file

    registration = _registration(pk)
    if registration is None or not registration.convocation:
        return False
    with registration.convocation.open("rb") as stream:
        pdf = stream.read()
    day = f"{registration.session.date:%d/%m/%Y}"
    return _send(
        registration,
        subject=(
            f"Convocation modifiée : jury de VAE du {day}"
            if updated
            else f"Convocation au jury de VAE du {day}"
        ),
        template="evaluation/emails/convocation.txt",
        updated=updated,
        to=[registration.case.candidate.email],
        attachments=[
            (f"convocation-{registration.pk}.pdf", pdf, "application/pdf"),
            ("session-jury-vae.ics", calendar_file(registration), "text/calendar"),
        ],
    )


def send_registered(pk: int) -> bool:
    """The candidate is told of their registration, whoever registered them."""
    from vaecos.deadlines import apply_rule
    from vaecos.evaluation.permissions import transmits_for

    registration = _registration(pk)
    if registration is None:
        return False
    session = registration.session
    latest = apply_rule("TRANSMISSION_LATEST", session.date)
    transmitter = transmits_for(registration.case, to_candidate=True)
    who = f"{transmitter[:1].upper()}{transmitter[1:]} le transmet quand il est finalisé."
    return _send(
        registration,
        subject=f"Inscription à la session d'évaluation du {session.date:%d/%m/%Y}",
        template="evaluation/emails/registered.txt",
        to=[registration.case.candidate.email],
        latest=latest.strftime("%d/%m/%Y"),
        who_transmits=who,
    )


def send_registered_after_commit(registration: Registration) -> None:
    pk = registration.pk
    transaction.on_commit(lambda: send_registered(pk), robust=True)


def send_reminder(pk: int) -> bool:
    registration = _registration(pk)
    if registration is None:
        return False
    return _send(
        registration,
        subject=f"Rappel : votre entretien avec le jury de VAE le {registration.session.date:%d/%m/%Y}",
        template="evaluation/emails/reminder.txt",
        to=[registration.case.candidate.email],
    )


def send_transmitted_after_commit(registration: Registration) -> None:
    pk = registration.pk
    transaction.on_commit(lambda: send_transmitted(pk), robust=True)


def send_convocation_after_commit(registration: Registration, *, updated: bool = False) -> None:
    pk = registration.pk
    transaction.on_commit(lambda: send_convocation(pk, updated), robust=True)


def send_reminder_after_commit(registration: Registration) -> None:
    pk = registration.pk
    transaction.on_commit(lambda: send_reminder(pk), robust=True)
