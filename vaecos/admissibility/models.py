"""The admissibility request (Livret 1, Cerfa 12818): its rubriques, experiences, decision."""

import uuid

from django.conf import settings
from django.db import models

from vaecos.cases.models import VaeCase
from vaecos.referentiels.models import Activity
from vaecos.utils.models import TransitionLog


class Nature(models.TextChoices):
    FIRST = "premiere", "1ère demande"
    RENEWAL = "renouvellement", "Renouvellement"
    EXTENSION = "prolongation", "Prolongation"


class Status(models.TextChoices):
    DRAFT = "brouillon", "Brouillon"
    SUBMITTED = "deposee", "Déposée"
    INCOMPLETE = "incomplete", "Incomplète"
    COMPLETE = "complete", "Complète, en instruction"
    FAVOURABLE = "recevable", "Recevable"
    UNFAVOURABLE = "non_recevable", "Non recevable"
    EXPIRED = "expiree", "Recevabilité expirée"


# The states in which the candidate may still change the request.
EDITABLE = (Status.DRAFT, Status.INCOMPLETE)
# The states of a request the instructeur still has to instruct.
UNDER_INSTRUCTION = (Status.SUBMITTED, Status.INCOMPLETE, Status.COMPLETE)


def queue_rank() -> models.Case:
    """0 for a request still to instruct, 1 for the others: the instructeur's queue shows them
    first."""
    return models.Case(
        models.When(status__in=UNDER_INSTRUCTION, then=models.Value(0)),
        default=models.Value(1),
        output_field=models.IntegerField(),
    )


def queue_order() -> list[models.Expression | models.F]:
    """The instructeur's queue: requests still to instruct first, then by decision date (none
    last), receipt and number. Its index (Meta.indexes) holds the same expressions: PostgreSQL
    walks the index in this order only if the query sorts by the very same ones."""
    return [
        queue_rank(),
        models.F("decision_due").asc(nulls_last=True),
        models.F("submitted_at").asc(),
        models.F("id").asc(),
    ]


class Sex(models.TextChoices):
    FEMALE = "F", "Femme"
    MALE = "M", "Homme"


class Nationality(models.TextChoices):
    FRENCH = "fr", "Française"
    EU = "ue", "Union européenne / EEE"
    OTHER = "autre", "Autre"


class CurrentSituation(models.TextChoices):
    EMPLOYED = "emploi", "En situation d'emploi"
    INACTIVE = "inactivite", "En inactivité"
    JOB_SEEKER = "recherche", "En recherche d'emploi"
    OTHER = "autre", "Autre (volontaire, mandat électoral…)"


