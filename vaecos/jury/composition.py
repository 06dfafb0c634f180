"""The jury's composition as the procès-verbal states it (Code du travail, D. 6412-6): at least
two members, at least one qualified for the certification, a president, and a balance between
women and men (a warning, never a block)."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from vaecos.accounts.models import Gender, User
from vaecos.cases.models import VaeCase
from vaecos.evaluation.models import EvaluationSession, JuryMember


class Seat(Protocol):
    """A member as the checks read them: a seat on the session's jury (JuryMember) or a member
    fixed on a deliberation when it was decided (DeliberationMember)."""

    user: User
    user_id: int
    is_president: bool
    qualified: bool


@dataclass(frozen=True)
class Check:
    label: str
    ok: bool
    detail: str


def _conflicts(members: Sequence[Seat], case: VaeCase) -> Check | None:
    """No member linked to the candidate or who coached them, as the sessions' module checks
    it (None if that check is not available)."""
    try:
        from vaecos.evaluation.composition import conflict_reason
    except ImportError:  # pragma: no cover - the sessions' module always ships it
        return None
    reasons = [r for m in members if (r := conflict_reason(m.user, case))]
    return Check(
        "Aucun membre lié au candidat ou l'ayant accompagné",
        not reasons,
        " ".join(reasons) or "aucun lien constaté",
    )


def composition_checks(
    session: EvaluationSession,
    case: VaeCase | None = None,
    members: Sequence[Seat] | None = None,
) -> list[Check]:
    """Each rule, whether the jury meets it, and what was found; with `case`, the members'
    links with that candidate too. `members`: the jury to check (the session's by default)."""
    if members is None:
        members = list(JuryMember.objects.filter(session=session).select_related("user"))
    count = len(members)
    qualified = sum(1 for m in members if m.qualified)
    presidents = [m for m in members if m.is_president]
    women = sum(1 for m in members if m.user.gender == Gender.WOMAN)
    men = sum(1 for m in members if m.user.gender == Gender.MAN)
    unknown = count - women - men
    balance = f"{women} femme{'s' if women > 1 else ''}, {men} homme{'s' if men > 1 else ''}"
    if unknown:
        balance += f", {unknown} non renseigné{'s' if unknown > 1 else ''}"
    checks = [
        Check("Au moins deux membres", count >= 2, f"{count} membre{'s' if count > 1 else ''}"),
        Check(
            "Au moins un membre qualifié pour la certification",
            qualified >= 1,
            f"{qualified} membre{'s' if qualified > 1 else ''} qualifié{'s' if qualified > 1 else ''}",
        ),
        Check(
            "Un président",
            len(presidents) == 1,
            presidents[0].user.display_name if presidents else "aucun président désigné",
        ),
        Check(
            "Représentation équilibrée des femmes et des hommes",
            unknown == 0 and abs(women - men) <= 1,
            balance,
        ),
    ]
    if case is not None and (conflicts := _conflicts(members, case)) is not None:
        checks.append(conflicts)
    return checks
