import factory

from tests.accounts.factories import UserFactory
from vaecos.cases.models import VaeCase


class VaeCaseFactory(factory.django.DjangoModelFactory):
    """Needs a loaded référentiel: pass referentiel_version (use the `referentiel` fixture)."""

    class Meta:
        model = VaeCase

    candidate = factory.SubFactory(UserFactory)
    branch = factory.LazyAttribute(lambda o: o.referentiel_version.branches.first())
