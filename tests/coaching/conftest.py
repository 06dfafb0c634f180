"""Shared objects of the coaching tests: Institut 4.10, its coach, a coached candidate."""

import pytest

from tests.accounts.factories import UserFactory
from vaecos.accounts.models import Organisation
from vaecos.cases.models import Coaching


@pytest.fixture
def institut(db):
    return Organisation.objects.create(name="Institut 4.10", is_institut_410=True, coaches=True)


@pytest.fixture
def other_org(db):
    return Organisation.objects.create(name="Cap VAE", coaches=True)


@pytest.fixture
def coach(institut):
    """Overrides the suite's coach: this one belongs to Institut 4.10."""
    return UserFactory(coach=True, organisation=institut, first_name="Claire", last_name="Dumas")


@pytest.fixture
def coached(dossier, coach, institut):
    """The candidate's dossier, their case coached by `coach` (Institut 4.10)."""
    case = dossier.case
    case.coaching = Coaching.INSTITUT_410
    case.coaching_organisation = institut
    case.coach = coach
    case.save()
    return dossier
