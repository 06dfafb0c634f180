"""Reading a Livret 2 written in Word (.docx): a safety check, then a plan of where each text goes.

`check_docx` refuses what must never be opened (old .doc, macros, zip bombs, broken XML, huge
documents); only the parts the import needs are ever decompressed. `parse_docx` walks the
document body in order and attributes every non-empty paragraph to a part of the dossier, to the
template's own structure (its fixed lines only), or to "unplaced"; footnotes, endnotes, comments
and what headers and footers hold beyond the running header and page number are unplaced too:
nothing the candidate wrote is dropped. It writes nothing; `rules_for` is its only database
access.

The parser reads the package with lxml itself (safe parser: no entities, no network, no DTD)
rather than through python-docx, so it also reads templates (.dotx), content controls and text
boxes, and so every failure can be turned into one French message.

Recognition is deliberately tolerant: headings are Word heading styles, fully bold short lines
or plain lines that match a known label after normalisation (accents, case, punctuation and
small spelling variants). Paragraphs in the "Body Text" style (the style `docx_export` writes
field text in) and list items are always content, never labels.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from lxml import etree

from vaecos.documents.livret2 import (
    ANALYSIS_HEADING,
    ANNEXES_HEADING,
    CONTEXT_HEADING,
    COVER_LINES,
    LIST_MARKER,
    MOTIVATION_HEADING,
)
from vaecos.dossiers.fields import DOSSIER_FIELDS, SITUATION_FIELDS
from vaecos.utils.errors import ActionRefused

if TYPE_CHECKING:
    from vaecos.referentiels.models import ReferentielVersion

MAX_DOCX_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_ENTRIES = 2_000
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_FROM = 1024 * 1024  # small entries may be very compressible without harm
# Only the parts the import reads are decompressed (the main document, its styles, notes,
# comments, headers and footers, and the package's content types and relationships); the rest
# (images, custom XML, themes…) is never opened. The parts read are bounded three ways:
# - their declared sizes, all together, before anything is read (and no part is read beyond its
#   declared size: a header that lies makes the file invalid, not bigger);
# - a ratio for parts over 256 KB: deflate tops out near 1 000:1, which only pure repetition
#   reaches (1 MB of "<b/>" is ~1 000:1); real parts stay well below (python-docx's own
#   styles.xml is 29:1, 20 000 identical short paragraphs 265:1), so 20:1 would refuse real files;
# - their markup, counted before parsing: each "<" or "=" is at most one element or attribute,
#   ~120–250 bytes once parsed by lxml, so 1 000 000 of them keep a parse under ~250 MB,
#   while a paragraph as Word writes it takes 10 to 50 (a long Livret 2 has a few thousand).
MAX_READ_BYTES = 32 * 1024 * 1024
READ_RATIO_FROM = 256 * 1024
MAX_READ_RATIO = 400
MAX_MARKUP = 1_000_000
MAX_BLOCKS = 20_000  # paragraphs + table cells
MAX_CHARS = 2_000_000

LABEL_MATCH = 0.85
TITLE_MATCH = 0.8
MAX_LABEL_LINE = 400  # longer paragraphs are always content: labels and headings are short

INVALID = "Ce fichier n'est pas un document Word (.docx) valide."
OLE_MESSAGE = (
    "Ce fichier est un ancien document Word (.doc) ou un document protégé par un mot de passe : "
    "il ne peut pas être lu. Ouvrez-le dans Word, enregistrez-le au format « Document Word "
    "(.docx) » sans mot de passe, puis déposez-le à nouveau."
)
MACRO_MESSAGE = (
    "Ce document contient des macros : par sécurité, il est refusé. Enregistrez-le au format "
    "« Document Word (.docx) » (sans macros), puis déposez-le à nouveau."
)
BOMB_MESSAGE = (
    "Ce fichier est anormalement compressé ou compte trop d'éléments : par sécurité, il n'est "
    "pas ouvert. Enregistrez à nouveau le document dans Word, puis déposez-le."
)

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
MATH_NS = "http://schemas.openxmlformats.org/officeDocument/2006/math"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


W_P, W_TBL, W_TR, W_TC, W_R, W_T = _w("p"), _w("tbl"), _w("tr"), _w("tc"), _w("r"), _w("t")
W_BODY, W_SDT, W_SDTPR, W_SDTCONTENT = _w("body"), _w("sdt"), _w("sdtPr"), _w("sdtContent")
W_CUSTOMXML, W_PPR, W_RPR, W_VAL = _w("customXml"), _w("pPr"), _w("rPr"), _w("val")
W_TXBX = _w("txbxContent")
MC_ALTERNATE, MC_CHOICE = f"{{{MC_NS}}}AlternateContent", f"{{{MC_NS}}}Choice"
MC_FALLBACK = f"{{{MC_NS}}}Fallback"
_SKIPPED_INLINE = {
    W_PPR,
    W_RPR,
    _w("del"),
    _w("moveFrom"),
    _w("sdtPr"),
    _w("sdtEndPr"),
    _w("fldData"),
    _w("delText"),
    _w("delInstrText"),
    MC_FALLBACK,  # the same content again, for older readers
}


class DocxRejected(ActionRefused):
    """A .docx that is refused before any reading; the message says why, in French."""


# --- Safety check ----------------------------------------------------------------------------


def _parser() -> Any:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
    )


def _xml(blob: bytes) -> Any:
    try:
        root = etree.fromstring(blob, parser=_parser())
    except (etree.XMLSyntaxError, ValueError) as error:
        raise DocxRejected(f"{INVALID} Son contenu est endommagé.") from error
    if root is None or root.getroottree().docinfo.doctype:
        # Office never writes a DOCTYPE: one here can only be an attempt at entity tricks.
        raise DocxRejected(f"{INVALID} Son contenu est endommagé.")
    return root


@dataclasses.dataclass
class _Package:
    document: Any
    styles: Any | None
    # Text outside the body, in reading order: (kind, root) with kind "footnotes", "endnotes",
    # "comments", "header" or "footer".
    others: list[tuple[str, Any]] = dataclasses.field(default_factory=list)


class _Reader:
    """Reads only the parts the import needs, each with its size checked before and while reading.

    Nothing else of the archive is decompressed (images, custom XML, themes, settings…): their
    declared sizes are checked, never their content.
    """

    def __init__(self, archive: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo]) -> None:
        self.archive = archive
        self.infos = infos
        self.read_bytes = 0
        self.markup = 0

    def declared(self, names: list[str]) -> None:
        """Refuse before reading when the parts about to be read are too big, once decompressed."""
        total = self.read_bytes + sum(self.infos[name].file_size for name in names)
        if total > MAX_READ_BYTES:
            raise DocxRejected(BOMB_MESSAGE)

    def xml(self, name: str) -> Any:
        info = self.infos[name]
        if info.file_size > READ_RATIO_FROM and (
            info.file_size > MAX_READ_RATIO * max(info.compress_size, 1)
        ):
            raise DocxRejected(BOMB_MESSAGE)
        self.declared([name])
        try:
            with self.archive.open(info) as entry:
                # Never more than declared, whatever the stream holds (zipfile checks the CRC).
                blob = entry.read(info.file_size + 1)
        except Exception as error:  # bad CRC, broken deflate stream, unknown compression…
            raise DocxRejected(INVALID) from error
        if len(blob) != info.file_size:
            raise DocxRejected(INVALID)
        self.read_bytes += len(blob)
        # What bounds the memory of the parsed trees, whatever the markup (see MAX_MARKUP).
        self.markup += blob.count(b"<") + blob.count(b"=")
        if self.markup > MAX_MARKUP:
            raise DocxRejected(BOMB_MESSAGE)
        return _xml(blob)

    def optional(self, name: str | None) -> Any | None:
        return self.xml(name) if name is not None and name in self.infos else None


def _rels_name(part: str) -> str:
    folder, _, base = part.rpartition("/")
    return f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"


def _targets(rels: Any | None, source: str) -> list[tuple[str, str]]:
    """(type, part name) of the internal relationships of `source`, in document order."""
    if rels is None:
        return []
    folder = source.rpartition("/")[0]
    found = []
    for rel in rels.iter(f"{{{REL_NS}}}Relationship"):
        target = rel.get("Target") or ""
        if rel.get("TargetMode") == "External" or not target:
            continue
        path = target.lstrip("/") if target.startswith("/") else f"{folder}/{target}".lstrip("/")
        parts: list[str] = []
        for piece in path.split("/"):
            if piece == "..":
                if parts:
                    parts.pop()
            elif piece not in ("", "."):
                parts.append(piece)
        kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
        found.append((kind, "/".join(parts)))
    return found


_OTHER_PARTS = ("footnotes", "endnotes", "comments", "header", "footer")


def _open(data: bytes) -> _Package:
    """Every check of `check_docx`; returns the parsed main document, styles and notes."""
    if not data:
        raise DocxRejected("Le fichier est vide.")
    if len(data) > MAX_DOCX_BYTES:
        raise DocxRejected(
            f"Le fichier dépasse la taille maximale de {MAX_DOCX_BYTES // (1024 * 1024)} Mo."
        )
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise DocxRejected(OLE_MESSAGE)
    if data[:5] == b"%PDF-":
        raise DocxRejected(f"{INVALID} C'est un fichier PDF : déposez le document Word d'origine.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as error:  # any failure to read the archive means it is not a .docx
        raise DocxRejected(INVALID) from error
    with archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        if len(infos) > MAX_ENTRIES:
            raise DocxRejected(BOMB_MESSAGE)
        if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
            raise DocxRejected(BOMB_MESSAGE)
        for info in infos:
            if info.file_size > RATIO_CHECK_FROM and (
                info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
            ):
                raise DocxRejected(BOMB_MESSAGE)
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            raise DocxRejected(MACRO_MESSAGE)
        if any(info.flag_bits & 0x1 for info in infos):
            raise DocxRejected(OLE_MESSAGE)  # encrypted entries: a password-protected file
        if len(set(names)) != len(names) or "[Content_Types].xml" not in names:
            raise DocxRejected(INVALID)
        reader = _Reader(archive, {info.filename: info for info in infos})
        content_types = reader.xml("[Content_Types].xml")
        for item in content_types.iter(f"{{{CT_NS}}}Default", f"{{{CT_NS}}}Override"):
            kind = (item.get("ContentType") or "").lower()
            if "macroenabled" in kind or "vbaproject" in kind:
                raise DocxRejected(MACRO_MESSAGE)
        main = next(
            (
                name
                for kind, name in _targets(reader.optional("_rels/.rels"), "")
                if kind == "officeDocument" and name in reader.infos
            ),
            "word/document.xml",
        )
        if main not in reader.infos:
            raise DocxRejected(INVALID)
        related = _targets(reader.optional(_rels_name(main)), main)
        styles = next((name for kind, name in related if kind == "styles"), "word/styles.xml")
        others = [
            (kind, name)
            for kind, name in related
            if kind in _OTHER_PARTS and name in reader.infos and name != main
        ]
        others = list(dict.fromkeys(others))  # a part named twice is read once
        others.sort(key=lambda item: _OTHER_PARTS.index(item[0]))  # stable: file order kept
        reader.declared(
            [main, *([styles] if styles in reader.infos else []), *(n for _, n in others)]
        )
        document = reader.xml(main)
        if document.tag != _w("document") or document.find(W_BODY) is None:
            raise DocxRejected(INVALID)
        package = _Package(
            document=document,
            styles=reader.optional(styles),
            others=[(kind, reader.xml(name)) for kind, name in others],
        )
    roots = [document, *(root for _, root in package.others)]
    blocks = sum(1 for root in roots for _ in root.iter(W_P, W_TC))
    if blocks > MAX_BLOCKS:
        raise DocxRejected(
            "Ce document est trop long pour être importé : il compte plus de "
            f"{_thousands(MAX_BLOCKS)} paragraphes et cellules de tableau."
        )
    chars = sum(len(t.text or "") for root in roots for t in root.iter(W_T))
    if chars > MAX_CHARS:
        raise DocxRejected(
            "Ce document est trop long pour être importé : il compte plus de "
            f"{_thousands(MAX_CHARS)} caractères."
        )
    return package


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", " ")


def check_docx(data: bytes) -> None:
    """Raise DocxRejected, with a French message, for any file that must not be read."""
    _open(data)


# --- Rules, targets and plan -----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ActivityRule:
    number: int
    roman: str
    title: str
    competences: tuple[tuple[str, str], ...] = ()  # (code, wording)


@dataclasses.dataclass(frozen=True)
class ParseRules:
    activities: tuple[ActivityRule, ...]
    situation_parts: tuple[tuple[str, str], ...]  # (key, label), own_context included
    branches: tuple[tuple[str, str], ...]  # (code, name)
    certification_name: str = ""  # on the cover: "CQP Conseiller offres de services"
    rncp_code: str = ""  # "RNCP35543"


def rules_for(version: ReferentielVersion) -> ParseRules:
    """What the parser must recognise for one référentiel version."""
    activities = tuple(
        ActivityRule(
            number=activity.number,
            roman=activity.roman,
            title=activity.title,
            competences=tuple((c.code, c.wording) for c in activity.competences.all()),
        )
        for activity in version.activities.order_by("number").prefetch_related("competences")
    )
    parts = tuple(
        (str(part["key"]), str(part["label"]))
        for part in version.template_rules.get("situation_parts", [])
    )
    if all(key != "own_context" for key, _ in parts):
        parts += (("own_context", SITUATION_FIELDS["own_context"][0]),)
    branches = tuple((b.code, b.name) for b in version.branches.order_by("position", "pk"))
    certification = version.certification
    return ParseRules(
        activities=activities,
        situation_parts=parts,
        branches=branches,
        certification_name=certification.name,
        rncp_code=certification.rncp_code,
    )


@dataclasses.dataclass(frozen=True)
class Fragment:
    index: int
    where: str
    text: str


MOTIVATION_FIELDS = ("motivation_reasons", "motivation_strengths")
DOSSIER_TEXT_FIELDS = (*MOTIVATION_FIELDS, "context")
PART_FIELDS = ("description", "analysis", "actions", "rationale", "outcome")
SINGLE_LINE_FIELDS = frozenset({"last_name", "first_name", "branch", "title", "when"})
COMPETENCES_LABEL = "Compétences mises en œuvre"
HEADER_LABELS = {"last_name": "Nom", "first_name": "Prénom", "branch": "Branche"}


def roman(number: int) -> str:
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    result = ""
    for value, letters in numerals:
        while number >= value:
            result += letters
            number -= value
    return result


@dataclasses.dataclass(frozen=True)
class Target:
    kind: str  # "dossier", "situation" or "structure"
    field: str  # a field name, or for "structure" a short French reason
    activity: int | None = None
    ordinal: int | None = None

    @property
    def label(self) -> str:
        """Where the text goes, as the candidate reads it in the import report."""
        if self.kind == "structure":
            return f"Structure du modèle ({self.field})"
        if self.kind == "dossier":
            if self.field in MOTIVATION_FIELDS:
                return f"{MOTIVATION_HEADING} — {DOSSIER_FIELDS[self.field][0]}"
            if self.field in HEADER_LABELS:
                return f"En-tête — {HEADER_LABELS[self.field]}"
            return DOSSIER_FIELDS[self.field][0]
        name = COMPETENCES_LABEL if self.field == "competences" else SITUATION_FIELDS[self.field][0]
        return f"Activité {roman(self.activity or 0)} — Situation N°{self.ordinal} — {name}"

    @property
    def key(self) -> str:
        """Machine form: "structure", "dossier.context", "situation.I.2.actions"."""
        if self.kind == "structure":
            return "structure"
        if self.kind == "dossier":
            return f"dossier.{self.field}"
        return f"situation.{roman(self.activity or 0)}.{self.ordinal}.{self.field}"


@dataclasses.dataclass(frozen=True)
class Placement:
    fragment: Fragment
    target: Target


@dataclasses.dataclass
class PlannedSituation:
    activity_number: int
    ordinal: int  # 1-based within its activity, in file order
    title: str = ""
    when: str = ""
    own_context: str | None = None  # None: the situation uses the general context
    parts: dict[str, str] = dataclasses.field(default_factory=dict)  # only the parts found
    competence_codes: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class ImportPlan:
    """What the file holds and where it goes; None / missing keys mean "not in the file"."""

    last_name: str | None = None
    first_name: str | None = None
    branch_code: str | None = None
    fields: dict[str, str] = dataclasses.field(default_factory=dict)
    situations: list[PlannedSituation] = dataclasses.field(default_factory=list)
    placements: list[Placement] = dataclasses.field(default_factory=list)
    unplaced: list[Fragment] = dataclasses.field(default_factory=list)

    def to_json(self) -> dict[str, list[dict[str, str]]]:
        return {
            "placed": [
                {
                    "where": p.fragment.where,
                    "text": p.fragment.text,
                    "target": p.target.label,
                    "key": p.target.key,
                }
                for p in self.placements
            ],
            "unplaced": [{"where": f.where, "text": f.text} for f in self.unplaced],
        }


# --- Label recognition -----------------------------------------------------------------------

_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−'’‘‛`´\"“”„«»‹›", " "))


def normalize(text: str) -> str:
    """Lowercase, no accents, apostrophes/quotes/dashes/punctuation as spaces, spaces collapsed."""
    text = unicodedata.normalize("NFKD", text.translate(_DASHES))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


Label = tuple[str, str]  # (kind, field): kind is "section", "dossier" or "situation"

_SYNONYMS: dict[Label, tuple[str, ...]] = {
    ("section", "motivation"): (
        MOTIVATION_HEADING,
        "Motivation",
        "Ma motivation",
        "Mes motivations",
        "Vos motivations",
        "La motivation",
    ),
    ("section", "analysis"): (
        ANALYSIS_HEADING,
        "Analyse de l'expérience",
        "L'analyse de l'expérience",
        "Analyse de mon expérience",
        "Analyse de votre expérience",
    ),
    ("section", "annexes"): (
        ANNEXES_HEADING,
        "Annexes",
        "Les annexes",
        "Liste des pièces jointes",
        "Liste des pièces justificatives",
    ),
    ("section", "toc"): ("Sommaire", "Table des matières"),
    ("dossier", "last_name"): ("Nom", "Nom de naissance", "Nom d'usage", "Nom de famille"),
    ("dossier", "first_name"): ("Prénom", "Prénoms"),
    ("dossier", "branch"): ("Branche", "Branche professionnelle", "Votre branche"),
    ("dossier", "motivation_reasons"): (
        DOSSIER_FIELDS["motivation_reasons"][0],
        "Pourquoi je m'engage dans une VAE",
        "Pourquoi je m'engage",
        "Pourquoi vous vous engagez dans la VAE",
        "Pourquoi vous engagez-vous dans la VAE",
        "Mes raisons",
        "Mon parcours et mon projet",
        "Votre parcours et votre projet",
    ),
    ("dossier", "motivation_strengths"): (
        DOSSIER_FIELDS["motivation_strengths"][0],
        "Mes atouts",
        "Vos atouts",
        "Vos atouts au regard du CQP",
        "Mes points forts",
    ),
    ("dossier", "context"): (
        CONTEXT_HEADING,
        DOSSIER_FIELDS["context"][0],
        "Contexte",
        "Le contexte",
        "Mon contexte",
        "Contexte de mon organisme",
        "Le contexte de mon organisme",
        "Contexte professionnel",
        "Présentation de mon organisme",
        "Présentation de l'organisme",
        "Présentation de la structure",
        "Présentation de ma structure",
        "Mon organisme",
    ),
    ("situation", "own_context"): (
        SITUATION_FIELDS["own_context"][0],
        "Contexte de la situation",
        "Le contexte de la situation",
    ),
    ("situation", "title"): ("Titre", "Intitulé", "Intitulé de la situation"),
    ("situation", "when"): ("Date", "Dates", "Période", "Date ou période", "Date de la situation"),
    ("situation", "description"): (
        "Description de la situation",
        "Description",
        "Présentation de la situation",
        "Ma situation",
        "Situation vécue",
        "Ce qui s'est passé",
    ),
    ("situation", "analysis"): (
        "Analyse",
        "Mon analyse",
        "Analyse de la situation",
        "Comment j'ai analysé la situation",
    ),
    ("situation", "actions"): (
        "Actions",
        "Mes actions",
        "Actions menées",
        "Les actions menées",
        "Ce que j'ai fait",
        "Étape par étape",
        "Description des actions",
    ),
    ("situation", "rationale"): (
        "Pourquoi",
        "Pourquoi ai-je agi ainsi",
        "Pourquoi j'ai agi de cette façon",
        "Pourquoi j'ai fait ainsi",
        "Justification",
        "Mes raisons d'agir",
    ),
    ("situation", "outcome"): (
        "Résultat",
        "Résultats",
        "Le résultat",
        "Les résultats",
        "Bilan",
        "Ce que j'en ai retenu",
        "Résultat et enseignements",
        "Ce que j'ai appris",
    ),
    ("situation", "competences"): (
        COMPETENCES_LABEL,
        "Compétences",
        "Compétences mobilisées",
        "Les compétences mises en œuvre",
        "Compétences visées",
    ),
}
# Beginnings that make a heading or a bold line a label ("Mes atouts pour ce CQP").
_PREFIXES: dict[Label, tuple[str, ...]] = {
    ("section", "motivation"): ("votre motivation", "ma motivation", "mes motivations"),
    ("section", "analysis"): ("analyse de l experience", "livret 2 analyse"),
    ("section", "annexes"): ("liste des annexes",),
    ("dossier", "motivation_reasons"): ("pourquoi je m engage", "pourquoi vous vous engagez"),
    ("dossier", "motivation_strengths"): ("mes atouts", "vos atouts", "mes points forts"),
    ("dossier", "context"): (
        "presentation de mon organisme",
        "presentation de l organisme",
        "presentation de la structure",
        "presentation de ma structure",
        "contexte de l organisme",
        "contexte de mon organisme",
        "le contexte de votre organisme",
    ),
    ("situation", "own_context"): ("contexte propre", "contexte de la situation"),
    ("situation", "description"): ("description de la situation",),
    ("situation", "analysis"): ("mon analyse", "analyse de la situation"),
    ("situation", "actions"): ("ce que j ai fait", "mes actions", "actions menees"),
    ("situation", "rationale"): ("pourquoi j ai", "pourquoi ai je"),
    ("situation", "outcome"): ("le resultat", "resultat", "resultats", "ce que j en ai retenu"),
    ("situation", "competences"): ("competences mises en oeuvre", "competences mobilisees"),
}

_SITUATION_RE = re.compile(
    r"^\s*situation\s*"
    r"(?:(?:n\s*[°º˚o]\.?|num[ée]ro|num\.?|n\.|n(?=\s*\d))\s*)?"
    r"(?P<num>\d{1,3})?"
    r"(?:\s*[:\-–—.]\s*(?P<title>.*?)|\s+(?P<title2>\D.*?))?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_ACTIVITY_RE = re.compile(r"^(?P<prefix>activite\s+)?(?:n\s+|no\s+)?(?P<num>[ivx]+|\d{1,2})\b\s*")
_LABELLED_RE = re.compile(r"^\s*(?P<label>[^:：\n]{1,60}?)\s*[:：]\s*(?P<value>.*?)\s*$", re.DOTALL)
_CV_RE = re.compile(r"^cv(?: joint)?(?: en)?(?: annexe(?: n)?(?: \d+)?)?$")
_ATTACHED_RE = re.compile(
    r"^(?:pieces? jointes?|annexes? jointes?|justificatifs?)(?P<refs>(?: (?:annexes?|n|et|\d+))*)$"
)
# The annex list: only lines of the shapes the export and the template write are structure.
_ANNEX_LINE_RE = re.compile(r"^(?:annexe (?:n )?\d+|aucune annexe)$")  # on the normalised text
_DASH = r"\s+[—–-]\s+"
_EXPORTED_ANNEX_RE = re.compile(  # docx_export: "Annexe {n} — {name} — {caption}"
    rf"Annexe \d+{_DASH}\S.*?{_DASH}"
    rf"(?:CV{_DASH}{re.escape(MOTIVATION_HEADING)}|Activité [IVXLCDM]+{_DASH}Situation(?: N°\d+)?"
    r"(?: : .*)?)",
    re.IGNORECASE,
)
_FILE_ANNEX_RE = re.compile(  # as a candidate lists a file: "Annexe 1 — courrier.pdf"
    r"Annexe\s*(?:n\s*°\s*)?\d+\s*[—–:.-]\s*[^\n]{1,150}\."
    r"(?:pdf|jpe?g|png|gif|tiff?|heic|webp|docx?|odt|xlsx?|ods|txt|rtf)",
    re.IGNORECASE,
)
# The template's own cover lines (the certification's comes from the rules).
_COVER_LINES = (
    *COVER_LINES,
    "Validation des acquis de l'expérience",
    "Livret 2 – Dossier de validation",
    "Livret 2 – Rédaction du dossier de validation VAE",
    "Livret 2 – Dossier de validation VAE",
    "Livret 2",
    "Dossier de validation",
    "Rédaction du dossier de validation",
)
# A header or footer line that is only the running header or a page number (normalised).
_RUNNING_RE = re.compile(r"^(?:.*livret 2|(?:page )?\d+(?: (?:sur |de )?\d+)?)$")
_OUTSIDE = {
    "footnotes": "note de bas de page",
    "endnotes": "note de fin",
    "comments": "commentaire",
    "header": "en-tête de page",
    "footer": "pied de page",
}
_TOC_ENTRY_RE = re.compile(r"(?:\t|\.{3,}|…+|_{3,})\s*\d{1,4}\s*$")
_CHECKED = "☒☑✓✔✗✘■⊠"
_BOXES = _CHECKED + "☐□"


@dataclasses.dataclass(frozen=True)
class _Catalogue:
    exact: dict[str, Label]
    cover: dict[str, Label]  # the template's fixed cover lines, normalised
    prefixes: tuple[tuple[str, Label], ...]  # longest first
    activities: dict[int, tuple[ActivityRule, str]]  # number -> (rule, normalised title)
    numerals: dict[str, int]  # "ii" / "2" -> 2
    branches: tuple[tuple[str, str, str], ...]  # (code, normalised name, normalised code)


@functools.lru_cache(maxsize=16)
def _catalogue(rules: ParseRules) -> _Catalogue:
    exact: dict[str, Label] = {}
    for key, label in rules.situation_parts:  # the référentiel's own labels come first
        if key in SITUATION_FIELDS:
            exact.setdefault(normalize(label), ("situation", key))
    for target, words in _SYNONYMS.items():
        for word in words:
            exact.setdefault(normalize(word), target)
    prefixes = sorted(
        ((p, target) for target, words in _PREFIXES.items() for p in words),
        key=lambda item: -len(item[0]),
    )
    cover = dict.fromkeys((normalize(line) for line in _COVER_LINES), ("cover", "cover"))
    if rules.certification_name:
        name, code = rules.certification_name, rules.rncp_code
        number = code.upper().removeprefix("RNCP")
        for line in (name, f"{name} (inscrit au RNCP n°{number})", f"{name} ({code})"):
            cover[normalize(line)] = ("cover", "certification")
        if number:
            cover[normalize(f"inscrit au RNCP n°{number}")] = ("cover", "certification")
    numerals: dict[str, int] = {}
    for activity in rules.activities:
        numerals[activity.roman.lower()] = activity.number
        numerals[str(activity.number)] = activity.number
    return _Catalogue(
        exact=exact,
        cover=cover,
        prefixes=tuple(prefixes),
        activities={a.number: (a, normalize(a.title)) for a in rules.activities},
        numerals=numerals,
        branches=tuple((code, normalize(name), normalize(code)) for code, name in rules.branches),
    )


class Matchers:
    """Per-parse caches of the fuzzy matching (a SequenceMatcher is stateful: one parse only).

    `seq` keeps one SequenceMatcher per known label or title, which difflib reuses for every
    line; `masks` the bit masks of the same strings for `_lcs`; `ratios` the ratios computed
    (an activity title is compared twice with the same line); `found` the result of `_fuzzy` per
    candidate set and normalised line, as a file often repeats its lines; `lengths` each candidate
    set by length.
    """

    def __init__(self) -> None:
        self.seq: dict[str, difflib.SequenceMatcher] = {}
        self.masks: dict[str, dict[str, int]] = {}
        self.ratios: dict[tuple[str, str], float] = {}
        self.found: dict[tuple[int, str], Label | None] = {}
        self.lengths: dict[int, dict[int, list[tuple[int, str, Label]]]] = {}


def _lcs(a: str, b: str, matchers: Matchers) -> int:
    """Length of the longest common subsequence of `a` and `b` (bit-parallel, Hyyrö 2004)."""
    masks = matchers.masks.get(b)
    if masks is None:
        masks = matchers.masks[b] = {}
        for position, char in enumerate(b):
            masks[char] = masks.get(char, 0) | (1 << position)
    full = (1 << len(b)) - 1
    row = full
    for bits in map(masks.get, a):
        if bits:  # a character absent from `b` leaves the row as it is
            matched = row & bits
            row = ((row + matched) | (row - matched)) & full
    return len(b) - row.bit_count()


def _ratio(a: str, b: str, at_least: float, matchers: Matchers) -> float:
    """difflib's ratio, or 0 when cheap upper bounds already show it is below `at_least`.

    The bounds, cheapest first: the lengths, difflib's own quick ratios (common characters),
    then the longest common subsequence: difflib's matching blocks are a common subsequence,
    so 2 × LCS / (len a + len b) bounds its ratio too, and it is far tighter for lines made of
    the same words as a title in another order. Only a line that passes them all pays for
    `ratio()`, which is quadratic on long lines.
    """
    total = len(a) + len(b)
    if not a or not b or 2 * min(len(a), len(b)) / total < at_least:
        return 0.0
    known = matchers.ratios.get((a, b))
    if known is not None:
        return known
    matcher = matchers.seq.get(b)
    if matcher is None:
        matcher = matchers.seq[b] = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(b)
    matcher.set_seq1(a)
    if matcher.real_quick_ratio() < at_least or matcher.quick_ratio() < at_least:
        return 0.0
    if 2 * _lcs(a, b, matchers) / total < at_least:
        return 0.0
    ratio = matchers.ratios[a, b] = matcher.ratio()
    return ratio


def _fuzzy(norm: str, candidates: dict[str, Label], matchers: Matchers) -> Label | None:
    if norm in candidates:
        return candidates[norm]
    key = (id(candidates), norm)
    if key not in matchers.found:
        matchers.found[key] = _closest(norm, candidates, matchers)
    return matchers.found[key]


def _closest(norm: str, candidates: dict[str, Label], matchers: Matchers) -> Label | None:
    if len(norm) > 90:
        return None
    by_length = matchers.lengths.get(id(candidates))
    if by_length is None:
        by_length = matchers.lengths[id(candidates)] = {}
        for order, (candidate, target) in enumerate(candidates.items()):
            by_length.setdefault(len(candidate), []).append((order, candidate, target))
    # Only candidates of a close length can pass the rule below (|gap| <= total / 12), in the
    # catalogue's order so that a tie goes to the same label.
    size = len(norm)
    near = sorted(
        item
        for length in range(size * 11 // 13 - 1, size * 13 // 11 + 2)
        for item in by_length.get(length, ())
    )
    best: Label | None = None
    best_ratio = LABEL_MATCH
    for _, candidate, target in near:
        # On short labels the ratio alone is too lenient ("mon texte" ~ "mon contexte"): allow
        # about one differing character per dozen (a length gap is at least that many).
        total = size + len(candidate)
        allowed = max(1, total // 12)
        if abs(size - len(candidate)) > allowed:
            continue
        # That rule asks for 2 × matches >= total - allowed: a floor for the cheap bounds too.
        floor = max(best_ratio, (total - allowed) / total - 1e-9)
        ratio = _ratio(norm, candidate, floor, matchers)
        better = ratio >= best_ratio and (best is None or ratio > best_ratio)
        if better and total - round(ratio * total) <= allowed:
            best, best_ratio = target, ratio
    return best


# --- Styles ----------------------------------------------------------------------------------


def _on(element: Any) -> bool:
    value = element.get(W_VAL)
    return value is None or value.lower() not in ("0", "false", "off", "none")


@dataclasses.dataclass
class _Style:
    name: str
    based_on: str | None
    outline: int | None
    num_id: str | None
    bold: bool | None


_HEADING_NAME = re.compile(r"^(?:heading|titre)\s*(\d)$")
_TOC_NAME = re.compile(r"^(?:toc \d|toc heading|en tete de table des matieres|table des matieres)$")
_TOC_ID = re.compile(r"^(?:toc|tm)\d$|^tocheading$", re.IGNORECASE)
_BODY_NAMES = frozenset(
    {"body text", "body text 2", "body text 3", "corps de texte", "corps de texte 2"}
)


class _Styles:
    def __init__(self, root: Any | None) -> None:
        self.styles: dict[str, _Style] = {}
        self.default_paragraph: str | None = None
        if root is None:
            return
        for style in root.iter(_w("style")):
            style_id = style.get(_w("styleId"))
            if not style_id:
                continue
            name_el = style.find(_w("name"))
            based = style.find(_w("basedOn"))
            ppr = style.find(W_PPR)
            rpr = style.find(W_RPR)
            outline = ppr.find(_w("outlineLvl")) if ppr is not None else None
            num_id = ppr.find(f"{_w('numPr')}/{_w('numId')}") if ppr is not None else None
            bold = rpr.find(_w("b")) if rpr is not None else None
            self.styles[style_id] = _Style(
                name=normalize(name_el.get(W_VAL) or "") if name_el is not None else "",
                based_on=based.get(W_VAL) if based is not None else None,
                outline=_int(outline.get(W_VAL)) if outline is not None else None,
                num_id=num_id.get(W_VAL) if num_id is not None else None,
                bold=_on(bold) if bold is not None else None,
            )
            if style.get(_w("type")) == "paragraph" and style.get(_w("default")) in ("1", "true"):
                self.default_paragraph = style_id

    def chain(self, style_id: str | None) -> Iterator[tuple[str, _Style]]:
        seen: set[str] = set()
        while style_id and style_id in self.styles and style_id not in seen and len(seen) < 20:
            seen.add(style_id)
            style = self.styles[style_id]
            yield style_id, style
            style_id = style.based_on

    @functools.cache  # noqa: B019 - one _Styles per parse; the cache dies with it
    def heading_level(self, style_id: str | None) -> int | None:
        for sid, style in self.chain(style_id):
            match = _HEADING_NAME.match(style.name) or _HEADING_NAME.match(sid.lower())
            if match:
                return int(match.group(1)) or None
            if style.outline is not None:
                return style.outline + 1 if 0 <= style.outline < 9 else None
        return None

    @functools.cache  # noqa: B019
    def is_title(self, style_id: str | None) -> bool:
        return any(
            s.name in ("title", "titre", "subtitle", "sous titre") for _, s in self.chain(style_id)
        )

    @functools.cache  # noqa: B019
    def is_toc(self, style_id: str | None) -> bool:
        style = self.styles.get(style_id or "")
        return bool(style and _TOC_NAME.match(style.name)) or bool(
            style_id and _TOC_ID.match(style_id)
        )

    @functools.cache  # noqa: B019
    def is_body_text(self, style_id: str | None) -> bool:
        return any(s.name in _BODY_NAMES for _, s in self.chain(style_id))

    @functools.cache  # noqa: B019
    def is_list(self, style_id: str | None) -> bool:
        for _, style in self.chain(style_id):
            if style.num_id is not None:
                return style.num_id != "0"
        own = self.styles.get(style_id or "")
        name = own.name if own else ""
        return (name.startswith(("list", "liste")) and "continue" not in name) or (
            name == "paragraphe de liste"
        )

    @functools.cache  # noqa: B019
    def bold(self, style_id: str | None) -> bool | None:
        for _, style in self.chain(style_id):
            if style.bold is not None:
                return style.bold
        return None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


# --- The walk --------------------------------------------------------------------------------


@dataclasses.dataclass
class _Para:
    text: str
    strong: bool  # a heading style, a title, or every run bold: a heading for sure
    weak: bool  # plain paragraph: a label only if its text matches one
    is_list: bool
    toc: bool
    textboxes: list[Any]


@dataclasses.dataclass
class _Situation:
    activity: int
    ordinal: int
    title: str = ""
    when: str = ""
    has_text: bool = False
    competences: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class _Field:
    """An open field entry in the complex-field stack (TOC fields mark their paragraphs)."""

    instruction: str = ""
    toc: bool = False


FieldKey = tuple[Any, ...]  # ("dossier", name) / ("situation", index, name) / _SINK
_SINK: FieldKey = ("sink",)  # text after a label that has no place: unplaced until the next one


class _Walker:
    def __init__(self, rules: ParseRules, styles: _Styles) -> None:
        self.rules = rules
        self.cat = _catalogue(rules)
        self.styles = styles
        self.plan = ImportPlan()
        self.fragments = 0
        self.paragraphs = 0
        self.tables = 0
        self.fields: list[_Field] = []
        self.open_toc = 0
        self.texts: dict[FieldKey, list[str]] = {}
        self.situations: list[_Situation] = []
        self.section = "cover"
        self.activity: int | None = None
        self.situation: int | None = None
        self.field: FieldKey | None = None
        self.back_to: FieldKey | None = None  # where text goes after a one-line value
        self.manual_toc = False
        self.matchers = Matchers()
        # Outside the body (notes, comments, headers): every paragraph not ignored is unplaced.
        self.loose: Callable[[str], bool] | None = None  # tells which text to ignore

    # Walking blocks ---------------------------------------------------------------------------

    def blocks(self, container: Any, where: str | None, *, hint: bool = False) -> None:
        items = list(self._block_items(container, toc=False))
        count = sum(1 for element, _ in items if element.tag == W_P)
        paragraph = table = 0
        for element, toc in items:
            if element.tag == W_P:
                paragraph += 1
                if where is None:
                    self.paragraphs += 1
                    here = f"paragraphe {self.paragraphs}"
                else:
                    here = where if count == 1 else f"{where}, paragraphe {paragraph}"
                self.paragraph(element, here, hint=hint, toc=toc)
            else:
                table += 1
                if where is None:
                    self.tables += 1
                    here = f"tableau {self.tables}"
                else:
                    here = f"{where}, tableau {table}"
                self.table(element, here)

    def _block_items(self, container: Any, toc: bool) -> Iterator[tuple[Any, bool]]:
        for child in container:
            tag = child.tag
            if tag in (W_P, W_TBL):
                yield child, toc
            elif tag == W_SDT:
                props = child.find(W_SDTPR)
                if props is not None and props.find(_w("showingPlcHdr")) is not None:
                    continue  # Word's "click here to enter text": not the candidate's text
                gallery = child.find(f"{W_SDTPR}/{_w('docPartObj')}/{_w('docPartGallery')}")
                is_toc = gallery is not None and "contents" in (gallery.get(W_VAL) or "").lower()
                content = child.find(W_SDTCONTENT)
                if content is not None:
                    yield from self._block_items(content, toc or is_toc)
            elif tag == W_CUSTOMXML:
                yield from self._block_items(child, toc)
            elif tag == MC_ALTERNATE:
                choice = child.find(MC_CHOICE)
                if choice is not None:
                    yield from self._block_items(choice, toc)

    def table(self, table: Any, where: str) -> None:
        header: list[Label | None] | None = None
        for r, row in enumerate(_wrapped(table, W_TR), start=1):
            cells = list(_wrapped(row, W_TC))
            labels = [self._cell_label(cell) for cell in cells] if len(cells) >= 2 else None
            is_header = labels is not None and all(label is not None for label in labels)
            for c, cell in enumerate(cells, start=1):
                if header is not None and not is_header and c <= len(header) and not self.loose:
                    label = header[c - 1]
                    if label is not None:
                        self.apply_label(None, label, None, strong=True)
                # The first cell of a row of several reads as a label ("NOM | Dupont").
                self.blocks(
                    cell, f"{where}, ligne {r}, cellule {c}", hint=c == 1 and len(cells) > 1
                )
            header = labels if is_header else None

    def _cell_label(self, cell: Any) -> Label | None:
        text = "".join(t.text or "" for t in cell.iter(W_T))
        if len(text) > 80:
            return None
        label = _fuzzy(normalize(text), self.cat.exact, self.matchers)
        return label if label is not None and label[0] != "section" else None

    def paragraph(self, element: Any, where: str, *, hint: bool, toc: bool) -> None:
        para = self._read(element, hint=hint, toc=toc)
        if self.loose is not None:
            text = para.text.strip()  # a note starts with a space after its number
            if text and not self.loose(text):
                self.unplace(Fragment(index=self.fragments, where=where, text=text))
                self.fragments += 1
        elif para.text.strip():
            fragment = Fragment(index=self.fragments, where=where, text=para.text)
            self.fragments += 1
            self.line(fragment, para)
        else:
            self.blank(para.text)
        for box in para.textboxes:
            self.blocks(box, f"zone de texte, {where}")

    def _read(self, p: Any, *, hint: bool, toc: bool) -> _Para:
        ppr = p.find(W_PPR)
        style_id: str | None = self.styles.default_paragraph
        level: int | None = None
        numbered: bool | None = None
        if ppr is not None:
            pstyle = ppr.find(_w("pStyle"))
            if pstyle is not None:
                style_id = pstyle.get(W_VAL)
            outline = ppr.find(_w("outlineLvl"))
            if outline is not None:
                value = _int(outline.get(W_VAL))
                level = value + 1 if value is not None and 0 <= value < 9 else None
            num_id = ppr.find(f"{_w('numPr')}/{_w('numId')}")
            if num_id is not None:
                numbered = num_id.get(W_VAL) != "0"
        if level is None:
            level = self.styles.heading_level(style_id)
        pieces: list[str] = []
        bold_runs: list[bool] = []
        boxes: list[Any] = []
        in_toc = toc or self.open_toc > 0

        def visit(element: Any) -> None:
            nonlocal in_toc
            for child in element:
                tag = child.tag
                if not isinstance(tag, str) or tag in _SKIPPED_INLINE:
                    continue
                if tag == W_T or tag == f"{{{MATH_NS}}}t":
                    if child.text:
                        pieces.append(child.text)
                        in_toc = in_toc or self.open_toc > 0
                elif tag == W_R:
                    start = len(pieces)
                    visit(child)
                    if "".join(pieces[start:]).strip():
                        bold_runs.append(self._run_bold(child, style_id))
                elif tag in (_w("tab"), _w("ptab")):
                    pieces.append("\t")
                elif tag == _w("br"):
                    if child.get(_w("type")) in (None, "textWrapping"):
                        pieces.append("\n")
                elif tag == _w("cr"):
                    pieces.append("\n")
                elif tag == _w("noBreakHyphen"):
                    pieces.append("-")
                elif tag == _w("fldChar"):
                    self._field_char(child.get(_w("fldCharType")))
                elif tag == _w("instrText"):
                    self._instruction(child.text or "")
                elif tag == W_TXBX:
                    boxes.append(child)
                elif tag == W_SDT:
                    props = child.find(W_SDTPR)
                    if props is None or props.find(_w("showingPlcHdr")) is None:
                        visit(child)
                elif tag == _w("fldSimple"):
                    is_toc = (child.get(_w("instr")) or "").strip().upper().startswith("TOC")
                    self.open_toc += is_toc
                    visit(child)
                    self.open_toc -= is_toc
                else:
                    visit(child)

        visit(p)
        text = "".join(pieces)
        is_title = self.styles.is_title(style_id)
        strong = bool(level) or is_title or hint or (bool(bold_runs) and all(bold_runs))
        is_list = self.styles.is_list(style_id) if numbered is None else numbered
        is_list = is_list and not level and not is_title
        return _Para(
            text=text,
            strong=strong,
            weak=not strong and not is_list and not self.styles.is_body_text(style_id),
            is_list=is_list,
            toc=in_toc or self.styles.is_toc(style_id),
            textboxes=boxes,
        )

    def _run_bold(self, run: Any, style_id: str | None) -> bool:
        rpr = run.find(W_RPR)
        if rpr is not None:
            b = rpr.find(_w("b"))
            if b is not None:
                return _on(b)
            rstyle = rpr.find(_w("rStyle"))
            if rstyle is not None:
                bold = self.styles.bold(rstyle.get(W_VAL))
                if bold is not None:
                    return bold
        return bool(self.styles.bold(style_id))

    def _field_char(self, kind: str | None) -> None:
        if kind == "begin":
            self.fields.append(_Field())
        elif kind == "end" and self.fields and self.fields.pop().toc:
            self.open_toc -= 1

    def _instruction(self, text: str) -> None:
        if not self.fields:
            return
        field = self.fields[-1]
        if len(field.instruction) < 20:
            field.instruction += text
        if not field.toc and field.instruction.strip().upper().startswith("TOC"):
            field.toc = True
            self.open_toc += 1

    def outside(self, others: list[tuple[str, Any]]) -> None:
        """Notes and comments, then headers and footers: their text waits to be placed by hand.

        Headers and footers repeat the running header ("NOM Prénom — Livret 2") and the page
        number: those lines, and a line already met in another header or footer, are ignored.
        """
        self.fields, self.open_toc, self.field = [], 0, None
        names = {
            normalize(n)
            for n in (
                self.plan.last_name,
                self.plan.first_name,
                f"{self.plan.last_name or ''} {self.plan.first_name or ''}",
                f"{self.plan.first_name or ''} {self.plan.last_name or ''}",
            )
            if n and n.strip()
        }
        seen: set[str] = set()

        def running(text: str) -> bool:
            norm = normalize(text)
            if not norm or _RUNNING_RE.match(norm) or norm in names or norm in seen:
                return True
            seen.add(norm)
            return False

        counts: dict[str, int] = {}
        try:
            for kind, root in others:
                if kind in ("header", "footer"):
                    self.loose = running
                    self.blocks(root, _OUTSIDE[kind])
                    continue
                self.loose = lambda text: False
                tag = {"footnotes": "footnote", "endnotes": "endnote", "comments": "comment"}[kind]
                for item in root.iter(_w(tag)):
                    if item.get(_w("type")) not in (None, "normal"):
                        continue  # the separator lines above the notes
                    counts[kind] = counts.get(kind, 0) + 1
                    self.blocks(item, f"{_OUTSIDE[kind]} {counts[kind]}")
        finally:
            self.loose = None

    # Placing lines ----------------------------------------------------------------------------

    def line(self, fragment: Fragment, para: _Para) -> None:
        if para.toc:
            return self.structure(fragment, "sommaire")
        if self.manual_toc:
            if _TOC_ENTRY_RE.search(fragment.text):
                return self.structure(fragment, "sommaire")
            self.manual_toc = False
        labelish = (para.strong or para.weak) and len(fragment.text) <= MAX_LABEL_LINE
        if labelish and self.recognise(fragment, para):
            return None
        if self.field is not None and self.field[-1] == "competences":
            code = self.competence(normalize(fragment.text))
            if code is not None:
                situation = self.situations[self.field[1]]
                if code not in situation.competences:
                    situation.competences.append(code)
                return self.place(fragment, self.field)
            if para.is_list:
                return self.unplace(fragment)
            self.field = self.back_to
        return self.content(fragment, para)

    def recognise(self, fragment: Fragment, para: _Para) -> bool:
        """Headings, labels and the template's own lines; False when the line is content."""
        text = fragment.text
        norm = normalize(text)
        if not norm:
            return False
        section = self.cat.exact.get(norm)
        if section is not None and section[0] == "section":
            self.enter_section(fragment, section[1])
            return True
        # "Situation : …" is a heading when it looks like one; in a long plain sentence, text.
        match = _SITUATION_RE.match(text) if para.strong or len(text) <= 120 else None
        if match and not (match["title2"] is not None and match["num"] is None):
            self.start_situation(fragment, (match["title"] or match["title2"] or "").strip())
            return True
        activity = self.match_activity(norm, strong=para.strong)
        if activity is not None:
            self.section, self.activity, self.situation = "activity", activity, None
            self.field = self.back_to = None
            self.structure(fragment, "titre d'activité")
            return True
        if self.boilerplate(fragment, norm):
            return True
        # "Label : value" first, so that a value is never taken for a spelling variant.
        labelled = _LABELLED_RE.match(text)
        if labelled and labelled["value"]:
            label = _fuzzy(normalize(labelled["label"]), self.cat.exact, self.matchers)
            if label is not None and label[0] != "section":
                return self.apply_label(fragment, label, labelled["value"], strong=para.strong)
        label = self.label(norm, strong=para.strong)
        if label is not None and label[0] == "section":
            self.enter_section(fragment, label[1])
            return True
        if label is not None:
            return self.apply_label(fragment, label, None, strong=para.strong)
        prefixed = self.prefixed_label(norm, strong=para.strong)
        if prefixed is not None:
            # A bold line that only starts like a label ("Pourquoi j'ai appelé le référent")
            # opens that part and is the first line of its text: it is the candidate's words.
            return self.apply_label(fragment, prefixed, text, strong=para.strong)
        # Only the template's own cover lines: a sentence that mentions the VAE is the candidate's.
        if self.section == "cover" and _fuzzy(norm, self.cat.cover, self.matchers) is not None:
            self.structure(fragment, "page de couverture")
            return True
        return False

    def label(self, norm: str, *, strong: bool) -> Label | None:
        found = _fuzzy(norm, self.cat.exact, self.matchers)
        if found is None and strong and len(norm) <= 120:
            for prefix, target in self.cat.prefixes:
                # The label's words plus a few more ("Mes atouts pour ce CQP") name the part;
                # a longer line is the candidate's own sentence (see prefixed_label).
                if norm == prefix or (
                    norm.startswith(prefix + " ") and len(norm[len(prefix) :].split()) <= 3
                ):
                    return target
        return found

    def prefixed_label(self, norm: str, *, strong: bool) -> Label | None:
        """The part a strong line opens when it starts with a label's words but says more;
        only parts of free text (a title or a date is never guessed from a sentence)."""
        if not strong or len(norm) > 120:
            return None
        for prefix, target in self.cat.prefixes:
            free_text = target[0] != "section" and target[1] not in SINGLE_LINE_FIELDS
            if free_text and target[1] != "competences" and norm.startswith(prefix + " "):
                return target
        return None

    def match_activity(self, norm: str, *, strong: bool) -> int | None:
        match = _ACTIVITY_RE.match(norm)
        candidates = [norm]
        if match:
            number = self.cat.numerals.get(match["num"])
            rest = norm[match.end() :]
            if number is not None:
                title = self.cat.activities[number][1]
                if not rest:
                    if strong or match["prefix"]:
                        return number
                elif _similar_title(rest, title, self.matchers):
                    return number
            if rest:
                candidates.append(rest)
        best, best_ratio = None, TITLE_MATCH
        for candidate in candidates:
            for number, (_, title) in self.cat.activities.items():
                ratio = _ratio(candidate, title, best_ratio, self.matchers)
                if ratio >= best_ratio and (best is None or ratio > best_ratio):
                    best, best_ratio = number, ratio
        return best

    def boilerplate(self, fragment: Fragment, norm: str) -> bool:
        if _CV_RE.match(norm):
            self.structure(fragment, "CV joint")
            return True
        attached = _ATTACHED_RE.match(norm)
        if attached:
            self.structure(fragment, "pièces jointes")
            if not re.search(r"\d", attached["refs"]):
                self.field = _SINK  # a list of attachments follows: the candidate places it
            return True
        if self.section == "annexes" and _annex_line(fragment.text, norm):
            self.structure(fragment, "liste des annexes")
            return True
        return False

    def enter_section(self, fragment: Fragment, name: str) -> None:
        self.structure(fragment, "sommaire" if name == "toc" else "titre de section")
        if name == "toc":
            self.manual_toc = True
            return
        self.section, self.activity, self.situation = name, None, None
        self.back_to = None
        self.field = {
            "motivation": ("dossier", "motivation_reasons"),
            "annexes": _SINK,
        }.get(name)

    def start_situation(self, fragment: Fragment, title: str) -> None:
        if self.activity is None:
            self.unplace(fragment)
            self.field = _SINK
            return
        index = self.new_situation()
        self.situations[index].title = title
        self.field = self.back_to = None
        if title:
            self.place(fragment, ("situation", index, "title"))
        else:
            self.structure(fragment, "titre de situation")

    def new_situation(self) -> int:
        assert self.activity is not None
        ordinal = 1 + sum(1 for s in self.situations if s.activity == self.activity)
        self.situations.append(_Situation(activity=self.activity, ordinal=ordinal))
        self.situation = len(self.situations) - 1
        return self.situation

    def in_text(self) -> bool:
        """True while a multi-line field is open: a plain "Date : …" line is then its text."""
        field = self.field
        return (
            field is not None
            and field != _SINK
            and field[-1] not in SINGLE_LINE_FIELDS
            and (field[-1] != "competences")
        )

    def apply_label(
        self, fragment: Fragment | None, label: Label, value: str | None, *, strong: bool
    ) -> bool:
        kind, name = label
        single = name in SINGLE_LINE_FIELDS
        if single and not strong and self.in_text():
            return False
        if kind == "dossier" and name == "context" and self.situation is not None:
            kind, name = "situation", "own_context"
        key: FieldKey
        if kind == "dossier":
            if name in MOTIVATION_FIELDS:
                self.section, self.activity, self.situation = "motivation", None, None
            elif name == "context":
                self.section, self.situation = "context", None
            key = ("dossier", name)
        else:
            index = self.situation_for(name)
            if index is None:
                if fragment is not None:
                    self.unplace(fragment)
                self.field = _SINK
                return True
            key = ("situation", index, name)
        if single or name == "competences":
            if value:
                self.single_value(fragment, key, value)
                return True
            # The value comes on the next line(s); text then goes back where it was going.
            if self.field is None or self.field == _SINK or self.in_text():
                self.back_to = self.field if self.field != _SINK else None
            self.field = key
            if single:
                self.mark_seen(key)
        else:
            self.texts.setdefault(key, [])
            self.field = key
            self.back_to = None
            if value:
                self.append(key, value)
                if fragment is not None:
                    self.place(fragment, key)
                return True
        if fragment is not None:
            self.structure(fragment, "libellé")
        return True

    def situation_for(self, name: str) -> int | None:
        if self.situation is None:
            return None if self.activity is None else self.new_situation()
        current = self.situations[self.situation]
        if name == "title" and current.has_text:
            return self.new_situation()  # forms without "Situation N°" headings
        return self.situation

    def mark_seen(self, key: FieldKey) -> None:
        name = key[-1]
        if name in ("last_name", "first_name") and getattr(self.plan, name) is None:
            setattr(self.plan, name, "")

    def single_value(self, fragment: Fragment | None, key: FieldKey, value: str) -> None:
        value = value.strip()
        name = key[-1]
        if name == "competences":  # "Compétences mises en œuvre : II-1, II-4"
            codes = [self.competence(normalize(p)) for p in re.split(r"[,;]", value) if p.strip()]
            found = [code for code in codes if code is not None]
            if found and len(found) == len(codes):
                situation = self.situations[key[1]]
                situation.competences.extend(c for c in found if c not in situation.competences)
                if fragment is not None:
                    self.place(fragment, key)
            elif fragment is not None:
                self.unplace(fragment)
            return
        if name == "branch":
            code = self.branch(value)
            ok = code is not None and self.plan.branch_code in (None, code)
            if ok:
                self.plan.branch_code = code
        else:
            holder: Any = self.plan if key[0] == "dossier" else self.situations[key[1]]
            current = getattr(holder, name) or ""
            ok = not current or normalize(current) == normalize(value)
            if ok and not current:
                setattr(holder, name, value)
        if fragment is not None:
            if ok:
                self.place(fragment, key)
            else:
                self.unplace(fragment)

    def branch(self, value: str) -> str | None:
        norm = normalize(value)
        for code, name, code_norm in self.cat.branches:
            if norm in (name, code_norm):
                return code
        found = [code for code, name, _ in self.cat.branches if re.search(rf"\b{name}\b", norm)]
        if len(found) == 1 and not any(box in value for box in _BOXES):
            return found[0]
        if len(found) > 1 or any(box in value for box in _BOXES):
            checked = [
                normalize(label)
                for mark, label in re.findall(rf"([{_BOXES}])\s*([^{_BOXES}]+)", value)
                if mark in _CHECKED
            ]
            chosen = {
                code for code, name, _ in self.cat.branches for c in checked if name in c.split()
            }
            return chosen.pop() if len(chosen) == 1 else None
        best, best_ratio = None, LABEL_MATCH
        for code, name, _ in self.cat.branches:
            ratio = _ratio(norm, name, best_ratio, self.matchers)
            if ratio >= best_ratio and (best is None or ratio > best_ratio):
                best, best_ratio = code, ratio
        return best

    def competence(self, norm: str) -> str | None:
        if self.situation is None:
            return None
        rule = self.cat.activities.get(self.situations[self.situation].activity)
        if rule is None or not rule[0].competences:
            return None
        best, best_ratio = None, LABEL_MATCH
        for code, wording in rule[0].competences:
            code_norm = normalize(code)
            if norm == code_norm or norm.startswith(code_norm + " "):
                return code
            ratio = _ratio(norm, normalize(wording), best_ratio, self.matchers)
            if ratio >= best_ratio and (best is None or ratio > best_ratio):
                best, best_ratio = code, ratio
        return best

    def content(self, fragment: Fragment, para: _Para) -> None:
        field = self.field
        if field == _SINK:
            return self.unplace(fragment)
        if field is None:
            if self.situation is None:
                return self.unplace(fragment)
            field = self.field = ("situation", self.situation, "description")
        if field[-1] in SINGLE_LINE_FIELDS:
            self.single_value(fragment, field, fragment.text)
            self.field = self.back_to
            return None
        self.append(field, LIST_MARKER + fragment.text if para.is_list else fragment.text)
        self.place(fragment, field)
        return None

    def append(self, key: FieldKey, line: str) -> None:
        self.texts.setdefault(key, []).append(line)
        if key[0] == "situation":
            self.situations[key[1]].has_text = True

    def blank(self, raw: str) -> None:
        """An empty paragraph is a blank line inside the field being written, else nothing."""
        if self.in_text() and self.field is not None and self.texts.get(self.field):
            self.texts[self.field].append(raw)

    def place(self, fragment: Fragment, key: FieldKey) -> None:
        if key[0] == "dossier":
            target = Target("dossier", key[1])
        else:
            situation = self.situations[key[1]]
            target = Target("situation", key[2], situation.activity, situation.ordinal)
        self.plan.placements.append(Placement(fragment, target))

    def structure(self, fragment: Fragment, reason: str) -> None:
        self.plan.placements.append(Placement(fragment, Target("structure", reason)))

    def unplace(self, fragment: Fragment) -> None:
        self.plan.unplaced.append(fragment)

    def finish(self) -> ImportPlan:
        plan = self.plan
        for name in DOSSIER_TEXT_FIELDS:
            if ("dossier", name) in self.texts:
                plan.fields[name] = _join(self.texts["dossier", name])
        for index, situation in enumerate(self.situations):
            own = self.texts.get(("situation", index, "own_context"))
            plan.situations.append(
                PlannedSituation(
                    activity_number=situation.activity,
                    ordinal=situation.ordinal,
                    title=situation.title,
                    when=situation.when,
                    own_context=_join(own) if own is not None else None,
                    parts={
                        name: _join(self.texts["situation", index, name])
                        for name in PART_FIELDS
                        if ("situation", index, name) in self.texts
                    },
                    competence_codes=list(situation.competences),
                )
            )
        return plan


