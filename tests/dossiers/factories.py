import factory

from tests.cases.factories import VaeCaseFactory
from vaecos.dossiers import services
from vaecos.dossiers.models import Dossier, Situation


def dossier_for(referentiel_version, candidate=None) -> Dossier:
    """A dossier opened the way the platform opens it (header prefilled, transition logged)."""
    kwargs = {"referentiel_version": referentiel_version}
    if candidate is not None:
        kwargs["candidate"] = candidate
    case = VaeCaseFactory(**kwargs)
    return services.dossier_open(case=case)


class SituationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Situation

    activity = factory.LazyAttribute(lambda o: o.dossier.referentiel_version.activities.first())
    position = factory.Sequence(int)
    title = "Une situation"