class AdmissibilityRequest(models.Model):
    case = models.ForeignKey(
        VaeCase, on_delete=models.PROTECT, related_name="admissibility_requests"
    )
    nature = models.CharField(
        "nature de la demande", max_length=20, choices=Nature.choices, default=Nature.FIRST
    )
    blocs_only = models.BooleanField(
        "demande portant sur des blocs de compétences seulement", default=False
    )
    status = models.CharField("statut", max_length=20, choices=Status.choices, default=Status.DRAFT)
    # Rubrique 3 — état civil et situation
    birth_name = models.CharField("nom de naissance", max_length=150, blank=True)
    usage_name = models.CharField("nom d'usage", max_length=150, blank=True)
    first_names = models.CharField("prénoms", max_length=200, blank=True)
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField("date de naissance", null=True, blank=True)
    birth_city = models.CharField("commune de naissance", max_length=150, blank=True)
    birth_department = models.CharField("département de naissance", max_length=100, blank=True)
    birth_country = models.CharField("pays de naissance", max_length=100, blank=True)
    nationality = models.CharField(
        "nationalité", max_length=10, choices=Nationality.choices, blank=True
    )
    address = models.TextField("adresse actuelle", blank=True)
    phone_home = models.CharField("téléphone domicile", max_length=30, blank=True)
    phone_mobile = models.CharField("téléphone portable", max_length=30, blank=True)
    email = models.EmailField("courriel", blank=True)
    current_situation = models.CharField(
        "situation actuelle", max_length=20, choices=CurrentSituation.choices, blank=True
    )
    current_situation_details = models.TextField("précisions sur la situation", blank=True)
    disabled_worker = models.BooleanField("reconnu travailleur handicapé", default=False)
    # Rubrique 4 — formation et certifications
    last_class = models.CharField("dernière classe suivie", max_length=200, blank=True)
    highest_diploma = models.CharField(
        "titre ou diplôme le plus élevé obtenu en France", max_length=300, blank=True
    )
    other_certifications = models.TextField("autres certifications obtenues", blank=True)
    short_trainings = models.TextField("formations courtes suivies", blank=True)
    # Rubrique 6 — déclaration sur l'honneur
    sworn_no_ban = models.BooleanField("pas d'interdiction de se présenter", default=False)
    sworn_accurate = models.BooleanField("informations exactes", default=False)
    sworn_unique = models.BooleanField(
        "demande unique pour cette certification cette année", default=False
    )
    sworn_three_max = models.BooleanField("trois candidatures au plus cette année", default=False)
    signed_at_place = models.CharField("fait à", max_length=150, blank=True)
    # Instruction
    submitted_at = models.DateTimeField("reçue le", null=True, blank=True)
    missing_items = models.TextField("pièces ou informations manquantes", blank=True)
    complete_on = models.DateField("complète le", null=True, blank=True)
    decision_due = models.DateField("décision attendue au plus tard le", null=True, blank=True)
    decided_on = models.DateField("décidée le", null=True, blank=True)
    implicit = models.BooleanField("décision implicite", default=False)
    decision_reasons = models.TextField("motifs de la décision", blank=True)
    recommendations = models.TextField("préconisations de formation", blank=True)
    validity_end = models.DateField("recevable jusqu'au", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="décidée par",
    )
    # When each validity reminder went out: once each, however often the checks run.
    reminded_60_on = models.DateField("rappel à 60 jours envoyé le", null=True, blank=True)
    reminded_14_on = models.DateField("rappel à 14 jours envoyé le", null=True, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        verbose_name = "demande de recevabilité"
        verbose_name_plural = "demandes de recevabilité"
        ordering = ["-created_at"]
        indexes = [
            # The queue filtered on a status, in the queue's order; the scheduled checks.
            models.Index(
                fields=["status", "decision_due", "submitted_at", "id"],
                name="admissibility_status_queue",
            ),
            models.Index(fields=["case", "-created_at"]),
            # The whole queue (every status but drafts), in the queue's order.
            # (An index cannot say NULLS LAST on SQLite; PostgreSQL's ascending order puts them
            # last anyway, as the queue's order does.)
            models.Index(
                queue_rank(),
                models.F("decision_due"),
                models.F("submitted_at"),
                models.F("id"),
                condition=~models.Q(status="brouillon"),
                name="admissibility_queue",
            ),
            # The dashboard's favourable requests whose validity nears its end.
            models.Index(
                fields=["validity_end"],
                condition=models.Q(status="recevable"),
                name="admissibility_favourable_end",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="brouillon") | models.Q(submitted_at__isnull=False),
                name="admissibility_submitted_has_receipt",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["complete", "recevable", "non_recevable"])
                | (models.Q(complete_on__isnull=False) & models.Q(decision_due__isnull=False)),
                name="admissibility_complete_has_due_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["recevable", "expiree"])
                | (models.Q(decided_on__isnull=False) & models.Q(validity_end__isnull=False)),
                name="admissibility_favourable_has_validity",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="non_recevable") | models.Q(decided_on__isnull=False),
                name="admissibility_unfavourable_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Demande de recevabilité de {self.case.candidate} ({self.get_status_display()})"


class EmploymentStatus(models.TextChoices):
    EMPLOYEE = "salarie", "Salarié"
    SELF_EMPLOYED = "non_salarie", "Non salarié"
    VOLUNTEER = "benevole", "Bénévole"
    CIVIC_SERVICE = "volontaire", "Volontaire (service civique)"
    UNION = "syndical", "Responsabilité syndicale"
    ELECTED = "elu", "Mandat électoral"


