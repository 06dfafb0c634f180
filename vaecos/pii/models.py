"""What the personal-data scan remembers per Livret 2: scans of text parts and of files, and
the findings the candidate said were not personal data."""

import uuid

from django.conf import settings
from django.db import models

from vaecos.dossiers.models import Attachment, Dossier
from vaecos.pii.detection import LABEL_NAMES


class TextScan(models.Model):
    """The findings of one text part, valid while the text (digest) is unchanged."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="text_scans")
    field_key = models.CharField(max_length=80)
    digest = models.CharField(max_length=64)
    findings = models.JSONField(default=list)  # [[label, start, end, text, score], ...]
    scanned_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "analyse d'un texte"
        verbose_name_plural = "analyses des textes"
        constraints = [
            models.UniqueConstraint(fields=["dossier", "field_key"], name="text_scan_unique_field")
        ]

    def __str__(self) -> str:
        return f"{self.field_key} ({len(self.findings)} repérage(s))"


class Dismissal(models.Model):
    """A finding the candidate marked "not personal data": remembered for the whole dossier."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="pii_dismissals")
    label = models.CharField(max_length=20)
    value = models.CharField(max_length=300)  # folded text: case and accents ignored
    text = models.CharField("texte", max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "« pas une donnée personnelle »"
        verbose_name_plural = "« pas une donnée personnelle »"
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "label", "value"], name="dismissal_unique_value"
            )
        ]

    def __str__(self) -> str:
        return f"{self.text} ({self.label})"

    @property
    def label_name(self) -> str:
        return LABEL_NAMES.get(self.label, self.label)


def redacted_path(instance: "FileReview", filename: str) -> str:
    return f"dossiers/{instance.attachment.dossier_id}/{uuid.uuid4().hex}.pdf"


class FileReview(models.Model):
    """The scan of one attachment: findings in a PDF's text, pages (or an image) the scan cannot
    read, the candidate's check by eye, and a redacted copy waiting for confirmation."""

    attachment = models.OneToOneField(Attachment, on_delete=models.CASCADE, related_name="review")
    sha256 = models.CharField(max_length=64)  # of the file scanned
    detector_version = models.CharField(max_length=20, default="")
    findings = models.JSONField(default=list)  # [[page, label, start, end, text, score], ...]
    unreadable_pages = models.JSONField(default=list)  # page numbers from 1; [0] for an image
    eye_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    eye_checked_at = models.DateTimeField(null=True, blank=True)
    redacted_file = models.FileField(upload_to=redacted_path, max_length=255, blank=True)
    redacted_count = models.PositiveIntegerField(default=0)
    replaced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "analyse d'une pièce"
        verbose_name_plural = "analyses des pièces"

    def __str__(self) -> str:
        return f"Analyse de {self.attachment}"
