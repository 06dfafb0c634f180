"""Creating, changing and deleting evaluation sessions (the certifier's staff)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from vaecos.accounts.models import User
from vaecos.evaluation.errors import EvaluationError
from vaecos.evaluation.models import EvaluationSession


class SessionError(EvaluationError):
    pass


def _check(session: EvaluationSession) -> None:
    if not session.place.strip() and not session.video_link.strip():
        raise SessionError("Indiquez un lieu ou un lien de visioconférence, ou les deux.")
    if session.capacity < 1:
        raise SessionError("Une session compte au moins une place.")
    if (
        session.branch is not None
        and session.branch.referentiel_version_id != session.referentiel_version_id
    ):
        raise SessionError("Cette branche n'appartient pas à la version du référentiel choisie.")


@transaction.atomic
def session_create(
    *, session: EvaluationSession, by: User, today: datetime.date | None = None
) -> EvaluationSession:
    """Save a new session (built by the form, not saved yet)."""
    today = today or timezone.localdate()
    if session.pk is not None:
        raise SessionError("Cette session existe déjà.")
    if session.date < today:
        raise SessionError("La date de la session est passée : choisissez une date à venir.")
    _check(session)
    session.created_by = by
    session.save()
    return session


@transaction.atomic
def session_update(
    *, session: EvaluationSession, by: User, today: datetime.date | None = None
) -> EvaluationSession:
    """Save the changes of a session (its new values set on `session`, not saved yet)."""
    today = today or timezone.localdate()
    before = EvaluationSession.objects.select_for_update().get(pk=session.pk)
    _check(session)
    if session.date != before.date and session.date < today:
        raise SessionError(
            "La nouvelle date de la session est passée : choisissez une date à venir."
        )
    registrations = before.registrations.select_related("case")  # type: ignore[attr-defined]
    count = registrations.count()
    if session.capacity < count:
        raise SessionError(
            f"La session compte déjà {count} inscrits : sa capacité ne peut pas être inférieure."
        )
    if count and session.referentiel_version_id != before.referentiel_version_id:
        raise SessionError(
            "Des candidats sont inscrits : la version du référentiel de la session ne peut plus "
            "changer."
        )
    if session.branch_id is not None and session.branch_id != before.branch_id:
        others = [r.case for r in registrations if r.case.branch_id != session.branch_id]
        if others:
            raise SessionError(
                f"{len(others)} candidat(s) inscrit(s) relèvent d'une autre branche : la session "
                "ne peut pas leur être fermée."
            )
    session.save()
    return session


@transaction.atomic
def session_delete(*, session: EvaluationSession, by: User) -> None:
    """Delete a session without registrations (its jury goes with it)."""
    locked = EvaluationSession.objects.select_for_update().filter(pk=session.pk).first()
    if locked is None:
        raise SessionError("Cette session a déjà été supprimée.")
    count = locked.registrations.count()  # type: ignore[attr-defined]
    if count:
        raise SessionError(
            f"La session du {locked.date:%d/%m/%Y} compte {count} inscription"
            f"{'s' if count > 1 else ''} : retirez-les avant de la supprimer. Rien n'a été "
            "supprimé."
        )
    try:
        with transaction.atomic():
            locked.delete()
    except ProtectedError as exc:
        raise SessionError(
            f"La session du {locked.date:%d/%m/%Y} est liée à des inscriptions : elle ne peut "
            "pas être supprimée. Rien n'a été supprimé."
        ) from exc
