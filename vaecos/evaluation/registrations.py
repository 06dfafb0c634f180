"""Registering a case to a session, and withdrawing it before the dossier is transmitted.

A case may register to a session of its référentiel version, open to its branch, with a place
left, while registration is open (until the latest day the dossier may reach the jury, one month
before the session), when its admissibility is favourable and still valid on the session's date,
when the case is not over (a notified validation totale), when it is not already waiting for
another session (registered to an upcoming one, or transmitted to one whose decision is not
notified yet), and when no member of the session's jury may not sit for the candidate.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from vaecos.accounts.models import User
from vaecos.admissibility.validity import refusal as admissibility_refusal
from vaecos.cases.models import VaeCase
from vaecos.deadlines import apply_rule
from vaecos.evaluation import notifications
from vaecos.evaluation.composition import session_conflicts
from vaecos.evaluation.errors import EvaluationError, RegistrationRefused
from vaecos.evaluation.models import (
    EvaluationSession,
    Registration,
    RegistrationStatus,
    RegistrationTransitionLog,
)
from vaecos.jury.models import Deliberation, Outcome

# A registration still waiting for its evaluation.
PENDING = (RegistrationStatus.REGISTERED, RegistrationStatus.CONVENED)


def latest_transmission(session: EvaluationSession) -> datetime.date:
    """The last day the dossier may reach the jury, which is also the last day to register."""
    return apply_rule("TRANSMISSION_LATEST", session.date)


def is_open(session: EvaluationSession, today: datetime.date) -> bool:
    return today <= latest_transmission(session)


def closed_reason(session: EvaluationSession, today: datetime.date) -> str | None:
    latest = latest_transmission(session)
    if today <= latest:
        return None
    return (
        f"La session du {session.date:%d/%m/%Y} a lieu dans moins d'un mois : le dossier devait "
        f"parvenir au jury au plus tard le {latest:%d/%m/%Y}, les inscriptions sont closes."
    )


def with_counts(sessions: QuerySet[EvaluationSession]) -> QuerySet[EvaluationSession]:
    return sessions.annotate(registered_count=Count("registrations", distinct=True))


def registered_count(session: EvaluationSession) -> int:
    count = getattr(session, "registered_count", None)
    if count is None:
        count = session.registrations.count()  # type: ignore[attr-defined]
    return int(count)


def matching_sessions(case: VaeCase) -> QuerySet[EvaluationSession]:
    """The sessions of the case's référentiel version open to its branch."""
    branch = Q(branch__isnull=True)
    if case.branch_id is not None:
        branch |= Q(branch_id=case.branch_id)
    return EvaluationSession.objects.filter(
        referentiel_version_id=case.referentiel_version_id
    ).filter(branch)


def _waiting(today: datetime.date) -> Q:
    """A registration the case still waits on: to an upcoming session, not yet evaluated; or
    whose dossier reached the jury, whatever the session's date, until the jury's decision is
    notified (a notified absence or excuse frees the case: it may register again)."""
    upcoming = Q(status__in=PENDING, session__date__gte=today)
    transmitted = Q(transmitted_at__isnull=False) & ~Q(
        deliberation__status=Deliberation.Status.NOTIFIED
    )
    return upcoming | transmitted


def pending_elsewhere(
    case: VaeCase, session: EvaluationSession | None, today: datetime.date
) -> Registration | None:
    """The case's registration to another session it still waits on (see `_waiting`)."""
    rows = Registration.objects.filter(_waiting(today), case=case).select_related("session")
    if session is not None:
        rows = rows.exclude(session=session)
    return rows.order_by("session__date", "pk").first()


def pending_reason(registration: Registration) -> str:
    day = f"{registration.session.date:%d/%m/%Y}"
    if registration.transmitted_at is not None:
        return (
            f"Le dossier du candidat a été transmis au jury de la session du {day}, dont la "
            "décision n'a pas encore été notifiée : le candidat ne peut pas être inscrit à une "
            "autre session avant."
        )
    return (
        f"Le candidat est déjà inscrit à la session du {day}, qui n'a pas encore eu lieu : il "
        "doit en être retiré avant d'être inscrit à une autre."
    )


def total_validation(case: VaeCase) -> Deliberation | None:
    """The notified decision that validated the whole certification, if any: the case is over."""
    return (
        Deliberation.objects.filter(
            registration__case=case,
            status=Deliberation.Status.NOTIFIED,
            outcome=Outcome.TOTAL,
        )
        .select_related("registration__session")
        .first()
    )


def closed_case_reason(case: VaeCase) -> str | None:
    decision = total_validation(case)
    if decision is None:
        return None
    return (
        "Le candidat a obtenu la validation totale de la certification (session du "
        f"{decision.registration.session.date:%d/%m/%Y}) : son parcours est terminé, il ne "
        "peut plus être inscrit à une session."
    )


def scope_refusals(case: VaeCase, session: EvaluationSession) -> list[str]:
    """Whether the session is meant for this case at all (version, branch)."""
    reasons = []
    if session.referentiel_version_id != case.referentiel_version_id:
        reasons.append(
            "Cette session évalue une autre version du référentiel que celle du parcours du "
            "candidat."
        )
    elif session.branch_id is not None and session.branch_id != case.branch_id:
        reasons.append(f"Cette session est réservée à la branche {session.branch}.")
    return reasons


