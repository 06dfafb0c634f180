from django.core.management.base import BaseCommand

from vaecos.demo.evaluation import SECOND_JURY_MEMBER
from vaecos.demo.services import ACCOUNTS, load_demo


class Command(BaseCommand):
    help = "Crée ou met à jour les comptes de démonstration et le Livret 2 de la candidate (idempotent)."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        result = load_demo()
        accounts = ", ".join([*(email for email, *_ in ACCOUNTS), SECOND_JURY_MEMBER[0]])
        self.stdout.write(f"Comptes de démonstration prêts : {accounts}.")
        state = "créé" if result["created"] else "déjà présent, laissé tel quel"
        self.stdout.write(f"Livret 2 de démonstration : {state}.")
        session = result["session"]
        self.stdout.write(f"Session d'évaluation de démonstration : {session}.")
        self.stdout.write(
            "Instructeur, jury et administrateur confirment leur connexion par un code : "
            "il s'affiche sur la page qui le demande, ou par « manage.py demo_code ADRESSE »."
        )