def _wrapped(parent: Any, tag: str) -> Iterator[Any]:
    """Children with `tag`, looking through content controls and custom XML wrappers."""
    for child in parent:
        if child.tag == tag:
            yield child
        elif child.tag == W_SDT:
            content = child.find(W_SDTCONTENT)
            if content is not None:
                yield from _wrapped(content, tag)
        elif child.tag == W_CUSTOMXML:
            yield from _wrapped(child, tag)


def _annex_line(text: str, norm: str) -> bool:
    """A line of the annex list as the export or the template writes it, and nothing more."""
    line = text.strip()
    return bool(
        _ANNEX_LINE_RE.match(norm)
        or (len(line) <= 600 and _EXPORTED_ANNEX_RE.fullmatch(line))
        or _FILE_ANNEX_RE.fullmatch(line)
    )


def _similar_title(rest: str, title: str, matchers: Matchers) -> bool:
    if _ratio(rest, title, TITLE_MATCH, matchers) >= TITLE_MATCH:
        return True
    # A title cut short ("I – Accueille, informe, oriente…") or followed by a page number.
    return (len(rest) >= 20 and title.startswith(rest)) or (
        rest.startswith(title) and len(rest) - len(title) <= 10
    )


def _join(lines: list[str]) -> str:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end])


def parse_docx(data: bytes, rules: ParseRules) -> ImportPlan:
    """Where every piece of the file goes; raises only DocxRejected. Writes nothing."""
    package = _open(data)
    walker = _Walker(rules, _Styles(package.styles))
    walker.blocks(package.document.find(W_BODY), None)
    walker.outside(package.others)
    return walker.finish()
