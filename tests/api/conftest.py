"""API fixtures: tokens, a client that sends them, and the seeded data the reads return."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from tests.admissibility.factories import ready_request
from vaecos.admissibility import services as admissibility
from vaecos.api.models import Scope
from vaecos.api.tokens import token_create


class Api:
    """The test client with a token: `api.get("/cases")` calls /api/v1/cases."""

    def __init__(self, secret: str | None = None, **extra) -> None:
        self.client = Client(**extra)
        self.secret = secret

    def _headers(self, headers):
        found = dict(headers or {})
        if self.secret is not None:
            found.setdefault("Authorization", f"Bearer {self.secret}")
        return found

    def get(self, path, params=None, headers=None):
        return self.client.get(f"/api/v1{path}", params or {}, headers=self._headers(headers))

    def post(self, path, data=None, headers=None):
        return self.client.post(
            f"/api/v1{path}",
            data or {},
            content_type="application/json",
            headers=self._headers(headers),
        )


def make_token(user, scope=Scope.WRITE, **kwargs):
    """(token, secret) for the user."""
    return token_create(name="Système RH", user=user, scope=scope, by=user, **kwargs)


@pytest.fixture
def api_as():
    """api_as(user, scope) → an Api client with a new token of that user."""

    def build(user, scope=Scope.WRITE, **kwargs):
        _, secret = make_token(user, scope, **kwargs)
        return Api(secret)

    return build


def complete_request(referentiel, candidate=None, instructor=None, **kwargs):
    """A request submitted and declared complete today: ready for its decision."""
    request = ready_request(referentiel, candidate=candidate, **kwargs)
    candidate = request.case.candidate
    admissibility.request_submit(request=request, by=candidate)
    if instructor is None:
        from tests.accounts.factories import UserFactory

        instructor = UserFactory(instructor=True)
    return admissibility.request_declare_complete(
        request=request, by=instructor, on=timezone.localdate()
    )


def gaps(request, coverage="couverte"):
    return [
        {"activity": a.number, "coverage": coverage, "comment": f"Activité {a.roman}"}
        for a in request.case.referentiel_version.activities.order_by("number")
    ]


def aware(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


@pytest.fixture
def steady_clock(monkeypatch):
    """The rate window and the token's last use at one fixed moment: the first request of a
    window or of a minute writes more, which would blur a query count."""
    import functools

    from vaecos.api import auth, throttling, tokens

    moment = timezone.now()
    monkeypatch.setattr(auth.throttling, "hit", functools.partial(throttling.hit, now=moment))
    monkeypatch.setattr(auth, "token_touch", functools.partial(tokens.token_touch, now=moment))
    return moment
