"""Word files built in memory for the DOCX tests, filled the way people really fill the template."""

import io
import zipfile
from xml.sax.saxutils import escape

import docx
from docx.document import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from tests.conftest import _referentiel_file
from vaecos.documents.docx_import import ActivityRule, ParseRules

Container = Document | _Cell

# The official titles, as a candidate types them (typographic apostrophes, small mistakes).
TITLE_I = (
    "Accueille, informe, oriente et conseille l’utilisateur (assuré, allocataire, retraité ou "
    "cotisant) ou les partenaires"
)
TITLE_II_MISSPELT = (
    "Met en oeuvre les obligation du plan de maîtrise des risques et les procédure qualités"
)
TITLE_III = (
    "Informe, conseille et oriente dans l’utilisation des offres de services et outils "
    "numériques proposés par la Sécurité sociale et ses partenaires"
)
TITLE_IV = (
    "Réalise des activités de saisies spécifiques et/ou de masse issues de données de "
    "l’utilisateur et du système d’information"
)


def rules() -> ParseRules:
    """The parse rules of the real référentiel file, without the database."""
    data, _ = _referentiel_file()
    parts = tuple((p["key"], p["label"]) for p in data["template"]["situation_parts"])
    return ParseRules(
        activities=tuple(
            ActivityRule(
                number=a["number"],
                roman=a["roman"],
                title=a["title"],
                competences=tuple((c["code"], c["wording"]) for c in a.get("competences") or []),
            )
            for a in data["activities"]
        ),
        situation_parts=(*parts, ("own_context", "Contexte propre à la situation")),
        branches=tuple((b["code"], b["name"]) for b in data["branches"]),
        certification_name=data["certification"]["name"],
        rncp_code=data["certification"]["rncp_code"],
    )


