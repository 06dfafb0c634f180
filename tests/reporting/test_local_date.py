"""LocalDate: the local date of a datetime as Django's TruncDate gives it, without a Python call
per row on SQLite (a search tree of the time zone's offsets), on SQLite and PostgreSQL alike."""

import datetime
from zoneinfo import ZoneInfo

from django.db.models import DateTimeField, Value
from django.db.models.functions import TruncDate
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cases.factories import VaeCaseFactory
from vaecos.cases.models import VaeCase
from vaecos.reporting.local_date import LocalDate, offset_spans

PARIS = ZoneInfo("Europe/Paris")
UTC = datetime.UTC


def in_sql(moment: datetime.datetime) -> tuple[datetime.date, datetime.date]:
    """(LocalDate, Django's TruncDate) of `moment`, computed by the database."""
    value = Value(moment, output_field=DateTimeField())
    return VaeCase.objects.annotate(
        ours=LocalDate(value), django=TruncDate(value, tzinfo=timezone.get_current_timezone())
    ).values_list("ours", "django")[0]


def test_paris_changes_offset_at_one_in_the_morning_utc_on_the_last_sundays():
    spans = dict(offset_spans("Europe/Paris", 2026, 2026))
    assert spans == {
        "2026-01-01 00:00:00": 60,
        "2026-03-29 01:00:00": 120,
        "2026-10-25 01:00:00": 60,
    }


def test_around_midnight_and_the_changes_of_time(referentiel):
    VaeCaseFactory(referentiel_version=referentiel)
    moments = [
        # 23:30 and 00:30 in Paris, winter and summer.
        datetime.datetime(2026, 1, 14, 22, 30, tzinfo=UTC),
        datetime.datetime(2026, 1, 14, 23, 30, tzinfo=UTC),
        datetime.datetime(2026, 7, 14, 21, 30, tzinfo=UTC),
        datetime.datetime(2026, 7, 14, 22, 30, tzinfo=UTC),
        # The changes of time, a microsecond before and at them.
        datetime.datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=UTC),
        datetime.datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        datetime.datetime(2026, 10, 24, 21, 59, 59, tzinfo=UTC),
        datetime.datetime(2026, 10, 24, 22, 0, tzinfo=UTC),
        # The last microseconds of a day (SQLite's date arithmetic rounds to the millisecond).
        datetime.datetime(2011, 1, 1, 22, 59, 59, 999500, tzinfo=UTC),
        datetime.datetime(2026, 7, 14, 21, 59, 59, 999999, tzinfo=UTC),
        # Outside the years written into the SQL: Django's function.
        datetime.datetime(1990, 6, 30, 22, 30, tzinfo=UTC),
        datetime.datetime(2099, 12, 31, 23, 30, tzinfo=UTC),
    ]
    for moment in moments:
        expected = moment.astimezone(PARIS).date()
        assert in_sql(moment) == (expected, expected), moment


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.datetimes(min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2035, 12, 31))
)
def test_any_moment_has_django_s_local_date(referentiel, naive):
    if not VaeCase.objects.exists():
        VaeCaseFactory(referentiel_version=referentiel)
    moment = naive.replace(tzinfo=UTC)
    expected = moment.astimezone(PARIS).date()
    assert in_sql(moment) == (expected, expected)
