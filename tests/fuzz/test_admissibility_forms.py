"""Hostile input on the admissibility request's forms (Livret 1) and its instruction: never a
server error. Field names come from the forms themselves, so a new field is fuzzed too."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.accounts.factories import UserFactory
from tests.admissibility.factories import ready_request
from tests.fuzz.helpers import FUZZ, no_server_error, signed_in, values
from vaecos.admissibility import services
from vaecos.www.admissibility import forms


@pytest.fixture
def draft(referentiel, candidate):
    return ready_request(referentiel, candidate=candidate)


@pytest.fixture
def submitted(referentiel):
    request = ready_request(referentiel)
    return services.request_submit(request=request, by=request.case.candidate)


@FUZZ
@given(
    identity=values(*forms.IdentityForm.base_fields),
    sworn=values(*forms.SwornForm.base_fields),
    experience=values(*forms.ExperienceForm.base_fields),
)
def test_the_candidates_forms(draft, identity, sworn, experience):
    client = signed_in(draft.case.candidate)
    no_server_error(client, reverse("admissibility:identity", args=[draft.pk]), identity)
    no_server_error(client, reverse("admissibility:sworn", args=[draft.pk]), sworn)
    no_server_error(client, reverse("admissibility:experience_add", args=[draft.pk]), experience)


@FUZZ
@given(data=st.data())
def test_the_instruction_form(submitted, data):
    activities = list(submitted.case.referentiel_version.activities.all())
    names = [
        *(f"incomplete-{name}" for name in forms.IncompleteForm.base_fields),
        *(f"complete-{name}" for name in forms.CompleteForm.base_fields),
        *(f"decision-{name}" for name in forms.DecisionForm(activities=activities).fields),
    ]
    post = data.draw(values(*names))
    post["action"] = data.draw(st.sampled_from(["incomplete", "complete", "decide", "", "autre"]))
    no_server_error(
        signed_in(UserFactory(instructor=True)),
        reverse("admissibility:instruct", args=[submitted.pk]),
        post,
    )
