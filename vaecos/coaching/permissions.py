"""Who may do what in the coach's review of a Livret 2. Checked per object by every view; those
without access get a 404, so nobody learns that a dossier exists."""

from vaecos.accounts.models import Role, User
from vaecos.accounts.roles import is_certifier_staff as is_staff
from vaecos.cases.models import VaeCase
from vaecos.dossiers.models import Dossier


def is_owner(user: User, case: VaeCase) -> bool:
    return bool(
        user.is_authenticated and user.role == Role.CANDIDATE and case.candidate_id == user.pk
    )


def is_coach_of(user: User, case: VaeCase) -> bool:
    """The coach assigned to the case (an inactive account has lost its candidates)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == Role.COACH
        and case.coach_id is not None
        and case.coach_id == user.pk
    )


def can_review(user: User, dossier: Dossier) -> bool:
    """Read the Livret 2 and its comment threads: its coach, its candidate, the staff."""
    case = dossier.case
    return is_coach_of(user, case) or is_owner(user, case) or is_staff(user)


def can_open_thread(user: User, dossier: Dossier) -> bool:
    return is_coach_of(user, dossier.case)


def can_reply(user: User, dossier: Dossier) -> bool:
    return is_coach_of(user, dossier.case) or is_owner(user, dossier.case)


def can_resolve(user: User, dossier: Dossier) -> bool:
    return is_owner(user, dossier.case)


def can_request_reopening(user: User, dossier: Dossier) -> bool:
    return is_coach_of(user, dossier.case)


def can_reopen(user: User) -> bool:
    return is_staff(user)
