from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from vaecos.referentiels.loader import ReferentielFileError, load_file


class Command(BaseCommand):
    help = "Charge les fichiers de référentiel YAML (idempotent) ; par défaut tout le dossier referentiels/."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("paths", nargs="*", help="fichiers YAML à charger")

    def handle(self, *args, paths: list[str], **options):  # type: ignore[no-untyped-def]
        files = [Path(p) for p in paths] or sorted(
            (Path(settings.BASE_DIR) / "referentiels").glob("*.yaml")
        )
        if not files:
            raise CommandError("Aucun fichier de référentiel trouvé.")
        for path in files:
            try:
                result = load_file(path)
            except (ReferentielFileError, OSError) as exc:
                raise CommandError(str(exc)) from exc
            state = "chargée" if result.created else "déjà à jour"
            self.stdout.write(f"{path.name} : version {result.version.version} {state}.")
