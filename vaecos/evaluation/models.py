"""Evaluation sessions, who is registered to them, and who sits on their jury.

A session belongs to one référentiel version (and optionally one branch). A case registers to a
session (`Registration`, one per case and session); the dossier reaches the jury through the
registration (`transmitted_at`, with the frozen bundle PDF). The jury's work on a registration
lives in `vaecos.jury`.
"""

import datetime

from django.conf import settings
from django.db import models

from vaecos.cases.models import VaeCase
from vaecos.dossiers.models import Dossier
from vaecos.referentiels.models import Branch, ReferentielVersion
from vaecos.utils.models import TransitionLog


class EvaluationSession(models.Model):
    referentiel_version = models.ForeignKey(
        ReferentielVersion,
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name="certification",
    )
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name="branche",
        help_text="Vide : session ouverte aux candidats de toutes les branches.",
    )
    date = models.DateField("date")
    start_time = models.TimeField("heure de début")
    duration_minutes = models.PositiveSmallIntegerField(
        "durée de l'oral (minutes)", default=60, help_text="Durée prévue pour chaque candidat."
    )
    place = models.TextField("lieu", blank=True, help_text="Adresse complète de la salle.")
    video_link = models.URLField("lien de visioconférence", blank=True)
    capacity = models.PositiveSmallIntegerField("nombre de places")
    practical_details = models.TextField("informations pratiques", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        verbose_name = "session d'évaluation"
        verbose_name_plural = "sessions d'évaluation"
        ordering = ["date", "start_time", "pk"]
        # The lists of sessions: upcoming ones from the first, past ones from the last.
        indexes = [models.Index(fields=["date", "start_time", "id"], name="session_date_order")]
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="session_capacity"),
            models.CheckConstraint(
                condition=~models.Q(place="") | ~models.Q(video_link=""),
                name="session_has_place_or_link",
            ),
        ]

    def __str__(self) -> str:
        return f"Session du {self.date:%d/%m/%Y} à {self.start_time:%H:%M}"

    @property
    def starts_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.date, self.start_time)


class RegistrationStatus(models.TextChoices):
    REGISTERED = "inscrit", "Inscrit"
    CONVENED = "convoque", "Convoqué"
    EVALUATED = "evalue", "Évalué"
    ABSENT = "absent", "Absent"
    EXCUSED = "excuse", "Excusé"


class Registration(models.Model):
    session = models.ForeignKey(
        EvaluationSession,
        # A session with registrations cannot be deleted: they must be moved or withdrawn first.
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name="session",
    )
    case = models.ForeignKey(
        VaeCase, on_delete=models.PROTECT, related_name="registrations", verbose_name="parcours"
    )
    status = models.CharField(
        "statut",
        max_length=20,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.REGISTERED,
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    registered_at = models.DateTimeField("inscrit le", auto_now_add=True)
    # The transmission: the dossier the jury reads, frozen as one bundle PDF.
    dossier = models.ForeignKey(
        Dossier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
        verbose_name="Livret 2 transmis",
    )
    transmitted_at = models.DateTimeField("transmis le", null=True, blank=True)
    transmitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    bundle = models.FileField("dossier transmis (PDF)", upload_to="jury/bundles/%Y/", blank=True)
    convened_at = models.DateTimeField("convoqué le", null=True, blank=True)
    convocation = models.FileField(
        "convocation (PDF)", upload_to="jury/convocations/%Y/", blank=True
    )
    # The version of the convocation's calendar event (SEQUENCE of the .ics): 0 for the first
    # convocation, one more at each convocation sent again (the session changed, or staff
    # convened again), so calendars replace the event instead of adding another.
    convocation_sequence = models.PositiveIntegerField("version de la convocation", default=0)
    reminder_sent_at = models.DateTimeField("rappel envoyé le", null=True, blank=True)

    class Meta:
        verbose_name = "inscription à une session"
        verbose_name_plural = "inscriptions aux sessions"
        ordering = ["session", "case__candidate__last_name", "pk"]
        # The dashboard's durations: the dossiers transmitted during a period.
        indexes = [
            models.Index(fields=["transmitted_at"], name="registration_transmitted"),
            # The dashboard's transmitted registrations still waiting for a result.
            models.Index(
                fields=["session"],
                condition=models.Q(
                    status__in=["inscrit", "convoque"], transmitted_at__isnull=False
                ),
                name="registration_awaiting",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["session", "case"], name="registration_unique"),
            models.CheckConstraint(
                condition=models.Q(transmitted_at__isnull=True) | models.Q(dossier__isnull=False),
                name="registration_transmitted_has_dossier",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.candidate} — {self.session}"

    @property
    def is_transmitted(self) -> bool:
        return self.transmitted_at is not None


class RegistrationTransitionLog(TransitionLog):
    subject = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="transitions")

    class Meta:
        verbose_name = "changement de statut d'une inscription"
        verbose_name_plural = "changements de statut des inscriptions"
        ordering = ["at", "pk"]
        # The audit journal reads the newest rows first.
        indexes = [models.Index(fields=["-at", "-id"], name="registration_log_newest")]


class JuryMember(models.Model):
    session = models.ForeignKey(
        EvaluationSession, on_delete=models.CASCADE, related_name="jury", verbose_name="session"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="jury_seats",
        verbose_name="membre",
        limit_choices_to={"role": "jury"},
    )
    is_president = models.BooleanField("président", default=False)
    qualified = models.BooleanField(
        "qualifié pour la certification",
        default=False,
        help_text="Titulaire de la certification ou professionnel expérimenté du métier.",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    added_at = models.DateTimeField("ajouté le", auto_now_add=True)

    class Meta:
        verbose_name = "membre du jury"
        verbose_name_plural = "membres du jury"
        ordering = ["session", "-is_president", "user__last_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="jury_member_unique"),
            models.UniqueConstraint(
                fields=["session"],
                condition=models.Q(is_president=True),
                name="jury_one_president",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({'président' if self.is_president else 'membre'})"
