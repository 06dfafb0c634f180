"""The periodic checks of the admissibility: silence means yes, validity reminders, expiry; and
the personal-data retention rules (vaecos.retention), which run with them.

    manage.py admissibility_checks                   # run them now, for today (cron)
    manage.py admissibility_checks --date 2027-01-04 # for another day (catch-up)
    manage.py admissibility_checks --enqueue         # hand them to the tasks worker
    manage.py admissibility_checks --enqueue --every # and again every ADMISSIBILITY_CHECK_INTERVAL s

`--every` is the scheduler of `make run`: Django's tasks framework has none, and one small Python
loop stops cleanly on Ctrl+C or SIGTERM, reconnects to the database between rounds and, a round
failing, logs it and tries again at the next one.
"""

from __future__ import annotations

import datetime
import logging
import signal
import time
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from vaecos.admissibility.tasks import ChecksSummary, admissibility_checks, run_admissibility_checks

logger = logging.getLogger(__name__)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n <= 1 else many}"  # French: 0 and 1 take the singular


def describe(summary: ChecksSummary) -> str:
    """« 2 décisions implicites, 1 rappel, 0 expiration, 1 rappel de session, 1 pièce d'identité
    supprimée, 0 brouillon de Livret 2 effacé, 3 entrées du journal des connexions supprimées »."""
    return ", ".join(
        [
            _count(
                len(summary["implicit_decisions"]), "décision implicite", "décisions implicites"
            ),
            _count(len(summary["reminders"]), "rappel", "rappels"),
            _count(len(summary["expired"]), "expiration", "expirations"),
            _count(len(summary["session_reminders"]), "rappel de session", "rappels de session"),
            _count(
                len(summary["identity_documents_deleted"]),
                "pièce d'identité supprimée",
                "pièces d'identité supprimées",
            ),
            _count(
                len(summary["drafts_erased"]),
                "brouillon de Livret 2 effacé",
                "brouillons de Livret 2 effacés",
            ),
            _count(
                summary["login_entries_deleted"],
                "entrée du journal des connexions supprimée",
                "entrées du journal des connexions supprimées",
            ),
        ]
    )


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = (
        "Contrôles de recevabilité : décisions implicites (le silence vaut acceptation), rappels "
        "avant la fin de validité, expirations ; et durées de conservation des données "
        "(manage.py retention). Idempotent."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--date", help="Jour des contrôles, AAAA-MM-JJ (par défaut : aujourd'hui)."
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Confier les contrôles au worker des tâches (manage.py db_worker) au lieu de "
            "les lancer ici.",
        )
        parser.add_argument(
            "--every",
            type=int,
            nargs="?",
            const=0,
            metavar="SECONDES",
            help="Recommencer indéfiniment toutes les SECONDES secondes (par défaut : "
            "ADMISSIBILITY_CHECK_INTERVAL, 3600).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        on = self._parse_date(options["date"])
        every: int | None = options["every"]
        if every is None:
            self._round(on, options["enqueue"])
            return
        if on is not None:
            raise CommandError("--date et --every ne vont pas ensemble : la boucle suit le jour.")
        interval = every or settings.ADMISSIBILITY_CHECK_INTERVAL
        if interval <= 0:
            raise CommandError("L'intervalle doit être un nombre de secondes positif.")
        self._loop(interval, options["enqueue"])

    def _parse_date(self, value: str | None) -> datetime.date | None:
        if value is None:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise CommandError(
                f"Date invalide : « {value} ». Indiquez-la au format AAAA-MM-JJ, par exemple "
                "2027-01-04."
            ) from None

    def _round(self, on: datetime.date | None, enqueue: bool) -> None:
        if enqueue:
            result = run_admissibility_checks.enqueue(on.isoformat() if on else None)
            self.stdout.write(f"Contrôles de recevabilité confiés au worker (tâche {result.id}).")
            return
        summary = admissibility_checks(on or timezone.localdate())
        self.stdout.write(
            f"Contrôles de recevabilité du {datetime.date.fromisoformat(summary['date']):%d/%m/%Y}"
            f" : {describe(summary)}."
        )

    def _loop(self, interval: int, enqueue: bool) -> None:
        previous = signal.signal(signal.SIGTERM, _stop)
        self.stdout.write(
            f"Contrôles de recevabilité toutes les {interval} s (Ctrl+C pour arrêter)."
        )
        try:
            while True:
                close_old_connections()
                try:
                    self._round(None, enqueue)
                except Exception:
                    logger.exception(
                        "Contrôles de recevabilité : échec, nouvel essai au prochain tour"
                    )
                close_old_connections()
                time.sleep(interval)
        except KeyboardInterrupt:
            self.stdout.write("Contrôles de recevabilité arrêtés.")
        finally:
            signal.signal(signal.SIGTERM, previous)
