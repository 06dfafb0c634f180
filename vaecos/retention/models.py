"""What the retention rules deleted: one row per deleted object (or per batch of login-journal
entries), written in the same transaction as the deletion, never edited nor deleted."""

import uuid

from django.db import models


class Rule(models.TextChoices):
    IDENTITY = "piece_identite", "Pièces d'identité après la décision de recevabilité"
    DRAFT = "brouillon_abandonne", "Brouillons de Livret 2 des parcours abandonnés"
    LOGIN_LOG = "journal_connexion", "Journal des connexions"


class Deletion(models.Model):
    run = models.UUIDField("passage", default=uuid.uuid4, db_index=True)
    at = models.DateTimeField("supprimé le", auto_now_add=True)
    rule = models.CharField("règle", max_length=30, choices=Rule.choices)
    # What was deleted, in words that hold no personal data (no file name, no text).
    label = models.CharField("objet", max_length=300)
    subject_type = models.CharField("type d'objet", max_length=60)
    subject_id = models.CharField("identifiant", max_length=64, blank=True)
    count = models.PositiveIntegerField("nombre de lignes", default=1)
    details = models.JSONField("détail", default=dict, blank=True)
    # RESTRICT: the record keeps what it is about, as the transition logs do.
    case = models.ForeignKey(
        "cases.VaeCase",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="parcours",
    )
    admissibility_request = models.ForeignKey(
        "admissibility.AdmissibilityRequest",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="retention_deletions",
        verbose_name="demande de recevabilité",
    )

    class Meta:
        verbose_name = "suppression (durée de conservation)"
        verbose_name_plural = "suppressions (durée de conservation)"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["-at"], name="retention_deletion_at")]
        constraints = [
            models.CheckConstraint(condition=models.Q(count__gte=1), name="deletion_counts")
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} — {self.label}"
