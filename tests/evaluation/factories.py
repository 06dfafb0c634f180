"""Sessions, registrations and juries for tests. Needs a loaded référentiel (`referentiel`)."""

import datetime

import factory
from django.utils import timezone

from tests.accounts.factories import UserFactory
from tests.admissibility.factories import AdmissibilityRequestFactory, ExperienceFactory
from tests.dossiers.factories import dossier_for
from vaecos.admissibility.models import Status
from vaecos.cases.models import VaeCase
from vaecos.evaluation.models import EvaluationSession, JuryMember, Registration


class EvaluationSessionFactory(factory.django.DjangoModelFactory):
    """Needs referentiel_version. By default two months ahead: transmission still possible."""

    class Meta:
        model = EvaluationSession

    date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))
    start_time = datetime.time(9, 30)
    place = "Ucanss, 33 avenue du Maine, 75015 Paris, salle 4"
    capacity = 8


class JuryMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JuryMember

    user = factory.SubFactory(UserFactory, jury=True)
    qualified = True


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration


def favourable_case(referentiel, candidate=None, *, validity_end=None, **case_kwargs) -> VaeCase:
    """A case whose admissibility is favourable (valid 18 months from today unless told),
    with its Livret 2 opened."""
    dossier = dossier_for(referentiel, candidate=candidate)
    case = dossier.case
    for name, value in case_kwargs.items():
        setattr(case, name, value)
    case.save()
    favourable_for(case, validity_end=validity_end)
    return case


def favourable_for(case, *, validity_end=None, organisation="CAF de Loire-Atlantique"):
    """Give an existing case a favourable admissibility (valid 18 months unless told), with one
    current experience in `organisation`."""
    today = timezone.localdate()
    request = AdmissibilityRequestFactory(
        case=case,
        filled=True,
        status=Status.FAVOURABLE,
        submitted_at=timezone.now(),
        complete_on=today,
        decision_due=today,
        decided_on=today,
        validity_end=validity_end or today + datetime.timedelta(days=540),
    )
    ExperienceFactory(request=request, organisation=organisation)
    return request


def transmittable(referentiel, candidate=None, *, validity_end=None, **case_kwargs):
    """A final Livret 2 that meets every rule, on a case with a favourable admissibility: ready
    to be transmitted (by staff unless the case is coached by Institut 4.10)."""
    from tests.dossiers.factories import complete_dossier
    from vaecos.dossiers.workflow import DOSSIER_WORKFLOW

    dossier = complete_dossier(referentiel, candidate=candidate)
    case = dossier.case
    for name, value in case_kwargs.items():
        setattr(case, name, value)
    case.save()
    favourable_for(case, validity_end=validity_end)
    DOSSIER_WORKFLOW.apply(dossier, "finalize", by=case.candidate)
    return dossier


def valid_jury(session):
    """A jury that passes every rule: a woman presiding, qualified, and a man."""
    president = JuryMemberFactory(
        session=session, is_president=True, qualified=True, user__gender="F"
    )
    member = JuryMemberFactory(session=session, qualified=False, user__gender="M")
    return [president, member]
