"""Login throttling with django-axes: who is counted, and what a locked-out person sees.

The settings (config/settings/security.py) count failures per (e-mail, client IP) pair; these
callables are named there as AXES_USERNAME_CALLABLE, AXES_CLIENT_IP_CALLABLE and
AXES_LOCKOUT_CALLABLE.
"""

import ipaddress
import math
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from axes.utils import reset
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


def client_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The e-mail address tried, normalised as the login form does (case and spaces), so that
    "Marie@Exemple.fr " and "marie@exemple.fr" share one counter (the admin's form does not
    normalise it)."""
    if credentials:
        username = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        username = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    if not isinstance(username, str):
        return None
    return username.strip().lower() or None


def _ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip_address(request: HttpRequest) -> str | None:
    """The client's address. Behind the TLS proxy (BEHIND_TLS_PROXY, which sets
    SECURE_PROXY_SSL_HEADER) every request comes from the proxy: the client is then the last
    address the proxy appended to X-Forwarded-For (the ones before it are the client's word)."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        address = _ip(forwarded.split(",")[-1]) if forwarded else None
        if address:
            return address
    return _ip(request.META.get("REMOTE_ADDR"))


def unlock(username: str) -> int:
    """Forget the failed logins of this e-mail address, from every address (how many)."""
    username = username.strip().lower()
    if not username:  # axes' reset() with no username would forget everyone's
        return 0
    return reset(username=username)


def cooloff_minutes(request: HttpRequest) -> int:
    """The cool-off in whole minutes (0: locked until someone lifts it)."""
    cooloff = get_cool_off(request)
    return max(1, math.ceil(cooloff.total_seconds() / 60)) if cooloff else 0


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """429 with the French explanation and the way out (the password reset)."""
    minutes = cooloff_minutes(request)
    response = TemplateResponse(
        request,
        "accounts/lockout.html",
        {"cooloff_minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    if minutes:
        response["Retry-After"] = str(minutes * 60)
    return response.render()


class AxesBackendForTestClient(AxesStandaloneBackend):
    """The test settings' backend: django-axes' own, except for `Client.login()`.

    The test client's shortcut authenticates without a request, which the production backend
    refuses (AxesBackendRequestParameterRequired): there is no client address to count. Every
    HTTP login (the login page, the admin's) passes its request and is throttled as in
    production. Production keeps the strict backend, so that code authenticating without the
    request fails loudly instead of escaping the throttling.
    """

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
