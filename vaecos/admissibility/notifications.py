"""E-mails about an admissibility request, sent once the transition has committed.

The services record the transition (and write its letter) in their transaction, then register
one of these senders with `transaction.on_commit`: a rolled-back transition sends nothing, and a
mail server that fails never undoes a decision. A failure is logged; the letter's `emailed_at`
stays empty, so it shows as not sent and sending it again is safe.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from vaecos.admissibility.letters import (
    JURY_STATEMENT,
    candidate_name,
    date_fr,
    gap_rows,
    salutation,
    signature,
)
from vaecos.admissibility.models import AdmissibilityRequest, Letter, LetterKind

logger = logging.getLogger(__name__)

SUBJECTS = {
    LetterKind.ACKNOWLEDGEMENT: "Votre demande de recevabilité VAE est complète",
    LetterKind.INCOMPLETE: "Votre demande de recevabilité VAE est incomplète",
    LetterKind.DECISION: "Décision sur votre demande de recevabilité VAE",
    LetterKind.IMPLICIT: "Votre demande de recevabilité VAE est réputée recevable",
}
TEMPLATES = {
    LetterKind.ACKNOWLEDGEMENT: "admissibility/emails/acknowledgement.txt",
    LetterKind.INCOMPLETE: "admissibility/emails/incomplete.txt",
    LetterKind.DECISION: "admissibility/emails/decision.txt",
    LetterKind.IMPLICIT: "admissibility/emails/implicit.txt",
}
ATTACHMENT_NAMES = {
    LetterKind.ACKNOWLEDGEMENT: "accuse-de-reception",
    LetterKind.INCOMPLETE: "demande-incomplete",
    LetterKind.DECISION: "decision-de-recevabilite",
    LetterKind.IMPLICIT: "decision-implicite-de-recevabilite",
}


def _optional_date(value: Any) -> str:
    return date_fr(value) if value is not None else ""


def email_context(request: AdmissibilityRequest) -> dict[str, Any]:
    """Everything an e-mail may say, as ready-made French text."""
    certification = request.case.referentiel_version.certification
    submitted = request.submitted_at
    return {
        "salutation": salutation(request),
        "name": candidate_name(request),
        "certification": certification.name,
        "reference": request.pk,
        "receipt": date_fr(timezone.localdate(submitted)) if submitted else "",
        "complete_on": _optional_date(request.complete_on),
        "decision_due": _optional_date(request.decision_due),
        "decided_on": _optional_date(request.decided_on),
        "validity_end": _optional_date(request.validity_end),
        "favourable": request.validity_end is not None,
        "missing_items": request.missing_items,
        "reasons": request.decision_reasons,
        "recommendations": request.recommendations,
        "gaps": [
            {"activity": activity, "coverage": coverage, "comment": comment}
            for activity, coverage, comment in gap_rows(request)
        ],
        "jury_statement": JURY_STATEMENT,
        "signature": signature(request),
    }


def _render(template: str, data: dict[str, Any]) -> str:
    with translation.override("fr"):
        return render_to_string(template, data)


def recipient(request: AdmissibilityRequest) -> str:
    """The address the candidate gave in the request, else their account's."""
    return request.email or request.case.candidate.email


def letter_messages(letter: Letter) -> list[EmailMessage]:
    """The e-mails of a letter: to the candidate, and for an implicit decision to the
    certifier too; each one carries the PDF."""
    request = letter.request
    kind = LetterKind(letter.kind)
    data = email_context(request)
    with letter.file.open("rb") as stream:
        pdf = stream.read()
    attachment = (f"{ATTACHMENT_NAMES[kind]}-{request.pk}.pdf", pdf, "application/pdf")
    messages = []
    if address := recipient(request):
        messages.append(
            EmailMessage(
                subject=SUBJECTS[kind],
                body=_render(TEMPLATES[kind], data),
                to=[address],
                attachments=[attachment],
            )
        )
    else:
        logger.warning("Demande de recevabilité %s : aucune adresse de courriel", request.pk)
    if kind == LetterKind.IMPLICIT:
        messages.append(
            EmailMessage(
                subject=(
                    f"Décision implicite de recevabilité — demande n° {request.pk} ({data['name']})"
                ),
                body=_render("admissibility/emails/implicit_certifier.txt", data),
                to=[settings.ADMISSIBILITY_CERTIFIER_EMAIL],
                attachments=[attachment],
            )
        )
    return messages


def send_letter(letter: Letter) -> bool:
    """Send the letter's e-mails once; True when they went out now.

    Call it after the commit (`transaction.on_commit`). A letter already e-mailed is skipped, so
    a second call sends nothing.
    """
    letter = Letter.objects.select_related(
        "request__case__candidate", "request__case__referentiel_version__certification"
    ).get(pk=letter.pk)
    if letter.emailed_at is not None:
        return False
    try:
        for message in letter_messages(letter):
            message.send()
    except Exception:
        logger.exception(
            "Courrier %s (%s) de la demande %s : l'envoi par courriel a échoué",
            letter.pk,
            letter.kind,
            letter.request_id,
        )
        return False
    with transaction.atomic():
        Letter.objects.filter(pk=letter.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
    return True


def send_letter_after_commit(letter: Letter) -> None:
    transaction.on_commit(lambda: send_letter(letter), robust=True)


def _send_plain(request: AdmissibilityRequest, subject: str, template: str, **extra: Any) -> bool:
    address = recipient(request)
    if not address:
        logger.warning("Demande de recevabilité %s : aucune adresse de courriel", request.pk)
        return False
    try:
        EmailMessage(
            subject=subject,
            body=_render(template, {**email_context(request), **extra}),
            to=[address],
        ).send()
    except Exception:
        logger.exception("Demande %s : l'envoi du courriel « %s » a échoué", request.pk, subject)
        return False
    return True


def send_reminder(request: AdmissibilityRequest, *, days: int) -> bool:
    """The reminder that the validity ends soon (60 or 14 days before, `days` left)."""
    return _send_plain(
        request,
        f"Votre recevabilité VAE est valable jusqu'au {_optional_date(request.validity_end)}",
        "admissibility/emails/reminder.txt",
        days=days,
    )


def send_expiry(request: AdmissibilityRequest, *, next_step: str) -> bool:
    """The notice that the validity has ended, with what the candidate may ask for next."""
    return _send_plain(
        request,
        "Votre recevabilité VAE a pris fin",
        "admissibility/emails/expired.txt",
        next_step=next_step,
    )


def send_reminder_after_commit(request: AdmissibilityRequest, *, days: int) -> None:
    transaction.on_commit(lambda: send_reminder(request, days=days), robust=True)


def send_expiry_after_commit(request: AdmissibilityRequest, *, next_step: str) -> None:
    transaction.on_commit(lambda: send_expiry(request, next_step=next_step), robust=True)
