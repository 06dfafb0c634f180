"""The jury's bundle: the Livret 2, then every annex on its own page with its caption."""

import io

import pytest
from pypdf import PdfReader

from tests.documents.builders import written_dossier
from tests.documents.test_pdf import squash
from tests.files import png_bytes, upload
from vaecos.documents.bundle import UNREADABLE, bundle_pdf
from vaecos.documents.engine import render_pdf
from vaecos.documents.exports import livret2_pdf
from vaecos.dossiers import services


def letter(subject: str, paragraphs: int = 1) -> bytes:
    """A PDF whose pages can be recognised by their text."""
    return render_pdf(
        "letter.typ",
        {
            "title": subject,
            "subject": subject,
            "paragraphs": [
                f"{subject} — paragraphe {n} " + "texte " * 400 for n in range(paragraphs)
            ],
        },
    )


def outline_titles(reader: PdfReader) -> list[tuple[str, int]]:
    found = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                found.append((item.title, reader.get_destination_page_number(item)))

    walk(reader.outline)
    return found


@pytest.fixture
def with_annexes(dossier, candidate):
    written_dossier(dossier, candidate)
    first = dossier.situations.filter(activity__number=1).order_by("position").first()
    third = dossier.situations.filter(activity__number=3).order_by("position").first()
    two_pages = letter("Courrier anonymisé", paragraphs=3)
    assert len(PdfReader(io.BytesIO(two_pages)).pages) >= 2
    services.attachment_add(
        dossier=dossier,
        upload=upload("courrier.pdf", two_pages, "application/pdf"),
        kind="evidence",
        by=candidate,
        situation=first,
    )
    services.attachment_add(
        dossier=dossier,
        upload=upload("capture.png", png_bytes((300, 200)), "image/png"),
        kind="evidence",
        by=candidate,
        situation=third,
    )
    services.attachment_add(
        dossier=dossier,
        upload=upload("cv.pdf", letter("Curriculum vitae"), "application/pdf"),
        kind="cv",
        by=candidate,
    )
    return {"letter_pages": len(PdfReader(io.BytesIO(two_pages)).pages)}


def test_the_bundle_is_the_livret_then_each_annex_with_its_caption(dossier, with_annexes):
    livret_pages = len(PdfReader(io.BytesIO(livret2_pdf(dossier))).pages)
    reader = PdfReader(io.BytesIO(bundle_pdf(dossier)))
    texts = [page.extract_text() for page in reader.pages]
    titles = dict(outline_titles(reader))

    # Livret 2 + one caption page per annex (3) + the inserted pages of the two PDFs.
    assert len(texts) == livret_pages + 3 + with_annexes["letter_pages"] + 1
    # Annex 1 is the CV (motivation), 2 the letter (activity I), 3 the image (activity III).
    cv_page = titles["Annexe 1 — cv.pdf"]
    assert "CV — Votre motivation" in texts[cv_page]
    assert "Curriculum vitae" in texts[cv_page + 1]
    letter_page = titles["Annexe 2 — courrier.pdf"]
    assert squash("Activité I — Situation N°1 : title de la situation 1 de l'activité I.") in (
        squash(texts[letter_page])
    )
    for offset in range(1, with_annexes["letter_pages"] + 1):
        assert "Courrier anonymisé" in texts[letter_page + offset]
    image_page = titles["Annexe 3 — capture.png"]
    assert "Activité III — Situation N°1" in texts[image_page]
    assert image_page == len(texts) - 1


def test_every_section_and_annex_has_a_bookmark(dossier, with_annexes):
    reader = PdfReader(io.BytesIO(bundle_pdf(dossier)))
    titles = [title for title, _ in outline_titles(reader)]

    for expected in ("Votre motivation", "Livret 2 : Analyse de l'expérience", "Liste des annexes"):
        assert expected in titles
    for activity in dossier.referentiel_version.activities.all():
        assert f"{activity.roman} – {activity.title}" in titles
    assert [t for t in titles if t.startswith("Annexe ")] == [
        "Annexe 1 — cv.pdf",
        "Annexe 2 — courrier.pdf",
        "Annexe 3 — capture.png",
    ]


def test_page_numbers_run_on_across_the_inserted_pages(dossier, with_annexes):
    reader = PdfReader(io.BytesIO(bundle_pdf(dossier)))
    total = len(reader.pages)
    last = reader.pages[-1].extract_text()

    assert f"page {total} / {total}" in last
    assert reader.metadata.title.startswith("Dossier pour le jury")


def test_an_annex_that_cannot_be_read_is_announced_not_fatal(dossier, candidate, with_annexes):
    attachment = dossier.attachments.get(original_name="courrier.pdf")
    with attachment.file.open("wb") as handle:
        handle.write(b"%PDF-1.7 broken beyond repair")

    reader = PdfReader(io.BytesIO(bundle_pdf(dossier)))
    titles = dict(outline_titles(reader))
    page = reader.pages[titles["Annexe 2 — courrier.pdf"]].extract_text()

    assert squash(UNREADABLE) in squash(page.replace("’", "'"))


def test_a_cmyk_scan_is_set_as_a_page(dossier, candidate):
    from PIL import Image

    situation = services.situation_add(
        dossier=dossier, activity=dossier.referentiel_version.activities.get(number=1), by=candidate
    )
    buffer = io.BytesIO()
    Image.new("CMYK", (120, 80), (0, 80, 80, 0)).save(buffer, format="JPEG")
    services.attachment_add(
        dossier=dossier,
        upload=upload("scan.jpg", buffer.getvalue(), "image/jpeg"),
        kind="evidence",
        by=candidate,
        situation=situation,
    )

    reader = PdfReader(io.BytesIO(bundle_pdf(dossier)))

    assert "Annexe 1 — scan.jpg" in dict(outline_titles(reader))
    assert UNREADABLE not in "".join(p.extract_text() for p in reader.pages).replace("’", "'")


def test_a_pdf_that_opens_but_cannot_be_copied_is_announced(dossier, candidate, monkeypatch):
    from vaecos.documents import bundle

    situation = services.situation_add(
        dossier=dossier, activity=dossier.referentiel_version.activities.get(number=1), by=candidate
    )
    services.attachment_add(
        dossier=dossier,
        upload=upload("abime.pdf", letter("Abîmé"), "application/pdf"),
        kind="evidence",
        by=candidate,
        situation=situation,
    )

    def broken_append(self, *args, **kwargs):
        raise ValueError("Invalid page object")

    monkeypatch.setattr(bundle.PdfWriter, "append", broken_append)

    reader = PdfReader(io.BytesIO(bundle_pdf(dossier)))
    page = reader.pages[dict(outline_titles(reader))["Annexe 1 — abime.pdf"]].extract_text()

    assert squash(UNREADABLE) in squash(page.replace("’", "'"))
