"""One error body for every error of the API, in French and English:

    {"error": {"code": "…", "message": {"fr": "…", "en": "…"}, "details": [...]}}

Ninja's own handlers (validation, HTTP errors, authentication, 404, throttling, any exception)
are replaced so that nothing answers in another shape.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from vaecos.utils.errors import ActionRefused

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger(__name__)

# code → (status, French, English)
MESSAGES: dict[str, tuple[int, str, str]] = {
    "invalid_request": (
        400,
        "La requête est illisible : le corps doit être un document JSON.",
        "The request cannot be read: its body must be a JSON document.",
    ),
    "not_authenticated": (
        401,
        "Authentification requise : envoyez l'en-tête « Authorization: Bearer <jeton> ».",
        "Authentication required: send the header “Authorization: Bearer <token>”.",
    ),
    "invalid_token": (
        401,
        "Ce jeton d'API est inconnu.",
        "This API token is unknown.",
    ),
    "token_revoked": (
        401,
        "Ce jeton d'API a été révoqué.",
        "This API token has been revoked.",
    ),
    "token_expired": (
        401,
        "Ce jeton d'API a expiré.",
        "This API token has expired.",
    ),
    "token_user_not_allowed": (
        401,
        "Le compte de ce jeton est désactivé ou n'a plus de rôle autorisé à utiliser l'API.",
        "This token's account is inactive or no longer has a role allowed to use the API.",
    ),
    "read_only_token": (
        403,
        "Ce jeton ne permet que la lecture : il faut un jeton de portée « écriture ».",
        "This token only allows reading: a token with the “write” scope is required.",
    ),
    "forbidden": (
        403,
        "Votre compte n'a pas le droit de faire cette action.",
        "Your account is not allowed to perform this action.",
    ),
    "not_a_jury_member": (
        403,
        "Seuls les membres du jury de cette session peuvent faire cette action.",
        "Only members of this session's jury may perform this action.",
    ),
    "not_found": (
        404,
        "Ressource introuvable.",
        "Resource not found.",
    ),
    "method_not_allowed": (
        405,
        "Méthode HTTP non autorisée pour cette adresse.",
        "HTTP method not allowed for this URL.",
    ),
    "action_refused": (
        409,
        "Action refusée.",
        "The action was refused by the platform's rules; the French message gives the reason.",
    ),
    "validation_error": (
        422,
        "Paramètres invalides : voir le détail des paramètres en cause.",
        "Invalid parameters: see the details of the parameters concerned.",
    ),
    "rate_limited": (
        429,
        "Trop de requêtes : réessayez après le délai indiqué par l'en-tête Retry-After.",
        "Too many requests: retry after the delay given by the Retry-After header.",
    ),
    "server_error": (
        500,
        "Erreur interne : l'équipe est prévenue. Réessayez plus tard.",
        "Internal error: the team has been notified. Please try again later.",
    ),
}

# The codes of a 401 that names why a known token is refused (ApiToken.refusal).
TOKEN_REFUSALS = ("token_revoked", "token_expired", "token_user_not_allowed")


class ErrorMessage(Schema):
    fr: str
    en: str


class ErrorDetail(Schema):
    location: list[str | int]
    message: ErrorMessage
    type: str


class ErrorBody(Schema):
    code: str
    message: ErrorMessage
    details: list[ErrorDetail]


class ErrorOut(Schema):
    error: ErrorBody


class ApiError(Exception):
    """An error of the API: its code names the fixed messages; `fr` replaces the French one
    (a service's refusal)."""

    def __init__(
        self,
        code: str,
        *,
        fr: str | None = None,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        status, default_fr, en = MESSAGES[code]
        super().__init__(code)
        self.code = code
        self.status = status
        self.fr = fr or default_fr
        self.en = en
        self.details = details or []
        self.headers = headers or {}


def body(code: str, *, fr: str | None = None, details: list[dict[str, Any]] | None = None) -> dict:
    _, default_fr, en = MESSAGES[code]
    return {
        "error": {
            "code": code,
            "message": {"fr": fr or default_fr, "en": en},
            "details": details or [],
        }
    }


def error_response(api: NinjaAPI, request: HttpRequest, error: ApiError) -> HttpResponse:
    response = api.create_response(
        request, body(error.code, fr=error.fr, details=error.details), status=error.status
    )
    for name, value in error.headers.items():
        response[name] = value
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="vaecos"' + (
            "" if error.code == "not_authenticated" else ', error="invalid_token"'
        )
    return response


# pydantic's error types, in French (its English message is kept beside). The limits come from
# the error's context. A type not listed here gets the general sentence.
FRENCH_DETAILS = {
    "missing": "Champ obligatoire.",
    "extra_forbidden": "Champ inconnu.",
    "json_invalid": "JSON illisible.",
    "int_parsing": "Nombre entier attendu.",
    "int_type": "Nombre entier attendu.",
    "int_from_float": "Nombre entier attendu.",
    "float_parsing": "Nombre attendu.",
    "bool_parsing": "Booléen attendu (true ou false).",
    "bool_type": "Booléen attendu (true ou false).",
    "string_type": "Texte attendu.",
    "list_type": "Liste attendue.",
    "dict_type": "Objet attendu.",
    "model_type": "Objet attendu.",
    "date_parsing": "Date attendue au format aaaa-mm-jj.",
    "date_from_datetime_parsing": "Date attendue au format aaaa-mm-jj.",
    "date_type": "Date attendue au format aaaa-mm-jj.",
    "datetime_parsing": "Date et heure attendues au format ISO 8601.",
    "datetime_from_date_parsing": "Date et heure attendues au format ISO 8601.",
    "timezone_aware": "Précisez le fuseau horaire (par exemple +01:00 ou Z).",
    "less_than_equal": "Valeur trop grande : {le} au plus.",
    "less_than": "Valeur trop grande : moins de {lt}.",
    "greater_than_equal": "Valeur trop petite : {ge} au moins.",
    "greater_than": "Valeur trop petite : plus de {gt}.",
    "string_too_long": "Texte trop long : {max_length} caractères au plus.",
    "string_too_short": "Texte trop court : {min_length} caractère(s) au moins.",
    "too_long": "Trop d'éléments : {max_length} au plus.",
    "too_short": "Pas assez d'éléments : {min_length} au moins.",
    "literal_error": "Valeur non permise : {expected}.",
    "enum": "Valeur non permise : {expected}.",
    "string_pattern_mismatch": "Format non valable.",
}
GENERAL_DETAIL = "Valeur invalide."


def detail_in_french(kind: str, context: dict[str, Any] | None) -> str:
    template = FRENCH_DETAILS.get(kind, GENERAL_DETAIL)
    try:
        return template.format(**(context or {}))
    except (KeyError, IndexError, ValueError):
        return template.split(" :")[0] + "."


def detail(location: list[str | int], *, fr: str, en: str, kind: str) -> dict[str, Any]:
    """One entry of `details`: where, what (French and English), pydantic's error type."""
    return {"location": location, "message": {"fr": fr, "en": en}, "type": kind}


def _validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        detail(
            [part if isinstance(part, int) else str(part) for part in e.get("loc", ())],
            fr=detail_in_french(str(e.get("type", "")), e.get("ctx")),
            en=str(e.get("msg", "")),
            kind=str(e.get("type", "")),
        )
        for e in errors
    ]


