"""One module for every legal date of the procedure.

* ``add_months``: calendar-month arithmetic clamped to the last day of the target month
  (31 December + 2 months = 28 or 29 February), as French law counts "de quantième à
  quantième" and falls back on the month's last day when that day does not exist.
* Working days: neither Saturday, Sunday nor a public holiday of metropolitan France.
* ``Rule``: one named, configurable deadline (amount, unit, direction, working-day shift).
* ``days_left``/``status``: how close a deadline is, for dashboards and reminders.

Everything here is a pure function of its arguments, except ``get_rule``/``apply_rule``,
which read optional overrides from ``settings.DEADLINE_RULES``.
"""

from __future__ import annotations

import calendar
import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

import holidays

Unit = Literal["months", "days"]
Direction = Literal[1, -1]
DeadlineStatus = Literal["overdue", "at_risk", "on_time"]

# A deadline this close (in days, inclusive) is flagged "at risk".
AT_RISK_DAYS = 10

_ONE_DAY = timedelta(days=1)


# --- Calendar months -------------------------------------------------------------------


def add_months(d: date, n: int) -> date:
    """Return ``d`` moved by ``n`` calendar months (``n`` may be negative).

    The day of month is kept when the target month has it, otherwise clamped to that
    month's last day: 31 Jan + 1 = 28/29 Feb, 31 Mar - 1 = 28/29 Feb.
    Raises ``ValueError`` if the result falls outside years 1..9999.
    """
    index = d.year * 12 + (d.month - 1) + n
    year, month0 = divmod(index, 12)
    month = month0 + 1
    if not 1 <= year <= 9999:
        raise ValueError(f"add_months({d.isoformat()}, {n}) leaves the supported year range")
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(d.day, last_day))


# --- Working days ----------------------------------------------------------------------


@functools.cache
def _holidays_of_year(year: int) -> frozenset[date]:
    """French public holidays of one year, built lazily once per year (no network).

    Metropolitan France only (no ``subdiv``): Alsace-Moselle's Good Friday and
    26 December, and the overseas departments' days, are out of scope for now.
    Whit Monday stays a holiday even though it is often the "journée de solidarité".
    """
    return frozenset(holidays.France(years=year).keys())


def is_working_day(d: date) -> bool:
    """True unless ``d`` is a Saturday, a Sunday or a French public holiday."""
    return d.weekday() < 5 and d not in _holidays_of_year(d.year)


def next_working_day(d: date) -> date:
    """``d`` itself if it is a working day, else the first working day after it."""
    while not is_working_day(d):
        d += _ONE_DAY
    return d


def previous_working_day(d: date) -> date:
    """``d`` itself if it is a working day, else the last working day before it."""
    while not is_working_day(d):
        d -= _ONE_DAY
    return d


# --- Rules -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rule:
    """A named deadline: ``start`` moved by ``direction * amount`` ``unit``.

    With ``shift_to_working_day``, a result falling on a non-working day moves to the
    next working day for a forward rule, to the previous one for a backward rule (so a
    "no later than" date computed backwards never ends up later than the plain date).
    """

    name: str
    amount: int
    unit: Unit
    direction: Direction
    shift_to_working_day: bool
    label_fr: str

    def __post_init__(self) -> None:
        # Fail at import/configuration time rather than on the first computed date.
        if self.amount < 0:
            raise ValueError(f"{self.name}: amount must be >= 0, use direction to go back")
        if self.unit not in ("months", "days"):
            raise ValueError(f"{self.name}: unknown unit {self.unit!r}")
        if self.direction not in (1, -1):
            raise ValueError(f"{self.name}: direction must be 1 or -1")

    @property
    def signed_amount(self) -> int:
        return self.direction * self.amount

    def apply_unshifted(self, start: date) -> date:
        """The raw calendar result, before any working-day shift."""
        if self.unit == "months":
            return add_months(start, self.signed_amount)
        return start + timedelta(days=self.signed_amount)

    def apply(self, start: date) -> date:
        """The deadline for ``start``, shifted to a working day if the rule says so."""
        result = self.apply_unshifted(start)
        if not self.shift_to_working_day:
            return result
        if self.direction == 1:
            return next_working_day(result)
        return previous_working_day(result)


