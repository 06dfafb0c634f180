import datetime

import factory

from tests.cases.factories import VaeCaseFactory
from vaecos.admissibility.models import AdmissibilityRequest, EmploymentStatus, Experience


class AdmissibilityRequestFactory(factory.django.DjangoModelFactory):
    """Needs `case` (or referentiel_version through case=VaeCaseFactory(...))."""

    class Meta:
        model = AdmissibilityRequest

    case = factory.SubFactory(VaeCaseFactory)

    class Params:
        # Every rubrique of the Cerfa filled in and every sworn statement ticked.
        filled = factory.Trait(
            birth_name="MARTIN",
            first_names="Camille Anne",
            sex="F",
            birth_date=datetime.date(1988, 4, 12),
            birth_city="Nantes",
            birth_department="Loire-Atlantique",
            birth_country="France",
            nationality="fr",
            address="[adresse fictive]",
            email="camille.martin@exemple.test",
            current_situation="emploi",
            signed_at_place="Saint-Nazaire",
            sworn_no_ban=True,
            sworn_accurate=True,
            sworn_unique=True,
            sworn_three_max=True,
        )


class ExperienceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Experience

    role = "Conseillère offres de services"
    organisation = "CAF de Loire-Atlantique"
    status = EmploymentStatus.EMPLOYEE
    started_on = datetime.date(2019, 9, 1)
    ended_on = None
    hours = 1607
    activities_done = "Accueil, information et orientation des allocataires."


def ready_request(referentiel, candidate=None, **kwargs) -> AdmissibilityRequest:
    """A draft that can be submitted: filled, with one experience of 1,607 hours."""
    case_kwargs = {"referentiel_version": referentiel}
    if candidate is not None:
        case_kwargs["candidate"] = candidate
    request = AdmissibilityRequestFactory(case=VaeCaseFactory(**case_kwargs), filled=True, **kwargs)
    ExperienceFactory(request=request)
    return request
