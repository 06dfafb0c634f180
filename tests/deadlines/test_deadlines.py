"""The deadline module: month arithmetic, working days, named rules, status. No database."""

import calendar
import dataclasses
from datetime import date, timedelta

import pytest
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from vaecos.deadlines import (
    ADMISSIBILITY_DECISION_DUE,
    ADMISSIBILITY_VALIDITY_END,
    AT_RISK_DAYS,
    RULES,
    SESSION_REMINDER,
    TRANSMISSION_LATEST,
    VALIDITY_REMINDER_14,
    VALIDITY_REMINDER_60,
    VALIDITY_REMINDERS,
    Rule,
    add_months,
    apply_rule,
    days_left,
    get_rule,
    is_working_day,
    next_working_day,
    previous_working_day,
    status,
)

D = date.fromisoformat

# Keep the property tests fast and out of the shared example database.
fast = settings(max_examples=200, deadline=None, database=None)

# Wide enough for leap-year rules (1900, 2000, 2100) without leaving date's range.
dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))
months = st.integers(min_value=-240, max_value=240)


# --- add_months: table ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2025-12-31", 2, "2026-02-28"),  # 31 Dec + 2 months, common year
        ("2023-12-31", 2, "2024-02-29"),  # ... leap year
        ("2024-01-31", 1, "2024-02-29"),
        ("2025-01-31", 1, "2025-02-28"),
        ("2100-01-31", 1, "2100-02-28"),  # divisible by 100: not leap
        ("2000-01-31", 1, "2000-02-29"),  # divisible by 400: leap
        ("1900-01-29", 1, "1900-02-28"),
        ("2026-03-31", -1, "2026-02-28"),
        ("2024-03-31", -1, "2024-02-29"),
        ("2026-05-31", 1, "2026-06-30"),
        ("2026-08-31", 1, "2026-09-30"),
        ("2026-01-15", 2, "2026-03-15"),  # nothing to clamp
        ("2026-02-28", 2, "2026-04-28"),  # end of Feb is not "end of month" semantics
        ("2026-01-30", 1, "2026-02-28"),
        ("2026-08-31", 18, "2028-02-29"),  # validity of admissibility across a leap Feb
        ("2027-08-31", 18, "2029-02-28"),
        ("2026-06-30", 18, "2027-12-30"),
        ("2024-02-29", 12, "2025-02-28"),
        ("2024-02-29", 48, "2028-02-29"),
        ("2024-02-29", -12, "2023-02-28"),
        ("2026-01-31", -2, "2025-11-30"),  # back into the previous year
        ("2026-01-15", -13, "2024-12-15"),
        ("2026-03-31", -25, "2024-02-29"),
        ("2026-12-31", 0, "2026-12-31"),
        ("2026-11-30", 1, "2026-12-30"),
        ("2026-12-15", 1, "2027-01-15"),
    ],
)
def test_add_months_table(start, n, expected):
    assert add_months(D(start), n) == D(expected)


def test_add_months_outside_date_range_raises():
    with pytest.raises(ValueError):
        add_months(date(9999, 12, 31), 1)
    with pytest.raises(ValueError):
        add_months(date(1, 1, 1), -1)


# --- Working days: table -------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        ("2026-03-04", "2026-03-04"),  # Wednesday: unchanged
        ("2026-03-07", "2026-03-09"),  # Saturday -> Monday
        ("2026-03-08", "2026-03-09"),  # Sunday -> Monday
        ("2026-05-01", "2026-05-04"),  # Fête du Travail, a Friday -> Monday 4 May
        ("2026-05-08", "2026-05-11"),  # Victoire 1945, a Friday
        ("2025-07-13", "2025-07-15"),  # Sunday, then Monday 14 July -> Tuesday 15
        ("2025-07-14", "2025-07-15"),
        ("2026-04-05", "2026-04-07"),  # Easter Sunday, then Easter Monday
        ("2026-04-06", "2026-04-07"),  # Easter Monday
        ("2026-05-14", "2026-05-15"),  # Ascension (Thursday)
        ("2026-05-23", "2026-05-26"),  # Saturday, Sunday, Whit Monday
        ("2026-12-25", "2026-12-28"),  # Christmas on a Friday -> Monday 28
        ("2025-11-01", "2025-11-03"),  # Toussaint on a Saturday
        ("2026-11-11", "2026-11-12"),  # Armistice (Wednesday)
        ("2026-08-15", "2026-08-17"),  # Assomption on a Saturday
        ("2025-12-31", "2025-12-31"),  # New Year's Eve is worked
        ("2026-01-01", "2026-01-02"),
    ],
)
def test_next_working_day_table(due, expected):
    assert next_working_day(D(due)) == D(expected)


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        ("2026-03-04", "2026-03-04"),
        ("2026-03-08", "2026-03-06"),  # Sunday -> Friday
        ("2025-07-14", "2025-07-11"),  # Monday 14 July -> Friday 11
        ("2026-05-25", "2026-05-22"),  # Whit Monday -> Friday
        ("2026-01-01", "2025-12-31"),
    ],
)
def test_previous_working_day_table(due, expected):
    assert previous_working_day(D(due)) == D(expected)


