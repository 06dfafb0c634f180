"""Where a case stands, "<step>:<status>" (e.g. "evaluation:convoque"), kept on VaeCase.stage.

The stage is derived from the case's parts (its admissibility requests, Livret 2 dossiers,
registrations and their deliberation), as VaeCase.step is; it is stored as well so that the
dashboard counts 100,000 cases by stage from one column instead of three correlated subqueries
per case. It is never written by hand: `refresh` recomputes it in the database, and the
receivers below call it whenever one of those parts is saved or deleted, in the same
transaction. Bulk writes that bypass the models (the demo generator, migrations) call `refresh`
themselves; `manage.py refresh_stages` repairs every case should anything else ever have.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db import models
from django.db.models import Case, CharField, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Concat
from django.db.models.signals import post_delete, post_save

from vaecos.cases.models import NO_REQUEST_STAGE, Step, VaeCase
from vaecos.jury.models import Deliberation, Outcome

# Plain values (not the models' enums) in the expressions: the historical models of a migration
# use this module too.
ADMISSIBILITY, DOSSIER = Step.ADMISSIBILITY.value, Step.DOSSIER.value
EVALUATION, CLOSED = Step.EVALUATION.value, Step.CLOSED.value
NOTIFIED = Deliberation.Status.NOTIFIED.value
TOTAL = Outcome.TOTAL.value


def _prefixed(step: str, expression: Any) -> Concat:
    return Concat(Value(f"{step}:"), expression, output_field=CharField())


def stage_expression(registry: Apps = global_apps) -> Coalesce:
    """The stage as an expression over a VaeCase (OuterRef "pk"): at most three correlated
    subqueries, each one indexed probe returning the whole "<step>:<status>" or NULL, and
    COALESCE stops at the first that is not NULL (SQLite and PostgreSQL alike).

    - The case's registrations, with their deliberation (joined): a notified total validation
      closes the case; else the latest transmitted registration whose decision is not notified
      gives the evaluation's status (its deliberation's, or its own without one).
    - Else the latest dossier's status (Livret 2).
    - Else the latest admissibility request's status, or none."""
    registration = registry.get_model("evaluation", "Registration")
    dossier = registry.get_model("dossiers", "Dossier")
    request = registry.get_model("admissibility", "AdmissibilityRequest")
    closing = Q(deliberation__status=NOTIFIED, deliberation__outcome=TOTAL)
    registration_stage = (
        registration.objects.filter(case=OuterRef("pk"))
        # Written out: a registration without deliberation is not notified (NOT over the
        # LEFT JOIN's NULL would drop it).
        .filter(
            closing
            | Q(transmitted_at__isnull=False)
            & (Q(deliberation__isnull=True) | ~Q(deliberation__status=NOTIFIED))
        )
        .annotate(
            closes=Case(When(closing, then=Value(0)), default=Value(1)),
            stage=Case(
                When(closing, then=Value(f"{CLOSED}:{TOTAL}")),
                default=_prefixed(EVALUATION, Coalesce(F("deliberation__status"), F("status"))),
                output_field=CharField(),
            ),
        )
        .order_by("closes", "-transmitted_at", "-pk")
        .values("stage")[:1]
    )
    dossier_stage = (
        # (case, attempt) is unique: its index gives the latest dossier, without a sort.
        dossier.objects.filter(case=OuterRef("pk"))
        .order_by("-attempt")
        .values(stage=_prefixed(DOSSIER, F("status")))[:1]
    )
    request_stage = (
        request.objects.filter(case=OuterRef("pk"))
        .order_by("-created_at", "-pk")
        .values(stage=_prefixed(ADMISSIBILITY, F("status")))[:1]
    )
    return Coalesce(
        Subquery(registration_stage),
        Subquery(dossier_stage),
        Subquery(request_stage),
        Value(NO_REQUEST_STAGE),
        output_field=CharField(),
    )


def refresh(cases: models.QuerySet[Any]) -> int:
    """Recompute the stage of `cases` (a queryset of VaeCase, of the registry it comes from):
    one UPDATE, whatever their number. Returns how many cases it wrote."""
    return cases.update(stage=stage_expression(cases.model._meta.apps))


def _case_of(instance: Any) -> models.QuerySet[VaeCase]:
    """The case a part belongs to (a deliberation's, through its registration)."""
    if isinstance(instance, Deliberation):
        return VaeCase.objects.filter(registrations=instance.registration_id)
    return VaeCase.objects.filter(pk=instance.case_id)


def _on_change(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    refresh(_case_of(instance))


# The parts a stage is derived from.
PARTS = (
    "admissibility.AdmissibilityRequest",
    "dossiers.Dossier",
    "evaluation.Registration",
    "jury.Deliberation",
)


def connect() -> None:
    """Called once, by the cases app when every model is loaded."""
    for label in PARTS:
        model = global_apps.get_model(label)
        post_save.connect(_on_change, sender=model, dispatch_uid=f"stage-{label}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"stage-{label}-deleted")
