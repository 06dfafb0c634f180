"""The jury's results per bloc; a member's votes and the president's decision, recorded
through the same services as the jury's pages (vaecos.jury.services)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from vaecos.api.access import Scope
from vaecos.api.auth import WRITE, user_of
from vaecos.api.errors import ApiError, detail
from vaecos.api.pagination import PageParams, paginate
from vaecos.api.routers.common import MAX_ID, branch, person, record, responses
from vaecos.api.schemas import (
    JuryDecisionIn,
    Moment,
    ResultOut,
    ResultPage,
    Text,
    VotesIn,
    VotesOut,
)
from vaecos.evaluation.models import Registration
from vaecos.jury import permissions, services
from vaecos.jury.models import BlocResult, BlocVote, Deliberation

router = Router(tags=["Jury"])


class ResultFilters(Schema):
    status: Literal["delibere", "signe", "notifie"] | None = Field(
        None, description="Statut de la délibération"
    )
    branch: Text | None = Field(None, max_length=50, description="Code de la branche du parcours")
    session: int | None = Field(None, ge=1, le=MAX_ID, description="Identifiant de la session")
    deliberated_since: Moment | None = Field(None, description="Délibérées depuis")


def _rows(scope: Scope) -> QuerySet[Deliberation]:
    return (
        scope.deliberations()
        .select_related(
            "registration__session", "registration__case__candidate", "registration__case__branch"
        )
        .prefetch_related(
            Prefetch(
                "results",
                queryset=BlocResult.objects.select_related("activity").order_by("activity__number"),
            )
        )
    )


def serialize(found: Deliberation) -> dict[str, Any]:
    registration = found.registration
    return {
        "id": found.pk,
        "registration_id": registration.pk,
        "case_id": registration.case_id,
        "candidate": person(registration.case.candidate),
        "branch": branch(registration.case.branch),
        "session_id": registration.session_id,
        "session_date": registration.session.date,
        "status": found.status,
        "outcome": found.outcome,
        "casting_vote_used": found.casting_vote_used,
        "reasons": found.reasons,
        "competences_to_prove": found.competences_to_prove,
        "deliberated_at": found.deliberated_at,
        "signed_at": found.signed_at,
        "notified_at": found.notified_at,
        "blocs": [
            {
                "code": r.activity.bloc_code or r.activity.roman,
                "activity": r.activity.number,
                "title": r.activity.title,
                "validated": r.validated,
                "votes_for": r.votes_for,
                "votes_against": r.votes_against,
                "casting_vote": r.casting_vote,
            }
            for r in found.results.all()  # type: ignore[attr-defined]
        ],
    }


def serialize_all(rows: Sequence[Deliberation]) -> list[dict[str, Any]]:
    return [serialize(d) for d in rows]


@router.get(
    "/results",
    response=responses(ResultPage),
    summary="Résultats du jury par bloc",
    url_name="results",
)
def result_list(
    request: HttpRequest, page: Query[PageParams], filters: Query[ResultFilters]
) -> dict[str, Any]:
    """Les délibérations prononcées (délibérées, signées ou notifiées), par date de
    délibération : la décision, la voix prépondérante et, pour chaque bloc, les votes."""
    rows = _rows(Scope(user_of(request)))
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.branch:
        rows = rows.filter(registration__case__branch__code=filters.branch)
    if filters.session:
        rows = rows.filter(registration__session_id=filters.session)
    if filters.deliberated_since:
        rows = rows.filter(deliberated_at__gte=filters.deliberated_since)
    result = paginate(request, rows.order_by("deliberated_at", "pk"), page, serialize_all)
    record(request, what="api_results", label=f"API : résultats du jury ({len(result['results'])})")
    return result


@router.get(
    "/results/{result_id}",
    response=responses(ResultOut, 404),
    summary="Un résultat du jury",
    url_name="result",
)
def result_detail(
    request: HttpRequest, result_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    found = _rows(Scope(user_of(request))).filter(pk=result_id).first()
    if found is None:
        raise ApiError("not_found")
    record(
        request,
        what="api_result",
        label="API : résultat du jury",
        case=found.registration.case,
        obj=found.pk,
    )
    return serialize(found)


def _member_registration(request: HttpRequest, registration_id: int) -> Registration:
    """The registration, if the token's user reaches it (else 404, as on the jury's pages) and
    sits on its session's jury (else 403: the staff read, only the jury writes)."""
    user = user_of(request)
    found = (
        Registration.objects.select_related(
            "session", "case__candidate", "case__referentiel_version__certification"
        )
        .filter(pk=registration_id, transmitted_at__isnull=False)
        .first()
    )
    if found is None or not permissions.can_read(user, found):
        raise ApiError("not_found")
    if permissions.seat(user, found.session) is None:
        raise ApiError("not_a_jury_member")
    return found


