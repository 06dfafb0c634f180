"""Import a Livret 2 written in Word into a candidate's dossier; prints a JSON report."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from vaecos.accounts.models import Role, User
from vaecos.documents import docx_import, imports
from vaecos.dossiers.models import Dossier
from vaecos.utils.errors import ActionRefused


class Command(BaseCommand):
    help = (
        "Importe un Livret 2 Word (.docx) dans le dossier d'un candidat et affiche le rapport "
        'JSON {"dossier": ID, "placed": [...], "unplaced": [...]}. Avec --dry-run, rien '
        "n'est modifié."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="fichier .docx")
        parser.add_argument("--candidate", required=True, help="adresse e-mail du candidat")
        parser.add_argument(
            "--by", help="adresse e-mail de la personne qui importe (par défaut : le candidat)"
        )
        parser.add_argument("--dry-run", action="store_true", help="analyser sans rien écrire")

    def handle(self, *args: Any, **options: Any) -> None:
        candidate = User.objects.filter(
            email__iexact=options["candidate"], role=Role.CANDIDATE
        ).first()
        if candidate is None:
            raise CommandError(f"Aucun candidat n'a l'adresse {options['candidate']}.")
        actor = candidate
        if options["by"]:
            found = User.objects.filter(email__iexact=options["by"]).first()
            if found is None:
                raise CommandError(f"Aucun compte n'a l'adresse {options['by']}.")
            actor = found
        dossier = (
            Dossier.objects.filter(case__candidate=candidate)
            .select_related("case__referentiel_version")
            .order_by("-case__created_at", "-attempt")
            .first()
        )
        if dossier is None:
            raise CommandError(f"{candidate.email} n'a pas encore de Livret 2 sur la plateforme.")
        path = Path(options["path"])
        try:
            if path.stat().st_size > docx_import.MAX_DOCX_BYTES:
                raise CommandError(
                    f"{path} dépasse {docx_import.MAX_DOCX_BYTES // (1024 * 1024)} Mo."
                )
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Impossible de lire {path} : {exc.strerror}.") from exc
        try:
            if options["dry_run"]:
                docx_import.check_docx(content)
                plan = docx_import.parse_docx(
                    content, docx_import.rules_for(dossier.referentiel_version)
                )
                report = plan.to_json()
            else:
                with transaction.atomic():  # read and apply, or nothing at all
                    source = imports.import_read(
                        dossier=dossier, content=content, name=path.name, by=actor
                    )
                    imports.import_apply(source=source, by=actor)
                report = source.report
        except ActionRefused as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            json.dumps(
                {
                    "dossier": dossier.pk,
                    "dry_run": bool(options["dry_run"]),
                    "placed": report.get("placed", []),
                    "unplaced": report.get("unplaced", []),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
