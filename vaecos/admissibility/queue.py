"""The instructeurs' queue of admissibility requests: its filters and its rows, shared by the
queue page and its CSV export."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import QueryDict

from vaecos.admissibility.models import AdmissibilityRequest, Status, queue_order


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters and their rules:
    `statut` (a status value, anything else: all), `branche` (a branch code), `q` (part of a
    name, 100 characters at most). NUL, which PostgreSQL refuses in text, is dropped."""

    status: str = ""
    branch: str = ""
    query: str = ""

    @classmethod
    def from_query(cls, query: QueryDict) -> QueueFilters:
        def param(name: str) -> str:
            return query.get(name, "").replace("\x00", "")

        status = param("statut")
        return cls(
            status=status if status in Status.values else "",
            branch=param("branche"),
            query=param("q").strip()[:100],
        )

    def describe(self) -> str:
        parts = []
        if self.status:
            parts.append(f"statut {Status(self.status).label}")
        if self.branch:
            parts.append(f"branche {self.branch}")
        if self.query:
            parts.append(f"nom « {self.query} »")
        return ", ".join(parts) or "aucun filtre"


def queue_requests(filters: QueueFilters) -> QuerySet[AdmissibilityRequest]:
    """The queue's requests in the queue's order: every request but drafts, those to instruct
    first (nearest decision date first). With one status, the order without its first key, on
    the (status, …) index."""
    rows = AdmissibilityRequest.objects.exclude(status=Status.DRAFT)
    if filters.status:
        rows = rows.filter(status=filters.status).order_by(*queue_order()[1:])
    else:
        rows = rows.order_by(*queue_order())
    if filters.branch:
        rows = rows.filter(case__branch__code=filters.branch)
    if filters.query:
        rows = rows.filter(
            Q(case__candidate__last_name__icontains=filters.query)
            | Q(case__candidate__first_name__icontains=filters.query)
            | Q(birth_name__icontains=filters.query)
            | Q(usage_name__icontains=filters.query)
        )
    return rows
