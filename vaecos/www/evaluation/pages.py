"""Lists of sessions by pages, shared by the staff's list and the jury's home page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from vaecos.evaluation.models import EvaluationSession
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
