"""A change sent to a frozen Livret 2: its owner is told why, everyone else still gets 404."""

import pytest
from django.urls import reverse

from tests.dossiers.factories import dossier_for
from vaecos.dossiers.models import DossierStatus, Situation


@pytest.fixture
def frozen(referentiel, candidate):
    dossier = dossier_for(referentiel, candidate=candidate)
    dossier.status = DossierStatus.FINAL
    dossier.save(update_fields=["status"])
    return dossier


def test_the_owner_is_told_the_dossier_is_frozen_and_nothing_changes(client, candidate, frozen):
    client.force_login(candidate)
    url = reverse("dossiers:situation_add", args=[frozen.pk, 1])

    response = client.post(url, follow=True)

    assert response.redirect_chain[-1][0] == reverse("dossiers:overview", args=[frozen.pk])
    assert "« Finalisé » : il n&#x27;est plus modifiable" in response.content.decode()
    assert not Situation.objects.filter(dossier=frozen).exists()


def test_an_htmx_change_to_a_frozen_dossier_gets_409_with_the_reason(client, candidate, frozen):
    client.force_login(candidate)
    url = reverse("dossiers:situation_add", args=[frozen.pk, 1])

    response = client.post(url, headers={"HX-Request": "true"})

    assert response.status_code == 409
    assert "plus modifiable" in response.content.decode()


def test_someone_else_still_gets_404_on_a_frozen_dossier(client, other_candidate, frozen):
    client.force_login(other_candidate)

    response = client.post(reverse("dossiers:situation_add", args=[frozen.pk, 1]))

    assert response.status_code == 404
