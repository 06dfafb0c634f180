"""`manage.py demo_code instructeur@demo.test`: the current second-factor code of a demonstration
account (its TOTP device was enrolled by load_demo). Refused for any other account."""

from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from vaecos.accounts.second_factor import current_code


class Command(BaseCommand):
    help = "Affiche le code de double authentification actuel d'un compte de démonstration."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("email", help="adresse d'un compte de démonstration (…@demo.test)")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        email = options["email"].strip().lower()
        if not email.endswith("@demo.test"):
            raise CommandError("Seuls les comptes de démonstration (…@demo.test) sont acceptés.")
        device = TOTPDevice.objects.filter(user__email=email, confirmed=True).first()
        if device is None:
            raise CommandError(
                f"{email} n'a pas de double authentification (lancez manage.py load_demo)."
            )
        self.stdout.write(f"{current_code(device)} (valable jusqu'à 30 secondes)")
