"""Background work of the sessions: the reminder sent to convened candidates 14 days before.

`send_session_reminders(today)` is idempotent (each registration is reminded once,
`reminder_sent_at` recording it) and catches up: a run missed on the exact day reminds on the
next run, as long as the session is still ahead. `run_session_reminders` is its task for the
tasks worker, like `vaecos.admissibility.tasks.run_admissibility_checks`.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from vaecos.deadlines import apply_rule
from vaecos.evaluation import notifications
from vaecos.evaluation.models import Registration, RegistrationStatus

logger = logging.getLogger(__name__)


def _due(session_date: datetime.date, today: datetime.date) -> bool:
    return apply_rule("SESSION_REMINDER", session_date) <= today < session_date


def send_session_reminders(today: datetime.date) -> list[Registration]:
    """Remind every convened candidate whose session is within the reminder period."""
    reminded = []
    waiting = Registration.objects.filter(
        status=RegistrationStatus.CONVENED, reminder_sent_at__isnull=True, session__date__gt=today
    ).values_list("pk", "session__date")
    for pk, session_date in waiting:
        if not _due(session_date, today):
            continue
        try:
            with transaction.atomic():
                registration = (
                    Registration.objects.select_for_update().select_related("session").get(pk=pk)
                )
                if (
                    registration.status != RegistrationStatus.CONVENED
                    or registration.reminder_sent_at is not None
                    or not _due(registration.session.date, today)
                ):
                    continue  # changed meanwhile, or reminded by another run
                registration.reminder_sent_at = timezone.now()
                registration.save(update_fields=["reminder_sent_at"])
                notifications.send_reminder_after_commit(registration)
                reminded.append(registration)
        except Exception:
            logger.exception("session reminder failed for registration %s", pk)
    return reminded


@task
def run_session_reminders(on: str | None = None) -> list[int]:
    """The reminders for `on` (an ISO date, for a catch-up) or, by default, today."""
    today = datetime.date.fromisoformat(on) if on else timezone.localdate()
    reminded = send_session_reminders(today)
    logger.info(
        "Rappels de session du %s : %d rappel(s) %s",
        today.isoformat(),
        len(reminded),
        [r.pk for r in reminded],
    )
    return [r.pk for r in reminded]
