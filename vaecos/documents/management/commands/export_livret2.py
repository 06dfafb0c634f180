"""Write a Livret 2 as PDF, Word or the jury's bundle: for staff and automation."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vaecos.documents import exports
from vaecos.documents.engine import RenderError
from vaecos.documents.permissions import Kind
from vaecos.dossiers.models import Dossier


class Command(BaseCommand):
    help = "Exporte un Livret 2 en PDF, en Word (docx) ou en dossier complet pour le jury (bundle)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dossier_id", type=int, help="numéro du Livret 2")
        parser.add_argument("--format", choices=[k.value for k in Kind], default=Kind.PDF.value)
        parser.add_argument("--output", required=True, help="fichier à écrire")

    def handle(self, *args: Any, **options: Any) -> None:
        dossier = (
            Dossier.objects.select_related("case__referentiel_version__certification", "branch")
            .filter(pk=options["dossier_id"])
            .first()
        )
        if dossier is None:
            raise CommandError(f"Aucun Livret 2 n'a le numéro {options['dossier_id']}.")
        try:
            doc = exports.document(dossier, Kind(options["format"]))
        except RenderError as exc:
            raise CommandError(f"Le document n'a pas pu être produit : {exc}") from exc
        output = Path(options["output"])
        try:
            output.write_bytes(doc.content)
        except OSError as exc:
            raise CommandError(f"Impossible d'écrire {output} : {exc.strerror}.") from exc
        self.stdout.write(f"{output} : {len(doc.content)} octets ({options['format']}).")
