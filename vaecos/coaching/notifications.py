"""E-mails of the coaching: assignment, comments, finalisation and reopening of a Livret 2.

Each function is called by a service inside its transaction: the message is written there (from
what the transaction sees) and sent once it has committed, so a rolled-back action sends
nothing and a mail server that fails never undoes one (the failure is logged).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format

from vaecos.accounts.models import Role, User
from vaecos.cases.models import VaeCase
from vaecos.coaching.models import Comment, CommentThread
from vaecos.coaching.sections import section_label
from vaecos.dossiers.models import Dossier

logger = logging.getLogger(__name__)


def _render(template: str, data: dict[str, Any]) -> str:
    with translation.override("fr"):
        return render_to_string(f"coaching/emails/{template}", data)


def _send_after_commit(subject: str, template: str, to: User | None, **data: Any) -> None:
    """Write the e-mail to `to` now; send it once the transaction has committed."""
    if to is None or not to.email:
        logger.warning("Accompagnement : « %s » sans destinataire", subject)
        return
    message = EmailMessage(
        subject=subject, body=_render(template, {"to": to, **data}), to=[to.email]
    )

    def send() -> None:
        try:
            message.send()
        except Exception:
            logger.exception("Accompagnement : l'envoi du courriel « %s » a échoué", subject)

    transaction.on_commit(send, robust=True)


def _case_data(case: VaeCase) -> dict[str, Any]:
    return {
        "candidate": case.candidate.display_name,
        "certification": case.referentiel_version.certification.name,
        "coach": case.coach.display_name if case.coach else "",
        "organisation": str(case.coaching_organisation or ""),
    }


def assigned(case: VaeCase) -> None:
    data = _case_data(case)
    _send_after_commit(
        f"Un candidat VAE vous est confié : {data['candidate']}",
        "assigned_coach.txt",
        case.coach,
        **data,
    )
    _send_after_commit("Votre accompagnateur VAE", "assigned_candidate.txt", case.candidate, **data)


def _section(thread: CommentThread) -> str:
    return section_label(thread.dossier, thread.section) or "une partie retirée du dossier"


def commented(comment: Comment, *, opened: bool) -> None:
    """The coach wrote: the candidate is told; the candidate wrote: their coach is told."""
    thread = comment.thread
    case = thread.dossier.case
    data = _case_data(case) | {
        "section": _section(thread),
        "body": comment.body,
        "author": comment.author.display_name,
        "opened": opened,
    }
    if comment.author_id == case.candidate_id:
        _send_after_commit(
            f"{data['candidate']} a répondu à un commentaire sur son Livret 2",
            "comment_to_coach.txt",
            case.coach,
            **data,
        )
    else:
        _send_after_commit(
            "Votre accompagnateur a commenté votre Livret 2",
            "comment_to_candidate.txt",
            case.candidate,
            **data,
        )


def resolved(thread: CommentThread) -> None:
    case = thread.dossier.case
    data = _case_data(case) | {"section": _section(thread)}
    _send_after_commit(
        f"{data['candidate']} a traité un commentaire sur son Livret 2",
        "resolved.txt",
        case.coach,
        **data,
    )


def finalized(dossier: Dossier) -> None:
    case = dossier.case
    if case.coach is None:
        return
    data = _case_data(case) | {"on": date_format(timezone.localdate(), "j F Y")}
    _send_after_commit(
        f"{data['candidate']} a finalisé son Livret 2", "finalized.txt", case.coach, **data
    )


def reopened(dossier: Dossier, *, reason: str, by: User) -> None:
    case = dossier.case
    data = _case_data(case) | {"reason": reason, "by": by.display_name}
    _send_after_commit(
        "Votre Livret 2 est de nouveau modifiable", "reopened.txt", case.candidate, **data
    )
    if case.coach is not None:
        _send_after_commit(
            f"Le Livret 2 de {data['candidate']} est de nouveau modifiable",
            "reopened.txt",
            case.coach,
            **data,
        )


def reopen_requested(dossier: Dossier, *, reason: str, by: User) -> None:
    """To every active instructeur: the certifier's staff reopen dossiers."""
    case = dossier.case
    data = _case_data(case) | {"reason": reason, "by": by.display_name, "dossier": dossier.pk}
    instructors = User.objects.filter(role=Role.INSTRUCTOR, is_active=True).exclude(email="")
    sent = False
    for instructor in instructors:
        _send_after_commit(
            f"Demande de réouverture du Livret 2 de {data['candidate']}",
            "reopen_requested.txt",
            instructor,
            **data,
        )
        sent = True
    if not sent:
        logger.warning("Demande de réouverture du dossier %s : aucun instructeur actif", dossier.pk)
