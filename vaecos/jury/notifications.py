"""The e-mail that tells the candidate the jury's decision, sent once the signature that
completed the procès-verbal has committed, with the result letter attached."""

from __future__ import annotations

import logging

from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from vaecos.admissibility.validity import favourable_request
from vaecos.jury.documents import candidate_name, session_line, transmitter
from vaecos.jury.models import Deliberation, Outcome

logger = logging.getLogger(__name__)

SUBJECTS = {
    Outcome.TOTAL: "Décision du jury VAE : validation totale",
    Outcome.PARTIAL: "Décision du jury VAE : validation partielle",
    Outcome.NONE: "Décision du jury VAE",
    Outcome.ABSENT: "Votre absence à la session d'évaluation VAE",
    Outcome.EXCUSED: "Votre absence excusée à la session d'évaluation VAE",
}


def result_message(deliberation: Deliberation) -> EmailMessage | None:
    registration = deliberation.registration
    case = registration.case
    # The account's address: the one the candidate signs in with, kept up to date by them (the
    # admissibility request's may be 18 months old).
    request = favourable_request(case)
    address = case.candidate.email or (request.email if request else "")
    if not address:
        logger.warning("Délibération %s : aucune adresse de courriel", deliberation.pk)
        return None
    with deliberation.result_letter.open("rb") as stream:
        pdf = stream.read()
    with translation.override("fr"):
        body = render_to_string(
            "jury/emails/result.txt",
            {
                "name": candidate_name(registration),
                "certification": case.referentiel_version.certification.name,
                "session": session_line(registration.session),
                "outcome": deliberation.outcome,
                "outcome_label": deliberation.get_outcome_display(),
                "validated": [
                    r.activity
                    for r in deliberation.results.filter(validated=True).select_related("activity")  # type: ignore[attr-defined]
                ],
                "competences_to_prove": deliberation.competences_to_prove,
                "reasons": deliberation.reasons,
                "transmitter": transmitter(registration),
            },
        )
    return EmailMessage(
        subject=SUBJECTS[Outcome(deliberation.outcome)],
        body=body,
        to=[address],
        attachments=[(f"decision-du-jury-{deliberation.pk}.pdf", pdf, "application/pdf")],
    )


def send_result(deliberation: Deliberation) -> bool:
    deliberation = Deliberation.objects.select_related(
        "registration__session",
        "registration__case__candidate",
        "registration__case__referentiel_version__certification",
    ).get(pk=deliberation.pk)
    try:
        message = result_message(deliberation)
        if message is None:
            return False
        message.send()
    except Exception:
        logger.exception("Délibération %s : l'envoi de la décision a échoué", deliberation.pk)
        return False
    return True


def send_result_after_commit(deliberation: Deliberation) -> None:
    transaction.on_commit(lambda: send_result(deliberation), robust=True)
