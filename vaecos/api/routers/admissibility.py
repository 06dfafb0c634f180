"""Admissibility requests and their decisions; recording a decision through the same service
as the instructeur's page (vaecos.admissibility.services.request_decide)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any, Literal

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from vaecos.admissibility import permissions, services
from vaecos.admissibility.models import AdmissibilityRequest, GapAnalysis
from vaecos.api.access import Scope
from vaecos.api.auth import WRITE, user_of
from vaecos.api.errors import ApiError, detail
from vaecos.api.pagination import PageParams, paginate
from vaecos.api.routers.common import MAX_ID, branch, person, record, responses
from vaecos.api.schemas import AdmissibilityDecisionIn, AdmissibilityOut, AdmissibilityPage, Text
from vaecos.referentiels.models import Activity

router = Router(tags=["Recevabilité"])


class AdmissibilityFilters(Schema):
    status: (
        Literal["deposee", "incomplete", "complete", "recevable", "non_recevable", "expiree"] | None
    ) = Field(None, description="Statut de la demande")
    branch: Text | None = Field(None, max_length=50, description="Code de la branche")
    decided: bool | None = Field(None, description="true : seulement les demandes décidées")
    decided_since: datetime.date | None = Field(None, description="Décidées depuis le (inclus)")


def _forbid_non_staff(scope: Scope) -> None:
    if not scope.staff:
        raise ApiError("forbidden")


def _rows(scope: Scope) -> QuerySet[AdmissibilityRequest]:
    return (
        scope.admissibility_requests()
        .select_related("case__candidate", "case__branch", "case__referentiel_version")
        .defer("case__referentiel_version__template_rules")
        .prefetch_related(
            Prefetch("gap_analysis", queryset=GapAnalysis.objects.select_related("activity")),
            Prefetch(
                "case__referentiel_version__activities",
                queryset=Activity.objects.order_by("number"),
            ),
        )
    )


def serialize(found: AdmissibilityRequest) -> dict[str, Any]:
    return {
        "id": found.pk,
        "case_id": found.case_id,
        "candidate": person(found.case.candidate),
        "branch": branch(found.case.branch),
        "nature": found.nature,
        "status": found.status,
        "submitted_at": found.submitted_at,
        "complete_on": found.complete_on,
        "decision_due": found.decision_due,
        "decided_on": found.decided_on,
        "implicit": found.implicit,
        "validity_end": found.validity_end,
        "decision_reasons": found.decision_reasons,
        "recommendations": found.recommendations,
        "gaps": [
            {
                "activity": gap.activity.number,
                "activity_title": gap.activity.title,
                "coverage": gap.coverage,
                "comment": gap.comment,
            }
            for gap in sorted(found.gap_analysis.all(), key=lambda g: g.activity.number)  # type: ignore[attr-defined]
        ],
        "activities": [
            {"number": a.number, "roman": a.roman, "title": a.title}
            for a in found.case.referentiel_version.activities.all()  # type: ignore[attr-defined]
        ],
    }


def serialize_all(rows: Sequence[AdmissibilityRequest]) -> list[dict[str, Any]]:
    return [serialize(r) for r in rows]


@router.get(
    "/admissibility-requests",
    response=responses(AdmissibilityPage, 403),
    summary="Demandes de recevabilité et décisions",
    url_name="admissibility_requests",
)
def admissibility_list(
    request: HttpRequest, page: Query[PageParams], filters: Query[AdmissibilityFilters]
) -> dict[str, Any]:
    """Les demandes déposées (jamais les brouillons), par date de dépôt, avec la décision et
    l'analyse des écarts quand elle est prise. Réservé aux instructeurs et administrateurs."""
    scope = Scope(user_of(request))
    _forbid_non_staff(scope)
    rows = _rows(scope)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.branch:
        rows = rows.filter(case__branch__code=filters.branch)
    if filters.decided is not None:
        rows = rows.filter(decided_on__isnull=not filters.decided)
    if filters.decided_since:
        rows = rows.filter(decided_on__gte=filters.decided_since)
    result = paginate(request, rows.order_by("submitted_at", "pk"), page, serialize_all)
    record(
        request,
        what="api_admissibility",
        label=f"API : demandes de recevabilité ({len(result['results'])})",
    )
    return result


def _found(scope: Scope, request_id: int) -> AdmissibilityRequest:
    found = _rows(scope).filter(pk=request_id).first()
    if found is None or not permissions.can_view(scope.user, found):
        raise ApiError("not_found")
    return found


@router.get(
    "/admissibility-requests/{request_id}",
    response=responses(AdmissibilityOut, 403, 404),
    summary="Une demande de recevabilité",
    url_name="admissibility_request",
)
def admissibility_detail(
    request: HttpRequest, request_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    scope = Scope(user_of(request))
    _forbid_non_staff(scope)
    found = _found(scope, request_id)
    record(
        request,
        what="api_admissibility",
        label="API : demande de recevabilité",
        case=found.case,
        obj=found.pk,
    )
    return serialize(found)


@router.post(
    "/admissibility-requests/{request_id}/decision",
    auth=WRITE,
    response=responses(AdmissibilityOut, 403, 404, 409),
    summary="Enregistrer la décision de recevabilité",
    url_name="admissibility_decide",
)
def admissibility_decide(
    request: HttpRequest,
    payload: AdmissibilityDecisionIn,
    request_id: int = Path(..., ge=1, le=MAX_ID),
) -> dict[str, Any]:
    """Recevable ou non recevable, avec l'analyse des écarts de chaque activité : les mêmes
    règles que la page d'instruction (motifs obligatoires si non recevable, délai de décision,
    statut « complète »). Courrier et courriel partent comme depuis la page. Jeton d'écriture
    d'un instructeur ou d'un administrateur."""
    scope = Scope(user_of(request))
    if not permissions.can_instruct(scope.user):
        raise ApiError("forbidden")
    found = _found(scope, request_id)
    numbers = [gap.activity for gap in payload.gaps]
    if len(set(numbers)) != len(numbers):
        raise ApiError(
            "validation_error",
            fr="Une activité figure deux fois dans l'analyse des écarts.",
            details=[
                detail(
                    ["body", "payload", "gaps"],
                    fr="Une activité figure deux fois.",
                    en="Duplicate item.",
                    kind="value_error",
                )
            ],
        )
    activity_ids = {a.number: a.pk for a in found.case.referentiel_version.activities.all()}  # type: ignore[attr-defined]
    # An activity the référentiel does not have becomes an id no activity has: the service
    # refuses the analysis with its own message.
    gaps = {
        activity_ids.get(gap.activity, -gap.activity): (gap.coverage, gap.comment)
        for gap in payload.gaps
    }
    # One transaction for the decision and the answer: a failure after the service (reading
    # the decision back) leaves nothing recorded, so the client may safely retry.
    with transaction.atomic():
        services.request_decide(
            request=found,
            by=scope.user,
            favourable=payload.favourable,
            gaps=gaps,
            reasons=payload.reasons,
            recommendations=payload.recommendations,
        )
        return serialize(_found(scope, request_id))
