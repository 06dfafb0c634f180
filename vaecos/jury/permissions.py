"""Who may see and do what on the jury's pages (checked per object by every view).

A jury member reaches a registration only through a seat on its session's jury, only once the
dossier has been transmitted, and never a candidate they may not sit for (they coached them or
work in their organisation: Code du travail, art. D. 6412-6). The certifier's staff read everything but write nothing; a
candidate reads their own notified decisions. Preparation notes are their author's alone.
"""

from vaecos.accounts.models import Role, User
from vaecos.accounts.roles import is_certifier_staff as is_staff
from vaecos.evaluation.composition import conflict_reason
from vaecos.evaluation.models import EvaluationSession, JuryMember, Registration
from vaecos.jury.models import Deliberation


def seat(user: User, session: EvaluationSession) -> JuryMember | None:
    """The user's seat on the session's jury, if they have one."""
    if not user.is_authenticated or user.role != Role.JURY:
        return None
    return JuryMember.objects.filter(session=session, user=user).first()


def conflict(
    user: User, registration: Registration, organisations: list[str] | None = None
) -> str | None:
    """Why this member may not sit for the registration's candidate (French), or None.
    `organisations`: the candidate's, read beforehand for a whole list (experience_organisations)."""
    if not user.is_authenticated or user.role != Role.JURY:
        return None
    return conflict_reason(user, registration.case, organisations=organisations)


def can_read(user: User, registration: Registration) -> bool:
    """The evaluation page, the grid (read-only for staff), the bundle and the PV: staff, and
    the session's jury members except one in conflict with the candidate."""
    if not registration.is_transmitted:
        return False
    if is_staff(user):
        return True
    return seat(user, registration.session) is not None and conflict(user, registration) is None


def is_candidate(user: User, deliberation: Deliberation) -> bool:
    return bool(
        user.is_authenticated
        and user.role == Role.CANDIDATE
        and deliberation.registration.case.candidate_id == user.pk
    )


def can_read_result(user: User, deliberation: Deliberation) -> bool:
    """The result letter: the candidate once notified, and the certifier's staff."""
    if not deliberation.result_letter:
        return False
    if is_staff(user):
        return True
    return is_candidate(user, deliberation) and deliberation.status == Deliberation.Status.NOTIFIED
