"""The REST API under /api/v1/ (django-ninja): the certifier's systems read cases, admissibility
decisions, sessions and jury results, and record admissibility decisions and jury results, with
API tokens that administrators create in the admin."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, URLResolver, path, reverse
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI

from vaecos.api import errors
from vaecos.api.auth import BearerToken
from vaecos.api.docs import docs_page
from vaecos.api.routers import admissibility, cases, jury, sessions

DESCRIPTION = (
    "API de la plateforme VAE COS pour les systèmes du certificateur. Authentification par "
    "jeton (en-tête « Authorization: Bearer <jeton> »), créé par un administrateur ; pages "
    "« limit » (100 au plus) et « offset » ; une seule forme d'erreur, en français et en anglais."
)


class VaeCosApi(NinjaAPI):
    """Ninja, with the error body for what ninja answers outside its operations: a method an
    address does not accept (405) and an address it does not know (404)."""

    def _get_urls(self) -> list[URLPattern | URLResolver]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                if pattern.name == "api-root":
                    pattern.callback = _home
                else:
                    pattern.callback = self._errors_in_body(pattern.callback)
        urls.insert(0, path("docs", docs_page, name="docs"))
        urls.append(path("<path:rest>", csrf_exempt(self._unknown), name="unknown"))
        return urls

    def _errors_in_body(self, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if response.status_code == 405 and not response.get("Content-Type", "").startswith(
                "application/json"
            ):
                allow = response.get("Allow", "")
                response = errors.error_response(
                    self, request, errors.ApiError("method_not_allowed")
                )
                response["Allow"] = allow
            return response

        wrapper.csrf_exempt = True  # type: ignore[attr-defined]
        return wrapper

    def _unknown(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return errors.error_response(self, request, errors.ApiError("not_found"))


def _home(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return HttpResponseRedirect(reverse("api:docs"))


api = VaeCosApi(
    title="VAE COS",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=BearerToken(),
    docs_url=None,
)
errors.install(api)
api.add_router("", cases.router)
api.add_router("", admissibility.router)
api.add_router("", sessions.router)
api.add_router("", jury.router)
