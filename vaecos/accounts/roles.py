"""Role checks shared by every app's permissions."""

from vaecos.accounts.models import Role, User


def is_certifier_staff(user: User) -> bool:
    """The certifier's staff: instructeurs and administrators (active accounts)."""
    return bool(
        user.is_authenticated and user.is_active and user.role in (Role.INSTRUCTOR, Role.ADMIN)
    )
