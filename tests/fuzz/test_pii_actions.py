"""Hostile input on the personal-data actions of a Livret 2: never a server error.

The dossier holds real findings (names, an e-mail address, a phone number) in a text part and in
a PDF; hypothesis mixes their true labels, texts and positions with anything else, and plays the
file actions (prepare a redacted copy, confirm, discard, "checked by eye") in any order. Every
answer is a redirect with one French message, or a 404 for a field that is not the dossier's.
"""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.files import png_bytes, upload
from tests.fuzz.helpers import (
    FIELD_KEYS,
    FUZZ,
    FUZZ_FEW,
    TEXT_WITH_NUL,
    flashed,
    looks_french,
    no_server_error,
)
from tests.fuzz.helpers import signed_in as client_of
from tests.pii.pdfs import text_pdf
from vaecos.dossiers import services as dossier_services
from vaecos.pii import services
from vaecos.pii.detection import LABELS
from vaecos.pii.models import Dismissal

TEXT = (
    "J'ai reçu Mme Martine Dupont (martine.dupont@exemple.fr, 06 12 34 56 78) puis M. Karim "
    "Benali à l'accueil de la caisse."
)


@pytest.fixture
def written(dossier, situation, candidate, tmp_path):
    for key in ("dossier.context", f"situation.{situation.pk}.description"):
        dossier_services.field_save(
            dossier=dossier, field_key=key, text=TEXT, base_revision=0, by=candidate
        )
    pdf = text_pdf(tmp_path, "Attestation pour Martine Dupont, née le 12/03/1975.\n" + TEXT)
    files = [
        dossier_services.attachment_add(
            dossier=dossier,
            upload=upload("attestation.pdf", pdf),
            kind="evidence",
            by=candidate,
            situation=situation,
        ),
        dossier_services.attachment_add(
            dossier=dossier, upload=upload("photo.png", png_bytes()), kind="cv", by=candidate
        ),
    ]
    Dismissal.objects.create(dossier=dossier, label="PERSON", value="caf", text="CAF", by=candidate)
    findings = services.Scanner(dossier).findings("dossier.context", TEXT)
    assert findings, "the text must hold findings for the actions to have something to act on"
    return dossier, f"situation.{situation.pk}.description", findings, files


def answered(response) -> None:
    """A redirect with one message in French, or a 404 (a field that is not the dossier's)."""
    if response.status_code == 404:
        return
    assert response.status_code == 302, response.status_code
    [(_, message)] = flashed(response)
    assert looks_french(message), message


@FUZZ
@given(data=st.data())
def test_replace_dismiss_and_cancel(candidate, written, data):
    dossier, situation_key, findings, _ = written
    found = data.draw(st.sampled_from(findings), label="finding")
    keys = st.sampled_from(["dossier.context", situation_key, "dossier.last_name"]) | FIELD_KEYS
    with_nul = st.integers(0, len(found.text)).map(
        lambda at: found.text[:at] + "\x00" + found.text[at:]
    )
    body = data.draw(
        st.fixed_dictionaries(
            {},
            optional={
                "key": keys | TEXT_WITH_NUL,
                "label": st.sampled_from([found.label, *LABELS]) | TEXT_WITH_NUL,
                "text": st.sampled_from([found.text, found.text.upper()])
                | with_nul
                | TEXT_WITH_NUL,
                "start": st.sampled_from([str(found.start), str(found.start + 1)]) | TEXT_WITH_NUL,
                "retour": st.sampled_from(["synthese", ""]) | TEXT_WITH_NUL,
            },
        ),
        label="body",
    )
    action = data.draw(st.sampled_from(["replace", "replace_all", "dismiss"]), label="action")
    url = reverse(f"pii:{action}", args=[dossier.pk])
    answered(no_server_error(client_of(candidate), url, body, keep_nul=True))

    # An index, not a pk: what there is to draw from changes with what the examples did.
    dismissals = list(Dismissal.objects.filter(dossier=dossier).values_list("pk", flat=True))
    which = data.draw(st.integers(0, 7), label="dismissal")
    pk = [*dismissals, 0, 2**31, 10**20][which % (len(dismissals) + 3)]
    url = reverse("pii:dismissal_cancel", args=[dossier.pk, pk])
    answered(no_server_error(client_of(candidate), url, body, keep_nul=True))


@FUZZ_FEW
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["file_redact", "file_confirm", "file_discard", "file_eye_check"]),
            st.sampled_from([0, 1]),
            st.dictionaries(st.text(min_size=1, max_size=8), TEXT_WITH_NUL, max_size=2),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_the_file_actions_in_any_order(candidate, written, steps):
    dossier, _, _, files = written
    for action, which, stray in steps:
        url = reverse(f"pii:{action}", args=[dossier.pk, files[which].pk])
        response = no_server_error(client_of(candidate), url, stray, keep_nul=True)
        answered(response)
        # The confirmation replaces the file: the row stays, under the same id.
        assert response.status_code == 302
