"""Creating, changing and deleting evaluation sessions (the certifier's staff).

A session with registrations keeps its word to its candidates: its capacity stays at least the
number registered, a new date must still leave each transmitted dossier one month ahead of the
session and each admissibility valid on the day, and a change of what the convocation says
(date, time, duration, place, link) sends every convened candidate the new convocation.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from vaecos.accounts.models import User
from vaecos.admissibility.validity import refusal as admissibility_refusal
from vaecos.deadlines import apply_rule
from vaecos.evaluation.convocation import reconvene_changed_session
from vaecos.evaluation.errors import EvaluationError
from vaecos.evaluation.files import written_files
from vaecos.evaluation.models import EvaluationSession, Registration
from vaecos.evaluation.registrations import PENDING


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


# What the convocation says about the session: a change of one of them convenes again.
CONVOCATION_FIELDS = {
    "date": "date",
    "start_time": "heure",
    "duration_minutes": "durée",
    "place": "lieu",
    "video_link": "lien de visioconférence",
}


class SessionRefused(SessionError):
    """A change refused; `reasons` lists every reason, the message joins them."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(" ".join(reasons) + " La session n'a pas été modifiée.")
        self.reasons = reasons


@dataclass
class SessionUpdated:
    session: EvaluationSession
    # The registrations convened again because the session's details changed.
    reconvened: list[Registration] = field(default_factory=list)


def _name(registration: Registration) -> str:
    candidate = registration.case.candidate
    return candidate.get_full_name() or candidate.email


def _date_refusals(registrations: list[Registration], new_date: datetime.date) -> list[str]:
    """What a new date would break for the candidates still waiting for this session: the
    one-month rule for the dossiers already transmitted, each admissibility's validity."""
    reasons = []
    latest = apply_rule("TRANSMISSION_LATEST", new_date)
    for registration in registrations:
        if registration.status not in PENDING:
            continue
        name = _name(registration)
        if registration.transmitted_at is not None:
            sent = timezone.localdate(registration.transmitted_at)
            if sent > latest:
                reasons.append(
                    f"Le dossier de {name} a été transmis le {sent:%d/%m/%Y} : pour une session "
                    f"le {new_date:%d/%m/%Y}, il aurait dû l'être au plus tard le "
                    f"{latest:%d/%m/%Y} (un mois avant)."
                )
        refused = admissibility_refusal(registration.case, new_date)
        if refused:
            reasons.append(f"{name} : {refused[:1].lower()}{refused[1:]}")
    return reasons


@transaction.atomic
def session_update(
    *, session: EvaluationSession, by: User, today: datetime.date | None = None
) -> SessionUpdated:
    """Save the changes of a session (its new values set on `session`, not saved yet), or
    refuse with every reason. A new date, time, duration, place or link sends the new
    convocation to every candidate already convened, once saved; a new date also lets the
    14-day reminder go again."""
    today = today or timezone.localdate()
    before = EvaluationSession.objects.select_for_update().get(pk=session.pk)
    _check(session)
    if session.date != before.date and session.date < today:
        raise SessionError(
            "La nouvelle date de la session est passée : choisissez une date à venir."
        )
    registrations = list(
        before.registrations.select_related("case__candidate").order_by(  # type: ignore[attr-defined]
            "case__candidate__last_name", "case__candidate__first_name", "pk"
        )
    )
    count = len(registrations)
    reasons = []
    if session.capacity < count:
        reasons.append(
            f"la session compte déjà {count} inscrit{'s' if count > 1 else ''} : sa capacité ne "
            "peut pas être inférieure."
        )
    if count and session.referentiel_version_id != before.referentiel_version_id:
        reasons.append(
            "des candidats sont inscrits : la version du référentiel de la session ne peut plus "
            "changer."
        )
    if session.branch_id is not None and session.branch_id != before.branch_id:
        others = [r for r in registrations if r.case.branch_id != session.branch_id]
        if others:
            reasons.append(
                f"{len(others)} candidat(s) inscrit(s) relèvent d'une autre branche : la session "
                "ne peut pas leur être fermée."
            )
    if session.date != before.date:
        reasons += _date_refusals(registrations, session.date)
    if reasons:
        raise SessionRefused([f"{r[:1].upper()}{r[1:]}" for r in reasons])
    session.save()
    changes = [
        label
        for name, label in CONVOCATION_FIELDS.items()
        if getattr(session, name) != getattr(before, name)
    ]
    if session.date != before.date:
        # The reminder goes 14 days before the new date, even if it went for the old one.
        before.registrations.filter(reminder_sent_at__isnull=False).update(  # type: ignore[attr-defined]
            reminder_sent_at=None
        )
    reconvened: list[Registration] = []
    if changes:
        with written_files() as written:
            reconvened = reconvene_changed_session(session, by, changes, written, today=today)
    return SessionUpdated(session, reconvened)


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
