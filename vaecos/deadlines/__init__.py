"""Legal deadlines of the VAE procedure: calendar-month arithmetic and working-day shifts.

Plain Python package (not a Django app): pure functions, no models.
"""

from vaecos.deadlines.rules import (
    ADMISSIBILITY_DECISION_DUE,
    ADMISSIBILITY_VALIDITY_END,
    AT_RISK_DAYS,
    RULES,
    SESSION_REMINDER,
    TRANSMISSION_LATEST,
    VALIDITY_REMINDER_14,
    VALIDITY_REMINDER_60,
    VALIDITY_REMINDERS,
    DeadlineStatus,
    Rule,
    Unit,
    add_months,
    apply_rule,
    days_left,
    get_rule,
    is_working_day,
    next_working_day,
    previous_working_day,
    status,
)

__all__ = [
    "ADMISSIBILITY_DECISION_DUE",
    "ADMISSIBILITY_VALIDITY_END",
    "AT_RISK_DAYS",
    "RULES",
    "SESSION_REMINDER",
    "TRANSMISSION_LATEST",
    "VALIDITY_REMINDERS",
    "VALIDITY_REMINDER_14",
    "VALIDITY_REMINDER_60",
    "DeadlineStatus",
    "Rule",
    "Unit",
    "add_months",
    "apply_rule",
    "days_left",
    "get_rule",
    "is_working_day",
    "next_working_day",
    "previous_working_day",
    "status",
]
