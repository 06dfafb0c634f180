"""Recording reads. Views call record_read() once the permission check has passed."""

from vaecos.accounts.models import User
from vaecos.audit.models import ReadEvent
from vaecos.cases.models import VaeCase
from vaecos.dossiers.models import Dossier


def record_read(
    request_user: User,
    *,
    case: VaeCase | None,
    what: str,
    label: str,
    dossier: Dossier | None = None,
    dossier_id: int | None = None,
    object_id: object = "",
    path: str = "",
) -> ReadEvent | None:
    """Record that `request_user` read something of `case`, unless they are its candidate:
    a candidate reading their own dossier is not an event anyone needs to be told about.
    `dossier_id` saves a query where the caller holds only the id."""
    if case is not None and case.candidate_id == request_user.pk:
        return None
    if case is None and dossier is not None:
        case = dossier.case
    return ReadEvent.objects.create(
        user=request_user,
        user_role=request_user.role,
        case=case,
        dossier=dossier,
        dossier_id=dossier.pk if dossier is not None else dossier_id,
        what=what,
        label=label[:200],
        object_id=str(object_id)[:64],
        path=path[:500],
    )