def _numbers_unique(numbers: list[int]) -> None:
    if len(set(numbers)) != len(numbers):
        raise ApiError(
            "validation_error",
            fr="Un bloc figure deux fois dans les votes.",
            details=[
                detail(
                    ["body", "payload", "votes"],
                    fr="Un bloc figure deux fois.",
                    en="Duplicate item.",
                    kind="value_error",
                )
            ],
        )


@router.post(
    "/registrations/{registration_id}/votes",
    auth=WRITE,
    response=responses(VotesOut, 403, 404, 409),
    summary="Enregistrer les votes d'un membre du jury",
    url_name="votes",
)
def votes_record(
    request: HttpRequest, payload: VotesIn, registration_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """Le vote du membre du jury (le compte du jeton) sur chaque bloc : le jour de l'oral ou
    après, tant que la décision n'est pas prononcée. Jeton d'écriture d'un membre du jury de la
    session."""
    found = _member_registration(request, registration_id)
    user = user_of(request)
    _numbers_unique([v.activity for v in payload.votes])
    activity_ids = {
        a.number: a.pk
        for a in found.case.referentiel_version.activities.all()  # type: ignore[attr-defined]
    }
    # A bloc the référentiel does not have becomes an id no activity has: the service refuses.
    # One transaction for the votes and the answer, as for every write (see jury_decide).
    with transaction.atomic():
        services.votes_save(
            registration=found,
            by=user,
            choices={activity_ids.get(v.activity, -v.activity): v.validated for v in payload.votes},
        )
        votes = list(
            BlocVote.objects.filter(deliberation__registration=found, member=user)
            .select_related("activity")
            .order_by("activity__number")
        )
    return {
        "registration_id": found.pk,
        "votes": [
            {
                "activity": v.activity.number,
                "code": v.activity.bloc_code or v.activity.roman,
                "validated": v.validated,
            }
            for v in votes
        ],
    }


@router.post(
    "/registrations/{registration_id}/decision",
    auth=WRITE,
    response=responses(ResultOut, 403, 404, 409),
    summary="Prononcer la décision du jury",
    url_name="jury_decide",
)
def jury_decide(
    request: HttpRequest, payload: JuryDecisionIn, registration_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """La décision du président du jury : selon les votes (majorité, voix prépondérante du
    président en cas d'égalité), ou candidat absent ou excusé. Mêmes règles que la page du
    jury : tous les votes exprimés, motifs pour une validation partielle ou aucune, compétences
    restant à démontrer pour une validation partielle, jury conforme. Jeton d'écriture du
    président."""
    found = _member_registration(request, registration_id)
    # One transaction for the decision and the answer: a failure after the service (reading
    # the result back) leaves nothing recorded, so the client may safely retry.
    with transaction.atomic():
        deliberation = services.deliberation_decide(
            registration=found,
            by=user_of(request),
            mode=payload.mode,
            reasons=payload.reasons,
            competences_to_prove=payload.competences_to_prove,
        )
        return serialize(_rows(Scope(user_of(request))).get(pk=deliberation.pk))
