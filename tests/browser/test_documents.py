"""The Livret 2's documents in Chromium: download, preview, import from Word; axe on each page."""

import io
import re

import docx
import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.browser.helpers import CANDIDATE, screenshot, sign_in
from tests.browser.test_accessibility import _violations
from vaecos.documents.exports import livret2_docx

pytestmark = pytest.mark.browser


def _no_axe_problems(page: Page, where: str) -> None:
    problems = _violations(page)
    assert not problems, f"{where} :\n" + "\n".join(problems)


def test_the_candidate_downloads_and_previews_the_livret(live_server, page, demo):
    dossier = demo["dossier"]
    sign_in(page, live_server.url, CANDIDATE)
    page.goto(f"{live_server.url}/livret2/{dossier.pk}/")

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Télécharger en PDF").click()
    pdf = PdfReader(pdf_download.value.path())
    assert pdf_download.value.suggested_filename == "Livret2_martin_camille.pdf"
    assert "Votre motivation" in pdf.pages[2].extract_text()

    with page.expect_download() as word_download:
        page.get_by_role("link", name="Télécharger en Word").click()
    assert word_download.value.suggested_filename.endswith(".docx")
    headings = [
        p.text
        for p in docx.Document(word_download.value.path()).paragraphs
        if p.style.name.startswith("Heading")
    ]
    assert "Votre motivation" in headings

    page.get_by_role("link", name="Voir l'aperçu du PDF").click()
    expect(page.get_by_role("heading", name="Aperçu du Livret 2 en PDF")).to_be_visible()
    images = page.locator(".vaecos-preview img")
    expect(images).to_have_count(len(pdf.pages))
    first = images.first
    first.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=first.element_handle()
    )
    screenshot(page, "documents-apercu")
    _no_axe_problems(page, "aperçu")


def test_the_candidate_imports_a_word_file_and_places_the_rest(live_server, page, demo, tmp_path):
    dossier = demo["dossier"]
    # The candidate went on writing in Word: one new paragraph in the context, one stray note.
    document = docx.Document(io.BytesIO(livret2_docx(dossier)))
    paragraphs = document.paragraphs
    context_heading = next(
        i for i, p in enumerate(paragraphs) if p.text == "Le contexte de votre organisme"
    )
    paragraphs[context_heading + 1].insert_paragraph_before("Ajout écrit dans Word.")
    paragraphs[0].insert_paragraph_before("Note pour moi : relire avec ma coach.")
    path = tmp_path / "mon-livret2.docx"
    document.save(str(path))

    sign_in(page, live_server.url, CANDIDATE)
    page.goto(f"{live_server.url}/livret2/{dossier.pk}/")
    page.get_by_role("link", name="Importer un Livret 2 commencé dans Word").click()
    _no_axe_problems(page, "import")
    page.get_by_label("Fichier Word (.docx, 20 Mo au maximum)").set_input_files(str(path))
    page.get_by_role("button", name="Lire le fichier").click()

    expect(page.get_by_role("heading", name="Rapport d'import")).to_be_visible()
    expect(page.get_by_text("Ajout écrit dans Word.").first).to_be_visible()
    screenshot(page, "documents-rapport-import")
    _no_axe_problems(page, "rapport d'import")
    page.get_by_role("button", name="Confirmer l'import").click()

    expect(page.get_by_role("heading", name="Textes à placer")).to_be_visible()
    expect(page.get_by_text("Note pour moi : relire avec ma coach.")).to_be_visible()
    _no_axe_problems(page, "textes à placer")
    page.get_by_label("Placer ce texte dans").select_option(
        label="Votre motivation — Mes atouts au regard du CQP"
    )
    page.get_by_role("button", name="Placer").click()
    expect(page.get_by_text("Il n'y a plus rien à placer.")).to_be_visible()

    dossier.refresh_from_db()
    assert dossier.context.startswith("Ajout écrit dans Word.\n")
    assert dossier.motivation_strengths.endswith("\n\nNote pour moi : relire avec ma coach.")


def test_a_file_that_is_not_word_gets_a_clear_message(live_server, page, demo, tmp_path):
    dossier = demo["dossier"]
    path = tmp_path / "livret.docx"
    path.write_bytes(b"%PDF-1.7 en fait un PDF renomme")
    sign_in(page, live_server.url, CANDIDATE)
    page.goto(f"{live_server.url}/livret2/{dossier.pk}/importer/")

    page.get_by_label("Fichier Word (.docx, 20 Mo au maximum)").set_input_files(str(path))
    page.get_by_role("button", name="Lire le fichier").click()

    expect(page.get_by_role("alert")).to_contain_text(re.compile("document Word"))
    _no_axe_problems(page, "import refusé")


def test_the_coach_and_the_instructor_reach_the_documents(live_server, new_context, demo):
    dossier = demo["dossier"]
    for email, links in (
        ("accompagnateur@demo.test", ("PDF", "Word")),
        ("instructeur@demo.test", ("PDF", "Word", "Dossier jury")),
    ):
        page = new_context().new_page()
        sign_in(page, live_server.url, email)
        page.goto(live_server.url + "/")
        for name in links:
            expect(page.get_by_role("link", name=re.compile(f"^{name}")).first).to_be_visible()
        page.get_by_role("link", name=re.compile("^Aperçu")).first.click()
        expect(page.locator(".vaecos-preview img").first).to_be_visible()
        _no_axe_problems(page, f"aperçu ({email})")
    assert dossier.case.coach.email == "accompagnateur@demo.test"
