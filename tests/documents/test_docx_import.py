"""Reading a Livret 2 from Word: refused files, recognition of a filled template, round trip."""

import difflib
import functools
import io
import random
import re
import string
import zipfile

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.documents import docx_samples
from tests.dossiers.factories import complete_dossier
from vaecos.demo.services import load_demo
from vaecos.documents import docx_import
from vaecos.documents.docx_export import clean, render_docx
from vaecos.documents.docx_import import (
    MAX_DOCX_BYTES,
    DocxRejected,
    Fragment,
    ImportPlan,
    PlannedSituation,
    Target,
    check_docx,
    parse_docx,
    rules_for,
)
from vaecos.documents.livret2 import (
    ANALYSIS_HEADING,
    ANNEXES_HEADING,
    CONTEXT_HEADING,
    COVER_LINES,
    MOTIVATION_HEADING,
    livret2_data,
    situation_heading,
)
from vaecos.dossiers.models import ContextMode, Dossier
from vaecos.utils.errors import ActionRefused

RULES = docx_samples.rules()
PARTS = ("description", "analysis", "actions", "rationale", "outcome")


def texts_of_paragraphs(data: bytes) -> list[str]:
    """Every non-empty paragraph of the body, tables included, as python-docx reads it."""
    document = docx.Document(io.BytesIO(data))
    texts = [Paragraph(p, document).text for p in document.element.body.iter(qn("w:p"))]
    return [text for text in texts if text.strip()]


def assert_nothing_dropped(plan: ImportPlan, data: bytes) -> None:
    fragments = sorted([p.fragment for p in plan.placements] + plan.unplaced, key=lambda f: f.index)
    assert [f.index for f in fragments] == list(range(len(fragments)))  # each exactly once
    assert [f.text for f in fragments] == texts_of_paragraphs(data)


def placed(plan: ImportPlan) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for placement in plan.placements:
        found.setdefault(placement.target.key, []).append(placement.fragment.text)
    return found


# --- A template filled in Word by a candidate ------------------------------------------------


@functools.cache
def sample() -> tuple[bytes, ImportPlan]:
    data = docx_samples.official_sample()
    return data, parse_docx(data, RULES)


def test_a_filled_template_gives_the_header_motivation_and_context():
    _, plan = sample()

    assert (plan.last_name, plan.first_name, plan.branch_code) == (
        "Dupont",
        "Marie-Hélène",
        "maladie",
    )
    assert plan.fields == {
        "motivation_reasons": (
            "Je travaille à la CPAM depuis 2015.\n\nJe veux faire reconnaître mon expérience."
        ),
        "motivation_strengths": "L’écoute et la rigueur.",
        "context": "La CPAM de Nantes : un accueil de douze conseillers.",
    }


def test_a_filled_template_gives_every_situation_in_its_activity_and_order():
    _, plan = sample()

    assert plan.situations == [
        PlannedSituation(
            activity_number=1,
            ordinal=1,
            title="Une demande de complémentaire santé solidaire",
            when="Février 2025",
            parts={
                "description": "Un assuré me demande s’il a droit à la CSS.",
                "analysis": "J’ai vérifié ses ressources.",
                "actions": "- J’ai ouvert son dossier.\n- Je lui ai expliqué la CSS.",
                "rationale": "Pour qu’il devienne autonome.",
                "outcome": "Il a obtenu la CSS.",
            },
        ),
        PlannedSituation(
            activity_number=1,
            ordinal=2,
            title="Un changement d’adresse",
            when="Mars 2025",
            parts={
                "description": "Une assurée m’appelle après son déménagement.",
                "analysis": "Elle avait déménagé dans un autre département.",
                # A table in a part: each cell becomes a line of that part.
                "actions": (
                    "Étape 1\nJ’ai vérifié son identité.\nÉtape 2\nJ’ai mis à jour l’adresse."
                ),
            },
        ),
        PlannedSituation(
            activity_number=2,
            ordinal=1,
            own_context="En renfort à la plateforme téléphonique de la caisse voisine.",
            parts={"analysis": "J’ai repéré une incohérence dans le dossier."},
            competence_codes=["II-1", "II-2"],
        ),
        PlannedSituation(
            activity_number=3,
            ordinal=1,
            parts={
                "description": "J’ai aidé une assurée à créer son compte ameli.",
                "outcome": "Elle consulte seule ses remboursements.",
            },
        ),
        PlannedSituation(
            activity_number=4,
            ordinal=1,
            parts={
                "description": "Je saisis les changements de situation reçus par courrier.",
                "outcome": "Aucune erreur de saisie signalée.",
            },
        ),
    ]


def test_a_filled_template_leaves_only_the_stray_lines_unplaced():
    data, plan = sample()

    assert [f.text for f in plan.unplaced] == [docx_samples.STRAY, "Savoir cuisiner"]
    assert plan.unplaced[0].where == "paragraphe 1"
    structure = placed(plan)["structure"]
    for line in (
        "CQP Conseiller offres de services",
        "VOTRE MOTIVATION",
        f"II - {docx_samples.TITLE_II_MISSPELT}",
        f"3. {docx_samples.TITLE_III}",
        "Situation 1",
        "Annexe 1 — courrier anonymisé.pdf",
    ):
        assert line in structure
    assert_nothing_dropped(plan, data)


