"""Authentication by `Authorization: Bearer <token>`, and the per-token rate limit.

No session cookie is read: a browser logged in to the platform gets nothing from the API
without a token, so cross-site requests cannot use someone's session (no CSRF exposure).
"""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from ninja.security import HttpBearer

from vaecos.accounts.models import User
from vaecos.api import throttling
from vaecos.api.errors import ApiError
from vaecos.api.models import ApiToken
from vaecos.api.tokens import token_find, token_touch
from vaecos.www.accounts.throttling import client_ip_address


def _failed(request: HttpRequest, code: str) -> ApiError:
    """A failed authentication, counted against the client's address: past the limit, the
    address waits (429) whatever token it tries next."""
    wait = throttling.hit(f"ip:{client_ip_address(request) or 'unknown'}")
    if wait is not None:
        return ApiError("rate_limited", headers={"Retry-After": str(wait)})
    return ApiError(code)


class BearerToken(HttpBearer):
    """The token of the request. `BearerToken(write=True)`, on the operations that record,
    also refuses a read-only token (403) — before the body is read, so that such a token gets
    the same answer whatever it sends. One class for both: the OpenAPI schema names one
    security scheme."""

    def __init__(self, *, write: bool = False) -> None:
        super().__init__()
        self.write = write

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        scheme, _, secret = header.partition(" ")
        if not header:
            raise _failed(request, "not_authenticated")
        if scheme.lower() != "bearer" or not secret.strip():
            raise _failed(request, "invalid_token")
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        found = token_find(token)
        if found is None:
            raise _failed(request, "invalid_token")
        refusal = found.refusal()
        if refusal:
            raise _failed(request, refusal)
        wait = throttling.hit(f"token:{found.pk}")
        if wait is not None:
            raise ApiError("rate_limited", headers={"Retry-After": str(wait)})
        if self.write and not found.can_write:
            raise ApiError("read_only_token")
        token_touch(found)
        # The views act as the token's user, through the same permissions as the web pages.
        request.user = found.user
        return found


def token_of(request: HttpRequest) -> ApiToken:
    return cast(ApiToken, request.auth)  # type: ignore[attr-defined]


def user_of(request: HttpRequest) -> User:
    return token_of(request).user


# The operations that record data: a read-only token is refused before anything else.
WRITE = BearerToken(write=True)
