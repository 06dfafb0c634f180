"""The Livret 2 (dossier de validation): its sections, situations, revisions and files."""

import uuid

from django.conf import settings
from django.db import models

from vaecos.cases.models import VaeCase
from vaecos.referentiels.models import Activity, Branch, Competence, ReferentielVersion
from vaecos.utils.models import TransitionLog


class DossierStatus(models.TextChoices):
    IN_PROGRESS = "en_cours", "En cours de rédaction"
    FINAL = "finalise", "Finalisé"
    TRANSMITTED = "transmis", "Transmis au jury"


class Dossier(models.Model):
    case = models.ForeignKey(
        VaeCase, on_delete=models.PROTECT, related_name="dossiers", verbose_name="parcours"
    )
    attempt = models.PositiveSmallIntegerField("tentative", default=1)
    status = models.CharField(
        "statut", max_length=20, choices=DossierStatus.choices, default=DossierStatus.IN_PROGRESS
    )
    # Header (en-tête du Livret 2)
    last_name = models.TextField("nom", blank=True)
    first_name = models.TextField("prénom", blank=True)
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, null=True, blank=True, verbose_name="branche"
    )
    # Motivation
    motivation_reasons = models.TextField("pourquoi je m'engage dans la VAE", blank=True)
    motivation_strengths = models.TextField("mes atouts au regard du CQP", blank=True)
    # Organisation's context, written once for every situation that happened there
    context = models.TextField("contexte de l'organisme", blank=True)
    # Blocs already validated by a jury on an earlier attempt: nothing to write for them.
    exempt_activities = models.ManyToManyField(
        Activity, blank=True, related_name="+", verbose_name="blocs déjà validés"
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "Livret 2"
        verbose_name_plural = "Livrets 2"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "attempt"], name="dossier_unique_attempt"),
        ]

    def __str__(self) -> str:
        return f"Livret 2 de {self.case.candidate} (tentative {self.attempt})"

    @property
    def referentiel_version(self) -> ReferentielVersion:
        return self.case.referentiel_version

    @property
    def is_editable(self) -> bool:
        return self.status == DossierStatus.IN_PROGRESS


class DossierTransitionLog(TransitionLog):
    subject = models.ForeignKey(Dossier, on_delete=models.RESTRICT, related_name="transitions")

    class Meta:
        verbose_name = "changement de statut du Livret 2"
        verbose_name_plural = "changements de statut du Livret 2"
        ordering = ["at"]
        # The audit journal reads the newest rows first.
        indexes = [models.Index(fields=["-at", "-id"], name="dossier_log_newest")]


class ContextMode(models.TextChoices):
    GENERAL = "general", "Dans l'organisme décrit dans le contexte général"
    OWN = "own", "Ailleurs : je décris son contexte propre"


class Situation(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="situations")
    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="situations", verbose_name="activité"
    )
    position = models.PositiveIntegerField("ordre", default=0)
    included = models.BooleanField("retenue pour le dossier", default=True)
    context_mode = models.CharField(
        "lieu", max_length=10, choices=ContextMode.choices, default=ContextMode.GENERAL
    )
    title = models.TextField("titre", blank=True)
    when = models.TextField("quand", blank=True)
    own_context = models.TextField("contexte propre", blank=True)
    description = models.TextField("la situation", blank=True)
    analysis = models.TextField("mon analyse", blank=True)
    actions = models.TextField("mes actions", blank=True)
    rationale = models.TextField("pourquoi j'ai agi ainsi", blank=True)
    outcome = models.TextField("résultat et enseignements", blank=True)
    competences = models.ManyToManyField(
        Competence, blank=True, related_name="situations", verbose_name="compétences mises en œuvre"
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        verbose_name = "situation"
        verbose_name_plural = "situations"
        ordering = ["activity__number", "position", "pk"]
        indexes = [models.Index(fields=["dossier", "activity", "position"])]

    def __str__(self) -> str:
        return self.title or f"Situation sans titre (activité {self.activity.roman})"


class RevisionKind(models.TextChoices):
    EDIT = "edit", "Saisie"
    RESTORE = "restore", "Restauration"
    CONFLICT = "conflict", "Version concurrente mise de côté"


class FieldRevision(models.Model):
    """One saved state of one text field. Never updated, never deleted.

    The field's current value is the newest revision that is not a conflict copy; a conflict copy
    keeps a stale save (from another tab or device) in the history without overwriting anything.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="revisions")
    situation = models.ForeignKey(
        Situation, on_delete=models.PROTECT, null=True, blank=True, related_name="revisions"
    )
    field_key = models.CharField(max_length=80)
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=RevisionKind.choices, default=RevisionKind.EDIT)
    text = models.TextField(blank=True)
    based_on = models.PositiveIntegerField(null=True, blank=True)
    restored_from = models.PositiveIntegerField(null=True, blank=True)
    client_save_id = models.UUIDField(null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "révision"
        verbose_name_plural = "révisions"
        ordering = ["dossier", "field_key", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "field_key", "number"], name="revision_unique_number"
            ),
            models.UniqueConstraint(
                fields=["dossier", "client_save_id"],
                name="revision_unique_client_save",
                condition=models.Q(client_save_id__isnull=False),
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="restore") | models.Q(restored_from__isnull=False),
                name="revision_restore_has_source",
            ),
        ]
        indexes = [models.Index(fields=["dossier", "field_key", "-number"])]

    def __str__(self) -> str:
        return f"{self.field_key} — version {self.number}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name never comes from the user; the original name is kept in the row.
    return f"dossiers/{instance.dossier_id}/{uuid.uuid4().hex}"


class AttachmentKind(models.TextChoices):
    CV = "cv", "CV"
    EVIDENCE = "evidence", "Pièce justificative"


class Attachment(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="attachments")
    situation = models.ForeignKey(
        Situation, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    kind = models.CharField(max_length=10, choices=AttachmentKind.choices)
    file = models.FileField(upload_to=attachment_path, max_length=255)
    original_name = models.CharField("nom du fichier", max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveBigIntegerField("taille (octets)")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="evidence") | models.Q(situation__isnull=True),
                name="attachment_cv_has_no_situation",
            ),
            models.CheckConstraint(
                condition=models.Q(size__gt=0),
                name="attachment_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name
