"""A VAE case: one candidate seeking one certification, on the référentiel version it started on.

Admissibility, the Livret 2, the session and the jury's decision all attach to the case. Its
overall step is derived from those parts (`step`); the step with its status is also kept in
`stage`, recomputed by the database whenever a part changes (vaecos.cases.stages), for the lists
and figures that count cases by stage.
"""

from typing import Any

from django.conf import settings
from django.db import models

from vaecos.referentiels.models import Branch, ReferentielVersion


class Step(models.TextChoices):
    ADMISSIBILITY = "recevabilite", "Recevabilité"
    DOSSIER = "livret2", "Livret 2"
    EVALUATION = "evaluation", "Session d'évaluation"
    CLOSED = "clos", "Clos"


# The stage (vaecos.cases.stages) of a case without any admissibility request yet.
NO_REQUEST_STAGE = f"{Step.ADMISSIBILITY.value}:aucune"


class Coaching(models.TextChoices):
    UNDECLARED = "", "Non déclaré"
    INSTITUT_410 = "institut_410", "Accompagnement par l'Institut 4.10"
    OTHER = "autre", "Accompagnement par un autre organisme"
    NONE = "aucun", "Sans accompagnement"


# Coaching declared with an organisation: the cases the certifier's staff give a coach to.
WITH_ORGANISATION = (Coaching.INSTITUT_410, Coaching.OTHER)


def assignment_order() -> list[models.OrderBy]:
    """The staff's list of coached cases: those still without a coach first, then the earliest
    declared. The list and its index (Meta.indexes) share these expressions."""
    has_coach = models.ExpressionWrapper(
        models.Q(coach__isnull=False), output_field=models.BooleanField()
    )
    return [
        has_coach.asc(),
        models.F("coaching_declared_at").asc(),
        models.F("id").asc(),
    ]


class VaeCase(models.Model):
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="vae_cases",
        verbose_name="candidat",
    )
    referentiel_version = models.ForeignKey(
        ReferentielVersion,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name="version du référentiel",
    )
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name="branche",
        null=True,
        blank=True,
    )
    # How the candidate is coached (declared by the candidate), and by whom (set by staff).
    coaching = models.CharField(
        "accompagnement", max_length=20, choices=Coaching.choices, blank=True, default=""
    )
    coaching_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coached_cases",
        verbose_name="organisme d'accompagnement",
    )
    coaching_declared_at = models.DateTimeField("accompagnement déclaré le", null=True, blank=True)
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="coached_cases",
        verbose_name="accompagnateur",
        null=True,
        blank=True,
        limit_choices_to={"role": "accompagnateur"},
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    # "<step>:<status>", derived: written only by vaecos.cases.stages.refresh.
    stage = models.CharField(
        "étape et statut", max_length=40, default=NO_REQUEST_STAGE, editable=False
    )

    class Meta:
        verbose_name = "parcours VAE"
        verbose_name_plural = "parcours VAE"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["candidate", "-created_at"]),
            # The instructeur's list of every case, newest first.
            models.Index(fields=["-created_at", "-id"], name="case_newest_first"),
            models.Index(
                *assignment_order(),
                condition=models.Q(coaching__in=WITH_ORGANISATION),
                name="case_coach_assignment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} — {self.referentiel_version.certification.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Never writes `stage`, which the database keeps (vaecos.cases.stages): a case loaded
        before one of its parts changed holds the stage of then, and saving it must not put
        that back."""
        if not self._state.adding:
            fields = kwargs.get("update_fields")
            if fields is None:
                fields = [f.name for f in self._meta.concrete_fields if not f.primary_key]
            kwargs["update_fields"] = [name for name in fields if name != "stage"]
        super().save(*args, **kwargs)

    @property
    def certification(self):  # type: ignore[no-untyped-def]
        return self.referentiel_version.certification

    @property
    def step(self) -> Step:
        """Derived from the parts of the case that exist: a Livret 2 opens once admissibility
        is favourable; a transmitted dossier brings the evaluation; a notified total validation
        closes the case."""
        from vaecos.jury.models import Deliberation, Outcome

        notified = Deliberation.objects.filter(
            registration__case=self, status=Deliberation.Status.NOTIFIED
        )
        if notified.filter(outcome=Outcome.TOTAL).exists():
            return Step.CLOSED
        registrations = self.registrations  # type: ignore[attr-defined]
        pending = registrations.filter(transmitted_at__isnull=False).exclude(
            deliberation__status=Deliberation.Status.NOTIFIED
        )
        if pending.exists():
            return Step.EVALUATION
        if self.dossiers.exists():  # type: ignore[attr-defined]
            return Step.DOSSIER
        return Step.ADMISSIBILITY