def install(api: NinjaAPI) -> None:
    """Replace ninja's exception handlers with ours."""

    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(api, request, exc)

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return error_response(
            api, request, ApiError("validation_error", details=_validation_details(exc.errors))
        )

    def on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(api, request, ApiError("not_authenticated"))

    def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        headers = {"Retry-After": str(exc.wait)} if exc.wait else {}
        return error_response(api, request, ApiError("rate_limited", headers=headers))

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = next(
            (c for c, (status, _, _) in MESSAGES.items() if status == exc.status_code),
            "invalid_request",
        )
        return error_response(api, request, ApiError(code))

    def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(api, request, ApiError("not_found"))

    def on_refused(request: HttpRequest, exc: ActionRefused) -> HttpResponse:
        return error_response(api, request, ApiError("action_refused", fr=exc.message))

    def on_exception(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
        return error_response(api, request, ApiError("server_error"))

    handlers: list[tuple[type[Exception], Any]] = [
        (ApiError, on_api_error),
        (ValidationError, on_validation),
        (AuthenticationError, on_authentication),
        (Throttled, on_throttled),
        (HttpError, on_http_error),
        (Http404, on_not_found),
        (ActionRefused, on_refused),
        (Exception, on_exception),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)


# The error responses every operation documents (the others add 403, 404 or 409 as they may).
COMMON_ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
    500: ErrorOut,
}
