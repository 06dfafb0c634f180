"""The Livret 2 as a Word document: Word's own structure, so navigation and the TOC work."""

import io
import zipfile

import docx
import pytest
from docx.oxml.ns import qn

from tests.dossiers.factories import complete_dossier
from vaecos.documents.docx_export import TOC_PLACEHOLDER, clean, render_docx
from vaecos.documents.livret2 import livret2_data

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture
def data(referentiel):
    dossier = complete_dossier(referentiel)
    dossier.last_name, dossier.first_name = "Martin", "Camille"
    dossier.branch = referentiel.branches.get(code="famille")
    dossier.motivation_reasons = "Premier paragraphe.\n\n- une puce\n- une autre"
    dossier.save()
    return livret2_data(dossier)


def styled(document: docx.document.Document) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in document.paragraphs]


def opened(content: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(content))


def part(content: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read(name).decode()


def test_the_sections_use_word_heading_styles(data):
    document = opened(render_docx(data))
    paragraphs = styled(document)

    headings = [(style, text) for style, text in paragraphs if style.startswith("Heading")]
    assert headings[:4] == [
        ("Heading 1", "Votre motivation"),
        ("Heading 2", "Pourquoi je m'engage dans la VAE"),
        ("Heading 2", "Mes atouts au regard du CQP"),
        ("Heading 1", "Livret 2 : Analyse de l'expérience"),
    ]
    assert ("Heading 2", "Le contexte de votre organisme") in headings
    activity_headings = [
        text for style, text in headings if style == "Heading 2" and text[:2] in ("I ", "II", "IV")
    ]
    assert activity_headings == [
        "I – Accueille, informe, oriente et conseille l'utilisateur (assuré, allocataire, "
        "retraité ou cotisant) ou les partenaires",
        "II – Met en œuvre les obligations du plan de maîtrise des risques et les procédures "
        "qualités",
        "III – Informe, conseille et oriente dans l'utilisation des offres de services et outils "
        "numériques proposés par la Sécurité sociale et ses partenaires",
        "IV – Réalise des activités de saisies spécifiques et/ou de masse issues de données de "
        "l'utilisateur et du système d'information",
    ]
    title = "Une demande de prime d'activité après une reprise d'emploi"
    situations = [text for style, text in headings if style == "Heading 3"]
    # Two situations for activities I and III, the lone "Situation" for II and IV.
    assert situations == [
        f"Situation N°1 : {title}",
        f"Situation N°2 : {title}",
        f"Situation : {title}",
        f"Situation N°1 : {title}",
        f"Situation N°2 : {title}",
        f"Situation : {title}",
    ]
    assert ("Heading 4", "Ce que j'ai fait, étape par étape") in headings
    assert headings[-1] == ("Heading 1", "Liste des annexes")
    assert paragraphs[-1] == ("Normal", "Aucune annexe.")


def test_the_cover_page_then_a_real_table_of_contents(data):
    content = render_docx(data)
    paragraphs = styled(opened(content))

    assert paragraphs[:6] == [
        ("Normal", "Validation des acquis de l'expérience (VAE)"),
        ("Normal", "CQP Conseiller offres de services (inscrit au RNCP n°35543)"),
        ("Normal", "Branche : Famille"),
        ("Title", "Livret 2 – Rédaction du dossier de validation"),
        ("Normal", "NOM : Martin"),
        ("Normal", "PRÉNOM : Camille"),
    ]
    assert paragraphs[7] == ("TOC Heading", "Sommaire")
    body = part(content, "word/document.xml")
    assert 'TOC \\o "1-3" \\h \\z \\u' in body
    toc = body.index("TOC \\o")
    assert body.rindex('w:fldCharType="begin"', 0, toc) < toc
    assert body.index('w:fldCharType="separate"', toc) < body.index(TOC_PLACEHOLDER, toc)
    assert body.index(TOC_PLACEHOLDER) < body.index('w:fldCharType="end"', toc)
    assert body.count('<w:br w:type="page"/>') == 2
    assert '<w:updateFields w:val="true"/>' in part(content, "word/settings.xml")


def test_situations_show_when_competences_parts_and_attachments(data):
    paragraphs = styled(opened(render_docx(data)))
    texts = [text for _, text in paragraphs]

    situation_ii = texts.index(
        "Situation : Une demande de prime d'activité après une reprise d'emploi"
    )
    assert paragraphs[situation_ii + 1 : situation_ii + 6] == [
        ("Normal", "Quand : Mars 2025"),
        ("Normal", "Compétences mises en œuvre :"),
        ("List Bullet", "Appliquer les règles de la déontologie et du secret professionnel"),
        ("List Bullet", "Travailler en coopération avec les autres services et partenaires"),
        ("Heading 4", "La situation"),
    ]
    assert paragraphs[situation_ii + 6] == (
        "Body Text",
        "Je reçois une allocataire qui vient de reprendre un emploi à temps partiel.",
    )


def test_field_text_keeps_its_lines_blank_lines_and_bullets(data):
    paragraphs = styled(opened(render_docx(data)))

    start = paragraphs.index(("Heading 2", "Pourquoi je m'engage dans la VAE"))
    assert paragraphs[start + 1 : start + 5] == [
        ("Body Text", "Premier paragraphe."),
        ("Body Text", ""),
        ("List Bullet", "une puce"),
        ("List Bullet", "une autre"),
    ]


def test_header_footer_title_and_french_language(data):
    content = render_docx(data)
    document = opened(content)

    section = document.sections[0]
    assert section.header.paragraphs[0].text == "MARTIN Camille — Livret 2"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        footers = [name for name in archive.namelist() if name.startswith("word/footer")]
    footer_xml = "".join(part(content, name) for name in footers)
    assert section.footer.paragraphs[0].text.startswith("page ")
    assert " PAGE " in footer_xml and " NUMPAGES " in footer_xml
    assert document.core_properties.title == "Livret 2 – Dossier de validation VAE – MARTIN Camille"
    assert document.core_properties.language == "fr-FR"
    assert document.core_properties.author == ""
    styles = document.styles.element
    default_lang = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert default_lang.get(qn("w:val")) == "fr-FR"
    normal_lang = document.styles["Normal"].element.find(f"{W}rPr/{W}lang")
    assert normal_lang.get(qn("w:val")) == "fr-FR"
    assert round(section.page_width.cm, 1) == 21.0  # A4


def test_annexes_are_listed_and_referenced(data):
    situation = data["activities"][0]["situations"][0]
    data["cv"] = {"number": 1, "name": "cv.pdf", "caption": "CV — Votre motivation"}
    situation["annexes"] = [
        {"number": 2, "name": "courrier.pdf", "caption": "Activité I — Situation N°1"},
        {"number": 3, "name": "photo.jpg", "caption": "Activité I — Situation N°1"},
    ]
    data["annexes"] = [data["cv"], *situation["annexes"]]

    texts = [text for _, text in styled(opened(render_docx(data)))]

    assert "CV joint : annexe 1" in texts
    assert "Pièces jointes : annexe 2, annexe 3" in texts
    assert texts[-3:] == [
        "Annexe 1 — cv.pdf — CV — Votre motivation",
        "Annexe 2 — courrier.pdf — Activité I — Situation N°1",
        "Annexe 3 — photo.jpg — Activité I — Situation N°1",
    ]


def test_control_characters_never_break_the_file(data):
    data["motivation"][0]["text"] = "Avant\x00\x07\x1b après\r\nligne\ttabulée \ufffe fin"
    data["activities"][0]["situations"][0]["title"] = "Titre\x0b coupé"

    document = opened(render_docx(data))

    texts = [p.text for p in document.paragraphs]
    assert "Avant après" in texts
    assert "ligne\ttabulée  fin" in texts
    assert any(text.endswith("Titre coupé") for text in texts)
    assert clean("a\x01b\rc") == "ab\nc"