def test_the_report_says_where_each_text_went_in_french():
    _, plan = sample()
    report = plan.to_json()

    assert report["unplaced"][0] == {"where": "paragraphe 1", "text": docx_samples.STRAY}
    by_text = {item["text"]: item for item in report["placed"]}
    assert by_text["Je lui ai expliqué la CSS."] == {
        "where": "paragraphe 27",
        "text": "Je lui ai expliqué la CSS.",
        "target": "Activité I — Situation N°1 — Ce que j'ai fait, étape par étape",
        "key": "situation.I.1.actions",
    }
    assert by_text["Dupont"]["where"] == "tableau 1, ligne 1, cellule 2"
    assert by_text["Dupont"]["key"] == "dossier.last_name"
    assert by_text["Je travaille à la CPAM depuis 2015."]["target"] == (
        "Votre motivation — Pourquoi je m'engage dans la VAE"
    )
    assert by_text["VOTRE MOTIVATION"]["target"] == "Structure du modèle (titre de section)"
    assert by_text["VOTRE MOTIVATION"]["key"] == "structure"


def test_target_labels():
    assert Target("dossier", "context").label == "Contexte de l'organisme"
    assert Target("dossier", "branch").label == "En-tête — Branche"
    assert Target("situation", "competences", 2, 1).label == (
        "Activité II — Situation N°1 — Compétences mises en œuvre"
    )
    assert Target("situation", "when", 4, 1).key == "situation.IV.1.when"


# --- Variants of how people fill forms -------------------------------------------------------


def parse(document) -> ImportPlan:
    data = docx_samples.to_bytes(document)
    plan = parse_docx(data, RULES)
    assert_nothing_dropped(plan, data)
    return plan


def test_activity_headings_written_in_every_usual_way():
    for heading in (
        "I – Accueille, informe, oriente et conseille l'utilisateur",  # cut short
        "I. Accueille, informe, oriente et conseille l’utilisateur (assuré, allocataire, "
        "retraité ou cotisant) ou les partenaires",
        "Activité 1 : Accueille, informe, oriente et conseille l'utilisateur (assuré, "
        "allocataire, retraité ou cotisant) ou les partenaires",
        "Activité I",
        "1.",
        "Acceuille, informe, oriente et conseil l'utilisateur (assuré, allocataire, retraité "
        "ou cotisant) ou les partenaire",  # no numeral, spelling mistakes
    ):
        document = docx.Document()
        document.add_heading(heading, level=2)
        document.add_heading("Situation", level=3)
        document.add_paragraph("Un texte.")

        plan = parse(document)

        assert [(s.activity_number, s.parts) for s in plan.situations] == [
            (1, {"description": "Un texte."})
        ], heading


def test_situation_headings_written_in_every_usual_way():
    document = docx.Document()
    docx_samples.bold(document, "III – Informe, conseille et oriente")
    for heading in (
        "Situation N°1",
        "Situation n° 2 : Un titre",
        "Situation no 3",
        "SITUATION N° 4 :",
        "Situation 5 – Un autre titre",
        "Situation",
    ):
        docx_samples.bold(document, heading)
        document.add_paragraph(f"Texte de « {heading} ».")

    plan = parse(document)

    assert [(s.activity_number, s.ordinal, s.title) for s in plan.situations] == [
        (3, 1, ""),
        (3, 2, "Un titre"),
        (3, 3, ""),
        (3, 4, ""),
        (3, 5, "Un autre titre"),
        (3, 6, ""),
    ]
    assert plan.situations[1].parts == {"description": "Texte de « Situation n° 2 : Un titre »."}


def test_a_header_row_table_and_labels_on_their_own_line():
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ("NOM", "Prénom", "Branche"), strict=True):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ("Martin", "Léa", "Recouvrement"), strict=True):
        cell.text = text
    docx_samples.bold(document, "Motivation")
    document.add_paragraph("Avant tout sous-titre : pourquoi je m'engage.")
    docx_samples.bold(document, "Mes atouts pour ce CQP")
    document.add_paragraph("L'écoute.")
    document.add_paragraph("Le goût du service public.", style="List Bullet")

    plan = parse(document)

    assert (plan.last_name, plan.first_name, plan.branch_code) == ("Martin", "Léa", "recouvrement")
    assert plan.fields == {
        "motivation_reasons": "Avant tout sous-titre : pourquoi je m'engage.",
        "motivation_strengths": "L'écoute.\n- Le goût du service public.",
    }
    assert plan.unplaced == []


def test_a_ticked_branch_among_the_template_choices():
    document = docx.Document()
    document.add_paragraph("Branche : ☐ Famille ☒ Maladie ☐ Recouvrement")
    assert parse(document).branch_code == "maladie"

    document = docx.Document()
    document.add_paragraph("Branche : Famille, Maladie, Recouvrement")
    plan = parse(document)
    assert plan.branch_code is None
    assert [f.text for f in plan.unplaced] == ["Branche : Famille, Maladie, Recouvrement"]


