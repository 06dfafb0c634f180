"""Demo admissibility requests: the demo candidate's favourable one, and a queue to instruct.

Every person here is invented; addresses are placeholders. Dates are relative to today so that
the queue always shows a deadline at risk and one overdue whatever the day `make run` is run.
"""

import datetime
from typing import Any

from django.utils import timezone

from vaecos.accounts.models import Role, User
from vaecos.admissibility import services
from vaecos.admissibility.models import AdmissibilityRequest, Coverage, EmploymentStatus, Experience
from vaecos.cases.models import VaeCase
from vaecos.cases.services import case_open
from vaecos.referentiels.models import ReferentielVersion

# (first name, last name, branch, state, days since the request was complete or received)
QUEUE = [
    ("Léa", "Bernard", "famille", "deposee", 3),
    ("Hugo", "Petitjean", "maladie", "incomplete", 12),
    ("Inès", "Roux", "recouvrement", "complete", 55),  # decision due within days: at risk
    ("Karim", "Faure", "famille", "complete", 20),
    ("Manon", "Girard", "maladie", "non_recevable", 90),
    ("Théo", "Lambert", "famille", "brouillon", 0),
]


def _fill(request: AdmissibilityRequest, user: User, activities: list[Any]) -> None:
    for name, value in {
        "birth_name": user.last_name.upper(),
        "first_names": user.first_name,
        "sex": "F" if user.first_name in ("Camille", "Léa", "Inès", "Manon") else "M",
        "birth_date": datetime.date(1987, 3, 14),
        "birth_city": "Nantes",
        "birth_department": "Loire-Atlantique",
        "birth_country": "France",
        "nationality": "fr",
        "address": "[adresse fictive de démonstration]",
        "email": user.email,
        "current_situation": "emploi",
        "highest_diploma": "Baccalauréat STMG",
        "signed_at_place": "Saint-Nazaire",
        "sworn_no_ban": True,
        "sworn_accurate": True,
        "sworn_unique": True,
        "sworn_three_max": True,
    }.items():
        setattr(request, name, value)
    request.save()
    experience = Experience.objects.create(
        request=request,
        role="Conseiller·ère offres de services",
        organisation="Caisse de sécurité sociale (démonstration)",
        status=EmploymentStatus.EMPLOYEE,
        started_on=datetime.date(2019, 9, 1),
        hours=7_500,
        activities_done=(
            "Accueil physique et téléphonique, information sur les droits, accompagnement aux "
            "démarches en ligne, saisie et numérisation des pièces."
        ),
    )
    experience.activities.set(activities)


def _at(days_ago: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days_ago)


def _gaps(version: ReferentielVersion, coverage: str) -> dict[int, tuple[str, str]]:
    return {
        a.pk: (coverage, f"Expérience décrite pour l'activité {a.roman}.")
        for a in version.activities.all()
    }


def _advance(
    request: AdmissibilityRequest, state: str, days: int, user: User, instructor: User
) -> None:
    if state == "brouillon":
        return
    services.request_submit(request=request, by=user, now=_at(days + 2))
    if state == "incomplete":
        services.request_declare_incomplete(
            request=request,
            by=instructor,
            missing_items="L'attestation d'emploi de votre employeur.",
        )
        return
    if state == "deposee":
        return
    on = timezone.localdate() - datetime.timedelta(days=days)
    services.request_declare_complete(request=request, by=instructor, on=on)
    if state == "complete":
        return
    version = request.case.referentiel_version
    favourable = state == "recevable"
    services.request_decide(
        request=request,
        by=instructor,
        favourable=favourable,
        gaps=_gaps(version, Coverage.COVERED if favourable else Coverage.NOT_COVERED),
        reasons="" if favourable else "Expérience sans rapport direct avec le métier visé.",
        recommendations="Un module sur les outils numériques de la branche." if favourable else "",
        on=on + datetime.timedelta(days=20),
    )


def load_admissibility(
    *, case: VaeCase, candidate: User, instructor: User, version: ReferentielVersion
) -> None:
    activities = list(version.activities.all())
    if not case.admissibility_requests.exists():  # type: ignore[attr-defined]
        request = services.request_open(case=case, by=candidate)
        _fill(request, candidate, activities)
        _advance(request, "recevable", 120, candidate, instructor)
    for first, last, branch_code, state, days in QUEUE:
        email = f"{first.lower()}.{last.lower()}@demo.test".replace("é", "e").replace("è", "e")
        user, created = User.objects.get_or_create(
            email=email,
            defaults={"first_name": first, "last_name": last, "role": Role.CANDIDATE},
        )
        if not created:
            continue
        user.set_unusable_password()
        user.save(update_fields=["password"])
        other = case_open(
            candidate=user,
            referentiel_version=version,
            branch=version.branches.filter(code=branch_code).first(),
        )
        request = services.request_open(case=other, by=user)
        _fill(request, user, activities)
        _advance(request, state, days, user, instructor)
