"""The certifier's dashboard (placeholder until built)."""

from django.http import Http404, HttpRequest, HttpResponse


def dashboard(http: HttpRequest) -> HttpResponse:
    raise Http404("Page introuvable.")
