"""Schemathesis against /api/v1/openapi.json, on the Django application with seeded data and a
write-scope staff token: no server error, and every response conforms to the schema (status
code, content type, headers, body)."""

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import complete_request, make_token
from tests.jury.factories import jury_session, transmitted, vote
from vaecos.jury import services as jury

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """What Django's test client does: the end of a request must not close the connection
    that holds the test's transaction (CONN_MAX_AGE is 0 in the test settings)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(referentiel, instructor, settings):
    """Rows for every list: requests to decide, a session held today with its jury, a decided
    candidate and one still to decide; the rate limit out of the way of the many requests."""
    settings.API_RATE_LIMIT = "100000/min"
    complete_request(referentiel, instructor=instructor)
    complete_request(referentiel, instructor=instructor)
    session, seats = jury_session(referentiel)
    decided = transmitted(referentiel, session)
    transmitted(referentiel, session)
    vote(decided, seats[0], True, True, False, True)
    vote(decided, seats[1], True, True, False, True)
    jury.deliberation_decide(
        registration=decided,
        by=seats[0].user,
        mode="votes",
        reasons="Bloc III à revoir.",
        competences_to_prove="III",
    )
    _, secret = make_token(instructor)
    return secret


# Loaded from the application itself (the schema is public and reading it touches no table).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())


@schema.parametrize()
@settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_conforms_to_its_schema(case, seeded):
    case.call_and_validate(headers={"Authorization": f"Bearer {seeded}"}, checks=CHECKS)
