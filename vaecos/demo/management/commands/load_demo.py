from django.core.management.base import BaseCommand

from vaecos.demo.services import ACCOUNTS, load_demo


class Command(BaseCommand):
    help = "Crée ou met à jour les comptes de démonstration et le Livret 2 de la candidate (idempotent)."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        result = load_demo()
        accounts = ", ".join(email for email, *_ in ACCOUNTS)
        self.stdout.write(f"Comptes de démonstration prêts : {accounts}.")
        state = "créé" if result["created"] else "déjà présent, laissé tel quel"
        self.stdout.write(f"Livret 2 de démonstration : {state}.")
