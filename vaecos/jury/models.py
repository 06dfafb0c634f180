"""The jury's work on one registration: the evaluation grid, private notes, votes per bloc, the
deliberation (decision per bloc), each member's signature, and the blocs acquired for good.

Deliberation lifecycle (docs: lifecycle.md): draft (members fill grids) → deliberated (decision
per bloc; president's casting vote on a tie) → signed (each member confirms) → notified (result
letter; attestation of validated blocs).
"""

from django.conf import settings
from django.db import models

from vaecos.evaluation.models import Registration
from vaecos.referentiels.models import Activity, Certification, Competence
from vaecos.utils.models import TransitionLog


class Outcome(models.TextChoices):
    TOTAL = "totale", "Validation totale"
    PARTIAL = "partielle", "Validation partielle"
    NONE = "aucune", "Aucune validation"
    ABSENT = "absent", "Candidat absent"
    EXCUSED = "excuse", "Candidat excusé"


class Assessment(models.TextChoices):
    UNSET = "", "Non renseigné"
    ACQUIRED = "acquis", "Acquis"
    NOT_ACQUIRED = "non_acquis", "Non acquis"
    TO_CHECK = "a_verifier", "À vérifier à l'oral"


class Deliberation(models.Model):
    class Status(models.TextChoices):
        DRAFT = "brouillon", "En préparation"
        DELIBERATED = "delibere", "Délibérée"
        SIGNED = "signe", "Signée"
        NOTIFIED = "notifie", "Notifiée"

    registration = models.OneToOneField(
        Registration, on_delete=models.PROTECT, related_name="deliberation"
    )
    status = models.CharField("statut", max_length=20, choices=Status.choices, default=Status.DRAFT)
    outcome = models.CharField("décision", max_length=20, choices=Outcome.choices, blank=True)
    reasons = models.TextField("motifs", blank=True)
    competences_to_prove = models.TextField("compétences restant à démontrer", blank=True)
    casting_vote_used = models.BooleanField("voix prépondérante utilisée", default=False)
    deliberated_at = models.DateTimeField("délibéré le", null=True, blank=True)
    deliberated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    signed_at = models.DateTimeField("signé le", null=True, blank=True)
    notified_at = models.DateTimeField("notifié le", null=True, blank=True)
    minutes = models.FileField("procès-verbal (PDF)", upload_to="jury/pv/%Y/", blank=True)
    result_letter = models.FileField(
        "lettre de résultat (PDF)", upload_to="jury/resultats/%Y/", blank=True
    )
    # Who deliberated, fixed when the president records the decision: they, and only they,
    # sign the procès-verbal, which lists them (a member added later neither signs nor appears).
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="DeliberationMember",
        related_name="+",
        blank=True,
        verbose_name="membres ayant délibéré",
    )

    class Meta:
        verbose_name = "délibération"
        verbose_name_plural = "délibérations"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="brouillon") | ~models.Q(outcome=""),
                name="deliberation_decided_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"Délibération — {self.registration}"


class DeliberationMember(models.Model):
    """A member of the jury as they sat when the decision was recorded (role and qualification
    included): the procès-verbal states this jury, whatever happens to the session's later."""

    deliberation = models.ForeignKey(Deliberation, on_delete=models.CASCADE, related_name="panel")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_president = models.BooleanField("président du jury", default=False)
    qualified = models.BooleanField("qualifié pour la certification", default=False)

    class Meta:
        verbose_name = "membre ayant délibéré"
        verbose_name_plural = "membres ayant délibéré"
        ordering = ["-is_president", "user__last_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["deliberation", "user"], name="deliberation_member_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.deliberation}"


class DeliberationTransitionLog(TransitionLog):
    subject = models.ForeignKey(Deliberation, on_delete=models.CASCADE, related_name="transitions")

    class Meta:
        verbose_name = "changement de statut d'une délibération"
        verbose_name_plural = "changements de statut des délibérations"
        ordering = ["at", "pk"]
        # The audit journal reads the newest rows first.
        indexes = [models.Index(fields=["-at", "-id"], name="deliberation_log_newest")]