def test_alsace_moselle_days_are_out_of_scope():
    # Good Friday and 26 December are holidays in Moselle and Alsace only.
    assert is_working_day(D("2026-04-03"))
    assert is_working_day(D("2025-12-26"))


# --- Named rules ---------------------------------------------------------------------


def test_rules_registry():
    assert set(RULES) == {
        "ADMISSIBILITY_DECISION_DUE",
        "ADMISSIBILITY_VALIDITY_END",
        "VALIDITY_REMINDER_60",
        "VALIDITY_REMINDER_14",
        "TRANSMISSION_LATEST",
        "SESSION_REMINDER",
    }
    assert all(RULES[name].name == name and RULES[name].label_fr for name in RULES)
    assert VALIDITY_REMINDERS == (VALIDITY_REMINDER_60, VALIDITY_REMINDER_14)


@pytest.mark.parametrize(
    ("rule", "start", "expected"),
    [
        (ADMISSIBILITY_DECISION_DUE, "2026-01-15", "2026-03-16"),  # Sun 15 Mar -> Mon 16
        (ADMISSIBILITY_DECISION_DUE, "2026-03-01", "2026-05-04"),  # Fri 1 May -> Mon 4
        (ADMISSIBILITY_DECISION_DUE, "2025-12-31", "2026-03-02"),  # Sat 28 Feb -> Mon 2 Mar
        (ADMISSIBILITY_DECISION_DUE, "2026-02-10", "2026-04-10"),  # Friday: kept
        (ADMISSIBILITY_VALIDITY_END, "2026-08-31", "2028-02-29"),
        (ADMISSIBILITY_VALIDITY_END, "2026-03-14", "2027-09-14"),
        (ADMISSIBILITY_VALIDITY_END, "2025-12-06", "2027-06-06"),  # a Sunday, kept: no shift
        (VALIDITY_REMINDER_60, "2028-02-29", "2027-12-31"),
        (VALIDITY_REMINDER_14, "2028-02-29", "2028-02-15"),
        (VALIDITY_REMINDER_14, "2026-03-01", "2026-02-15"),  # a Sunday, unshifted
        (TRANSMISSION_LATEST, "2026-03-31", "2026-02-28"),  # Saturday, unshifted
        (TRANSMISSION_LATEST, "2026-01-10", "2025-12-10"),
        (SESSION_REMINDER, "2026-06-10", "2026-05-27"),
        (SESSION_REMINDER, "2026-01-05", "2025-12-22"),
    ],
)
def test_rule_table(rule, start, expected):
    assert rule.apply(D(start)) == D(expected)


def test_backward_shift_goes_to_the_previous_working_day():
    shifted = dataclasses.replace(TRANSMISSION_LATEST, shift_to_working_day=True)
    assert shifted.apply(D("2026-03-31")) == D("2026-02-27")  # Sat 28 Feb -> Fri 27
    assert shifted.apply(D("2026-06-01")) == D("2026-04-30")  # Fri 1 May -> Thu 30 Apr


@pytest.mark.parametrize(
    "fields",
    [{"amount": -1}, {"unit": "weeks"}, {"direction": 0}],
)
def test_invalid_rule_is_rejected(fields):
    with pytest.raises(ValueError):
        dataclasses.replace(SESSION_REMINDER, **fields)