def test_a_table_of_contents_made_by_word_is_structure_not_headings():
    document = docx.Document()
    # Word's own "TOC 1" style, absent from python-docx's template.
    toc_style = document.styles.add_style("TOC 1", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("Sommaire", style="TOC Heading")
    for text in ("Votre motivation\t3", "I – Accueille, informe\t5", "Situation N°1 : X\t5"):
        document.add_paragraph(text, style=toc_style)
    document.add_heading("Votre motivation", level=1)
    document.add_paragraph("Mon texte.")
    docx_samples.bold(document, "Sommaire")  # a typed table of contents, with page numbers
    document.add_paragraph("Activité IV ........ 12")

    plan = parse(document)

    assert plan.situations == []
    assert plan.fields == {"motivation_reasons": "Mon texte."}
    assert plan.unplaced == []
    assert placed(plan)["structure"].count("Votre motivation\t3") == 1


def test_labels_with_their_value_in_the_same_paragraph_or_after():
    document = docx.Document()
    docx_samples.bold(document, "IV - Réalise des activités de saisies")
    docx_samples.bold(document, "Titre de la situation :")
    document.add_paragraph("Une saisie en masse")
    document.add_paragraph("Une première phrase de description.")
    document.add_paragraph("Pourquoi : parce que c'était urgent.")
    document.add_paragraph("Date : 3 mars, écrit dans le texte, pas un libellé.")
    docx_samples.bold(document, "Compétences mises en œuvre : II-1")

    plan = parse(document)

    situation = plan.situations[0]
    assert (situation.activity_number, situation.title) == (4, "Une saisie en masse")
    assert situation.parts == {
        "description": "Une première phrase de description.",
        "rationale": "parce que c'était urgent.\nDate : 3 mars, écrit dans le texte, pas un libellé.",
    }
    # Activity IV has no such competence: the line waits to be placed by hand.
    assert [f.text for f in plan.unplaced] == ["Compétences mises en œuvre : II-1"]


def test_text_before_any_section_or_situation_is_unplaced():
    document = docx.Document()
    document.add_paragraph("Mon analyse")  # a part label with no situation to hold it
    document.add_paragraph("J'ai analysé.")
    document.add_heading("Livret 2 : Analyse de l'expérience", level=1)
    document.add_paragraph("Un texte sous le titre, sans rubrique.")

    plan = parse(document)

    assert [f.text for f in plan.unplaced] == [
        "Mon analyse",
        "J'ai analysé.",
        "Un texte sous le titre, sans rubrique.",
    ]


WORD_XML = {
    # A table of contents as Word writes it once updated: one field over several paragraphs,
    # hyperlinks and PAGEREF fields inside, no TOC style.
    "toc": (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-3" \\h \\z \\u </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        '<w:hyperlink w:anchor="_Toc1"><w:r><w:t>Votre motivation</w:t></w:r><w:r><w:tab/></w:r>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> PAGEREF _Toc1 \\h </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:hyperlink></w:p>'
    ),
    "toc entry": (
        '<w:p><w:hyperlink w:anchor="_Toc2"><w:r><w:t>Situation N°1 : Une visite</w:t></w:r>'
        "<w:r><w:tab/><w:t>4</w:t></w:r></w:hyperlink></w:p>"
    ),
    "toc end": '<w:p><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>',
    "placeholder": (
        "<w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent><w:p><w:r>"
        "<w:t>Cliquez ou appuyez ici pour entrer du texte.</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    ),
    "content control": (
        '<w:p><w:r><w:t xml:space="preserve">Quand : </w:t></w:r><w:sdt><w:sdtPr/>'
        "<w:sdtContent><w:r><w:t>Juin 2024</w:t></w:r></w:sdtContent></w:sdt></w:p>"
    ),
    "text box": (
        '<w:p xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        "<w:r><w:t>Texte principal.</w:t></w:r><w:r><mc:AlternateContent>"
        '<mc:Choice Requires="wps"><w:drawing><w:txbxContent><w:p><w:r>'
        "<w:t>Texte dans une zone de texte.</w:t></w:r></w:p></w:txbxContent></w:drawing>"
        "</mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p><w:r>"
        "<w:t>Texte dans une zone de texte.</w:t></w:r></w:p></w:txbxContent></w:pict>"
        "</mc:Fallback></mc:AlternateContent></w:r></w:p>"
    ),
    "tracked changes": (
        '<w:p><w:r><w:t xml:space="preserve">Mot </w:t></w:r><w:del w:id="1" w:author="A">'
        '<w:r><w:delText xml:space="preserve">supprimé </w:delText></w:r></w:del>'
        '<w:ins w:id="2" w:author="A"><w:r><w:t>ajouté</w:t></w:r></w:ins></w:p>'
    ),
}


def add_xml(document, xml: str) -> None:
    """Insert raw WordprocessingML at the end of the body (before the section properties)."""
    namespace = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    tag = xml[: xml.index(">")].split()[0]  # "<w:p" or "<w:sdt"
    document.element.body.sectPr.addprevious(parse_xml(xml.replace(tag, f"{tag} {namespace}", 1)))


def test_what_word_adds_toc_fields_content_controls_text_boxes_and_tracked_changes():
    document = docx.Document()
    document.add_paragraph("Sommaire", style="TOC Heading")
    for name in ("toc", "toc entry", "toc end"):
        add_xml(document, WORD_XML[name])
    document.add_heading(f"I – {docx_samples.TITLE_I}", level=2)
    document.add_heading("Situation N°1 : Une visite", level=3)
    for name in ("placeholder", "content control"):
        add_xml(document, WORD_XML[name])
    docx_samples.bold(document, "La situation")
    for name in ("text box", "tracked changes"):
        add_xml(document, WORD_XML[name])

    plan = parse_docx(docx_samples.to_bytes(document), RULES)

    assert plan.situations == [
        PlannedSituation(
            activity_number=1,
            ordinal=1,
            title="Une visite",
            when="Juin 2024",
            parts={
                "description": "Texte principal.\nTexte dans une zone de texte.\nMot ajouté",
            },
        )
    ]
    assert plan.unplaced == []
    assert placed(plan)["structure"][:3] == [
        "Sommaire",
        "Votre motivation\t3",
        "Situation N°1 : Une visite\t4",
    ]
    assert "Cliquez" not in str(plan.to_json())  # Word's prompt is not the candidate's text
    assert [f.where for f in [p.fragment for p in plan.placements]][-2] == (
        "zone de texte, paragraphe 9"
    )


def test_only_the_templates_own_cover_lines_are_structure():
    document = docx.Document()
    for line in (
        "Validation des acquis de l’expérience (VAE)",
        "CQP Conseiller offres de services (inscrit au RNCP n°35543)",
        "CQP Conseiller offre de services",  # a variant without the parenthesis, misspelt
        "Livret 2 – Rédaction du dossier de validation",
        "LIVRET 2 – DOSSIER DE VALIDATION",
    ):
        docx_samples.bold(document, line)
    mine = (
        "J'ai choisi la VAE car je travaille à la CAF depuis dix ans.",
        "Mon CQP, je le prépare avec ma tutrice.",
        "VAE",
    )
    docx_samples.bold(document, mine[0])
    document.add_paragraph(mine[1])
    document.add_paragraph(mine[2])
    document.add_heading("Votre motivation", level=1)

    plan = parse(document)

    assert [f.text for f in plan.unplaced] == list(mine)
    reasons = {p.fragment.text: p.target.field for p in plan.placements}
    assert list(reasons.values()) == ["page de couverture"] * 5 + ["titre de section"]


def test_in_the_annex_list_only_listed_annexes_are_structure():
    document = docx.Document()
    document.add_heading("Liste des annexes", level=1)
    listed = (
        "Annexe 1 — CV Marie.pdf — CV — Votre motivation",
        "Annexe 2 — photo.jpg — Activité I — Situation N°1 : Un accueil — difficile",
        "Annexe 3 — scan 2.png — Activité II — Situation",
        "Annexe 4 — courrier anonymisé.pdf",
        "Annexe 5",
        "Aucune annexe.",
    )
    mine = (
        "Annexe 6 : j'y ai mis le courrier que j'ai envoyé à l'assurée pour lui expliquer ses "
        "droits, avec sa réponse, parce qu'il montre comment j'adapte mon vocabulaire.",
        "Annexe 7 — un tableau de suivi que j'ai conçu moi-même pour l'équipe",
    )
    for line in (*listed, *mine):
        document.add_paragraph(line)

    plan = parse(document)

    assert [f.text for f in plan.unplaced] == list(mine)
    assert placed(plan)["structure"] == ["Liste des annexes", *listed]


def test_a_sentence_starting_with_situation_is_text_not_a_new_situation():
    document = docx.Document()
    docx_samples.bold(document, "Activité I")
    docx_samples.bold(document, "Situation N°1")
    document.add_paragraph("Un assuré se présente à l'accueil.")
    sentence = (
        "Situation : la personne était très inquiète, car elle n'avait plus de revenus depuis "
        "deux mois et ne savait pas à quelles aides elle pouvait prétendre."
    )
    document.add_paragraph(sentence)
    document.add_paragraph("Situation 2 : Un retard de paiement")  # short: a heading
    document.add_paragraph("Une allocataire m'appelle.")

    plan = parse(document)

    assert [(s.ordinal, s.title, s.parts) for s in plan.situations] == [
        (1, "", {"description": f"Un assuré se présente à l'accueil.\n{sentence}"}),
        (2, "Un retard de paiement", {"description": "Une allocataire m'appelle."}),
    ]


def test_footnotes_endnotes_and_comments_wait_to_be_placed():
    document = docx.Document()
    docx_samples.bold(document, "Votre motivation")
    paragraph = document.add_paragraph("Je travaille à la CPAM.")
    document.add_comment(paragraph.runs, text="Préciser depuis quand.", author="Coach")
    data = docx_samples.to_bytes(document)
    data = docx_samples.with_notes(data, "footnotes", [["Depuis 2015."], ["Au service", "accueil"]])
    data = docx_samples.with_notes(data, "endnotes", [["Source : mon employeur."]])

    plan = parse_docx(data, RULES)

    assert plan.fields == {"motivation_reasons": "Je travaille à la CPAM."}
    assert [(f.index, f.where, f.text) for f in plan.unplaced] == [
        (2, "note de bas de page 1", "Depuis 2015."),
        (3, "note de bas de page 2, paragraphe 1", "Au service"),
        (4, "note de bas de page 2, paragraphe 2", "accueil"),
        (5, "note de fin 1", "Source : mon employeur."),
        (6, "commentaire 1", "Préciser depuis quand."),
    ]


def test_headers_and_footers_give_only_what_is_not_the_running_header():
    document = docx.Document()
    docx_samples.two_columns(document, [("NOM", "Dupont"), ("Prénom", "Marie")])
    section = document.sections[0]
    section.header.paragraphs[0].text = "DUPONT Marie — Livret 2"
    section.header.add_paragraph("Dupont Marie")
    section.header.add_paragraph("Brouillon : ne pas diffuser")
    section.footer.paragraphs[0].text = "Page 2 / 14"
    section.footer.add_paragraph("12")
    section.footer.add_paragraph("Relu par ma tutrice le 3 mars")
    section.different_first_page_header_footer = True
    section.first_page_header.paragraphs[0].text = "Brouillon : ne pas diffuser"  # once only

    plan = parse_docx(docx_samples.to_bytes(document), RULES)

    assert [(f.where, f.text) for f in plan.unplaced] == [
        ("en-tête de page, paragraphe 3", "Brouillon : ne pas diffuser"),
        ("pied de page, paragraphe 3", "Relu par ma tutrice le 3 mars"),
    ]


# --- Round trip with the export --------------------------------------------------------------

TRICKY = (
    "Première ligne : l'apostrophe droite et l’autre, « guillemets », #dièse, *étoiles*, "
    "$HOME, <b>pas du HTML</b>, a@b.fr, C:\\dossier\\fichier et 100 % utile.\n"
    "\n"
    "- une puce\n"
    "- une autre puce : avec deux-points\n"
    "\n"
    "\n"
    "Mon analyse de la situation\n"
    "Quand : ceci est du texte, pas un libellé\n"
    "Situation N°3\n"
    "Votre motivation\n"
    "  ligne indentée\tavec tabulation   \n"
    "-sans espace\n"
    "- \n"
    "• puce ronde et – tiret\n"
    "Fin."
)


def comparable(plan: ImportPlan) -> dict:
    return {
        "header": (plan.last_name, plan.first_name, plan.branch_code),
        "fields": plan.fields,
        "situations": [
            (
                s.activity_number,
                s.ordinal,
                s.title,
                s.when,
                s.own_context,
                s.parts,
                s.competence_codes,
            )
            for s in plan.situations
        ],
    }


def expected_from(dossier: Dossier) -> dict:
    situations = []
    counts: dict[int, int] = {}
    for s in dossier.situations.filter(included=True).order_by(
        "activity__number", "position", "pk"
    ):
        number = s.activity.number
        counts[number] = counts.get(number, 0) + 1
        situations.append(
            (
                number,
                counts[number],
                s.title,
                s.when,
                s.own_context if s.context_mode == ContextMode.OWN else None,
                {name: getattr(s, name) for name in PARTS},
                [c.code for c in s.competences.order_by("position")],
            )
        )
    return {
        "header": (
            dossier.last_name,
            dossier.first_name,
            dossier.branch.code if dossier.branch else None,
        ),
        "fields": {
            "motivation_reasons": dossier.motivation_reasons,
            "motivation_strengths": dossier.motivation_strengths,
            "context": dossier.context,
        },
        "situations": situations,
    }


def round_trip(dossier: Dossier) -> ImportPlan:
    data = render_docx(livret2_data(dossier))
    plan = parse_docx(data, rules_for(dossier.referentiel_version))
    assert_nothing_dropped(plan, data)
    return plan


def test_rules_for_reads_the_referentiel_version(referentiel):
    assert rules_for(referentiel) == RULES


def test_round_trip_of_a_complete_dossier_with_tricky_text(referentiel):
    dossier = complete_dossier(referentiel)
    dossier.last_name, dossier.first_name = "D'Artagnan-Lefèvre", "Anaïs Éloïse"
    dossier.branch = referentiel.branches.get(code="recouvrement")
    dossier.motivation_reasons = TRICKY
    dossier.context = "Une caisse.\n\n- l'accueil\n- le téléphone"
    dossier.save()
    first, second, *others = dossier.situations.order_by("activity__number", "position")
    first.actions = TRICKY
    first.context_mode = ContextMode.OWN
    first.own_context = "Un renfort ailleurs :\n\n- trois mois"
    first.title = "Titre : avec deux-points, et N°2"
    first.save()
    second.title = ""
    second.when = ""
    second.context_mode = ContextMode.OWN
    second.own_context = ""
    second.save()
    activity_ii = [s for s in others if s.activity.number == 2][0]
    activity_ii.competences.set(referentiel.activities.get(number=2).competences.all())
    others[-1].included = False  # left out of the dossier: not in the file
    others[-1].save()

    plan = round_trip(dossier)

    assert plan.unplaced == []
    assert comparable(plan) == expected_from(dossier)
    assert plan.situations[0].parts["actions"] == TRICKY


def test_round_trip_of_the_demo_dossier(referentiel):
    load_demo()
    dossier = Dossier.objects.get(case__candidate__email="candidat@demo.test")

    plan = round_trip(dossier)

    assert plan.unplaced == []
    assert comparable(plan) == expected_from(dossier)
    assert plan.situations[0].parts["actions"].startswith("- Je lui ai expliqué")


def test_round_trip_of_the_demo_dossier_transmitted_to_the_jury(referentiel):
    load_demo()
    dossier = Dossier.objects.get(case__candidate__email="lucas.bernard@demo.test")

    plan = round_trip(dossier)

    assert plan.unplaced == []
    assert comparable(plan) == expected_from(dossier)


def test_round_trip_of_an_empty_dossier(dossier):
    dossier.last_name = dossier.first_name = ""
    dossier.save()

    plan = round_trip(dossier)

    assert plan.unplaced == []
    assert comparable(plan) == expected_from(dossier)


# --- Refused files ---------------------------------------------------------------------------


@functools.cache
def bad_file(kind: str) -> bytes:
    docx_bytes = docx_samples.minimal_docx()
    return {
        "empty": lambda: b"",
        "too big": lambda: b"PK\x03\x04" + bytes(21 * 1024 * 1024),
        "renamed pdf": lambda: b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
        "random bytes": lambda: random.Random(4).randbytes(4096),
        "truncated zip": lambda: docx_bytes[: len(docx_bytes) // 2],
        "zip without document": lambda: docx_samples.zipped({"[Content_Types].xml": b"<Types/>"}),
        "vbaProject.bin": docx_samples.with_macros,
        "docm": docx_samples.docm,
        "cfb": lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096),
        "zip bomb": docx_samples.zip_bomb,
        "broken xml": docx_samples.broken_xml,
        "doctype": docx_samples.with_entity_declaration,
        "20001 paragraphs": lambda: docx_samples.many_paragraphs(20_001),
        "2001 entries": lambda: docx_samples.zipped(
            {**docx_samples.entries_of(docx_bytes), **{f"word/x{i}.bin": b"" for i in range(2001)}}
        ),
    }[kind]()


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("empty", "Le fichier est vide."),
        ("too big", "dépasse la taille maximale de 20 Mo"),
        ("renamed pdf", "n'est pas un document Word (.docx) valide. C'est un fichier PDF"),
        ("random bytes", "n'est pas un document Word (.docx) valide"),
        ("truncated zip", "n'est pas un document Word (.docx) valide"),
        ("zip without document", "n'est pas un document Word (.docx) valide"),
        ("vbaProject.bin", "contient des macros"),
        ("docm", "contient des macros"),
        ("cfb", "ancien document Word (.doc) ou un document protégé par un mot de passe"),
        ("zip bomb", "anormalement compressé"),
        ("broken xml", "son contenu est endommagé"),
        ("doctype", "son contenu est endommagé"),
        ("20001 paragraphs", "trop long pour être importé : il compte plus de 20 000 paragraphes"),
        ("2001 entries", "compte trop d'éléments"),
    ],
)
def test_unsafe_or_invalid_files_are_refused_with_a_french_message(kind, message):
    data = bad_file(kind)

    with pytest.raises(DocxRejected) as refused:
        check_docx(data)
    assert message.lower() in refused.value.message.lower()
    assert isinstance(refused.value, ActionRefused)
    with pytest.raises(DocxRejected):
        parse_docx(data, RULES)


