"""Background work of the admissibility: the periodic checks, run by the tasks worker.

`run_admissibility_checks` is enqueued by `manage.py admissibility_checks --enqueue` (every
ADMISSIBILITY_CHECK_INTERVAL seconds with `--every`, which `make run` starts) or run at once by
the same command without `--enqueue` (for cron). Every step is idempotent: running the checks
twice on the same day does nothing the second time. The personal-data retention rules
(vaecos.retention) run with them, so whatever runs the checks also applies the retention.
"""

from __future__ import annotations

import datetime
import logging
from typing import TypedDict

from django.tasks import task
from django.utils import timezone

from vaecos.admissibility import services

logger = logging.getLogger(__name__)


class ChecksSummary(TypedDict):
    date: str
    implicit_decisions: list[int]
    reminders: list[int]
    expired: list[int]
    session_reminders: list[int]
    identity_documents_deleted: list[int]
    drafts_erased: list[int]
    login_entries_deleted: int


def admissibility_checks(today: datetime.date) -> ChecksSummary:
    """Silence means yes, then the validity reminders, then the expiry, for `today`; and the
    reminders of the evaluation sessions 14 days ahead (vaecos.evaluation.tasks); and the
    retention rules (vaecos.retention)."""
    from vaecos.evaluation.tasks import send_session_reminders
    from vaecos.retention.models import Rule
    from vaecos.retention.services import retention_run

    decided = services.requests_decide_implicitly(today)
    reminded = services.requests_send_reminders(today)
    expired = services.requests_expire(today)
    session_reminded = send_session_reminders(today)
    retention = retention_run(today=today)
    summary: ChecksSummary = {
        "date": today.isoformat(),
        "implicit_decisions": [r.pk for r in decided],
        "reminders": [r.pk for r in reminded],
        "expired": [r.pk for r in expired],
        "session_reminders": [r.pk for r in session_reminded],
        "identity_documents_deleted": retention.ids(Rule.IDENTITY),
        "drafts_erased": retention.ids(Rule.DRAFT),
        "login_entries_deleted": retention.rules[Rule.LOGIN_LOG].count,
    }
    logger.info(
        "Contrôles de recevabilité du %s : %d décision(s) implicite(s) %s, %d rappel(s) %s, "
        "%d expiration(s) %s, %d rappel(s) de session %s, %d pièce(s) d'identité supprimée(s) %s, "
        "%d brouillon(s) de Livret 2 effacé(s) %s, %d entrée(s) du journal des connexions "
        "supprimée(s)",
        summary["date"],
        len(decided),
        summary["implicit_decisions"],
        len(reminded),
        summary["reminders"],
        len(expired),
        summary["expired"],
        len(session_reminded),
        summary["session_reminders"],
        len(summary["identity_documents_deleted"]),
        summary["identity_documents_deleted"],
        len(summary["drafts_erased"]),
        summary["drafts_erased"],
        summary["login_entries_deleted"],
    )
    return summary


@task
def run_admissibility_checks(on: str | None = None) -> ChecksSummary:
    """The checks for `on` (an ISO date, for a catch-up) or, by default, today in TIME_ZONE."""
    today = datetime.date.fromisoformat(on) if on else timezone.localdate()
    return admissibility_checks(today)
