"""Pieces the routers share: the documented error responses, the people and branches as the
API shows them, and the record of what was read."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from vaecos.accounts.models import User
from vaecos.api.auth import user_of
from vaecos.api.errors import COMMON_ERRORS, ErrorOut
from vaecos.audit.services import record_read
from vaecos.cases.models import VaeCase
from vaecos.referentiels.models import Branch

# Identifiers beyond this are refused as invalid (422) rather than overflowing the database.
MAX_ID = 2**62


def responses(ok: Any, *statuses: int, status: int = 200) -> dict[int, Any]:
    """The operation's responses: `ok` and the error body for every status it may return."""
    found: dict[int, Any] = {status: ok, **COMMON_ERRORS}
    for code in statuses:
        found[code] = ErrorOut
    return dict(sorted(found.items()))


def person(user: User) -> dict[str, str]:
    return {"first_name": user.first_name, "last_name": user.last_name}


def branch(found: Branch | None) -> dict[str, str] | None:
    return {"code": found.code, "name": found.name} if found is not None else None


def record(
    request: HttpRequest, *, what: str, label: str, case: VaeCase | None = None, obj: Any = ""
) -> None:
    """A read through the API, in the audit journal like a read on the web pages."""
    record_read(
        user_of(request),
        case=case,
        what=what,
        label=label,
        object_id=obj,
        path=request.get_full_path(),
    )
