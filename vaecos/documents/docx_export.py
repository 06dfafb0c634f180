"""The Livret 2 as a Word document, laid out from `livret2_data` with python-docx.

Built on Word's own styles (Title, Heading 1–4, Body Text, List Bullet) so that the navigation
pane and the table of contents work, and so that `docx_import.parse_docx` reads the file back
exactly: a field's text is written one paragraph per line, in the "Body Text" style that the
import never mistakes for a label, and a "- " line becomes a real bullet.
"""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import docx
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

from vaecos.documents.livret2 import LIST_MARKER

LANGUAGE = "fr-FR"
TEXT_STYLE = "Body Text"  # field text; the import treats it as content, never as a label
BULLET_STYLE = "List Bullet"
TOC_INSTRUCTION = ' TOC \\o "1-3" \\h \\z \\u '
TOC_PLACEHOLDER = (
    "Faites un clic droit puis « Mettre à jour les champs » pour afficher le sommaire."
)
# Characters XML 1.0 cannot hold (tab and line feed are kept; carriage returns become line feeds).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Elements that follow w:updateFields in CT_Settings: it must be inserted before the first one.
_AFTER_UPDATE_FIELDS = (
    "w:hdrShapeDefaults",
    "w:footnotePr",
    "w:endnotePr",
    "w:compat",
    "w:docVars",
    "w:rsids",
    "m:mathPr",
    "w:attachedSchema",
    "w:themeFontLang",
    "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures",
    "w:forceUpgrade",
    "w:captions",
    "w:readModeInkLockDown",
    "w:smartTagType",
    "sl:schemaLibrary",
    "w:shapeDefaults",
    "w:doNotEmbedSmartTags",
    "w:decimalSymbol",
    "w:listSeparator",
)


def clean(text: str | None) -> str:
    """Text Word can hold: no XML-forbidden control characters, "\\n" as the only line break."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_XML.sub("", text)


def render_docx(data: dict[str, Any]) -> bytes:
    """The .docx of a Livret 2 described by `livret2_data(dossier)`."""
    document = docx.Document()
    _setup(document, data)
    _cover(document, data)
    _table_of_contents(document)

    headings = data["headings"]
    document.add_heading(clean(headings["motivation"]), level=1)
    for part in data["motivation"]:
        document.add_heading(clean(part["label"]), level=2)
        _add_text(document, part["text"])
    if data.get("cv"):
        _labelled(document, "CV joint : ", f"annexe {data['cv']['number']}")

    document.add_heading(clean(headings["analysis"]), level=1)
    document.add_heading(clean(headings["context"]), level=2)
    _add_text(document, data["context"]["text"])

    for activity in data["activities"]:
        document.add_heading(clean(activity["heading"]), level=2)
        for situation in activity["situations"]:
            _situation(document, situation)

    document.add_heading(clean(headings["annexes"]), level=1)
    for annex in data["annexes"]:
        document.add_paragraph(
            clean(f"Annexe {annex['number']} — {annex['name']} — {annex['caption']}")
        )
    if not data["annexes"]:
        document.add_paragraph("Aucune annexe.")

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _situation(document: Document, situation: dict[str, Any]) -> None:
    heading = situation["heading"]
    if situation["title"]:
        heading = f"{heading} : {situation['title']}"
    document.add_heading(clean(heading), level=3)
    if situation["when"]:
        _labelled(document, "Quand : ", situation["when"])
    if situation["competences"]:
        label = document.add_paragraph()
        label.add_run("Compétences mises en œuvre :").bold = True
        for competence in situation["competences"]:
            document.add_paragraph(clean(competence["wording"]), style=BULLET_STYLE)
    for part in situation["parts"]:
        document.add_heading(clean(part["label"]), level=4)
        _add_text(document, part["text"])
    if situation["annexes"]:
        numbers = ", ".join(f"annexe {a['number']}" for a in situation["annexes"])
        _labelled(document, "Pièces jointes : ", numbers)


def _add_text(document: Document, text: str) -> None:
    """One paragraph per line, blank lines included, so the import gives back the same text."""
    if not text:
        return
    for line in clean(text).split("\n"):
        item = line[len(LIST_MARKER) :]
        if line.startswith(LIST_MARKER) and item.strip():
            document.add_paragraph(item, style=BULLET_STYLE)
        else:
            document.add_paragraph(line, style=TEXT_STYLE)


def _labelled(document: Document, label: str, value: str) -> Paragraph:
    paragraph = document.add_paragraph()
    paragraph.add_run(label).bold = True
    paragraph.add_run(clean(value))
    return paragraph


def _cover(document: Document, data: dict[str, Any]) -> None:
    lines: list[tuple[str, str | None]] = [
        (data["cover"][0], None),
        (data["certification"], None),
        (f"Branche : {data['branch']}", None),
        (data["cover"][1], "Title"),
        (f"NOM : {data['last_name']}", None),
        (f"PRÉNOM : {data['first_name']}", None),
    ]
    for text, style in lines:
        paragraph = document.add_paragraph(clean(text), style=style)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_page_break()


def _table_of_contents(document: Document) -> None:
    document.add_paragraph("Sommaire", style="TOC Heading")
    paragraph = document.add_paragraph()
    _add_field(paragraph, TOC_INSTRUCTION, TOC_PLACEHOLDER, dirty=True)
    document.add_page_break()


def _add_field(paragraph: Paragraph, instruction: str, shown: str, *, dirty: bool = False) -> None:
    """A complex field (begin / instruction / separate / shown result / end) in one paragraph."""

    def char_run(kind: str) -> None:
        fld = OxmlElement("w:fldChar")
        fld.set(qn("w:fldCharType"), kind)
        if dirty and kind == "begin":
            fld.set(qn("w:dirty"), "true")  # Word recomputes it when the file is opened
        paragraph.add_run()._r.append(fld)

    char_run("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = instruction
    paragraph.add_run()._r.append(instr)
    char_run("separate")
    paragraph.add_run(shown)
    char_run("end")


def _setup(document: Document, data: dict[str, Any]) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4, not the template's Letter
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.5))

    header = section.header.paragraphs[0]
    full_name = clean(data.get("full_name"))
    header.text = f"{full_name} — Livret 2" if full_name else "Livret 2"
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("page ")
    _add_field(footer, " PAGE ", "1")
    footer.add_run(" / ")
    _add_field(footer, " NUMPAGES ", "1")

    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0, tzinfo=None)
    core = document.core_properties
    core.title = clean(data["title"])
    core.subject = clean(data.get("certification"))
    core.language = LANGUAGE
    core.author = ""
    core.comments = ""
    core.last_modified_by = ""
    core.created = core.modified = now
    core.revision = 1

    # Field text keeps the candidate's blank lines as empty paragraphs (so that it comes back
    # exactly on import): those blank lines, not extra spacing, separate its paragraphs.
    body = document.styles[TEXT_STYLE].paragraph_format
    body.space_before = Pt(0)
    body.space_after = Pt(0)
    _set_language(document)
    settings = document.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")  # Word offers to fill the table of contents on opening
    successors = [settings.find(qn(tag)) for tag in _AFTER_UPDATE_FIELDS]
    following = next((e for e in successors if e is not None), None)
    if following is not None:
        following.addprevious(update)
    else:
        settings.append(update)


def _set_language(document: Document) -> None:
    """French spelling and hyphenation: w:lang on the document defaults and on Normal."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    _lang(rpr)
    _lang(document.styles["Normal"].element.get_or_add_rPr())


def _lang(rpr: Any) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)
