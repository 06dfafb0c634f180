"""Personal data in Chromium: highlights after a save, replace and dismiss, the gate before the
jury, and a PDF redacted for good."""

import io
import re

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from stdnum.fr import nir

from tests.browser.helpers import CANDIDATE, expect_saved, field, screenshot, sign_in, type_at_end
from tests.browser.test_accessibility import _violations
from tests.pii.pdfs import text_pdf

pytestmark = pytest.mark.browser

NIR = "2840569123456" + nir.calc_check_digits("2840569123456")
PARAGRAPH = f" Ce jour-là, Mme Martine Dupont (NIR {NIR}) m'a rappelée au 06 12 34 56 78."
CONTEXT = "Contexte de l'organisme"


def _no_axe_problems(page: Page, where: str) -> None:
    problems = _violations(page)
    assert not problems, f"{where} :\n" + "\n".join(problems)


def _gate(page: Page, base: str) -> str:
    page.goto(f"{base}/donnees-personnelles/")
    return page.locator("[data-vaecos-gate]").get_attribute("data-vaecos-gate") or ""


def test_findings_are_replaced_dismissed_and_gate_the_transmission(
    live_server, page, demo, tmp_path
):
    dossier = demo["dossier"]
    base = f"{live_server.url}/livret2/{dossier.pk}"
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server.url, CANDIDATE)

    # The demo's screenshot is an image: the scan cannot read it, the candidate checks it by eye.
    assert _gate(page, base) == "bloque"
    expect(page.locator("[data-vaecos-gate] li")).to_contain_text("à vérifier à l'œil")
    _no_axe_problems(page, "données personnelles")
    page.get_by_role("link", name="Pièce « capture-mon-compte-anonymisee.png »").click()
    page.get_by_role(
        "button", name="J'ai vérifié : aucune donnée personnelle n'est visible"
    ).click()
    expect(page.get_by_text("Vérifié à l'œil le")).to_be_visible()
    assert _gate(page, base) == "possible"

    # The candidate writes a paragraph with a name, a NIR and a phone number.
    page.goto(f"{base}/contexte/")
    type_at_end(page, CONTEXT, PARAGRAPH)
    expect_saved(page, CONTEXT)
    panel = field(page, CONTEXT).locator(".vaecos-pii")
    marks = panel.locator("mark")
    expect(marks).to_have_count(3)
    expect(marks).to_have_text(["Martine Dupont", NIR, "06 12 34 56 78"])
    rows = panel.locator("[data-vaecos-pii-finding]")
    expect(rows.nth(0)).to_contain_text("Nom de personne : …")
    expect(rows.nth(0)).to_contain_text(f"Ce jour-là, Mme Martine Dupont (NIR {NIR}) m'a")
    expect(rows.nth(1)).to_contain_text("Numéro de sécurité sociale (NIR) :")
    expect(rows.nth(2)).to_contain_text("Numéro de téléphone :")
    screenshot(page, "donnees-personnelles-reperees")
    _no_axe_problems(page, "contexte avec repérages")

    # Two replaced, each a new revision of the text.
    panel.get_by_role("button", name=f"Remplacer par [NIR] : « {NIR} »").click()
    expect(page.get_by_text(f"« {NIR} » a été remplacé par [NIR].")).to_be_visible()
    panel = field(page, CONTEXT).locator(".vaecos-pii")
    panel.get_by_role("button", name="Remplacer par [TÉLÉPHONE] : « 06 12 34 56 78 »").click()
    box = field(page, CONTEXT).locator("[data-vaecos-input]")
    expect(box).to_have_value(re.compile(r"\(NIR \[NIR\]\) m'a rappelée au \[TÉLÉPHONE\]\.$"))

    # One remains: the transmission is refused, and the page says where.
    assert _gate(page, base) == "bloque"
    blocker = page.locator("[data-vaecos-gate] li")
    expect(blocker).to_have_count(1)
    expect(blocker).to_contain_text(f"{CONTEXT} — {CONTEXT}")
    expect(blocker).to_contain_text("1 donnée personnelle à traiter : Nom de personne")

    # The name is dismissed ("not personal data"): nothing remains.
    blocker.get_by_role("link").click()
    panel = field(page, CONTEXT).locator(".vaecos-pii")
    panel.get_by_role("button", name="Pas une donnée personnelle : « Martine Dupont »").click()
    expect(
        page.get_by_text("« Martine Dupont » n'est plus signalé dans ce dossier.")
    ).to_be_visible()
    expect(field(page, CONTEXT).locator(".vaecos-pii mark")).to_have_count(0)
    assert _gate(page, base) == "possible"
    screenshot(page, "donnees-personnelles-transmission-possible")

    # A PDF with personal data: the gate closes again until its redacted copy replaces it.
    pdf_path = tmp_path / "attestation.pdf"
    pdf_path.write_bytes(
        text_pdf(
            tmp_path,
            "Attestation : Mme Lucie Garnier, née le 12/03/1985, joignable au 07 11 22 33 44.",
            "Cette page ne parle que de la CAF du Rhône et de ses services.",
        )
    )
    page.goto(f"{base}/motivation/")
    page.get_by_label("Ajouter un CV").set_input_files(str(pdf_path))
    page.get_by_role("button", name="Envoyer le fichier").click()
    page.get_by_role("link", name="Données personnelles de attestation.pdf").click()
    expect(page.locator("[data-vaecos-pii-finding]")).to_have_count(3)
    _no_axe_problems(page, "pièce avec repérages")
    assert _gate(page, base) == "bloque"

    page.get_by_role("link", name="Pièce « attestation.pdf »").click()
    page.get_by_role("button", name="Préparer une copie masquée").click()
    with page.expect_download() as copy:
        page.get_by_role("link", name="Télécharger la copie masquée pour la vérifier").click()
    screenshot(page, "donnees-personnelles-copie-masquee")
    page.get_by_role("button", name="Remplacer l'original par la copie masquée").click()
    expect(page.get_by_text("est remplacé par sa copie masquée")).to_be_visible()
    with page.expect_download() as current:
        page.get_by_role("link", name="Télécharger le fichier actuel").click()

    for download in (copy.value, current.value):
        with open(download.path(), "rb") as handle:
            reader = PdfReader(io.BytesIO(handle.read()))
        text = "\n".join(p.extract_text() for p in reader.pages)
        for secret in ("Lucie", "Garnier", "12/03/1985", "07 11 22 33 44"):
            assert secret not in text
        assert "CAF du Rhône" in text
    assert _gate(page, base) == "possible"
