"""Turns a change sent to a frozen Livret 2 into a French answer instead of a bare 404.

The owner of a finalised or transmitted dossier may still send a change from a page opened
before it was frozen (another tab, a double click): they are told why nothing changed. Anyone
else still gets 404 from the views, so nobody learns a dossier exists.
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from vaecos.accounts.second_factor import requires_second_factor
from vaecos.dossiers.models import Dossier
from vaecos.utils.errors import ActionRefused


class DossierFrozen(ActionRefused):
    def __init__(self, dossier: Dossier) -> None:
        super().__init__(
            f"Le Livret 2 est « {dossier.get_status_display()} » : il n'est plus modifiable, "
            "rien n'a été changé."
        )
        self.dossier_pk = dossier.pk


class DossierFrozenMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DossierFrozen):
            return None
        if request.headers.get("HX-Request"):
            response = HttpResponse(exception.message, status=409, content_type="text/plain")
            response["HX-Reswap"] = "none"
            return response
        messages.error(request, exception.message)
        return redirect(reverse("dossiers:overview", args=[exception.dossier_pk]))


class SecondFactorMiddleware:
    """Sends an instructeur, jury member or administrator who has not yet confirmed their login
    with a second factor to the page that asks for it (or to the enrolment page), from every
    page but those few. After django_otp's OTPMiddleware, which tells whether they did."""

    ALLOWED = frozenset(
        {
            "accounts:second_factor",
            "accounts:second_factor_setup",
            "accounts:second_factor_qr",
            "accounts:logout",
            "www:accessibility",
            "www:healthz",
        }
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or user.is_verified():  # type: ignore[union-attr,attr-defined]
            return None
        if not requires_second_factor(user):  # type: ignore[arg-type]
            return None
        match = request.resolver_match
        if match is not None and match.view_name in self.ALLOWED:
            return None
        if match is not None and match.namespace == "api":
            # The API authenticates each request by its token, never by the session; its
            # documentation is public.
            return None
        back = request.get_full_path()
        if request.headers.get("HX-Request"):
            # A fragment is no page to come back to: the page the person was on is.
            page = urlsplit(request.headers.get("HX-Current-URL", ""))
            back = page.path + (f"?{page.query}" if page.query else "")
            if not back.startswith("/") or back.startswith("//"):
                back = reverse("www:home")
        target = f"{reverse('accounts:second_factor')}?{urlencode({'next': back})}"
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
