"""CSV exports (placeholder until built)."""

from django.http import Http404, HttpRequest, HttpResponse


def queue_csv(http: HttpRequest) -> HttpResponse:
    raise Http404("Page introuvable.")


def sessions_csv(http: HttpRequest) -> HttpResponse:
    raise Http404("Page introuvable.")


def results_csv(http: HttpRequest) -> HttpResponse:
    raise Http404("Page introuvable.")
