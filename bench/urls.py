"""The project's URLs plus the baseline: a bare view behind the same middleware and decorators."""

import os

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as project_urlpatterns


@login_required
@require_POST
def bare(request: HttpRequest) -> JsonResponse:
    """What any authenticated POST costs: session, user, CSRF, form parsing, a JSON answer."""
    _ = request.POST["text"]
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *project_urlpatterns]

if os.environ.get("BENCH_TRACE") == "1":
    from bench import trace

    trace.install()
