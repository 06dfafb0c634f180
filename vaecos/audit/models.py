"""Who read what: every staff, coach or jury read of a dossier, a file or a request.

Transitions have their own logs (one per workflow); this one holds the reads, which change
nothing and so leave no other trace.
"""

from django.conf import settings
from django.db import models

from vaecos.accounts.models import Role


class ReadEvent(models.Model):
    at = models.DateTimeField("le", auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="lecteur",
    )
    # Copied: the reader's role at the time of the read, even if it changes later.
    user_role = models.CharField("rôle", max_length=20, choices=Role.choices)
    # None: an object outside any case (none today, kept open for platform-wide files).
    case = models.ForeignKey(
        "cases.VaeCase",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="parcours",
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="Livret 2",
    )
    what = models.CharField("objet", max_length=40)
    label = models.CharField("libellé", max_length=200)
    object_id = models.CharField("identifiant", max_length=64, blank=True)
    path = models.CharField("adresse", max_length=500, blank=True)

    class Meta:
        verbose_name = "consultation"
        verbose_name_plural = "consultations"
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["case", "-at"], name="audit_read_case_at"),
            models.Index(fields=["-at"], name="audit_read_at"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.label}"
