"""The jury of a session (Code du travail, art. D. 6412-6) and who may not sit for a candidate.

`composition_report(session)` lists what blocks a convocation (fewer than two members, nobody
qualified for the certification, no president, a member in conflict with a registered candidate)
and what deserves a warning (women and men not balanced, a member's sex not known).
`conflict_reason(user, case)` says why a member may not sit for a candidate: they work in the
candidate's organisation, or they coached them.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from vaecos.accounts.models import Gender, Role, User
from vaecos.cases.models import VaeCase
from vaecos.deadlines import add_months
from vaecos.evaluation.errors import EvaluationError
from vaecos.evaluation.models import EvaluationSession, JuryMember

LAW = "Code du travail, art. D. 6412-6"


class CompositionError(EvaluationError):
    pass


@dataclass(frozen=True)
class CompositionReport:
    errors: list[str] = field(default_factory=list)  # each one blocks the convocation
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def normalise_name(name: str) -> str:
    """« CAF de Loire-Atlantique » and « caf de loire atlantique » are the same organisation."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def _current_experience_organisations(case: VaeCase, today: datetime.date) -> list[str]:
    """The organisations of the candidate's Livret 1 experiences still going on or ended in the
    last year (the people they work with now)."""
    from django.db.models import Q

    from vaecos.admissibility.models import Experience

    since = add_months(today, -12)
    return list(
        Experience.objects.filter(request__case__candidate_id=case.candidate_id)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=since))
        .values_list("organisation", flat=True)
        .distinct()
    )


def experience_organisations(candidate_ids: set[int], today: datetime.date) -> dict[int, list[str]]:
    """`_current_experience_organisations` for many candidates at once (one query)."""
    from django.db.models import Q

    from vaecos.admissibility.models import Experience

    since = add_months(today, -12)
    found: dict[int, list[str]] = {pk: [] for pk in candidate_ids}
    rows = (
        Experience.objects.filter(request__case__candidate_id__in=candidate_ids)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=since))
        .values_list("request__case__candidate_id", "organisation")
    )
    for candidate_id, name in rows:
        found[candidate_id].append(name)
    return found


def conflict_reason(
    user: User,
    case: VaeCase,
    *,
    today: datetime.date | None = None,
    organisations: list[str] | None = None,
) -> str | None:
    """A French sentence saying why `user` may not sit on the jury for `case`'s candidate, or
    None: a member who works in the candidate's organisation or who coached them cannot.
    `organisations`: the candidate's current experiences' organisations, when the caller read
    them for many candidates at once (experience_organisations)."""
    today = today or timezone.localdate()
    candidate = case.candidate
    member_name, candidate_name = user.display_name, candidate.display_name
    if case.coach_id is not None and case.coach_id == user.pk:
        return (
            f"{member_name} a accompagné {candidate_name} dans sa VAE et ne peut donc pas siéger "
            f"pour ce candidat ({LAW})."
        )
    if user.organisation_id is None:
        return None
    organisation = user.organisation
    assert organisation is not None
    same = candidate.organisation_id == user.organisation_id
    if not same:
        wanted = normalise_name(organisation.name)
        if organisations is None:
            organisations = _current_experience_organisations(case, today)
        same = any(normalise_name(name) == wanted for name in organisations)
    if same:
        return (
            f"{member_name} travaille dans l'organisme de {candidate_name} ({organisation.name}) "
            f"et ne peut donc pas siéger pour ce candidat ({LAW})."
        )
    return None


def members(session: EvaluationSession) -> list[JuryMember]:
    """The session's jury, president first; from a prefetch (`jury` with its users) if any."""
    cache = getattr(session, "_prefetched_objects_cache", {})
    if "jury" in cache:
        rows = list(session.jury.all())  # type: ignore[attr-defined]
    else:
        rows = list(session.jury.select_related("user__organisation"))  # type: ignore[attr-defined]
    return sorted(rows, key=lambda m: (not m.is_president, m.user.last_name, m.pk))


def session_conflicts(
    session: EvaluationSession,
    case: VaeCase,
    *,
    extra: User | None = None,
    today: datetime.date | None = None,
) -> list[str]:
    """Why members of the session's jury (and `extra`, about to join it) may not sit for the
    case's candidate."""
    users = [m.user for m in members(session)]
    if extra is not None and all(u.pk != extra.pk for u in users):
        users.append(extra)
    return [r for u in users if (r := conflict_reason(u, case, today=today)) is not None]


