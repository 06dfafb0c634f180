"""What is checked before a request is submitted: completeness, experience, yearly limits.

Experience below the minimum is a warning, never a block; the yearly limits block (Cerfa 12818:
one request per certification per calendar year, at most three certifications a year; requests
for blocs only are exempt).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from vaecos.admissibility.models import AdmissibilityRequest, Status

REQUIRED_FIELDS = {
    "birth_name": "le nom de naissance",
    "first_names": "les prénoms",
    "sex": "le sexe",
    "birth_date": "la date de naissance",
    "birth_city": "la commune de naissance",
    "birth_country": "le pays de naissance",
    "nationality": "la nationalité",
    "address": "l'adresse",
    "email": "le courriel",
    "current_situation": "la situation actuelle",
    "signed_at_place": "le lieu de signature (« fait à »)",
}
SWORN = {
    "sworn_no_ban": "l'absence d'interdiction de se présenter",
    "sworn_accurate": "l'exactitude des informations",
    "sworn_unique": "l'unicité de la demande pour cette certification cette année",
    "sworn_three_max": "l'engagement de trois candidatures au plus cette année",
}


@dataclass
class Precheck:
    total_hours: int
    min_hours: int
    missing: list[str] = field(default_factory=list)  # blocks: the form is not finished
    blocking: list[str] = field(default_factory=list)  # blocks: a rule forbids the request
    warnings: list[str] = field(default_factory=list)  # shown, never blocking

    @property
    def can_submit(self) -> bool:
        return not self.missing and not self.blocking


def _counted_this_year(request: AdmissibilityRequest, year: int):  # type: ignore[no-untyped-def]
    """The candidate's other requests that count for this year's limits."""
    return (
        AdmissibilityRequest.objects.filter(
            case__candidate_id=request.case.candidate_id,
            submitted_at__year=year,
            blocs_only=False,
        )
        .exclude(pk=request.pk)
        .exclude(status=Status.DRAFT)
    )


def yearly_limits(request: AdmissibilityRequest, today: datetime.date) -> list[str]:
    if request.blocs_only:
        return []
    # A resubmission belongs to the year the request was first received.
    year = timezone.localdate(request.submitted_at).year if request.submitted_at else today.year
    others = _counted_this_year(request, year)
    certification_id = request.case.referentiel_version.certification_id
    refusals = []
    if others.filter(case__referentiel_version__certification_id=certification_id).exists():
        refusals.append(
            f"Vous avez déjà déposé une demande pour cette certification en {year} : "
            "une seule demande par certification est possible par année civile."
        )
    certifications = set(
        others.values_list("case__referentiel_version__certification_id", flat=True)
    )
    maximum = settings.ADMISSIBILITY_MAX_CERTIFICATIONS_PER_YEAR
    if certification_id not in certifications and len(certifications) >= maximum:
        refusals.append(
            f"Vous avez déjà déposé des demandes pour {len(certifications)} certifications en "
            f"{year} : {maximum} au plus sont possibles par année civile."
        )
    return refusals


def precheck(request: AdmissibilityRequest, today: datetime.date) -> Precheck:
    total = request.experiences.aggregate(total=Sum("hours"))["total"] or 0
    result = Precheck(total_hours=total, min_hours=settings.ADMISSIBILITY_MIN_HOURS)
    for name, label in REQUIRED_FIELDS.items():
        if getattr(request, name) in (None, ""):
            result.missing.append(f"Indiquez {label}.")
    if request.birth_date and request.birth_date >= today:
        result.missing.append("La date de naissance doit être passée.")
    if not request.experiences.exists():
        result.missing.append("Décrivez au moins une expérience en rapport avec la certification.")
    for experience in request.experiences.all():
        if experience.started_on > today or (experience.ended_on and experience.ended_on > today):
            result.missing.append(
                f"L'expérience « {experience.role} » a une période dans le futur : "
                "seules les expériences passées ou en cours comptent."
            )
    unsworn = [label for name, label in SWORN.items() if not getattr(request, name)]
    if unsworn:
        result.missing.append(
            "Cochez chaque déclaration sur l'honneur : " + ", ".join(unsworn) + "."
        )
    result.blocking.extend(yearly_limits(request, today))
    if total < result.min_hours:
        result.warnings.append(
            f"Votre expérience déclarée totalise {total} heures, moins que les {result.min_hours} "
            "heures (un an à temps plein) qui servent de repère. Vous pouvez déposer votre "
            "demande : le certificateur appréciera votre expérience."
        )
    return result