def test_the_size_limit_is_exact():
    assert MAX_DOCX_BYTES == 20 * 1024 * 1024
    check_docx(docx_samples.many_paragraphs(19_999))  # just under the paragraph limit


def test_a_bomb_is_recognised_without_decompressing_it():
    data = bad_file("zip bomb")
    assert len(data) < MAX_DOCX_BYTES
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.getinfo("word/media/padding.bin").file_size == 150 * 1024 * 1024


def test_too_much_text_is_refused():
    document = docx.Document()
    # Varied letters: a run of one letter would compress like a zip bomb and be refused as one.
    letters = random.Random(1).choices(string.ascii_letters + " ", k=2_000_001)
    document.add_paragraph("".join(letters))
    with pytest.raises(DocxRejected, match="plus de 2 000 000 caractères"):
        check_docx(docx_samples.to_bytes(document))


@pytest.fixture
def spy_on_reads(monkeypatch):
    """Once called, records the archive entries decompressed (custom XML parts: a failure)."""

    def start() -> list[str]:
        names: list[str] = []
        original = zipfile.ZipFile.open

        def spy(self, name, *args, **kwargs):
            names.append(name.filename if isinstance(name, zipfile.ZipInfo) else name)
            if names[-1].startswith("customXml/"):
                raise AssertionError(f"{names[-1]} decompressed")
            return original(self, name, *args, **kwargs)

        monkeypatch.setattr(zipfile.ZipFile, "open", spy)
        return names

    return start


