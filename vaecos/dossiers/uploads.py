"""What enters the platform as a file: every upload passes through `check_upload`.

Livret 1 supporting documents, Livret 2 attachments and the CV are all checked here before
anything is stored. A file is accepted only if:

- it is not empty and stays within the size limits (per file and for the whole dossier);
- its content, not its name, is a PDF, a JPEG or a PNG;
- a PDF really parses, is not encrypted, has at least one page and carries no active content
  (JavaScript, launch actions, embedded files, RichMedia, XFA forms, remote data actions).
  Active content is looked for twice: by walking every object pypdf reads (which sees inside
  compressed object streams and decodes `#xx` escapes in names), then by scanning the raw bytes
  outside streams and strings (which also sees objects a lenient viewer could find where pypdf
  does not). A PDF too large or too deeply nested to be walked is refused as too complex;
- an image has at most MAX_IMAGE_PIXELS pixels and decodes completely.

Anything else raises `UploadRejected` with a French message saying why: a malformed or hostile
file never becomes a server error. The name the user gave is only recorded, cleaned by
`clean_name` and ending with the extension of the real type; the stored file gets a random name.
"""

import hashlib
import io
import re
import unicodedata
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from PIL import Image
from pypdf import PdfReader
from pypdf.errors import LimitReachedError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from vaecos.utils.errors import ActionRefused

MB = 1024 * 1024
MAX_IMAGE_PIXELS = 50_000_000
MAX_PDF_NODES = 200_000
MAX_PDF_DEPTH = 100
MAX_NAME_LENGTH = 120

# The PDF names that make a document active, with what the refusal says about each.
_ACTIVE_NAMES = {
    "/JavaScript": "contient du code JavaScript",
    "/JS": "contient du code JavaScript",
    "/Launch": "contient une action qui lance un programme",
    "/EmbeddedFile": "contient un fichier incorporé",
    "/EmbeddedFiles": "contient un fichier incorporé",
    "/FileAttachment": "contient un fichier joint en annotation",
    "/GoToE": "contient un lien vers un fichier incorporé",
    "/RichMedia": "contient un contenu multimédia interactif (RichMedia)",
    "/XFA": "contient un formulaire dynamique (XFA)",
    "/ImportData": "contient une action d'import de données",
    "/SubmitForm": "contient un formulaire qui envoie des données",
}
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# A literal string in raw PDF bytes, with one level of balanced parentheses inside: its text
# is not made of names ("(Node/JS)" is no /JS).
_RAW_STRING = re.compile(rb"\((?:\\.|[^\\()]|\((?:\\.|[^\\()])*\))*\)", re.DOTALL)


def _raw_names_pattern(names: list[str]) -> re.Pattern[bytes]:
    """Any of these names, spelt in raw bytes with or without `#xx` escapes (`/JS`, `/J#53`,
    `/#4a#53`…), as a whole name: not followed by another regular character."""

    def spellings(char: str) -> bytes:
        return b"(?:%s|#(?i:%02x))" % (re.escape(char.encode()), ord(char))

    alternatives = sorted(
        (b"".join(spellings(char) for char in name[1:]) for name in names), key=len, reverse=True
    )
    return re.compile(rb"/(?:%s)(?![^\x00\t\n\x0c\r /%%()<>\[\]{}])" % b"|".join(alternatives))


_RAW_ACTIVE_NAME = _raw_names_pattern(list(_ACTIVE_NAMES))

# What the user may call a file of each type; another extension is replaced by the real one.
_EXTENSION_ALIASES = {"pdf": {"pdf"}, "jpg": {"jpg", "jpeg", "jpe", "jfif"}, "png": {"png"}}
_LOOKS_LIKE_EXTENSION = re.compile(r"[A-Za-z0-9]{1,4}")
_UNSAFE_CHARACTERS = re.compile(r'[<>:"|?*]')
_PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}


class UploadRejected(ActionRefused):
    pass


class _TooComplex(Exception):
    """The PDF is too large or too deeply nested to be inspected (MAX_PDF_NODES, MAX_PDF_DEPTH)."""


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    size: int
    sha256: str


def max_file_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_FILE_MB", 10)) * MB


def max_dossier_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_DOSSIER_MB", 50)) * MB


# --- Names ---------------------------------------------------------------------------------------


def clean_name(raw: str, extension: str | None = None) -> str:
    """The user's file name, safe to record and show: its base name only, without control or
    reserved characters, white space collapsed, no leading dot, NFC, at most MAX_NAME_LENGTH
    characters. With `extension` (the sniffed one), the name ends with it: a wrong extension is
    replaced, a missing one added, and `piece.<extension>` stands for a name with nothing left."""
    name = unicodedata.normalize("NFC", raw)
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(_printable(char) for char in name)
    name = _UNSAFE_CHARACTERS.sub("", name)
    name = " ".join(name.split())
    stem, ext = _split_extension(name)
    if extension is not None and ext.lower() not in _EXTENSION_ALIASES.get(extension, {extension}):
        ext = extension
    suffix = f".{ext}" if ext else ""
    stem = stem.strip(". ")[: MAX_NAME_LENGTH - len(suffix)].rstrip(". ")
    if not stem and not suffix:
        return ""
    return f"{stem or 'piece'}{suffix}"