def test_settings_override_a_rule():
    assert get_rule("TRANSMISSION_LATEST") is TRANSMISSION_LATEST
    overrides = {"TRANSMISSION_LATEST": {"amount": 2, "shift_to_working_day": True}}
    with override_settings(DEADLINE_RULES=overrides):
        rule = get_rule("TRANSMISSION_LATEST")
        assert (rule.amount, rule.direction, rule.shift_to_working_day) == (2, -1, True)
        assert apply_rule("TRANSMISSION_LATEST", D("2026-04-30")) == D("2026-02-27")
        assert get_rule("SESSION_REMINDER") is SESSION_REMINDER
    with (
        override_settings(DEADLINE_RULES={"SESSION_REMINDER": {"name": "X"}}),
        pytest.raises(ValueError),
    ):
        get_rule("SESSION_REMINDER")
    with (
        override_settings(DEADLINE_RULES={"SESSION_REMINDER": {"amont": 3}}),
        pytest.raises(TypeError),
    ):
        get_rule("SESSION_REMINDER")


# --- Status --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deadline", "today", "left", "expected"),
    [
        ("2026-03-20", "2026-03-21", -1, "overdue"),
        ("2026-03-20", "2026-03-20", 0, "at_risk"),  # the deadline day is still in time
        ("2026-03-20", "2026-03-10", AT_RISK_DAYS, "at_risk"),
        ("2026-03-20", "2026-03-09", AT_RISK_DAYS + 1, "on_time"),
    ],
)
def test_status_table(deadline, today, left, expected):
    assert days_left(D(deadline), D(today)) == left
    assert status(D(deadline), D(today)) == expected


# --- Properties ----------------------------------------------------------------------


@fast
@given(d=dates, n=months)
def test_add_months_lands_in_the_target_month(d, n):
    result = add_months(d, n)
    assert result.year * 12 + result.month == d.year * 12 + d.month + n
    last_day = calendar.monthrange(result.year, result.month)[1]
    assert result.day <= d.day
    assert result.day == min(d.day, last_day)


@fast
@given(d=dates, n=months)
def test_add_months_round_trips_when_the_day_exists_everywhere(d, n):
    d = d.replace(day=min(d.day, 28))
    assert add_months(add_months(d, n), -n) == d


@fast
@given(d1=dates, d2=dates, n=months)
def test_add_months_is_monotonic(d1, d2, n):
    d1, d2 = sorted((d1, d2))
    assert add_months(d1, n) <= add_months(d2, n)


@fast
@given(d=dates)
def test_next_working_day_is_the_first_working_day_from_d(d):
    result = next_working_day(d)
    assert result >= d
    assert is_working_day(result)
    assert result - d < timedelta(days=7)
    day = d
    while day < result:
        assert not is_working_day(day)
        day += timedelta(days=1)


@fast
@given(d=dates)
def test_previous_working_day_is_the_last_working_day_up_to_d(d):
    result = previous_working_day(d)
    assert result <= d
    assert is_working_day(result)
    day = d
    while day > result:
        assert not is_working_day(day)
        day -= timedelta(days=1)


@st.composite
def rules(draw):
    return Rule(
        name="R",
        amount=draw(st.integers(min_value=0, max_value=36)),
        unit=draw(st.sampled_from(["months", "days"])),
        direction=draw(st.sampled_from([1, -1])),
        shift_to_working_day=draw(st.booleans()),
        label_fr="Règle",
    )


@fast
@given(rule=rules(), d=dates)
def test_shifted_rule_result_is_a_working_day_on_the_right_side(rule, d):
    raw = rule.apply_unshifted(d)
    result = rule.apply(d)
    if not rule.shift_to_working_day:
        assert result == raw
    elif rule.direction == 1:
        assert result >= raw
        assert result == next_working_day(raw)
        assert is_working_day(result)
    else:
        assert result <= raw
        assert result == previous_working_day(raw)
        assert is_working_day(result)


@fast
@given(d=dates)
def test_admissibility_decision_due_is_a_working_day_at_least_two_months_later(d):
    due = ADMISSIBILITY_DECISION_DUE.apply(d)
    assert is_working_day(due)
    assert due >= add_months(d, 2)
    assert due - add_months(d, 2) < timedelta(days=7)


@fast
@given(deadline=dates, today=dates)
def test_status_agrees_with_days_left(deadline, today):
    left = days_left(deadline, today)
    assert today + timedelta(days=left) == deadline
    assert (status(deadline, today) == "overdue") == (today > deadline)
    assert (status(deadline, today) == "at_risk") == (0 <= left <= AT_RISK_DAYS)
    assert (status(deadline, today) == "on_time") == (left > AT_RISK_DAYS)