def test_parts_the_import_does_not_need_are_never_decompressed(spy_on_reads):
    data = docx_samples.custom_xml_bomb()  # 40 MiB of "<b/>": 1.4 GB once parsed
    assert len(data) < 100_000
    opened = spy_on_reads()

    check_docx(data)
    plan = parse_docx(data, RULES)

    assert [f.text for f in plan.unplaced] == ["Bonjour"]
    assert set(opened) == {
        "[Content_Types].xml",
        "_rels/.rels",
        "word/_rels/document.xml.rels",
        "word/document.xml",
        "word/styles.xml",
    }


def test_a_part_of_pure_repetition_is_refused_before_it_is_decompressed(spy_on_reads):
    data = docx_samples.document_of_markup(1024 * 1024)  # under the archive-wide check
    opened = spy_on_reads()

    with pytest.raises(DocxRejected, match="anormalement compressé"):
        check_docx(data)
    assert "word/document.xml" not in opened


@pytest.mark.parametrize(("limit", "read"), [("MAX_READ_BYTES", False), ("MAX_MARKUP", True)])
def test_the_parts_read_are_bounded_in_size_and_in_markup(monkeypatch, spy_on_reads, limit, read):
    data = docx_samples.many_paragraphs(3_000)
    check_docx(data)
    monkeypatch.setattr(docx_import, limit, 10_000)
    opened = spy_on_reads()

    with pytest.raises(DocxRejected, match="anormalement compressé"):
        check_docx(data)
    # The declared size refuses before reading; the markup, before parsing.
    assert ("word/document.xml" in opened) is read


