"""The API's documentation page, in French, rendered on the server from the OpenAPI schema
(no script: the platform's strict Content Security Policy applies to it as to every page)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from vaecos.api.errors import MESSAGES
from vaecos.api.pagination import MAX_LIMIT
from vaecos.api.throttling import current_rate

METHOD_ORDER = {"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}
PERIODS = {1: "seconde", 60: "minute", 3600: "heure", 86400: "jour"}


def _ref(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    return schema


def type_label(schema: dict[str, Any], components: dict[str, Any]) -> str:
    """« entier », « liste de GapIn », « texte ou null »… for a property's schema."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " ou ".join(type_label(s, components) for s in schema["anyOf"])
    if "enum" in schema:
        return "une valeur parmi : " + ", ".join(str(v) for v in schema["enum"])
    if "const" in schema:
        return str(schema["const"])
    kind = schema.get("type", "")
    if kind == "array":
        return "liste de " + type_label(schema.get("items", {}), components)
    fmt = schema.get("format", "")
    names = {
        "integer": "entier",
        "string": {"date": "date (AAAA-MM-JJ)", "date-time": "date et heure (ISO 8601)"}.get(
            fmt, "heure (HH:MM:SS)" if fmt == "time" else "texte"
        ),
        "boolean": "booléen (true / false)",
        "null": "null",
        "object": "objet",
        "number": "nombre",
    }
    return names.get(kind, kind or "valeur")


def _limits(schema: dict[str, Any]) -> str:
    parts = []
    if "minimum" in schema:
        parts.append(f"≥ {schema['minimum']}")
    if "maximum" in schema:
        parts.append(f"≤ {schema['maximum']}")
    if "maxLength" in schema:
        parts.append(f"{schema['maxLength']} caractères au plus")
    return ", ".join(parts)


def _fields(schema: dict[str, Any], components: dict[str, Any]) -> list[dict[str, Any]]:
    schema = _ref(schema, components)
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "type": type_label(prop, components),
            "required": name in required,
            "description": prop.get("description", ""),
            "limits": _limits(prop),
        }
        for name, prop in schema.get("properties", {}).items()
    ]


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    components = schema.get("components", {}).get("schemas", {})
    operations = []
    for address, methods in schema.get("paths", {}).items():
        for method, operation in sorted(methods.items(), key=lambda m: METHOD_ORDER.get(m[0], 9)):
            parameters = [
                {
                    "name": p["name"],
                    "location": {"path": "chemin", "query": "requête"}.get(p["in"], p["in"]),
                    "required": p.get("required", False),
                    "type": type_label(p.get("schema", {}), components),
                    "description": p.get("description", "")
                    or p.get("schema", {}).get("description", ""),
                    "limits": _limits(p.get("schema", {})),
                }
                for p in operation.get("parameters", [])
            ]
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            operations.append(
                {
                    "anchor": operation.get("operationId", f"{method}-{address}"),
                    "method": method.upper(),
                    "path": address,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "tag": (operation.get("tags") or [""])[0],
                    "parameters": parameters,
                    "body": _fields(body.get("schema", {}), components) if body else [],
                    "responses": [
                        {"status": status, "description": response.get("description", "")}
                        for status, response in sorted(operation.get("responses", {}).items())
                    ],
                }
            )
    return operations


def _schemas(schema: dict[str, Any], names: list[str]) -> list[dict[str, Any]]:
    components = schema.get("components", {}).get("schemas", {})
    return [
        {"name": name, "fields": _fields(components[name], components)}
        for name in names
        if name in components
    ]


@require_GET
def docs_page(request: HttpRequest) -> HttpResponse:
    from vaecos.api.api import api

    schema = api.get_openapi_schema()
    limit, period = current_rate()
    components = sorted(schema.get("components", {}).get("schemas", {}))
    return render(
        request,
        "api/docs.html",
        {
            "openapi_url": reverse("api:openapi-json"),
            "base_url": request.build_absolute_uri(reverse("api:api-root")),
            "operations": _operations(schema),
            "schemas": _schemas(schema, components),
            "errors": [
                {"code": code, "status": status, "fr": fr, "en": en}
                for code, (status, fr, en) in MESSAGES.items()
            ],
            "rate": {"limit": limit, "period": PERIODS.get(period, f"{period} secondes")},
            "max_limit": MAX_LIMIT,
        },
    )