def seat_refusals(case: VaeCase, session: EvaluationSession, today: datetime.date) -> list[str]:
    """A case already certified, capacity, another pending registration, jury conflicts (not
    the dates)."""
    reasons = []
    if closed := closed_case_reason(case):
        return [closed]
    if registered_count(session) >= session.capacity:
        reasons.append(
            f"La session du {session.date:%d/%m/%Y} est complète ({session.capacity} "
            f"place{'s' if session.capacity > 1 else ''})."
        )
    other = pending_elsewhere(case, session, today)
    if other is not None:
        reasons.append(pending_reason(other))
    reasons += session_conflicts(session, case, today=today)
    return reasons


def registration_refusals(
    case: VaeCase, session: EvaluationSession, *, today: datetime.date | None = None
) -> list[str]:
    """Every reason why `case` may not register to `session` today (empty: it may)."""
    today = today or timezone.localdate()
    if Registration.objects.filter(case=case, session=session).exists():
        return ["Le candidat est déjà inscrit à cette session."]
    if closed := closed_case_reason(case):
        return [closed]
    reasons = scope_refusals(case, session)
    if reasons:
        return reasons
    if closed := closed_reason(session, today):
        reasons.append(closed)
    if refused := admissibility_refusal(case, session.date):
        reasons.append(refused)
    return reasons + seat_refusals(case, session, today)


def open_sessions(case: VaeCase, *, today: datetime.date | None = None) -> list[EvaluationSession]:
    """The sessions `case` may register to today, soonest first."""
    today = today or timezone.localdate()
    candidates = with_counts(matching_sessions(case).filter(date__gt=today)).select_related(
        "referentiel_version__certification", "branch"
    )
    return [s for s in candidates if not registration_refusals(case, s, today=today)]


def eligible_cases(
    session: EvaluationSession, *, today: datetime.date | None = None
) -> list[VaeCase]:
    """The cases staff may register to the session today (for the choice on its page)."""
    today = today or timezone.localdate()
    if not is_open(session, today) or registered_count(session) >= session.capacity:
        return []
    cases = (
        VaeCase.objects.filter(referentiel_version_id=session.referentiel_version_id)
        .exclude(registrations__session=session)
        .filter(admissibility_requests__validity_end__gte=session.date)
        .select_related("candidate__organisation", "branch", "referentiel_version")
        .distinct()
        .order_by("candidate__last_name", "candidate__first_name", "pk")
    )
    if session.branch_id is not None:
        cases = cases.filter(branch_id=session.branch_id)
    return [c for c in cases if not registration_refusals(c, session, today=today)]


def create_registration(
    *, case: VaeCase, session: EvaluationSession, by: User | None
) -> Registration:
    """The row and its first log line (the caller checked the rules and holds the locks)."""
    registration = Registration.objects.create(session=session, case=case, registered_by=by)
    RegistrationTransitionLog.objects.create(
        subject=registration,
        transition="register",
        from_state="",
        to_state=registration.status,
        by=by,
        reason=f"Inscription à la session du {session.date:%d/%m/%Y}",
    )
    return registration


def lock_for_registration(case: VaeCase, session: EvaluationSession) -> EvaluationSession:
    """Lock the case (one registration at a time per case) and the session (its places)."""
    VaeCase.objects.select_for_update().filter(pk=case.pk).first()
    return EvaluationSession.objects.select_for_update().get(pk=session.pk)


@transaction.atomic
def register(
    *,
    case: VaeCase,
    session: EvaluationSession,
    by: User,
    today: datetime.date | None = None,
) -> Registration:
    """Register the case to the session, or refuse with every reason."""
    today = today or timezone.localdate()
    session = lock_for_registration(case, session)
    reasons = registration_refusals(case, session, today=today)
    if reasons:
        raise RegistrationRefused(reasons)
    registration = create_registration(case=case, session=session, by=by)
    notifications.send_registered_after_commit(registration)
    return registration


@transaction.atomic
def withdraw(*, registration: Registration, by: User) -> None:
    """Withdraw a registration whose dossier has not been transmitted yet. Takes the locks a
    transmission takes (the case, the session), so the two cannot cross: whichever comes
    second sees what the first did."""
    found = (
        Registration.objects.select_related("case", "session").filter(pk=registration.pk).first()
    )
    if found is None:
        raise EvaluationError("Cette inscription a déjà été retirée.")
    lock_for_registration(found.case, found.session)
    locked = (
        Registration.objects.select_for_update()
        .select_related("session")
        .filter(pk=registration.pk)
        .first()
    )
    if locked is None:
        raise EvaluationError("Cette inscription a déjà été retirée.")
    if locked.transmitted_at is not None:
        raise EvaluationError(
            f"Le dossier a été transmis au jury de la session du {locked.session.date:%d/%m/%Y} : "
            "l'inscription ne peut plus être retirée. Contactez le service certification de "
            "l'Ucanss."
        )
    if locked.status not in PENDING:
        raise EvaluationError(
            f"L'inscription est « {locked.get_status_display()} » : elle ne peut plus être retirée."
        )
    locked.delete()
