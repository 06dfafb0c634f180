"""Evaluation sessions and their registrations."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from vaecos.api.access import Scope
from vaecos.api.auth import user_of
from vaecos.api.errors import ApiError
from vaecos.api.pagination import PageParams, paginate
from vaecos.api.routers.common import MAX_ID, branch, person, record, responses
from vaecos.api.schemas import SessionOut, SessionPage, Text
from vaecos.evaluation.models import EvaluationSession

router = Router(tags=["Sessions d'évaluation"])


class SessionFilters(Schema):
    branch: Text | None = Field(None, max_length=50, description="Code de la branche")
    date_from: datetime.date | None = Field(None, description="Sessions à partir du (inclus)")
    date_to: datetime.date | None = Field(None, description="Sessions jusqu'au (inclus)")


def _rows(scope: Scope) -> QuerySet[EvaluationSession]:
    registrations = (
        scope.registrations()
        .select_related("case__candidate")
        .order_by("case__candidate__last_name", "case__candidate__first_name", "pk")
    )
    return (
        scope.sessions()
        .select_related("branch", "referentiel_version__certification")
        .defer("referentiel_version__template_rules")
        .prefetch_related(
            Prefetch("registrations", queryset=registrations, to_attr="api_registrations")
        )
    )


def serialize(session: EvaluationSession) -> dict[str, Any]:
    return {
        "id": session.pk,
        "date": session.date,
        "start_time": f"{session.start_time:%H:%M}",
        "duration_minutes": session.duration_minutes,
        "branch": branch(session.branch),
        "certification": session.referentiel_version.certification.code,
        "referentiel_version": session.referentiel_version.version,
        "capacity": session.capacity,
        "registrations": [
            {
                "id": r.pk,
                "case_id": r.case_id,
                "candidate": person(r.case.candidate),
                "status": r.status,
                "registered_at": r.registered_at,
                "transmitted_at": r.transmitted_at,
                "convened_at": r.convened_at,
            }
            for r in session.api_registrations  # type: ignore[attr-defined]
        ],
    }


def serialize_all(rows: Sequence[EvaluationSession]) -> list[dict[str, Any]]:
    return [serialize(s) for s in rows]


@router.get(
    "/sessions",
    response=responses(SessionPage),
    summary="Sessions d'évaluation et inscrits",
    url_name="sessions",
)
def session_list(
    request: HttpRequest, page: Query[PageParams], filters: Query[SessionFilters]
) -> dict[str, Any]:
    """Les sessions par date, avec leurs inscrits. Un membre du jury ne voit que les sessions
    où il siège, et seulement les candidats dont le dossier lui a été transmis et pour qui il
    peut siéger."""
    rows = _rows(Scope(user_of(request)))
    if filters.branch:
        rows = rows.filter(branch__code=filters.branch)
    if filters.date_from:
        rows = rows.filter(date__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(date__lte=filters.date_to)
    result = paginate(request, rows.order_by("date", "start_time", "pk"), page, serialize_all)
    # The registrations name the candidates: a read of personal data, as on the web pages.
    record(
        request,
        what="api_sessions",
        label=f"API : sessions d'évaluation ({len(result['results'])})",
    )
    return result


@router.get(
    "/sessions/{session_id}",
    response=responses(SessionOut, 404),
    summary="Une session d'évaluation",
    url_name="session",
)
def session_detail(
    request: HttpRequest, session_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    found = _rows(Scope(user_of(request))).filter(pk=session_id).first()
    if found is None:
        raise ApiError("not_found")
    record(request, what="api_session", label="API : session d'évaluation", obj=found.pk)
    return serialize(found)
