"""The certification's référentiel as versioned data (loaded from YAML, never hard-coded)."""

import datetime

from django.db import models


class Certification(models.Model):
    code = models.SlugField("code", unique=True)
    name = models.CharField("intitulé", max_length=255)
    rncp_code = models.CharField("code RNCP", max_length=20)
    level = models.PositiveSmallIntegerField("niveau", null=True, blank=True)
    certifier = models.CharField("certificateur", max_length=255)

    class Meta:
        verbose_name = "certification"
        verbose_name_plural = "certifications"

    def __str__(self) -> str:
        return f"{self.name} ({self.rncp_code})"

    def current_version(self, on: datetime.date | None = None) -> "ReferentielVersion | None":
        """The newest version in force on a date (today by default), else the newest one."""
        on = on or datetime.date.today()
        versions = self.versions.order_by("-valid_from")
        in_force = versions.filter(valid_from__lte=on).filter(
            models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=on)
        )
        return in_force.first() or versions.first()


class ReferentielVersion(models.Model):
    certification = models.ForeignKey(
        Certification, on_delete=models.PROTECT, related_name="versions"
    )
    version = models.CharField("version", max_length=32)
    valid_from = models.DateField("en vigueur depuis le")
    valid_until = models.DateField("en vigueur jusqu'au", null=True, blank=True)
    rncp_registration_end = models.DateField("fin d'enregistrement RNCP", null=True, blank=True)
    template_rules = models.JSONField("règles du modèle de Livret 2", default=dict)
    source_file = models.CharField("fichier source", max_length=255)
    source_sha256 = models.CharField("empreinte du fichier source", max_length=64)
    loaded_at = models.DateTimeField("chargée le", auto_now_add=True)

    class Meta:
        verbose_name = "version de référentiel"
        verbose_name_plural = "versions de référentiel"
        ordering = ["certification", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "version"], name="referentiel_version_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="referentiel_version_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certification.name} — version {self.version}"

    def is_lapsed(self, on: datetime.date | None = None) -> bool:
        on = on or datetime.date.today()
        end = self.rncp_registration_end or self.valid_until
        return end is not None and end < on

    def rule(self, key: str) -> object:
        return self.template_rules[key]


class Branch(models.Model):
    referentiel_version = models.ForeignKey(
        ReferentielVersion, on_delete=models.CASCADE, related_name="branches"
    )
    code = models.SlugField("code")
    name = models.CharField("nom", max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "branche"
        verbose_name_plural = "branches"
        ordering = ["referentiel_version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["referentiel_version", "code"], name="referentiel_branch_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    """An activity of the Livret 2, which is also a bloc de compétences of the RNCP fiche."""

    referentiel_version = models.ForeignKey(
        ReferentielVersion, on_delete=models.CASCADE, related_name="activities"
    )
    number = models.PositiveSmallIntegerField("numéro")
    roman = models.CharField("numéro romain", max_length=8)
    bloc_code = models.CharField("code du bloc", max_length=32, blank=True)
    title = models.TextField("intitulé officiel")
    situations_required = models.PositiveSmallIntegerField("situations exigées")
    competences_min_covered = models.PositiveSmallIntegerField(
        "compétences à couvrir au minimum", null=True, blank=True
    )
    guidance = models.TextField("conseils de rédaction", blank=True)

    class Meta:
        verbose_name = "activité"
        verbose_name_plural = "activités"
        ordering = ["referentiel_version", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["referentiel_version", "number"], name="referentiel_activity_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.roman} – {self.title}"


class Competence(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="competences")
    code = models.CharField("code", max_length=16)
    wording = models.TextField("intitulé officiel")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "compétence"
        verbose_name_plural = "compétences"
        ordering = ["activity", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "code"], name="referentiel_competence_unique"
            )
        ]

    def __str__(self) -> str:
        return self.wording