def _rules(rows: list[JuryMember]) -> CompositionReport:
    errors: list[str] = []
    warnings: list[str] = []
    if len(rows) < 2:
        errors.append(
            f"Le jury doit compter au moins deux membres ; il en compte {len(rows)} ({LAW})."
        )
    if not any(m.qualified for m in rows):
        errors.append(
            "Aucun membre du jury n'est qualifié pour la certification : au moins un doit "
            f"l'être ({LAW})."
        )
    if not any(m.is_president for m in rows):
        errors.append("Le jury n'a pas de président : désignez-en un parmi ses membres.")
    unknown = [m.user.display_name for m in rows if m.user.gender not in Gender.values]
    for name in unknown:
        warnings.append(
            f"Le sexe de {name} n'est pas renseigné : l'équilibre entre les femmes et les hommes "
            "du jury ne peut pas être vérifié."
        )
    genders = {m.user.gender for m in rows}
    if len(rows) >= 2 and not unknown and len(genders) == 1:
        who = "femmes" if genders == {Gender.WOMAN} else "hommes"
        warnings.append(
            f"Le jury ne compte que des {who} : la loi demande un jury équilibré entre les "
            f"femmes et les hommes ({LAW})."
        )
    return CompositionReport(errors, warnings)


def composition_report(
    session: EvaluationSession,
    *,
    with_conflicts: bool = True,
    today: datetime.date | None = None,
) -> CompositionReport:
    """The blocking errors and the warnings of the session's jury. `with_conflicts` also checks
    every member against every registered candidate (a few queries per candidate)."""
    rows = members(session)
    report = _rules(rows)
    if with_conflicts:
        registrations = session.registrations.select_related(  # type: ignore[attr-defined]
            "case__candidate__organisation"
        )
        for registration in registrations:
            for member in rows:
                reason = conflict_reason(member.user, registration.case, today=today)
                if reason:
                    report.errors.append(reason)
    return report


# --- Actions -----------------------------------------------------------------------------------


def _lock(session: EvaluationSession, today: datetime.date) -> EvaluationSession:
    locked = EvaluationSession.objects.select_for_update().get(pk=session.pk)
    if locked.date < today:
        raise CompositionError(
            f"La session du {locked.date:%d/%m/%Y} a eu lieu : son jury ne peut plus être modifié."
        )
    return locked


@transaction.atomic
def member_add(
    *,
    session: EvaluationSession,
    user: User,
    by: User,
    qualified: bool = False,
    is_president: bool = False,
    today: datetime.date | None = None,
) -> JuryMember:
    """Seat a jury member, unless they may not sit for one of the registered candidates."""
    today = today or timezone.localdate()
    session = _lock(session, today)
    if user.role != Role.JURY or not user.is_active:
        raise CompositionError(f"{user.display_name} n'a pas de compte de membre du jury.")
    if session.jury.filter(user=user).exists():  # type: ignore[attr-defined]
        raise CompositionError(f"{user.display_name} fait déjà partie du jury de cette session.")
    reasons = [
        reason
        for registration in session.registrations.select_related(  # type: ignore[attr-defined]
            "case__candidate__organisation"
        )
        if (reason := conflict_reason(user, registration.case, today=today))
    ]
    if reasons:
        raise CompositionError(" ".join(reasons))
    if is_president:
        session.jury.filter(is_president=True).update(is_president=False)  # type: ignore[attr-defined]
    return JuryMember.objects.create(
        session=session, user=user, qualified=qualified, is_president=is_president, added_by=by
    )


@transaction.atomic
def member_update(
    *,
    member: JuryMember,
    by: User,
    is_president: bool,
    qualified: bool,
    today: datetime.date | None = None,
) -> JuryMember:
    """Mark the member qualified or not; make them the president (the former one steps down)."""
    today = today or timezone.localdate()
    session = _lock(member.session, today)
    member = JuryMember.objects.select_related("user").get(pk=member.pk, session=session)
    if is_president and not member.is_president:
        session.jury.filter(is_president=True).update(is_president=False)  # type: ignore[attr-defined]
    member.is_president = is_president
    member.qualified = qualified
    member.save(update_fields=["is_president", "qualified"])
    return member


@transaction.atomic
def member_remove(*, member: JuryMember, by: User, today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    session = _lock(member.session, today)
    from vaecos.jury.models import BlocVote, DeliberationMember, Signature

    voted = BlocVote.objects.filter(
        member_id=member.user_id, deliberation__registration__session=session
    ).exists()
    signed = Signature.objects.filter(
        member_id=member.user_id, deliberation__registration__session=session
    ).exists()
    # A member recorded in a decision must sign it (even an absent/excused one, with no vote).
    deliberated = DeliberationMember.objects.filter(
        user_id=member.user_id, deliberation__registration__session=session
    ).exists()
    if voted or signed or deliberated:
        raise CompositionError(
            f"{member.user.display_name} a déjà voté, délibéré ou signé pour cette session : "
            "il ne peut plus être retiré du jury."
        )
    JuryMember.objects.filter(pk=member.pk, session=session).delete()
