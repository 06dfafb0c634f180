"""Imports of a Livret 2 from Word, and the text they could not place."""

from django.conf import settings
from django.db import models

from vaecos.dossiers.models import Dossier


class ImportStatus(models.TextChoices):
    PENDING = "en_attente", "À confirmer"
    APPLIED = "applique", "Importé"
    CANCELLED = "annule", "Annulé"


class Livret2Import(models.Model):
    """One Word file read into a plan; nothing reaches the dossier until the candidate confirms."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    original_name = models.CharField("nom du fichier", max_length=255)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(
        "statut", max_length=20, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    plan = models.JSONField("valeurs à écrire", default=dict)
    report = models.JSONField("rapport", default=dict)
    created_at = models.DateTimeField("déposé le", auto_now_add=True)
    decided_at = models.DateTimeField("confirmé ou annulé le", null=True, blank=True)

    class Meta:
        verbose_name = "import d'un Livret 2 Word"
        verbose_name_plural = "imports de Livret 2 Word"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="en_attente") | models.Q(decided_at__isnull=False),
                name="import_decided_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"


class UnplacedFragment(models.Model):
    """A paragraph or table cell of an imported file that no part of the dossier took.

    It stays listed ("à placer") until the candidate puts it in a part of the dossier or sets it
    aside; it is never deleted, so nothing of the file is lost.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="unplaced")
    source = models.ForeignKey(Livret2Import, on_delete=models.PROTECT, related_name="fragments")
    position = models.PositiveIntegerField("ordre dans le fichier")
    where = models.CharField("emplacement dans le fichier", max_length=120)
    text = models.TextField("texte")
    placed_in = models.CharField("placé dans", max_length=80, blank=True)
    set_aside = models.BooleanField("mis de côté", default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "texte à placer"
        verbose_name_plural = "textes à placer"
        ordering = ["source", "position"]
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(set_aside=True) & ~models.Q(placed_in="")),
                name="fragment_placed_or_set_aside",
            )
        ]
        indexes = [models.Index(fields=["dossier", "placed_in", "set_aside"])]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_open(self) -> bool:
        return not self.placed_in and not self.set_aside
