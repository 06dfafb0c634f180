import time

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vaecos.accounts.models import User
from vaecos.demo import generator


class Command(BaseCommand):
    help = (
        "Génère des parcours VAE réalistes en nombre (candidats, demandes de recevabilité dans "
        "chaque statut, Livrets 2, sessions, jurys, accompagnateurs, journal) jusqu'à en compter "
        "--count. Déterministe : les mêmes commandes, le même jour, donnent les mêmes données."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--count", type=int, required=True, help="nombre de parcours générés à atteindre"
        )
        parser.add_argument("--seed", type=int, default=2026, help="graine (2026 par défaut)")
        parser.add_argument(
            "--password",
            default="",
            help="mot de passe donné aux comptes d'entrée (admin@, instructeur-1@, "
            "jury-00000@, accompagnateur-00000@genere.test) ; sans lui, ils ne peuvent pas "
            "se connecter",
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        count = options["count"]
        if count < 0:
            raise CommandError("--count doit être positif.")
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            elapsed = time.monotonic() - started
            self.stdout.write(
                f"  {done:,} / {total:,} parcours ({elapsed:.0f} s)".replace(",", " ")
            )

        try:
            result = generator.generate(count, seed=options["seed"], progress=progress)
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        if options["password"]:
            encoded = make_password(options["password"])
            User.objects.filter(email__in=generator.ENTRY_ACCOUNTS).update(password=encoded)
        elapsed = time.monotonic() - started
        if result.rows == 0:
            self.stdout.write(f"Déjà {result.before} parcours générés : rien à ajouter.")
            return
        self.stdout.write(
            f"{result.after - result.before} parcours ajoutés ({result.after} en tout), "
            f"{result.rows} lignes écrites en {elapsed:.0f} s."
        )
