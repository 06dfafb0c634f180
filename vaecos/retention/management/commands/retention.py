"""The personal-data retention rules (RGPD), by hand.

    manage.py retention --dry-run   # what would be deleted today, deleting nothing
    manage.py retention             # delete it, and print the same report

The periodic admissibility checks apply the same rules at every round (vaecos.admissibility.tasks).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vaecos.retention.services import Report, retention_run


def report_lines(report: Report) -> list[str]:
    """The report, in French: a line per rule, then one per object."""
    head = f"Conservation des données au {report.date:%d/%m/%Y}"
    lines = [
        f"{head} — simulation : rien n'est supprimé."
        if report.dry_run
        else f"{head} — suppressions effectuées."
    ]
    for part in report.rules.values():
        if report.dry_run:
            what = "à supprimer"
        else:
            what = "suppression" if part.count <= 1 else "suppressions"  # French: 0 is singular
        lines.append(f"{part.rule.label} : {part.count} {what}")
        lines += [f"  - {item.label}" for item in part.items]
        if part.failed:
            lines.append(
                f"  ! {len(part.failed)} échec(s), réessayé(s) au prochain passage : "
                + ", ".join(part.failed)
            )
    return lines


class Command(BaseCommand):
    help = (
        "Durées de conservation des données personnelles : supprime les pièces d'identité après "
        "la décision de recevabilité, les brouillons de Livret 2 des parcours abandonnés et le "
        "journal des connexions ancien. --dry-run : affiche le rapport sans rien supprimer."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Simulation : afficher ce qui serait supprimé, sans rien supprimer.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = retention_run(dry_run=options["dry_run"])
        self.stdout.write("\n".join(report_lines(report)))
        failed = sum(len(part.failed) for part in report.rules.values())
        if failed:
            # A non-zero exit for cron; the rest of the run went through.
            raise CommandError(
                f"{failed} suppression(s) en échec : voir le journal de l'application."
            )
