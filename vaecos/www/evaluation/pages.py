"""Lists of sessions by pages, and their registrations counted per row: shared by the staff's
list of sessions and the jury's home page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils import timezone

from vaecos.evaluation.models import EvaluationSession, Registration
from vaecos.www.pagination import Window, other_parameters, window

SESSIONS_PER_PAGE = 25


@dataclass(frozen=True)
class UpcomingAndPast:
    """Two lists of sessions, each by pages with its own GET parameter (`a_venir`, `passees`)
    and the query string its page links keep (the other list's page among it)."""

    upcoming: Window
    upcoming_query: str
    past: Window
    past_query: str


def upcoming_and_past(sessions: QuerySet[EvaluationSession], query: QueryDict) -> UpcomingAndPast:
    """Sessions from today on, soonest first, and those before, latest first."""
    today = timezone.localdate()
    return UpcomingAndPast(
        upcoming=window(
            sessions.filter(date__gte=today).order_by("date", "start_time", "pk"),
            query.get("a_venir"),
            SESSIONS_PER_PAGE,
            "a_venir",
        ),
        upcoming_query=other_parameters(query, "a_venir"),
        past=window(
            sessions.filter(date__lt=today).order_by("-date", "-start_time", "-pk"),
            query.get("passees"),
            SESSIONS_PER_PAGE,
            "passees",
        ),
        past_query=other_parameters(query, "passees"),
    )


def registrations_counted(**filters: Any) -> Coalesce:
    """How many registrations of each session (those matching `filters`), counted for the
    page's rows only: a join with a GROUP BY would count every session's before the page is
    cut."""
    count = (
        Registration.objects.filter(session=OuterRef("pk"), **filters)
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(count), 0)
