"""E-mails about the account itself: a change of its second factor."""

import logging

from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from vaecos.accounts.models import User

logger = logging.getLogger(__name__)

ENROLLED = "La double authentification a été activée"
NEW_BACKUP_CODES = "De nouveaux codes de secours de double authentification ont été générés"


def second_factor_changed(user: User, what: str) -> None:
    """Tells the person, once the change is committed: if it was not them, their password is
    known to someone else."""
    if not user.email:
        return
    with translation.override("fr"):
        body = render_to_string(
            "accounts/emails/second_factor_changed.txt",
            {"to": user, "what": what, "when": timezone.localtime()},
        )
    message = EmailMessage(
        subject="VAE COS : double authentification modifiée", body=body, to=[user.email]
    )

    def send() -> None:
        try:
            message.send()
        except Exception:
            logger.exception("Compte : l'envoi du courriel « %s » a échoué", what)

    transaction.on_commit(send, robust=True)
