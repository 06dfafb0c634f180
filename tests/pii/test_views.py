"""The personal-data pages answer bad input with a French message, never a server error."""

import pytest
from django.urls import reverse

from vaecos.dossiers import services as dossier_services

TEXT = "J'ai reçu Mme Martine Dupont puis M. Karim Benali à l'accueil."


@pytest.fixture
def written(dossier, candidate):
    dossier_services.field_save(
        dossier=dossier, field_key="dossier.context", text=TEXT, base_revision=0, by=candidate
    )
    return dossier


def post(client, dossier, name, data):
    return client.post(reverse(f"pii:{name}", args=[dossier.pk]), data, follow=True)


def test_replace_all_says_how_many(owner, written):
    response = post(owner, written, "replace_all", {"label": "PERSON", "retour": "synthese"})
    assert "« nom de personne » → [NOM] : 2 remplacements dans tout le dossier." in response.text
    response = post(owner, written, "replace_all", {"label": "PERSON", "retour": "synthese"})
    assert "Plus aucun « nom de personne » à remplacer dans le dossier." in response.text


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("replace", {"key": "dossier.context", "label": "INCONNU", "text": "x", "start": "z"}),
        ("replace_all", {"label": "INCONNU"}),
        ("dismiss", {"label": "PERSON", "text": "   "}),
    ],
)
def test_bad_input_gets_a_french_message(owner, written, name, data):
    response = post(owner, written, name, data)
    assert response.status_code == 200
    assert "Type de donnée inconnu." in response.text or "Rien à marquer." in response.text


def test_an_unknown_field_is_not_found(owner, written):
    response = owner.get(reverse("pii:panel", args=[written.pk, "dossier.last_name"]))
    assert response.status_code == 404
    response = owner.post(
        reverse("pii:replace", args=[written.pk]), {"key": "situation.999999.title"}
    )
    assert response.status_code == 404