def to_bytes(document: Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def bold(container: Container, text: str) -> Paragraph:
    paragraph = container.add_paragraph()
    paragraph.add_run(text).bold = True
    return paragraph


def numbered(container: Container, text: str, num_id: int = 1) -> Paragraph:
    """A list item with real Word numbering (w:numPr in the paragraph), in a Normal paragraph."""
    paragraph = container.add_paragraph(text)
    ppr = paragraph._p.get_or_add_pPr()
    num_pr = OxmlElement("w:numPr")
    level = OxmlElement("w:ilvl")
    level.set(qn("w:val"), "0")
    num = OxmlElement("w:numId")
    num.set(qn("w:val"), str(num_id))
    num_pr.append(level)
    num_pr.append(num)
    ppr.append(num_pr)
    return paragraph


def two_columns(container: Container, rows: list[tuple[str, str]], *, bold_labels: bool = False):
    table = container.add_table(rows=0, cols=2)
    for label, value in rows:
        cells = table.add_row().cells
        if bold_labels:
            cells[0].paragraphs[0].add_run(label).bold = True
        else:
            cells[0].text = label
        cells[1].text = value
    return table


STRAY = "Brouillon — version du 3 mars, à relire avec ma tutrice"


def official_sample() -> bytes:
    """A Livret 2 typed into the official Word template by a candidate (see EXPECTED_*)."""
    d = docx.Document()
    d.add_paragraph(STRAY)
    bold(d, "Validation des acquis de l’expérience (VAE)")
    bold(d, "CQP Conseiller offres de services")
    bold(d, "Branche : Maladie")
    bold(d, "LIVRET 2 – DOSSIER DE VALIDATION")
    two_columns(d, [("NOM", "Dupont"), ("Prénom", "Marie-Hélène")], bold_labels=True)
    d.add_paragraph()

    bold(d, "VOTRE MOTIVATION")
    bold(d, "Pourquoi je m’engage dans la VAE :")
    d.add_paragraph("Je travaille à la CPAM depuis 2015.")
    d.add_paragraph()
    d.add_paragraph("Je veux faire reconnaître mon expérience.")
    bold(d, "Mes atouts au regard du CQP")
    d.add_paragraph("L’écoute et la rigueur.")

    d.add_heading("Analyse de l’expérience", level=1)
    bold(d, "Présentation de mon organisme :")
    d.add_paragraph("La CPAM de Nantes : un accueil de douze conseillers.")

    bold(d, f"I – {TITLE_I}")
    bold(d, "Situation N°1")
    d.add_paragraph("Titre : Une demande de complémentaire santé solidaire")
    d.add_paragraph("Date : Février 2025")
    bold(d, "Description de la situation")
    d.add_paragraph("Un assuré me demande s’il a droit à la CSS.")
    d.add_heading("Mon analyse", level=4)
    d.add_paragraph("J’ai vérifié ses ressources.")
    bold(d, "Ce que j’ai fait, étape par étape :")
    numbered(d, "J’ai ouvert son dossier.")
    numbered(d, "Je lui ai expliqué la CSS.")
    bold(d, "Pourquoi j’ai agi ainsi")
    d.add_paragraph("Pour qu’il devienne autonome.")
    bold(d, "Résultat")
    d.add_paragraph("Il a obtenu la CSS.")

    bold(d, "Situation n° 2 : Un changement d’adresse")
    d.add_paragraph("Quand : Mars 2025")
    d.add_paragraph("Une assurée m’appelle après son déménagement.")
    bold(d, "Analyse :")
    d.add_paragraph("Elle avait déménagé dans un autre département.")
    bold(d, "Actions")
    steps = d.add_table(rows=2, cols=2)
    steps.cell(0, 0).text = "Étape 1"
    steps.cell(0, 1).text = "J’ai vérifié son identité."
    steps.cell(1, 0).text = "Étape 2"
    steps.cell(1, 1).text = "J’ai mis à jour l’adresse."

    bold(d, f"II - {TITLE_II_MISSPELT}")
    bold(d, "Situation")
    bold(d, "Compétences mises en œuvre :")
    d.add_paragraph(
        "Appliquer les règles de la déontologie et du secret professionnel", style="List Bullet"
    )
    d.add_paragraph(
        "Travailler en coopération avec les autres services", style="List Bullet"
    )  # cut short: still recognised
    d.add_paragraph("Savoir cuisiner", style="List Bullet")
    two_columns(
        d,
        [
            ("Contexte", "En renfort à la plateforme téléphonique de la caisse voisine."),
            ("Mon analyse de la situation", "J’ai repéré une incohérence dans le dossier."),
        ],
    )

    bold(d, f"3. {TITLE_III}")
    bold(d, "Situation 1")
    d.add_heading("Description", level=4)
    d.add_paragraph("J’ai aidé une assurée à créer son compte ameli.")
    d.add_heading("Résultats", level=4)
    d.add_paragraph("Elle consulte seule ses remboursements.")

    bold(d, f"IV. {TITLE_IV}")
    bold(d, "Situation")
    d.add_paragraph("Je saisis les changements de situation reçus par courrier.")
    bold(d, "Le résultat et ce que j’en ai retenu")
    d.add_paragraph("Aucune erreur de saisie signalée.")

    bold(d, "Liste des annexes")
    d.add_paragraph("Annexe 1 — courrier anonymisé.pdf")
    return to_bytes(d)


# --- Files that must be refused ---------------------------------------------------------------


def zipped(entries: dict[str, bytes], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def entries_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def minimal_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Bonjour")
    return to_bytes(document)


def with_macros() -> bytes:
    entries = entries_of(minimal_docx())
    entries["word/vbaProject.bin"] = b"\x00" * 64
    return zipped(entries)


def docm() -> bytes:
    entries = entries_of(minimal_docx())
    entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(
        b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml"
    )
    return zipped(entries)


def zip_bomb() -> bytes:
    """A .docx with a 150 MB entry of zeros: a few hundred kilobytes once compressed."""
    entries = entries_of(minimal_docx())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
        chunk = b"\0" * (1024 * 1024)
        with archive.open("word/media/padding.bin", "w", force_zip64=True) as entry:
            for _ in range(150):
                entry.write(chunk)
    return buffer.getvalue()


def broken_xml() -> bytes:
    entries = entries_of(minimal_docx())
    entries["word/document.xml"] = entries["word/document.xml"][:-40]
    return zipped(entries)


def with_entity_declaration() -> bytes:
    entries = entries_of(minimal_docx())
    xml = entries["word/document.xml"].decode()
    head, _, rest = xml.partition("?>")
    doctype = '<!DOCTYPE w:document [<!ENTITY lol "lol">]>'
    entries["word/document.xml"] = f"{head}?>{doctype}{rest}".replace("Bonjour", "&lol;").encode()
    return zipped(entries)


def many_paragraphs(count: int) -> bytes:
    """A valid .docx with `count` short paragraphs, written as XML directly (python-docx is slow)."""
    entries = entries_of(to_bytes(docx.Document()))
    xml = entries["word/document.xml"].decode()
    body_start = xml.index("<w:body>") + len("<w:body>")
    paragraphs = "<w:p><w:r><w:t>x</w:t></w:r></w:p>" * count
    entries["word/document.xml"] = (xml[:body_start] + paragraphs + xml[body_start:]).encode()
    return zipped(entries)


def custom_xml_bomb(parts: int = 40) -> bytes:
    """A small .docx carrying `parts` custom XML parts of 1 MiB of "<b/>" each (~1 KB zipped).

    Exactly 1 MiB: the archive-wide ratio check only looks at larger entries.
    """
    entries = entries_of(minimal_docx())
    filler = b"<b/>" * ((1024 * 1024 - len(b"<a></a>")) // 4)
    for number in range(1, parts + 1):
        entries[f"customXml/item{number}.xml"] = b"<a>" + filler + b"</a>"
    return zipped(entries)


def document_of_markup(size: int) -> bytes:
    """A .docx whose document.xml is at most `size` bytes, nearly all "<w:b/>" in one run."""
    entries = entries_of(minimal_docx())
    xml = entries["word/document.xml"]
    at = xml.index(b"<w:t>")
    filler = b"<w:b/>" * ((size - len(xml) - len(b"<w:rPr></w:rPr>")) // 6)
    entries["word/document.xml"] = xml[:at] + b"<w:rPr>" + filler + b"</w:rPr>" + xml[at:]
    return zipped(entries)


def lying_size(data: bytes, name: str, declared: int) -> bytes:
    """`data` with the uncompressed size of `name` in the central directory replaced."""
    encoded = name.encode()
    at = data.rindex(b"PK\x01\x02", 0, data.rindex(encoded))
    assert data[at + 46 : at + 46 + len(encoded)] == encoded
    return data[: at + 24] + declared.to_bytes(4, "little") + data[at + 28 :]


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NOTE_PARTS = {
    "footnotes": ("footnote", "footnoteRef", "footnotes"),
    "endnotes": ("endnote", "endnoteRef", "endnotes"),
}


def with_notes(data: bytes, kind: str, notes: list[list[str]]) -> bytes:
    """`data` with a footnotes or endnotes part (python-docx cannot write one) holding `notes`,
    one list of paragraphs per note, after Word's two separator notes."""
    tag, ref, rel = NOTE_PARTS[kind]
    items = [
        f'<w:{tag} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{tag}>',
        f'<w:{tag} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
        f"</w:r></w:p></w:{tag}>",
    ]
    for number, paragraphs in enumerate(notes, start=1):
        body = "".join(
            f'<w:p><w:r><w:{ref}/></w:r><w:r><w:t xml:space="preserve"> {escape(text)}</w:t></w:r>'
            "</w:p>"
            for text in paragraphs
        )
        items.append(f'<w:{tag} w:id="{number}">{body}</w:{tag}>')
    entries = entries_of(data)
    entries[f"word/{kind}.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:{kind} xmlns:w="{W_NS}">{"".join(items)}</w:{kind}>'
    ).encode()
    rels = entries["word/_rels/document.xml.rels"].decode()
    rels = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rIdNotes{kind}" Target="{kind}.xml" Type="http://schemas.'
        f'openxmlformats.org/officeDocument/2006/relationships/{rel}"/></Relationships>',
    )
    entries["word/_rels/document.xml.rels"] = rels.encode()
    types = entries["[Content_Types].xml"].decode()
    types = types.replace(
        "</Types>",
        f'<Override PartName="/word/{kind}.xml" ContentType="application/vnd.openxmlformats-'
        f'officedocument.wordprocessingml.{kind}+xml"/></Types>',
    )
    entries["[Content_Types].xml"] = types.encode()
    return zipped(entries)
