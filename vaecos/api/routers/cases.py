"""Cases (parcours VAE): their step, the status of their admissibility, their key dates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from vaecos.admissibility.models import AdmissibilityRequest, Status
from vaecos.api.access import Scope
from vaecos.api.auth import user_of
from vaecos.api.errors import ApiError
from vaecos.api.pagination import PageParams, paginate
from vaecos.api.routers.common import MAX_ID, branch, person, record, responses
from vaecos.api.schemas import CaseOut, CasePage, Moment, Text
from vaecos.cases.models import VaeCase
from vaecos.evaluation.models import Registration
from vaecos.jury.models import Deliberation

router = Router(tags=["Parcours"])


class CaseFilters(Schema):
    branch: Text | None = Field(None, max_length=50, description="Code de la branche")
    step: Literal["recevabilite", "livret2", "evaluation", "clos"] | None = Field(
        None, description="Étape du parcours"
    )
    created_since: Moment | None = Field(None, description="Créés depuis (ISO 8601)")


def _rows(scope: Scope) -> QuerySet[VaeCase]:
    registrations = (
        scope.registrations()
        .select_related("session", "deliberation")
        .order_by("session__date", "pk")
    )
    return (
        scope.cases()
        .select_related("candidate", "branch", "referentiel_version__certification")
        .defer("referentiel_version__template_rules")
        .prefetch_related(
            Prefetch(
                "admissibility_requests",
                queryset=AdmissibilityRequest.objects.exclude(status=Status.DRAFT).order_by(
                    "-created_at", "-pk"
                ),
                to_attr="api_requests",
            ),
            Prefetch("registrations", queryset=registrations, to_attr="api_registrations"),
        )
    )


def _latest(items: list[Any], key: str) -> Any:
    dated = [i for i in items if getattr(i, key) is not None]
    return max(dated, key=lambda i: (getattr(i, key), i.pk)) if dated else None


def serialize(case: VaeCase) -> dict[str, Any]:
    request = case.api_requests[0] if case.api_requests else None  # type: ignore[attr-defined]
    registrations: list[Registration] = case.api_registrations  # type: ignore[attr-defined]
    transmitted = _latest(registrations, "transmitted_at")
    deliberations = [
        getattr(r, "deliberation", None) for r in registrations if hasattr(r, "deliberation")
    ]
    notified = _latest(
        [d for d in deliberations if d and d.status == Deliberation.Status.NOTIFIED], "notified_at"
    )
    session = transmitted or (registrations[-1] if registrations else None)
    return {
        "id": case.pk,
        "candidate": person(case.candidate),
        "branch": branch(case.branch),
        "certification": case.referentiel_version.certification.code,
        "referentiel_version": case.referentiel_version.version,
        "step": case.stage.partition(":")[0],
        "admissibility_status": request.status if request else None,
        "admissibility_request_id": request.pk if request else None,
        "dates": {
            "created": case.created_at,
            "admissibility_submitted": request.submitted_at if request else None,
            "admissibility_decided": request.decided_on if request else None,
            "admissibility_validity_end": request.validity_end if request else None,
            "transmitted": transmitted.transmitted_at if transmitted else None,
            "session_date": session.session.date if session else None,
            "decision_notified": notified.notified_at if notified else None,
        },
        "registrations": [
            {
                "id": r.pk,
                "session_id": r.session_id,
                "session_date": r.session.date,
                "status": r.status,
                "transmitted_at": r.transmitted_at,
                "convened_at": r.convened_at,
                "deliberation_status": r.deliberation.status
                if hasattr(r, "deliberation")
                else None,
                "outcome": (r.deliberation.outcome or None) if hasattr(r, "deliberation") else None,
            }
            for r in registrations
        ],
    }


def serialize_all(cases: Sequence[VaeCase]) -> list[dict[str, Any]]:
    return [serialize(c) for c in cases]


@router.get("/cases", response=responses(CasePage), summary="Liste des parcours", url_name="cases")
def case_list(
    request: HttpRequest, page: Query[PageParams], filters: Query[CaseFilters]
) -> dict[str, Any]:
    """Les parcours VAE, du plus ancien au plus récent, avec leur étape, le statut de leur
    recevabilité et leurs dates clés."""
    rows = _rows(Scope(user_of(request)))
    if filters.branch:
        rows = rows.filter(branch__code=filters.branch)
    if filters.step:
        rows = rows.filter(stage__startswith=f"{filters.step}:")
    if filters.created_since:
        rows = rows.filter(created_at__gte=filters.created_since)
    result = paginate(request, rows.order_by("created_at", "pk"), page, serialize_all)
    record(request, what="api_cases", label=f"API : liste des parcours ({len(result['results'])})")
    return result


@router.get(
    "/cases/{case_id}", response=responses(CaseOut, 404), summary="Un parcours", url_name="case"
)
def case_detail(request: HttpRequest, case_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    found = _rows(Scope(user_of(request))).filter(pk=case_id).first()
    if found is None:
        raise ApiError("not_found")
    record(request, what="api_case", label="API : parcours", case=found, obj=found.pk)
    return serialize(found)