class Experience(models.Model):
    """Rubrique 5: one experience in direct relation with the certification."""

    request = models.ForeignKey(
        AdmissibilityRequest, on_delete=models.CASCADE, related_name="experiences"
    )
    role = models.CharField("emploi ou fonction occupée", max_length=200)
    organisation = models.CharField("organisme", max_length=200)
    organisation_address = models.TextField("adresse de l'organisme", blank=True)
    status = models.CharField("statut", max_length=20, choices=EmploymentStatus.choices)
    started_on = models.DateField("du")
    ended_on = models.DateField("au", null=True, blank=True)  # empty: still going on
    hours = models.PositiveIntegerField("durée en heures")
    activities_done = models.TextField("activités exercées en rapport avec la certification")
    activities = models.ManyToManyField(
        Activity, blank=True, related_name="+", verbose_name="activités du référentiel"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "expérience"
        verbose_name_plural = "expériences"
        ordering = ["request", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="experience_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} — {self.organisation}"


class Coverage(models.TextChoices):
    COVERED = "couverte", "Couverte"
    PARTLY = "partielle", "Partiellement couverte"
    NOT_COVERED = "non_couverte", "Non couverte"


class GapAnalysis(models.Model):
    """The certifier's reading of the request, activity by activity (analyse des écarts)."""

    request = models.ForeignKey(
        AdmissibilityRequest, on_delete=models.CASCADE, related_name="gap_analysis"
    )
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="+")
    coverage = models.CharField("couverture", max_length=20, choices=Coverage.choices)
    comment = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "analyse des écarts"
        verbose_name_plural = "analyses des écarts"
        ordering = ["request", "activity__number"]
        constraints = [
            models.UniqueConstraint(fields=["request", "activity"], name="gap_one_per_activity")
        ]

    def __str__(self) -> str:
        return f"{self.activity.roman} : {self.get_coverage_display()}"


class AdmissibilityTransitionLog(TransitionLog):
    subject = models.ForeignKey(
        AdmissibilityRequest, on_delete=models.RESTRICT, related_name="transitions"
    )

    class Meta:
        verbose_name = "changement de statut de la demande"
        verbose_name_plural = "changements de statut des demandes"
        ordering = ["at", "pk"]
        # The audit journal reads the newest rows first.
        indexes = [models.Index(fields=["-at", "-id"], name="admissibility_log_newest")]


def letter_path(instance: "Letter", filename: str) -> str:
    return f"recevabilite/{instance.request_id}/{instance.kind}-{uuid.uuid4().hex}.pdf"


class LetterKind(models.TextChoices):
    ACKNOWLEDGEMENT = "accuse", "Accusé de réception"
    INCOMPLETE = "incomplete", "Demande incomplète"
    DECISION = "decision", "Notification de la décision"
    IMPLICIT = "implicite", "Décision implicite de recevabilité"


class Letter(models.Model):
    """A letter the platform wrote about a request (PDF kept as sent, never rewritten)."""

    request = models.ForeignKey(
        AdmissibilityRequest, on_delete=models.PROTECT, related_name="letters"
    )
    kind = models.CharField("type", max_length=20, choices=LetterKind.choices)
    file = models.FileField(upload_to=letter_path, max_length=255)
    created_at = models.DateTimeField("écrite le", auto_now_add=True)
    emailed_at = models.DateTimeField("envoyée par courriel le", null=True, blank=True)

    class Meta:
        verbose_name = "courrier"
        verbose_name_plural = "courriers"
        ordering = ["request", "created_at", "pk"]
        constraints = [
            # One letter of each kind per request and state: a re-run never writes it twice.
            models.UniqueConstraint(
                fields=["request", "kind"],
                condition=~models.Q(kind="incomplete"),
                name="letter_one_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.request}"


class SupportingKind(models.TextChoices):
    # Identity proofs are deleted once the decision is notified (RGPD retention, vaecos.retention).
    IDENTITY = "identite", "Pièce d'identité"
    EMPLOYMENT = "activite", "Attestation d'employeur ou justificatif d'activité"
    DIPLOMA = "diplome", "Diplôme ou certificat"
    OTHER = "autre", "Autre pièce"


def supporting_path(instance: "SupportingDocument", filename: str) -> str:
    # The stored name never comes from the user; the original name is kept in the row.
    return f"recevabilite/{instance.request_id}/pieces/{uuid.uuid4().hex}"


class SupportingDocument(models.Model):
    """A supporting document of the request (identity, certificates of employment…)."""

    request = models.ForeignKey(
        AdmissibilityRequest, on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(
        "type de pièce", max_length=20, choices=SupportingKind.choices, default=SupportingKind.OTHER
    )
    file = models.FileField(upload_to=supporting_path, max_length=255)
    original_name = models.CharField("nom du fichier", max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveBigIntegerField("taille (octets)")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "pièce justificative de la demande"
        verbose_name_plural = "pièces justificatives de la demande"
        ordering = ["request", "uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gt=0), name="supporting_not_empty")
        ]

    def __str__(self) -> str:
        return self.original_name
