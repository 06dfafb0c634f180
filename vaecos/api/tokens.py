"""Creating, finding and revoking API tokens. Only the digest of a secret is ever stored."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from vaecos.accounts.models import User
from vaecos.api.models import API_ROLES, ApiToken, Scope
from vaecos.utils.errors import ActionRefused

PREFIX_LENGTH = 8
# Only refresh `last_used_at` this often: a busy client must not write at every request.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def user_refusal(user: User) -> str:
    """Why this account may not hold a token (French), or ""."""
    if not user.is_active:
        return "Ce compte est désactivé : il ne peut pas recevoir de jeton d'API."
    if user.role not in API_ROLES:
        return (
            "Seuls les instructeurs, les administrateurs et les membres du jury peuvent "
            "recevoir un jeton d'API."
        )
    return ""


@transaction.atomic
def token_create(
    *,
    name: str,
    user: User,
    scope: str,
    by: User,
    expires_at: datetime.datetime | None = None,
    token: ApiToken | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its secret, which is returned here and nowhere else: the caller shows it
    once. `token`: an unsaved instance to fill (the admin's form)."""
    refusal = user_refusal(user)
    if refusal:
        raise ActionRefused(refusal)
    if scope not in Scope.values:
        raise ActionRefused("Portée inconnue.")
    secret = secrets.token_urlsafe(32)
    token = token or ApiToken()
    token.name = name
    token.user = user
    token.scope = scope
    token.expires_at = expires_at
    token.prefix = secret[:PREFIX_LENGTH]
    token.digest = digest(secret)
    token.created_by = by
    token.save()
    return token, secret


@transaction.atomic
def token_revoke(*, token: ApiToken, by: User) -> bool:
    """Revoke the token (kept for the record, never deleted); False if it already was."""
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by
    )
    token.refresh_from_db(fields=["revoked_at", "revoked_by"])
    return bool(updated)


def token_find(secret: str) -> ApiToken | None:
    """The token with this secret, whatever its state. The lookup is by digest: comparing
    digests in the database reveals nothing about the secret through timing."""
    if not secret or len(secret) > 200:
        return None
    return ApiToken.objects.select_related("user").filter(digest=digest(secret)).first()


def token_touch(token: ApiToken, now: datetime.datetime | None = None) -> None:
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
