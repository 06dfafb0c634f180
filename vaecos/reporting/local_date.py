"""The local date of a datetime column, computed by the database without a Python call per row.

Django's TruncDate on SQLite calls a Python function for each row (django_datetime_cast_date):
at 100,000 cases, most of the dashboard's time there. SQLite stores an aware datetime as its UTC
text ("YYYY-MM-DD HH:MM:SS[.ffffff]"), so the local date is `date(column, '+N minutes')` with N
the time zone's offset at that instant. The offsets of the years around today are written into
the SQL as a search tree of CASE over that text (a few comparisons per row); a row outside those
years falls back on Django's function, so the result is always Django's. Other databases
(PostgreSQL: AT TIME ZONE) keep TruncDate's SQL.
"""

from __future__ import annotations

import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models.functions import TruncDate
from django.utils import timezone

# The years whose offsets are written into the SQL: before today, those a case's dates can
# reach; after it, a margin. Rows outside take the slower, exact, path.
YEARS_BEFORE = 15
YEARS_AFTER = 2

UTC = datetime.UTC


def _stored(moment: datetime.datetime) -> str:
    """How SQLite holds a UTC datetime (Django's adapter): comparable as text."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def _offset(zone: datetime.tzinfo, moment: datetime.datetime) -> int:
    """The zone's offset at `moment` (UTC), in minutes."""
    delta = moment.astimezone(zone).utcoffset() or datetime.timedelta()
    return int(delta.total_seconds() // 60)


@cache
def offset_spans(key: str, first_year: int, last_year: int) -> tuple[tuple[str, int], ...]:
    """The zone's offsets from 1 January `first_year` to 1 January `last_year + 1` (UTC): the
    (start, minutes) of each span of one offset, the first starting at the range's start. Found
    day by day, then each change to the minute (time zones change on whole minutes)."""
    zone = ZoneInfo(key)
    start = datetime.datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime.datetime(last_year + 1, 1, 1, tzinfo=UTC)
    spans = [(_stored(start), _offset(zone, start))]
    day = datetime.timedelta(days=1)
    moment = start
    while moment < end:
        following = min(moment + day, end)
        if _offset(zone, following) != spans[-1][1]:
            low, high = moment, following  # the change is in (low, high]
            while high - low > datetime.timedelta(minutes=1):
                middle = low + (high - low) / 2
                middle = middle.replace(second=0, microsecond=0)
                if middle <= low:
                    middle = low + datetime.timedelta(minutes=1)
                if _offset(zone, middle) == spans[-1][1]:
                    low = middle
                else:
                    high = middle
            spans.append((_stored(high), _offset(zone, high)))
        moment = following
    return tuple(spans)


class LocalDate(TruncDate):
    """TruncDate in the current time zone, its SQL on SQLite free of Python calls for the
    dates of the years around today."""

    def __init__(self, expression: Any, **extra: Any) -> None:
        super().__init__(expression, tzinfo=timezone.get_current_timezone(), **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        fallback, fallback_params = self.as_sql(compiler, connection)
        zone = self.tzinfo
        key = getattr(zone, "key", None)
        if key is None:  # Not a ZoneInfo: Django's function.
            return fallback, fallback_params
        column, column_params = compiler.compile(self.lhs)
        column_params = tuple(column_params)
        year = timezone.now().year
        spans = offset_spans(key, year - YEARS_BEFORE, year + YEARS_AFTER)
        last = datetime.datetime(year + YEARS_AFTER + 1, 1, 1, tzinfo=UTC)

        def tree(low: int, high: int) -> tuple[str, tuple[Any, ...]]:
            """The modifier of spans[low:high], for a value known to lie in them."""
            if high - low == 1:
                return "%s", (f"{spans[low][1]:+d} minutes",)
            middle = (low + high) // 2
            before, before_params = tree(low, middle)
            after, after_params = tree(middle, high)
            return (
                f"CASE WHEN {column} < %s THEN {before} ELSE {after} END",
                (*column_params, spans[middle][0], *before_params, *after_params),
            )

        modifier, modifier_params = tree(0, len(spans))
        sql = (
            f"CASE WHEN {column} >= %s AND {column} < %s "
            # The seconds only: SQLite rounds to the millisecond, and 23:59:59.9995 would
            # become the next day.
            f"THEN date(substr({column}, 1, 19), {modifier}) ELSE {fallback} END"
        )
        params = (
            *column_params,
            spans[0][0],
            *column_params,
            _stored(last),
            *column_params,
            *modifier_params,
            *fallback_params,
        )
        return sql, params