@pytest.mark.parametrize("declared", [100, 100_000])
def test_a_size_that_lies_makes_the_file_invalid(declared):
    data = docx_samples.lying_size(docx_samples.minimal_docx(), "word/document.xml", declared)

    with pytest.raises(DocxRejected, match="n'est pas un document Word"):
        check_docx(data)


def test_lines_made_of_title_words_are_not_compared_in_full():
    """A line passes difflib's full ratio only if a cheap bound (LCS) says it may match."""
    words = " ".join(activity.title for activity in RULES.activities).split()
    rng = random.Random(7)
    document = docx.Document()
    for _ in range(2_000):
        docx_samples.bold(document, " ".join(rng.sample(words, 14)))
    data = docx_samples.to_bytes(document)
    calls = 0
    ratio = difflib.SequenceMatcher.ratio

    def counted(self):
        nonlocal calls
        calls += 1
        return ratio(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(difflib.SequenceMatcher, "ratio", counted)
        plan = parse_docx(data, RULES)

    assert len(plan.unplaced) == 2_000
    assert calls < 20  # 4 114 before the bound


@settings(max_examples=200, deadline=None, database=None)
@given(a=st.text(alphabet="abcé d", max_size=40), b=st.text(alphabet="abcé d", max_size=40))
def test_the_lcs_bound_is_exact(a, b):
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            table[i + 1][j + 1] = (
                table[i][j] + 1 if x == y else max(table[i][j + 1], table[i + 1][j])
            )
    assert docx_import._lcs(a, b, docx_import.Matchers()) == table[-1][-1]
    if a and b:
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
        assert matcher.ratio() <= 2 * table[-1][-1] / (len(a) + len(b)) + 1e-9


# --- Properties over random documents --------------------------------------------------------

LABELS = [
    "Votre motivation",
    "VOTRE MOTIVATION",
    "Pourquoi je m'engage dans la VAE :",
    "Mes atouts",
    "Contexte",
    "Le contexte de votre organisme",
    "Livret 2 : Analyse de l'expérience",
    f"I – {docx_samples.TITLE_I}",
    f"II - {docx_samples.TITLE_II_MISSPELT}",
    f"3. {docx_samples.TITLE_III}",
    "Activité IV",
    "Situation N°1",
    "Situation n° 2 : un titre",
    "Situation",
    "Titre : un titre",
    "Titre de la situation",
    "Quand : mars",
    "Quand :",
    "NOM : Dupont",
    "NOM",
    "Prénom",
    "Branche : Famille",
    "Branche : ☒ Maladie ☐ Famille",
    "Compétences mises en œuvre :",
    "Appliquer les règles de la déontologie et du secret professionnel",
    "II-3",
    "Contexte propre à la situation",
    "Mon analyse",
    "Ce que j'ai fait",
    "Pourquoi",
    "Résultat",
    "Liste des annexes",
    "Annexe 1 — x",
    "Pièces jointes",
    "Pièces jointes : annexe 2",
    "CV joint : annexe 1",
    "Sommaire",
    "Votre motivation\t3",
    "Validation des acquis de l'expérience (VAE)",
]
text = st.one_of(
    st.sampled_from(LABELS),
    st.text(max_size=60),
    st.text(alphabet="aé:–- N°\t\n1I", max_size=20),
).map(clean)
STYLES = [None, "Heading 1", "Heading 2", "Heading 3", "Heading 4", "Title", "Body Text"]
paragraph = st.tuples(
    st.just("p"), text, st.sampled_from([*STYLES, "List Bullet"]), st.booleans(), st.booleans()
)
cell = st.lists(text, min_size=1, max_size=3)
table = st.tuples(
    st.just("table"),
    st.lists(st.lists(cell, min_size=1, max_size=3), min_size=1, max_size=3),
    st.booleans(),
)
blocks = st.lists(st.one_of(paragraph, paragraph, paragraph, table), max_size=25)


def build(spec: list) -> bytes:
    document = docx.Document()

    def add_paragraph(container, text: str, style, bold: bool, numbered: bool) -> None:
        if numbered:
            docx_samples.numbered(container, text)
            return
        p = container.add_paragraph(style=style)
        p.add_run(text).bold = bold or None

    for block in spec:
        if block[0] == "p":
            add_paragraph(document, *block[1:])
            continue
        rows, nested = block[1], block[2]
        width = max(len(row) for row in rows)
        table = document.add_table(rows=len(rows), cols=width)
        for r, row in enumerate(rows):
            for c, lines in enumerate(row):
                target = table.cell(r, c)
                target.text = lines[0]
                for line in lines[1:]:
                    add_paragraph(target, line, None, r == 0, False)
        if nested:
            inner = table.cell(0, 0).add_table(rows=1, cols=2)
            inner.cell(0, 0).text = "Quand"
            inner.cell(0, 1).text = rows[0][0][0]
        if width > 1 and len(rows) > 1:
            table.cell(0, 0).merge(table.cell(1, 0))  # merged cells are visited once
    return docx_samples.to_bytes(document)


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=blocks)
def test_nothing_is_ever_dropped_nor_placed_twice(spec):
    data = build(spec)

    plan = parse_docx(data, RULES)

    assert_nothing_dropped(plan, data)
    for situation in plan.situations:
        assert situation.ordinal >= 1
        assert all(isinstance(text, str) for text in situation.parts.values())
    report = plan.to_json()
    assert len(report["placed"]) + len(report["unplaced"]) == len(texts_of_paragraphs(data))


