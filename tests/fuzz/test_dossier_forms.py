"""Hostile input on the Livret 2's own forms (autosave, branch, situation options): never a
server error."""

import pytest
from django.urls import reverse
from hypothesis import given

from tests.dossiers.factories import dossier_for
from tests.fuzz.helpers import FUZZ, no_server_error, signed_in, values
from vaecos.dossiers import services


@pytest.fixture
def dossier(referentiel, candidate):
    return dossier_for(referentiel, candidate=candidate)


@FUZZ
@given(
    save=values("text", "base_revision", "save_id", "previous_save_id"),
    header=values("branch"),
    options=values("included", "context_mode", "competences"),
)
def test_the_candidates_dossier_forms(dossier, save, header, options):
    client = signed_in(dossier.case.candidate)
    activity = dossier.referentiel_version.activities.get(number=2)
    situation = services.situation_add(
        dossier=dossier, activity=activity, by=dossier.case.candidate
    )
    for key in ("dossier.context", f"situation.{situation.pk}.title", "nimporte.quoi"):
        no_server_error(client, reverse("dossiers:field_save", args=[dossier.pk, key]), save)
    no_server_error(client, reverse("dossiers:header", args=[dossier.pk]), header)
    no_server_error(
        client, reverse("dossiers:situation_options", args=[dossier.pk, situation.pk]), options
    )