class GridEntry(models.Model):
    """One line of the jury's shared grid: a bloc as a whole (competence empty) or one of its
    competences. `version` grows at each save, so two members saving at once cannot overwrite
    each other silently."""

    deliberation = models.ForeignKey(Deliberation, on_delete=models.CASCADE, related_name="grid")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="+")
    competence = models.ForeignKey(
        Competence, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    assessment = models.CharField(
        "appréciation", max_length=20, choices=Assessment.choices, blank=True
    )
    observation = models.TextField("observations", blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    updated_at = models.DateTimeField("modifié le", null=True, blank=True)

    class Meta:
        verbose_name = "ligne de grille d'évaluation"
        verbose_name_plural = "lignes de grille d'évaluation"
        ordering = ["activity__number", "competence__position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["deliberation", "activity"],
                condition=models.Q(competence__isnull=True),
                name="grid_one_bloc_line",
            ),
            models.UniqueConstraint(
                fields=["deliberation", "competence"],
                condition=models.Q(competence__isnull=False),
                name="grid_one_competence_line",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competence or self.activity} : {self.get_assessment_display()}"


class PreparationNote(models.Model):
    """A jury member's private notes on one candidate: no one else ever reads them."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField("notes de préparation", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "note de préparation"
        verbose_name_plural = "notes de préparation"
        constraints = [
            models.UniqueConstraint(fields=["registration", "member"], name="note_unique"),
        ]

    def __str__(self) -> str:
        return f"Notes de {self.member}"


class BlocVote(models.Model):
    deliberation = models.ForeignKey(Deliberation, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="+")
    validated = models.BooleanField("bloc validé")
    at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "vote sur un bloc"
        verbose_name_plural = "votes sur les blocs"
        constraints = [
            models.UniqueConstraint(
                fields=["deliberation", "member", "activity"], name="vote_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} : {self.activity.bloc_code} {'validé' if self.validated else 'non validé'}"


class BlocResult(models.Model):
    deliberation = models.ForeignKey(Deliberation, on_delete=models.CASCADE, related_name="results")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="+")
    validated = models.BooleanField("bloc validé")
    votes_for = models.PositiveSmallIntegerField(default=0)
    votes_against = models.PositiveSmallIntegerField(default=0)
    casting_vote = models.BooleanField("départagé par la voix du président", default=False)

    class Meta:
        verbose_name = "décision sur un bloc"
        verbose_name_plural = "décisions sur les blocs"
        ordering = ["activity__number"]
        constraints = [
            models.UniqueConstraint(fields=["deliberation", "activity"], name="result_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.activity.bloc_code} : {'validé' if self.validated else 'non validé'}"


class Signature(models.Model):
    deliberation = models.ForeignKey(
        Deliberation, on_delete=models.CASCADE, related_name="signatures"
    )
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField("confirmé le", auto_now_add=True)

    class Meta:
        verbose_name = "signature du procès-verbal"
        verbose_name_plural = "signatures des procès-verbaux"
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["deliberation", "member"], name="signature_unique"),
        ]

    def __str__(self) -> str:
        return f"Signature de {self.member}"


class AcquiredBloc(models.Model):
    """A bloc validated by a jury: kept on the candidate's record for good (D. 6412-6); a new
    attempt at the same certification asks only for the missing blocs."""

    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="acquired_blocs"
    )
    certification = models.ForeignKey(Certification, on_delete=models.PROTECT, related_name="+")
    bloc_code = models.CharField("code du bloc", max_length=32)
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="+")
    deliberation = models.ForeignKey(
        Deliberation, on_delete=models.PROTECT, related_name="acquired_blocs"
    )
    acquired_on = models.DateField("validé le")

    class Meta:
        verbose_name = "bloc acquis"
        verbose_name_plural = "blocs acquis"
        ordering = ["candidate", "activity__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "certification", "bloc_code"], name="acquired_bloc_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bloc_code} — {self.candidate}"