single_line = st.text(max_size=25).map(lambda t: clean(t).replace("\n", " ").strip())
field_line = st.one_of(
    st.text(max_size=30),
    st.sampled_from(LABELS),
    st.sampled_from(LABELS).map(lambda t: "- " + t),
    st.text(alphabet=" -\t•–:", max_size=4),
)


def as_field(lines: list[str]) -> str:
    """A text as the dossier stores it: no XML-forbidden characters, no blank lines at the ends."""
    kept = clean("\n".join(lines)).split("\n")
    while kept and not kept[0].strip():
        kept.pop(0)
    while kept and not kept[-1].strip():
        kept.pop()
    return "\n".join(kept)


field_text = st.lists(field_line, max_size=6).map(as_field)
situation = st.fixed_dictionaries(
    {
        "title": single_line,
        "when": single_line,
        "own_context": st.none() | field_text,
        "parts": st.fixed_dictionaries(dict.fromkeys(PARTS, field_text)),
        "competences": st.lists(
            st.sampled_from(["II-1", "II-2", "II-3", "II-4", "II-5"]), unique=True
        ),
    }
)
livret = st.fixed_dictionaries(
    {
        "last_name": single_line,
        "first_name": single_line,
        "branch": st.sampled_from([None, "famille", "maladie", "recouvrement"]),
        "motivation_reasons": field_text,
        "motivation_strengths": field_text,
        "context": field_text,
        "situations": st.lists(
            st.tuples(st.integers(min_value=1, max_value=4), situation), max_size=4
        ).map(lambda items: sorted(items, key=lambda item: item[0])),
    }
)


