"""The personal-data actions with what a robot sends: a NUL character in the text, a field key
spelt with other digits. Found by the fuzz tests (tests/fuzz): both were server errors."""

import html

import pytest
from django.urls import reverse

from vaecos.dossiers import services as dossier_services
from vaecos.dossiers.models import FieldRevision
from vaecos.pii.models import Dismissal

TEXT = "J'ai reçu Mme Martine Dupont à l'accueil."


@pytest.fixture
def written(dossier, situation, candidate):
    dossier_services.field_save(
        dossier=dossier,
        field_key=f"situation.{situation.pk}.description",
        text=TEXT,
        base_revision=0,
        by=candidate,
    )
    return dossier


def test_a_nul_in_a_dismissed_text_is_dropped(owner, written):
    """PostgreSQL refuses NUL in text: it was a server error there."""
    response = owner.post(
        reverse("pii:dismiss", args=[written.pk]),
        {"label": "PERSON", "text": "Martine\x00 Dupont", "retour": "synthese"},
        follow=True,
    )

    assert response.status_code == 200
    dismissal = Dismissal.objects.get()
    assert (dismissal.text, dismissal.value) == ("Martine Dupont", "martine dupont")
    assert "« Martine Dupont » n'est plus signalé dans ce dossier." in html.unescape(response.text)


def test_only_nul_is_nothing_to_dismiss(owner, written):
    response = owner.post(
        reverse("pii:dismiss", args=[written.pk]), {"label": "PERSON", "text": "\x00"}, follow=True
    )

    assert "Rien à marquer." in response.text
    assert not Dismissal.objects.exists()


@pytest.mark.parametrize("digits", ["²", "١"], ids=["superscript", "arabic-indic"])
def test_a_key_with_other_digits_is_not_found(owner, written, situation, digits):
    key = f"situation.{digits}.description"
    revisions = FieldRevision.objects.count()

    replaced = owner.post(
        reverse("pii:replace", args=[written.pk]),
        {"key": key, "label": "PERSON", "text": "Martine Dupont", "start": "10"},
    )

    assert replaced.status_code == 404
    assert FieldRevision.objects.count() == revisions
