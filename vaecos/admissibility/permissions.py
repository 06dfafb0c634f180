"""Who may see, fill and instruct an admissibility request (checked per object by every view)."""

from vaecos.accounts.models import Role, User
from vaecos.admissibility.models import EDITABLE, AdmissibilityRequest, Status


def is_owner(user: User, request: AdmissibilityRequest) -> bool:
    return bool(
        user.is_authenticated
        and user.role == Role.CANDIDATE
        and request.case.candidate_id == user.pk
    )


def can_instruct(user: User) -> bool:
    return bool(user.is_authenticated and user.role in (Role.INSTRUCTOR, Role.ADMIN))


def can_view(user: User, request: AdmissibilityRequest) -> bool:
    # A draft is the candidate's alone until they submit it.
    return is_owner(user, request) or (can_instruct(user) and request.status != Status.DRAFT)


def can_edit(user: User, request: AdmissibilityRequest) -> bool:
    return is_owner(user, request) and request.status in EDITABLE
