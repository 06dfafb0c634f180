"""A field key in a URL is spelt one way only: other digits than 0-9 name no field.

`str.isdigit()` is true of "²" (int() then fails: it was a server error) and of "١" (Arabic-
Indic one: the field of situation 1 got a second history under another key). Found by the fuzz
tests (tests/fuzz).
"""

import pytest
from django.urls import reverse

from vaecos.dossiers.models import FieldRevision

PAGES = [
    ("dossiers:field_history", "get", {}),
    ("dossiers:field_restore", "post", {"number": "1"}),
    ("pii:panel", "get", {}),
]


def url(name: str, dossier, key: str) -> str:
    """The page's URL with this key, written by hand: reverse() refuses a key it would not
    resolve either."""
    return reverse(name, args=[dossier.pk, "dossier.context"]).replace("dossier.context", key)


@pytest.mark.parametrize(("name", "method", "data"), PAGES, ids=[p[0] for p in PAGES])
@pytest.mark.parametrize("digits", ["²", "١", "𝟙", "1\x00"], ids=["super", "arabic", "math", "nul"])
def test_a_key_with_other_digits_is_not_found(
    owner, dossier, situation, name, method, data, digits
):
    key = f"situation.{digits.replace('1', str(situation.pk))}.title"

    response = getattr(owner, method)(url(name, dossier, key), data)

    assert response.status_code == 404
    assert not FieldRevision.objects.exists()


SAVE = {"text": "Un titre", "base_revision": "0"}


@pytest.mark.parametrize("digits", ["²", "١", "𝟙", "1\x00"], ids=["super", "arabic", "math", "nul"])
def test_the_autosave_refuses_such_a_key_as_an_unknown_field(owner, dossier, situation, digits):
    """The autosave's script reads a 400 with its JSON message (a 404 page it would not)."""
    key = f"situation.{digits.replace('1', str(situation.pk))}.title"

    response = owner.post(url("dossiers:field_save", dossier, key), SAVE)

    assert response.status_code == 400
    assert response.json() == {"error": "Ce champ n'existe pas dans ce dossier."}
    assert not FieldRevision.objects.exists()


def test_the_canonical_key_still_saves(owner, dossier, situation):
    key = f"situation.{situation.pk}.title"

    response = owner.post(url("dossiers:field_save", dossier, key), SAVE)

    assert response.status_code == 200
    assert FieldRevision.objects.get().field_key == key
