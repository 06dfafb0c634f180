"""One error body for every status, in French and English, documented in the schema; the
rate limit; the public schema and documentation page."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.accounts.factories import UserFactory
from tests.api.conftest import Api, complete_request, gaps
from vaecos.api.errors import detail_in_french
from vaecos.api.models import RateCounter, Scope


def error_of(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["code"] == code
    assert set(error["message"]) == {"fr", "en"}
    assert error["message"]["fr"] and error["message"]["en"]
    assert error["message"]["fr"] != error["message"]["en"]
    assert isinstance(error["details"], list)
    return error


def test_every_status_has_the_same_body(referentiel, instructor, api_as, monkeypatch):
    request = complete_request(referentiel)
    write, read = api_as(instructor), api_as(instructor, Scope.READ)

    unreadable = write.client.post(
        f"/api/v1/admissibility-requests/{request.pk}/decision",
        "{pas du json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {write.secret}"},
    )
    error_of(unreadable, 400, "invalid_request")
    invalid = error_of(write.get("/cases", {"limit": "beaucoup"}), 422, "validation_error")
    assert invalid["details"][0]["location"] == ["query", "limit"]
    error_of(Api(None).get("/cases"), 401, "not_authenticated")
    error_of(
        read.post(
            f"/admissibility-requests/{request.pk}/decision",
            {"favourable": True, "gaps": gaps(request)},
        ),
        403,
        "read_only_token",
    )
    error_of(write.get("/cases/424242"), 404, "not_found")
    error_of(write.get("/nimporte-quoi"), 404, "not_found")
    error_of(write.post("/nimporte-quoi", {}), 404, "not_found")
    not_allowed = write.client.delete(
        "/api/v1/cases", headers={"Authorization": f"Bearer {write.secret}"}
    )
    error_of(not_allowed, 405, "method_not_allowed")
    assert not_allowed["Allow"] == "GET"
    refused = error_of(
        write.post(
            f"/admissibility-requests/{request.pk}/decision",
            {"favourable": False, "gaps": gaps(request)},
        ),
        409,
        "action_refused",
    )
    assert refused["message"]["fr"] == "Une décision de non-recevabilité doit être motivée."

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("vaecos.api.routers.cases.serialize", broken)
    server = error_of(write.get(f"/cases/{request.case_id}"), 500, "server_error")
    assert "boom" not in str(server)


def test_bad_bodies_are_400_or_422_never_500(referentiel, instructor, api_as):
    request = complete_request(referentiel)
    api = api_as(instructor)
    url = f"/admissibility-requests/{request.pk}/decision"

    not_json = api.client.post(
        f"/api/v1{url}",
        "{pas du json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.secret}"},
    )
    assert not_json.status_code == 400
    error_of(not_json, 400, "invalid_request")
    nul = api.post(url, {"favourable": False, "reasons": "a\x00b", "gaps": gaps(request)})
    error_of(nul, 422, "validation_error")
    error_of(api.post(url, {"favourable": "peut-être", "gaps": []}), 422, "validation_error")
    error_of(api.post(url, [1, 2]), 422, "validation_error")
    error_of(api.get("/cases/99999999999999999999999"), 422, "validation_error")
    error_of(api.get("/cases", {"branch": "a\x00"}), 422, "validation_error")
    error_of(api.get("/cases", {"created_since": "2026-01-01T00:00:00"}), 422, "validation_error")
    error_of(
        api.get("/results", {"deliberated_since": "0001-01-01T00:00:00+05:00"}),
        422,
        "validation_error",
    )
    assert api.get("/cases", {"created_since": "2026-01-01T00:00:00+01:00"}).status_code == 200


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ("revoked", "token_revoked"),
        ("expired", "token_expired"),
        ("inactive", "token_user_not_allowed"),
        ("candidate", "token_user_not_allowed"),
        ("unknown", "invalid_token"),
        ("basic", "invalid_token"),
    ],
)
def test_refused_tokens_get_401_with_www_authenticate(instructor, setup, code):
    from tests.api.conftest import make_token
    from vaecos.api.tokens import token_revoke

    token, secret = make_token(instructor)
    headers = {"Authorization": f"Bearer {secret}"}
    if setup == "revoked":
        token_revoke(token=token, by=UserFactory(admin=True))
    elif setup == "expired":
        token.expires_at = timezone.now() - datetime.timedelta(seconds=1)
        token.save()
    elif setup == "inactive":
        instructor.is_active = False
        instructor.save()
    elif setup == "candidate":
        instructor.role = "candidat"
        instructor.save()
    elif setup == "unknown":
        headers = {"Authorization": f"Bearer {secret}x"}
    elif setup == "basic":
        headers = {"Authorization": f"Basic {secret}"}

    response = Api(None).get("/cases", headers=headers)

    error_of(response, 401, code)
    assert response["WWW-Authenticate"].startswith('Bearer realm="vaecos"')


def test_a_token_not_yet_expired_works_and_records_its_use(instructor):
    from tests.api.conftest import make_token

    token, secret = make_token(instructor, expires_at=timezone.now() + datetime.timedelta(days=1))
    assert Api(secret).get("/cases").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_session_cookie_is_not_enough(instructor):
    api = Api(None)
    api.client.force_login(instructor)
    error_of(api.get("/cases"), 401, "not_authenticated")


def test_the_rate_limit_per_token(settings, instructor, api_as):
    settings.API_RATE_LIMIT = "3/min"
    api, other = api_as(instructor), api_as(instructor)
    for _ in range(3):
        assert api.get("/cases").status_code == 200

    limited = api.get("/cases")

    error_of(limited, 429, "rate_limited")
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert other.get("/cases").status_code == 200  # counted per token
    assert RateCounter.objects.filter(key__startswith="token:").count() == 2


def test_failed_authentications_are_limited_per_address(settings, instructor, api_as):
    settings.API_RATE_LIMIT = "2/min"
    stranger = Api("pas-un-jeton")
    assert stranger.get("/cases").status_code == 401
    assert stranger.get("/cases").status_code == 401

    blocked = stranger.get("/cases")

    error_of(blocked, 429, "rate_limited")
    assert int(blocked["Retry-After"]) >= 1
    # A valid token from the same address is counted on its own.
    assert api_as(instructor).get("/cases").status_code == 200


def test_a_malformed_rate_falls_back_to_the_default(settings):
    from vaecos.api.throttling import parse_rate

    assert parse_rate("10/s") == (10, 1)
    assert parse_rate("1000/day") == (1000, 86400)
    assert parse_rate("n'importe quoi") == (120, 60)
    assert parse_rate("0/min") == (120, 60)


def test_the_schema_documents_the_error_body_for_every_operation(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            for status in ("400", "401", "422", "429", "500"):
                content = operation["responses"][status]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/ErrorOut"}, (
                    method,
                    path,
                    status,
                )
            if method == "post":
                assert {"403", "404", "409"} <= set(operation["responses"])


def test_the_documentation_page_is_public_and_complete(client, settings):
    settings.API_RATE_LIMIT = "60/h"
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Documentation de l'API</h1>" in page
    assert 'href="/api/v1/openapi.json"' in page
    assert "60 requêtes par heure" in page
    for operation in (
        "GET /api/v1/cases",
        "POST /api/v1/admissibility-requests/{request_id}/decision",
        "POST /api/v1/registrations/{registration_id}/votes",
        "POST /api/v1/registrations/{registration_id}/decision",
        "GET /api/v1/results",
    ):
        assert f"<code>{operation}</code>" in page
    assert "read_only_token" in page and "Ce jeton ne permet que la lecture" in page
    assert not re.search(r"<script>|style=", page)
    assert client.get("/api/v1/").status_code == 302


def test_an_unverified_staff_session_reads_the_documentation(client, settings, instructor):
    settings.SECOND_FACTOR_REQUIRED = True
    client.force_login(instructor)
    assert client.get("/api/v1/docs").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get(reverse("admissibility:queue")).status_code == 302  # the web pages ask


def test_the_second_factor_does_not_stand_in_the_apis_way(settings, instructor, api_as):
    """The second factor protects the web session; the API has none: a token is enough, and
    the documentation stays public."""
    settings.SECOND_FACTOR_REQUIRED = True
    api = api_as(instructor, Scope.READ)

    assert api.get("/cases").status_code == 200
    # A staff member logged in without their second factor, calling with their token.
    api.client.force_login(instructor)
    assert api.get("/cases").status_code == 200
    anonymous = Api(None)
    assert anonymous.get("/docs").status_code == 200
    assert anonymous.get("/openapi.json").status_code == 200
    error_of(anonymous.get("/cases"), 401, "not_authenticated")


def test_the_openapi_schema_is_valid(client):
    from openapi_spec_validator import validate

    schema = client.get("/api/v1/openapi.json").json()

    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert {
        ("get", "/api/v1/cases"),
        ("get", "/api/v1/cases/{case_id}"),
        ("get", "/api/v1/admissibility-requests"),
        ("get", "/api/v1/admissibility-requests/{request_id}"),
        ("post", "/api/v1/admissibility-requests/{request_id}/decision"),
        ("get", "/api/v1/sessions"),
        ("get", "/api/v1/sessions/{session_id}"),
        ("get", "/api/v1/results"),
        ("get", "/api/v1/results/{result_id}"),
        ("post", "/api/v1/registrations/{registration_id}/votes"),
        ("post", "/api/v1/registrations/{registration_id}/decision"),
    } == {(m, p) for p, methods in schema["paths"].items() for m in methods}
    # Every operation but the schema and the docs asks for the bearer token.
    assert all(
        op.get("security") == [{"BearerToken": []}]
        for methods in schema["paths"].values()
        for op in methods.values()
    )


def test_an_unexpected_error_is_json_without_a_traceback_even_in_debug(
    settings, referentiel, instructor, api_as, monkeypatch
):
    settings.DEBUG = True
    case = complete_request(referentiel).case

    def broken(*args, **kwargs):
        raise RuntimeError("secret interne")

    monkeypatch.setattr("vaecos.api.routers.cases.serialize", broken)
    response = api_as(instructor).get(f"/cases/{case.pk}")

    error = error_of(response, 500, "server_error")
    assert error["message"]["fr"].startswith("Erreur interne")
    assert b"secret interne" not in response.content and b"Traceback" not in response.content


def test_each_invalid_parameter_is_explained_in_french_and_english(referentiel, instructor, api_as):
    request = complete_request(referentiel)
    api = api_as(instructor)

    too_big = error_of(api.get("/cases", {"limit": 101}), 422, "validation_error")
    missing = error_of(
        api.post(f"/admissibility-requests/{request.pk}/decision", {"gaps": gaps(request)}),
        422,
        "validation_error",
    )
    not_a_number = error_of(api.get("/cases", {"offset": "x"}), 422, "validation_error")

    assert too_big["details"] == [
        {
            "location": ["query", "limit"],
            "message": {
                "fr": "Valeur trop grande : 100 au plus.",
                "en": "Input should be less than or equal to 100",
            },
            "type": "less_than_equal",
        }
    ]
    assert missing["details"][0]["location"] == ["body", "payload", "favourable"]
    assert missing["details"][0]["message"]["fr"] == "Champ obligatoire."
    assert not_a_number["details"][0]["message"]["fr"] == "Nombre entier attendu."


@pytest.mark.parametrize(
    ("kind", "context", "french"),
    [
        ("string_too_long", {"max_length": 50}, "Texte trop long : 50 caractères au plus."),
        ("string_too_long", {}, "Texte trop long."),
        ("quelque_chose_de_nouveau", None, "Valeur invalide."),
    ],
)
def test_a_detail_without_its_limits_or_of_an_unknown_kind_still_reads_well(kind, context, french):
    assert detail_in_french(kind, context) == french
