"""Who may do what with a Livret 2. Checked per object by every view."""

from vaecos.accounts.models import User
from vaecos.dossiers.models import Dossier


def can_view(user: User, dossier: Dossier) -> bool:
    # Coaches and jury members get read access through the coaching and jury issues.
    return bool(
        user.is_authenticated and user.is_candidate and dossier.case.candidate_id == user.pk
    )


def can_edit(user: User, dossier: Dossier) -> bool:
    return can_view(user, dossier) and dossier.is_editable