def livret2_dict(spec: dict) -> dict:
    """What `livret2_data` would give for a dossier holding `spec`, without the database."""
    labels = dict(RULES.situation_parts)
    branches = dict(RULES.branches)
    activities = []
    for rule in RULES.activities:
        own = [item for number, item in spec["situations"] if number == rule.number]
        wordings = dict(rule.competences)
        situations = []
        for ordinal, item in enumerate(own, start=1):
            parts = []
            if item["own_context"] is not None:
                parts.append(
                    {
                        "key": "own_context",
                        "label": labels["own_context"],
                        "text": item["own_context"],
                    }
                )
            parts += [{"key": k, "label": labels[k], "text": item["parts"][k]} for k in PARTS]
            situations.append(
                {
                    "heading": situation_heading(
                        ordinal, len(own), 1 if rule.number in (2, 4) else 2
                    ),
                    "title": item["title"],
                    "when": item["when"],
                    "competences": [
                        {"code": c, "wording": wordings[c]}
                        for c in item["competences"]
                        if c in wordings
                    ],
                    "parts": parts,
                    "annexes": [],
                }
            )
        activities.append({"heading": f"{rule.roman} – {rule.title}", "situations": situations})
    return {
        "title": "Livret 2",
        "cover": list(COVER_LINES),
        "certification": "CQP Conseiller offres de services (inscrit au RNCP n°35543)",
        "branch": branches.get(spec["branch"] or "", ""),
        "last_name": spec["last_name"],
        "first_name": spec["first_name"],
        "full_name": f"{spec['last_name']} {spec['first_name']}",
        "headings": {
            "motivation": MOTIVATION_HEADING,
            "analysis": ANALYSIS_HEADING,
            "context": CONTEXT_HEADING,
            "annexes": ANNEXES_HEADING,
        },
        "motivation": [
            {"key": k, "label": label, "text": spec[k]}
            for k, label in (
                ("motivation_reasons", "Pourquoi je m'engage dans la VAE"),
                ("motivation_strengths", "Mes atouts au regard du CQP"),
            )
        ],
        "cv": None,
        "context": {"text": spec["context"]},
        "activities": activities,
        "annexes": [],
    }


@settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=livret)
def test_any_text_the_export_writes_is_read_back_exactly(spec):
    data = render_docx(livret2_dict(spec))

    plan = parse_docx(data, RULES)

    assert plan.unplaced == []
    assert (plan.last_name, plan.first_name, plan.branch_code) == (
        spec["last_name"],
        spec["first_name"],
        spec["branch"],
    )
    assert plan.fields == {
        k: spec[k] for k in ("motivation_reasons", "motivation_strengths", "context")
    }
    expected = []
    for number, item in spec["situations"]:
        ordinal = 1 + sum(1 for s in expected if s.activity_number == number)
        expected.append(
            PlannedSituation(
                activity_number=number,
                ordinal=ordinal,
                title=item["title"],
                when=item["when"],
                own_context=item["own_context"],
                parts=item["parts"],
                competence_codes=item["competences"] if number == 2 else [],
            )
        )
    assert plan.situations == expected


@functools.cache
def base_document_xml() -> tuple[dict[str, bytes], bytes]:
    entries = docx_samples.entries_of(docx_samples.official_sample())
    return entries, entries["word/document.xml"]


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cut=st.integers(min_value=0, max_value=10**6),
    length=st.integers(min_value=0, max_value=80),
    insert=st.binary(max_size=40) | st.sampled_from([b"<w:p>", b"</w:tbl>", b"&amp;", b"<w:t>"]),
    whole_file=st.booleans(),
)
def test_a_damaged_file_raises_nothing_but_docx_rejected(cut, length, insert, whole_file):
    entries, xml = base_document_xml()
    if whole_file:
        original = docx_samples.zipped(entries)
        at = cut % len(original)
        data = original[:at] + insert + original[at + length :]
    else:
        at = cut % len(xml)
        damaged = xml[:at] + insert + xml[at + length :]
        data = docx_samples.zipped({**entries, "word/document.xml": damaged})

    try:
        plan = parse_docx(data, RULES)
    except DocxRejected as refused:
        assert re.search(r"[a-z]", refused.message)
    else:
        assert isinstance(plan, ImportPlan)
        assert all(isinstance(f, Fragment) for f in plan.unplaced)


def test_a_bold_sentence_that_starts_like_a_label_is_kept_as_text():
    document = docx.Document()
    document.add_heading("Livret 2 : Analyse de l'expérience", level=1)
    document.add_heading("I – Accueille, informe, oriente et conseille l'utilisateur", level=2)
    document.add_heading("Situation N°1 : Une demande d'aide", level=3)
    docx_samples.bold(document, "Pourquoi j'ai appelé la référente technique ce jour-là")
    document.add_paragraph("Parce que le dossier dépassait mes connaissances.")
    docx_samples.bold(document, "Mes atouts pour ce CQP")  # a label written in other words
    document.add_paragraph("L'écoute.")

    plan = parse(document)

    situation = plan.situations[0]
    assert situation.parts["rationale"] == (
        "Pourquoi j'ai appelé la référente technique ce jour-là\n"
        "Parce que le dossier dépassait mes connaissances."
    )
    assert plan.fields["motivation_strengths"] == "L'écoute."
