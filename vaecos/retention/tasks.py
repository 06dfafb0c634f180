"""The retention rules as a task of the tasks worker.

The periodic admissibility checks (vaecos.admissibility.tasks) already apply them at every
round; this task is for running them on their own, e.g. `run_retention.enqueue(dry_run=True)`
from a shell, or from another scheduler.
"""

from __future__ import annotations

from typing import Any

from django.tasks import task

from vaecos.retention.services import retention_run


@task
def run_retention(dry_run: bool = False) -> dict[str, Any]:
    """Apply the rules for today in TIME_ZONE (or only report, with `dry_run`)."""
    return retention_run(dry_run=dry_run).as_dict()
