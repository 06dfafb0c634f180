from django.core.management.base import BaseCommand
from django.db import transaction

from vaecos.cases import stages
from vaecos.cases.models import VaeCase


class Command(BaseCommand):
    help = (
        "Recalcule l'étape et le statut enregistrés de chaque parcours VAE à partir de ses "
        "éléments (demandes de recevabilité, Livrets 2, inscriptions, délibérations). Ils sont "
        "tenus à jour à chaque modification ; cette commande répare un parcours écrit sans "
        "passer par l'application (import en base, restauration partielle)."
    )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        with transaction.atomic():
            count = stages.refresh(VaeCase.objects.all())
        self.stdout.write(f"Étape recalculée pour {count} parcours.")
