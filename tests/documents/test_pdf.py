"""The Livret 2 as a PDF: official structure, page numbers, PDF/A-3b + PDF/UA-1, safe data."""

import io
import re

import pytest
from pypdf import PdfReader

from tests.documents.builders import write, written_dossier
from vaecos.documents.exports import livret2_pdf
from vaecos.dossiers import fields as dossier_fields


def squash(text: str) -> str:
    # Line breaks, justification and French hyphenation change whitespace and add hyphens.
    return re.sub(r"[\s\-‐­]+", "", text)


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def assert_in_order(haystack: str, needles: list[str]) -> None:
    position = 0
    flat = squash(haystack)
    for needle in needles:
        found = flat.find(squash(needle), position)
        assert found >= 0, f"{needle!r} missing or out of order"
        position = found + len(squash(needle))


@pytest.fixture
def written(dossier, candidate):
    return written_dossier(dossier, candidate)


def test_every_section_is_in_the_pdf_in_the_official_order(dossier, candidate, written):
    pages = pages_text(livret2_pdf(dossier))
    body = "\n".join(pages[2:])  # after the cover and the table of contents
    cover = pages[0]

    assert_in_order(
        cover,
        [
            "Validation des acquis de l'expérience (VAE)",
            "CQP Conseiller offres de services (inscrit au RNCP n°35543)",
            "Branche : Famille",
            "Livret 2 – Rédaction du dossier de validation",
            "NOM :",
            "Lefèvre",
            "PRÉNOM :",
            "Anaïs",
        ],
    )
    version = dossier.referentiel_version
    expected = ["Votre motivation", "Pourquoi je m'engage dans la VAE"]
    expected += ["Raisons de la motivation, premier paragraphe.", "Second paragraphe des raisons."]
    expected += ["Mes atouts au regard du CQP", "l'écoute", "la législation"]
    expected += ["Livret 2 : Analyse de l'expérience", written["dossier.context"]]
    for activity in version.activities.order_by("number"):
        expected.append(f"{activity.roman} – {activity.title}")
        situations = dossier.situations.filter(activity=activity).order_by("position")
        for ordinal, situation in enumerate(situations, start=1):
            heading = "Situation" if activity.situations_required == 1 else f"Situation N°{ordinal}"
            expected.append(f"{heading} : {situation.title}")
            expected.append(f"Quand : {situation.when}")
            if situation.context_mode == "own":
                expected.append(situation.own_context)
            for part in ("description", "analysis", "actions", "rationale", "outcome"):
                expected.append(getattr(situation, part))
    expected.append("Liste des annexes")
    assert_in_order(body, expected)
    assert "Sommaire" in pages[1]
    # The table of contents lists the sections with their page numbers.
    assert re.search(r"Votre motivation[ .]*\d+", pages[1])


def test_situation_numbering_follows_the_template(dossier, candidate, written):
    text = squash("\n".join(pages_text(livret2_pdf(dossier))))

    assert squash("Situation N°1 : title de la situation 1 de l'activité I.") in text
    assert squash("Situation N°2 : title de la situation 2 de l'activité I.") in text
    # Activities II and IV ask for one situation: it is just « Situation ».
    assert squash("Situation : title de la situation 1 de l'activité II.") in text
    assert squash("Situation N°1 : title de la situation 1 de l'activité II.") not in text


def test_every_page_has_its_number_and_the_running_header(dossier, candidate, written):
    pages = pages_text(livret2_pdf(dossier))
    total = len(pages)

    assert total >= 6
    for number, text in enumerate(pages, start=1):
        if number > 1:  # the cover has neither header nor footer
            assert f"page {number} / {total}" in text
            assert "LEFÈVRE Anaïs" in text and "Livret 2" in text


def test_the_pdf_declares_pdfa3b_and_pdfua1_with_a_title_french_and_embedded_fonts(
    dossier, candidate, written
):
    reader = PdfReader(io.BytesIO(livret2_pdf(dossier)))
    xmp = reader.xmp_metadata.stream.get_data().decode()
    root = reader.trailer["/Root"]

    assert re.search(r"<pdfaid:part>3</pdfaid:part>", xmp)
    assert re.search(r"<pdfaid:conformance>B</pdfaid:conformance>", xmp)
    assert re.search(r"<pdfuaid:part>1</pdfuaid:part>", xmp)
    assert reader.metadata.title == "Livret 2 – Dossier de validation VAE – LEFÈVRE Anaïs"
    assert root["/Lang"] == "fr"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    fonts = 0
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font)["/FontDescriptor"]
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys())
            fonts += 1
    assert fonts > 0


def test_what_a_candidate_writes_is_text_never_typst_markup(dossier, candidate, written):
    tricky = (
        '#panic("boom") *gras* _italique_ = Faux titre $x^2$ <etiquette> @ref '
        '#include "/etc/passwd" \\ ] } ) // commentaire'
    )
    write(dossier, dossier_fields.dossier_key("context"), tricky, candidate)
    dossier.refresh_from_db()

    reader = PdfReader(io.BytesIO(livret2_pdf(dossier)))
    text = "\n".join(page.extract_text() for page in reader.pages)

    assert squash(tricky) in squash(text)
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "Faux titre" not in " ".join(titles)


def test_an_empty_dossier_still_renders(dossier):
    pages = pages_text(livret2_pdf(dossier))

    assert "Validation des acquis" in pages[0]
    assert "Aucune situation n’est retenue pour cette activité." in "\n".join(pages)
    assert "Aucune annexe." in pages[-1]


def test_situations_set_aside_stay_out_of_the_pdf(dossier, candidate, written):
    from vaecos.dossiers import services

    situation = dossier.situations.filter(activity__number=1).order_by("position").first()
    services.situation_update_options(
        dossier=dossier, situation=situation, by=candidate, included=False
    )

    text = squash("\n".join(pages_text(livret2_pdf(dossier))))

    assert squash(situation.description) not in text
    # The other situation of activity I is now the only one: still numbered (2 are required).
    assert squash("Situation N°1 : title de la situation 2 de l'activité I.") in text


def test_characters_no_font_can_draw_do_not_cost_the_pdf(dossier, candidate, written):
    text = "Très content 😀 du résultat — 中文 — fin\x01 de ligne. Ελληνικά, кириллица, ✓ € œ ’."
    write(dossier, dossier_fields.dossier_key("context"), text, candidate)
    dossier.refresh_from_db()

    body = squash("\n".join(pages_text(livret2_pdf(dossier))))

    assert squash("Très content ? du résultat — ?? — fin de ligne.") in body
    assert squash("Ελληνικά, кириллица, ✓ € œ ’.") in body


def test_a_bloc_validated_on_an_earlier_attempt_is_marked_and_not_presented_again(
    dossier, candidate, written
):
    activity = dossier.referentiel_version.activities.get(number=1)
    dossier.exempt_activities.add(activity)

    text = squash(" ".join(pages_text(livret2_pdf(dossier))))

    assert squash("déjà validé par un jury lors d") in text
    for situation in dossier.situations.filter(activity=activity):
        if situation.title:
            assert squash(situation.title) not in text
