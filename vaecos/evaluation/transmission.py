"""Transmitting a final Livret 2 to the jury of a session (domain.md, « Transmission »).

The coach transmits for a candidate coached by Institut 4.10, the certifier's staff for every
other candidate. Transmission is refused, with every reason, when: the dossier is not final; the
admissibility is not favourable or not valid on the session's date; the template's rules are not
met; personal data remain unresolved; the session is less than one month away (the latest day
comes from the deadline module: that day itself is still allowed) — then `next_sessions` offers
the sessions still possible; or the case may not sit in that session (no place left, registered
elsewhere, a jury member in conflict).

On success the case is registered if it was not, the registration records the dossier, when and
by whom, the dossier becomes « transmitted » and the bundle PDF the jury reads is frozen; the
candidate (and their coach) are e-mailed once the transaction has committed.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from pypdf.errors import PyPdfError

from vaecos.accounts.models import User
from vaecos.admissibility.validity import refusal as admissibility_refusal
from vaecos.cases.models import Coaching, VaeCase
from vaecos.documents.bundle import bundle_pdf
from vaecos.documents.engine import RenderError
from vaecos.dossiers.completeness import dossier_report
from vaecos.dossiers.models import Dossier, DossierStatus
from vaecos.dossiers.workflow import DOSSIER_WORKFLOW
from vaecos.evaluation import notifications
from vaecos.evaluation.errors import DocumentFailed, TransmissionRefused
from vaecos.evaluation.files import written_files
from vaecos.evaluation.models import EvaluationSession, Registration
from vaecos.evaluation.permissions import is_staff, may_transmit, transmits_for
from vaecos.evaluation.registrations import (
    closed_reason,
    create_registration,
    latest_transmission,
    lock_for_registration,
    matching_sessions,
    scope_refusals,
    seat_refusals,
    with_counts,
)
from vaecos.pii.gate import transmission_blockers

logger = logging.getLogger(__name__)


@dataclass
class Condition:
    """One condition of the transmission as the page shows it."""

    key: str
    label: str
    ok: bool
    reasons: list[str] = field(default_factory=list)
    # Details listed under the reason (e.g. where personal data remain).
    items: list[str] = field(default_factory=list)


NO_COACH = (
    "Ce candidat est accompagné par l'Institut 4.10 : c'est son accompagnateur qui transmet le "
    "dossier. Aucun accompagnateur n'est encore désigné : désignez-en un."
)


def awaits_coach(case: VaeCase) -> bool:
    """An Institut 4.10 candidate without a coach: nobody may transmit until staff assign one."""
    return case.coaching == Coaching.INSTITUT_410 and case.coach_id is None


def _who(dossier: Dossier, by: User) -> Condition:
    case = dossier.case
    ok = may_transmit(by, case)
    reasons = []
    if not ok:
        if awaits_coach(case) and is_staff(by):
            reasons.append(NO_COACH)
        else:
            reasons.append(
                f"Le dossier de ce candidat est transmis par {transmits_for(case)}, pas par vous."
            )
    return Condition("who", "Transmission par la bonne personne", ok, reasons)


def _final(dossier: Dossier) -> Condition:
    reasons = []
    if dossier.status == DossierStatus.TRANSMITTED:
        reasons.append("Le dossier a déjà été transmis au jury.")
    elif dossier.status != DossierStatus.FINAL:
        reasons.append(
            "Le dossier n'est pas finalisé : le candidat doit le déclarer finalisé avant sa "
            "transmission."
        )
    return Condition("final", "Livret 2 finalisé par le candidat", not reasons, reasons)


def _admissibility(case: VaeCase, on: datetime.date) -> Condition:
    refused = admissibility_refusal(case, on)
    return Condition(
        "admissibility",
        "Recevabilité favorable et valable le jour de la session",
        refused is None,
        [refused] if refused else [],
    )


def _template(dossier: Dossier) -> Condition:
    report = dossier_report(dossier)
    reasons = (
        []
        if report.is_complete
        else ["Le dossier ne respecte pas les règles du modèle de Livret 2."]
    )
    return Condition(
        "template", "Règles du modèle de Livret 2 respectées", not reasons, reasons, report.problems
    )


def _personal_data(dossier: Dossier) -> Condition:
    left = transmission_blockers(dossier)
    reasons = ["Des données personnelles restent à traiter par le candidat."] if left else []
    return Condition(
        "personal_data",
        "Aucune donnée personnelle non traitée",
        not left,
        reasons,
        [f"{b.where} : {b.what}" for b in left],
    )


def _delay(session: EvaluationSession, today: datetime.date) -> Condition:
    closed = closed_reason(session, today)
    label = (
        f"Transmission au plus tard le {latest_transmission(session):%d/%m/%Y} (un mois avant "
        "la session)"
    )
    return Condition("delay", label, closed is None, [closed] if closed else [])


def _seat(dossier: Dossier, session: EvaluationSession, today: datetime.date) -> Condition:
    case = dossier.case
    registration = Registration.objects.filter(case=case, session=session).first()
    reasons = scope_refusals(case, session)
    if registration is not None:
        if registration.transmitted_at is not None:
            reasons.append("Un dossier a déjà été transmis pour cette inscription.")
        # Already registered: the place is the candidate's; the jury is still checked.
        from vaecos.evaluation.composition import session_conflicts

        reasons += session_conflicts(session, case, today=today)
    elif not reasons:
        reasons = seat_refusals(case, session, today)
    label = "Place dans la session et jury sans conflit d'intérêts"
    return Condition("seat", label, not reasons, reasons)


def transmission_conditions(
    dossier: Dossier,
    session: EvaluationSession | None,
    by: User,
    *,
    today: datetime.date | None = None,
) -> list[Condition]:
    """Every condition, checked (those about the session only once one is chosen)."""
    return dossier_conditions(dossier, by) + session_conditions(dossier, session, today=today)


def dossier_conditions(dossier: Dossier, by: User) -> list[Condition]:
    """The conditions about the dossier itself and who transmits it, whatever the session."""
    return [_who(dossier, by), _final(dossier), _template(dossier), _personal_data(dossier)]


def session_conditions(
    dossier: Dossier, session: EvaluationSession | None, *, today: datetime.date | None = None
) -> list[Condition]:
    """The conditions that depend on the session (the admissibility on its day, or today
    while none is chosen; the one-month rule; its places and its jury)."""
    today = today or timezone.localdate()
    conditions = [_admissibility(dossier.case, session.date if session else today)]
    if session is not None:
        conditions += [_delay(session, today), _seat(dossier, session, today)]
    return conditions


def transmission_refusals(
    dossier: Dossier,
    session: EvaluationSession,
    by: User,
    *,
    today: datetime.date | None = None,
) -> list[str]:
    """Every French reason why `by` may not transmit `dossier` to `session` today."""
    reasons: list[str] = []
    for condition in transmission_conditions(dossier, session, by, today=today):
        if condition.ok:
            continue
        reasons += condition.reasons
        if condition.key == "personal_data":
            reasons.append(" ; ".join(condition.items) + ".")
        elif condition.key == "template":
            reasons += condition.items
    return reasons


def next_sessions(case: VaeCase, today: datetime.date | None = None) -> list[EvaluationSession]:
    """The sessions the case's dossier may still be transmitted to, soonest first: its version
    and branch, a place left (or already the case's), transmission still in time, admissibility
    valid on their date, no jury member in conflict."""
    today = today or timezone.localdate()
    rows = (
        with_counts(matching_sessions(case).filter(date__gt=today))
        .select_related("referentiel_version__certification", "branch")
        .order_by("date", "start_time", "pk")
    )
    found = []
    for session in rows:
        if closed_reason(session, today) or admissibility_refusal(case, session.date):
            continue
        registered = Registration.objects.filter(case=case, session=session).first()
        if registered is not None:
            if registered.transmitted_at is None:
                found.append(session)
            continue
        if not seat_refusals(case, session, today):
            found.append(session)
    return found


def _lock_dossier(dossier: Dossier) -> Dossier:
    # Not dossiers.services._lock: that one refuses a dossier that is no longer editable.
    return Dossier.objects.select_for_update().select_related("case__candidate").get(pk=dossier.pk)


def _bundle(dossier: Dossier) -> bytes:
    """The PDF the jury reads, or DocumentFailed (nothing is recorded)."""
    try:
        return bundle_pdf(dossier)
    except (RenderError, PyPdfError) as exc:
        logger.exception("bundle of dossier %s could not be produced", dossier.pk)
        raise DocumentFailed(
            "Le dossier transmis au jury (PDF) n'a pas pu être produit : rien n'a été "
            "enregistré, le dossier n'est pas transmis. Réessayez plus tard ; si le problème "
            "persiste, signalez-le à l'administrateur de la plateforme."
        ) from exc


@transaction.atomic
def transmit(
    dossier: Dossier,
    session: EvaluationSession,
    by: User,
    *,
    today: datetime.date | None = None,
) -> Registration:
    """Transmit the dossier to the session's jury, or raise TransmissionRefused with every
    reason. Registers the case to the session first if it is not yet.

    Locks the dossier, then the case and the session (as registering and withdrawing do), and
    only then reads the case's registration: a withdrawal cannot slip in between."""
    today = today or timezone.localdate()
    dossier = _lock_dossier(dossier)
    session = lock_for_registration(dossier.case, session)
    reasons = transmission_refusals(dossier, session, by, today=today)
    if reasons:
        raise TransmissionRefused(reasons)
    pdf = _bundle(dossier)
    registration = (
        Registration.objects.select_for_update().filter(case=dossier.case, session=session).first()
    )
    if registration is None:
        registration = create_registration(case=dossier.case, session=session, by=by)
    DOSSIER_WORKFLOW.apply(
        dossier,
        "transmit",
        by=by,
        reason=f"Transmis au jury de la session du {session.date:%d/%m/%Y}",
    )
    registration.dossier = dossier
    registration.transmitted_at = timezone.now()
    registration.transmitted_by = by
    with written_files() as written:
        # The file last; should anything fail from here, `written` removes it.
        written.save(registration.bundle, f"dossier-{dossier.case_id}-{registration.pk}.pdf", pdf)
        registration.save(update_fields=["dossier", "transmitted_at", "transmitted_by", "bundle"])
        notifications.send_transmitted_after_commit(registration)
    return registration