# Silence kept for two months after the file is complete is an implicit decision
# (CRPA art. L. 231-1, applied to VAE admissibility). Shifted: the general rule of French
# procedure (CPC art. 642, applied by administrative courts to administrative deadlines)
# is that "un délai qui expirerait un samedi, un dimanche ou un jour férié ou chômé est
# prorogé jusqu'au premier jour ouvrable suivant"; the certifier keeps that last day.
ADMISSIBILITY_DECISION_DUE = Rule(
    name="ADMISSIBILITY_DECISION_DUE",
    amount=2,
    unit="months",
    direction=1,
    shift_to_working_day=True,
    label_fr="Date limite de décision sur la recevabilité",
)

# Validity of a favourable admissibility decision: a calendar end date, not a procedural
# deadline to act on, so it is not shifted.
ADMISSIBILITY_VALIDITY_END = Rule(
    name="ADMISSIBILITY_VALIDITY_END",
    amount=18,
    unit="months",
    direction=1,
    shift_to_working_day=False,
    label_fr="Fin de validité de la recevabilité",
)

# Reminders are notifications, not legal dates: sent on the computed day, weekend or not.
VALIDITY_REMINDER_60 = Rule(
    name="VALIDITY_REMINDER_60",
    amount=60,
    unit="days",
    direction=-1,
    shift_to_working_day=False,
    label_fr="Rappel : la recevabilité expire dans 60 jours",
)
VALIDITY_REMINDER_14 = Rule(
    name="VALIDITY_REMINDER_14",
    amount=14,
    unit="days",
    direction=-1,
    shift_to_working_day=False,
    label_fr="Rappel : la recevabilité expire dans 14 jours",
)
VALIDITY_REMINDERS: tuple[Rule, ...] = (VALIDITY_REMINDER_60, VALIDITY_REMINDER_14)

# The dossier must reach the jury at least one month before the session. Not shifted by
# default; if configured, a backward rule shifts to the previous working day.
TRANSMISSION_LATEST = Rule(
    name="TRANSMISSION_LATEST",
    amount=1,
    unit="months",
    direction=-1,
    shift_to_working_day=False,
    label_fr="Date limite de transmission du dossier au jury",
)

SESSION_REMINDER = Rule(
    name="SESSION_REMINDER",
    amount=14,
    unit="days",
    direction=-1,
    shift_to_working_day=False,
    label_fr="Rappel : session du jury dans 14 jours",
)

RULES: Mapping[str, Rule] = {
    rule.name: rule
    for rule in (
        ADMISSIBILITY_DECISION_DUE,
        ADMISSIBILITY_VALIDITY_END,
        *VALIDITY_REMINDERS,
        TRANSMISSION_LATEST,
        SESSION_REMINDER,
    )
}


def _overrides() -> Mapping[str, Mapping[str, Any]]:
    """``settings.DEADLINE_RULES``, or nothing when Django is absent or unconfigured."""
    try:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured
    except ImportError:  # pragma: no cover - the package is usable without Django
        return {}
    try:
        return getattr(settings, "DEADLINE_RULES", None) or {}
    except ImproperlyConfigured:
        return {}


def get_rule(name: str) -> Rule:
    """The rule ``name`` with any field overridden by ``settings.DEADLINE_RULES``.

    Example setting: ``DEADLINE_RULES = {"TRANSMISSION_LATEST": {"amount": 2}}``.
    Unknown rule names or fields raise, so a typo in settings cannot go unnoticed.
    """
    rule = RULES[name]
    fields = _overrides().get(name)
    if not fields:
        return rule
    if "name" in fields:
        raise ValueError(f"DEADLINE_RULES[{name!r}] cannot rename the rule")
    return dataclasses.replace(rule, **fields)


def apply_rule(name: str, start: date) -> date:
    """Shortcut: ``get_rule(name).apply(start)``."""
    return get_rule(name).apply(start)


# --- Status ----------------------------------------------------------------------------


def days_left(deadline: date, today: date) -> int:
    """Whole days from ``today`` to ``deadline``: 0 on the day itself, negative once past."""
    return (deadline - today).days


def status(deadline: date, today: date) -> DeadlineStatus:
    """ "overdue" after the deadline, "at_risk" within ``AT_RISK_DAYS`` (deadline day
    included), "on_time" otherwise."""
    left = days_left(deadline, today)
    if left < 0:
        return "overdue"
    if left <= AT_RISK_DAYS:
        return "at_risk"
    return "on_time"