def _printable(char: str) -> str:
    """Control characters become spaces; the other invisible ones (format characters such as a
    right-to-left override, private use, unassigned, lone surrogates) disappear."""
    category = unicodedata.category(char)
    if category == "Cc":
        return " "
    return "" if category.startswith("C") else char


def _split_extension(name: str) -> tuple[str, str]:
    """("photo", "jpg") for "photo.jpg"; a suffix that does not look like an extension stays in
    the name: "relevé.2024" or "M. Dupont" have none."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not _LOOKS_LIKE_EXTENSION.fullmatch(ext) or ext.isdigit():
        return name, ""
    return stem, ext


# --- Checks --------------------------------------------------------------------------------------


def _sniff(head: bytes) -> tuple[str, str] | None:
    if head.startswith(b"%PDF-"):
        return "application/pdf", "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", "png"
    return None


def _read_all(upload: UploadedFile) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def check_upload(upload: UploadedFile, *, dossier_used_bytes: int) -> CheckedFile:
    """Return what the file is, or raise UploadRejected with a French message."""
    name = clean_name(upload.name or "") or "fichier"
    size = upload.size or 0
    _check_size(name, size, dossier_used_bytes)
    data = _read_all(upload)
    kind = _sniff(data[:16])
    if kind is None:
        raise UploadRejected(_not_valid(name, _what_else(data[:64])))
    content_type, extension = kind
    try:
        if content_type == "application/pdf":
            _check_pdf(name, data)
        else:
            _check_image(name, data, content_type)
    except UploadRejected:
        raise
    except (_TooComplex, RecursionError, LimitReachedError) as exc:
        raise UploadRejected(
            f"« {name} » est construit de façon trop complexe pour être vérifié. "
            "Enregistrez-le de nouveau (par exemple en l'imprimant en PDF) puis recommencez. "
            "Rien n'a été enregistré."
        ) from exc
    except Exception as exc:  # a malformed file must never become a server error
        raise UploadRejected(_not_valid(name)) from exc
    return CheckedFile(
        content_type=content_type,
        extension=extension,
        size=size,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _not_valid(name: str, why: str | None = None) -> str:
    why = why or "le contenu du fichier a été vérifié, pas seulement son nom"
    return (
        f"« {name} » n'est pas un fichier PDF, JPEG ou PNG valide ({why}). Rien n'a été enregistré."
    )


def _what_else(head: bytes) -> str | None:
    """What a refused file is, when it is a common mistake, to tell the user what to do."""
    if head.startswith(b"PK\x03\x04"):
        return "c'est une archive ZIP ou un document Word, Excel ou LibreOffice : enregistrez-le en PDF"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "c'est un document Word ou Excel : enregistrez-le en PDF"
    if head.startswith((b"MZ", b"\x7fELF")):
        return "c'est un programme"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "c'est une page web ou une image SVG"
    if (
        head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1")
        or head[8:12] == b"WEBP"
        or head.startswith(b"GIF8")
    ):
        return "c'est une image HEIC, WebP ou GIF : convertissez-la en JPEG ou en PNG"
    return None


def _check_size(name: str, size: int, dossier_used_bytes: int) -> None:
    if size == 0:
        raise UploadRejected(f"« {name} » est vide : rien n'a été enregistré.")
    if size > max_file_bytes():
        raise UploadRejected(
            f"« {name} » pèse {size / MB:.1f} Mo : la limite est de {max_file_bytes() // MB} Mo "
            "par fichier. Rien n'a été enregistré."
        )
    if dossier_used_bytes + size > max_dossier_bytes():
        left = max(0, max_dossier_bytes() - dossier_used_bytes)
        raise UploadRejected(
            f"« {name} » dépasserait la limite de {max_dossier_bytes() // MB} Mo pour l'ensemble "
            f"du dossier (il reste {left / MB:.1f} Mo). Rien n'a été enregistré."
        )


# --- PDF -----------------------------------------------------------------------------------------


def _check_pdf(name: str, data: bytes) -> None:
    if b"%%EOF" not in data[-1024:]:
        raise UploadRejected(
            _not_valid(
                name, "il est incomplet : la fin du PDF manque, fichier abîmé ou envoi interrompu"
            )
        )
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise UploadRejected(
            f"« {name} » est protégé par un mot de passe : le jury ne pourrait pas le "
            "lire. Enregistrez-le sans protection puis recommencez. Rien n'a été enregistré."
        )
    reason = _active_in_objects(reader) or _active_in_bytes(data)
    if reason:
        raise UploadRejected(
            f"« {name} » {reason} : pour la sécurité du jury, seuls les PDF sans script, sans "
            "action de lancement et sans fichier incorporé sont acceptés. Rien n'a été "
            "enregistré. Imprimer le document en PDF en donne une copie sans contenu actif."
        )
    if len(reader.pages) == 0:
        raise UploadRejected(f"« {name} » ne contient aucune page : rien n'a été enregistré.")


def _active_in_objects(reader: PdfReader) -> str | None:
    """Walk the object graph from the trailer (Root, Info, pages, annotations, name trees,
    OpenAction, AA…) and from every object the cross-reference tables list, looking at the keys
    of dictionaries and at name values. The walk is iterative and bounded: at most
    MAX_PDF_NODES dictionaries and arrays, nested directly at most MAX_PDF_DEPTH deep (pypdf
    silently cuts deeper dictionaries short, so what lies below could not be checked)."""
    stack: list[tuple[Any, int]] = [(reader.trailer, 0)]
    stack.extend((ref, 0) for ref in _listed_objects(reader))
    seen: set[tuple[int, int]] = set()
    containers = 0
    while stack:
        node, depth = stack.pop()
        if isinstance(node, IndirectObject):
            if (node.idnum, node.generation) in seen:
                continue
            seen.add((node.idnum, node.generation))
            node, depth = node.get_object(), 0
        if isinstance(node, NameObject):
            if reason := _ACTIVE_NAMES.get(str(node)):
                return reason
            continue
        if not isinstance(node, DictionaryObject | ArrayObject):
            continue
        containers += 1
        if containers > MAX_PDF_NODES or depth > MAX_PDF_DEPTH:
            raise _TooComplex
        if isinstance(node, DictionaryObject):  # streams are dictionaries too
            for key, value in dict.items(node):  # the values as stored: references unresolved
                if reason := _ACTIVE_NAMES.get(str(key)):
                    return reason
                stack.append((value, depth + 1))
        else:
            stack.extend((item, depth + 1) for item in list.__iter__(node))
    return None


def _listed_objects(reader: PdfReader) -> Iterator[IndirectObject]:
    """Every object of the cross-reference tables, including those in object streams."""
    for generation, entries in reader.xref.items():
        for idnum in entries:
            yield IndirectObject(idnum, generation, reader)
    for idnum in reader.xref_objStm:
        yield IndirectObject(idnum, 0, reader)


def _active_in_bytes(data: bytes) -> str | None:
    """The second line of defence: the names written in the file outside streams and strings,
    `#xx` escapes decoded (the content of compressed object streams is seen by the walk)."""
    found = _RAW_ACTIVE_NAME.search(_RAW_STRING.sub(b"()", _outside_streams(data)))
    if found is None:
        return None
    name = _HEX_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), found[0])
    return _ACTIVE_NAMES[name.decode("ascii")]


def _outside_streams(data: bytes) -> bytes:
    """The file without the bodies of its streams, whose bytes (compressed, images, fonts)
    could look like anything."""
    parts, position = [], 0
    while (start := data.find(b"stream", position)) != -1:
        parts.append(data[position:start])
        end = data.find(b"endstream", start + len(b"stream"))
        if end == -1:
            return b" ".join(parts)
        position = end + len(b"endstream")
    parts.append(data[position:])
    return b" ".join(parts)


# --- Images --------------------------------------------------------------------------------------


def _check_image(name: str, data: bytes, content_type: str) -> None:
    """Pillow reads the header, checks the structure, then decodes every pixel."""
    formats = [_PILLOW_FORMATS[content_type]]
    too_big = UploadRejected(
        f"« {name} » est une image trop grande : plus de {MAX_IMAGE_PIXELS // 1_000_000} "
        "millions de pixels. Réduisez sa taille puis recommencez. Rien n'a été enregistré."
    )
    with warnings.catch_warnings():
        # Pillow warns, then refuses, when an image is far larger than ours may be.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=formats) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise too_big
                image.verify()
            with Image.open(io.BytesIO(data), formats=formats) as image:
                image.load()
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise too_big from exc


# --- Storage -------------------------------------------------------------------------------------


def file_fields(upload: UploadedFile, checked: CheckedFile) -> dict[str, object]:
    """What a file row records of a checked upload (its stored name never comes from the user)."""
    return {
        "original_name": clean_name(upload.name or "", checked.extension),
        "content_type": checked.content_type,
        "size": checked.size,
        "sha256": checked.sha256,
    }


def save_with_file(row: models.Model, upload: UploadedFile, checked: CheckedFile) -> None:
    """Store the upload in the row's `file` under a random name, then save the row. If the row
    cannot be written, the stored file must not stay behind."""
    upload.seek(0)
    row.file.save(f"{uuid.uuid4().hex}.{checked.extension}", upload, save=False)  # type: ignore[attr-defined]
    stored = row.file.name  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            row.save()
    except Exception:
        if stored:
            row.file.storage.delete(stored)  # type: ignore[attr-defined]
        raise


def delete_with_file(row: models.Model) -> None:
    """Delete the row now and its stored file once the transaction has committed."""
    storage, name = row.file.storage, row.file.name  # type: ignore[attr-defined]
    row.delete()
    delete_after_commit(storage, name)


def delete_after_commit(storage: Storage, *names: str | None) -> None:
    """Remove stored files once the transaction that stopped using them has committed (if it
    rolls back, they are still needed)."""
    kept = [name for name in names if name]

    def remove() -> None:
        for name in kept:
            storage.delete(name)

    if kept:
        transaction.on_commit(remove)
