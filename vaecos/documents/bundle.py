"""The jury's bundle: the Livret 2 followed by every supporting document, in one PDF.

Typst lays out the Livret 2 and, for each annex, a page that starts it with its caption (images
are set on that page; a PDF's own pages are inserted right after it, as they were uploaded).
Headings become bookmarks, so every section and annex has one. Page numbers run on across the
inserted pages.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from PIL import Image
from pypdf import PdfReader, PdfWriter

from vaecos.documents.engine import RenderError, render_pdf
from vaecos.documents.livret2 import livret2_data
from vaecos.dossiers.models import Attachment, Dossier

logger = logging.getLogger(__name__)

UNREADABLE = (
    "Ce document n'a pas pu être intégré au dossier (fichier illisible ou protégé par un mot de "
    "passe). Le candidat doit le déposer à nouveau."
)


def _read(attachment: Attachment) -> bytes:
    with attachment.file.open("rb") as handle:
        return handle.read()


def _pdf_reader(content: bytes) -> PdfReader | None:
    """The annex, if its pages can really be copied (opening a PDF is not enough: a damaged
    one can still fail when its pages are copied)."""
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted and not reader.decrypt(""):
            return None
        if len(reader.pages) == 0:
            return None
        PdfWriter().append(reader, import_outline=False)
        return reader
    except Exception as exc:  # noqa: BLE001 — pypdf raises many kinds for a damaged file
        logger.warning("annex PDF unreadable: %r", exc)
        return None


def _image_for_pdf(content: bytes) -> tuple[bytes, str] | None:
    """The image as Typst can set it in a PDF/A (RGB or grey; a CMYK scan is converted)."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.load()
            if image.format in ("PNG", "JPEG") and image.mode in ("RGB", "L", "RGBA", "LA", "P"):
                return content, "png" if image.format == "PNG" else "jpg"
            converted = image.convert("RGB")
        buffer = io.BytesIO()
        converted.save(buffer, format="PNG")
        return buffer.getvalue(), "png"
    except Exception:  # noqa: BLE001 — Pillow raises many kinds for a broken image
        return None


def _outline_pages(reader: PdfReader) -> dict[str, int]:
    """Bookmark title → page index, over the whole outline tree."""
    found: dict[str, int] = {}

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                page = reader.get_destination_page_number(item)
                if page is not None:
                    found[str(item.title)] = page

    walk(reader.outline)
    return found


def bundle_pdf(dossier: Dossier) -> bytes:
    data = livret2_data(dossier)
    data["bundle"] = True
    attachments = Attachment.objects.in_bulk([a["id"] for a in data["annexes"]])
    files: dict[str, bytes] = {}
    inserts: dict[int, PdfReader] = {}
    for annex in data["annexes"]:
        annex.setdefault("pages", 0)
        attachment = attachments[annex["id"]]
        try:
            content = _read(attachment)
        except OSError:
            annex["error"] = UNREADABLE
            continue
        if annex["kind"] == "image":
            image = _image_for_pdf(content)
            if image is None:
                annex["error"] = UNREADABLE
                continue
            name = f"annexe-{annex['number']}.{image[1]}"
            files[name] = image[0]
            annex["file"] = name
        else:
            reader = _pdf_reader(content)
            if reader is None:
                annex["error"] = UNREADABLE
                continue
            annex["pages"] = len(reader.pages)
            inserts[annex["number"]] = reader

    livret = PdfReader(io.BytesIO(render_pdf("livret2.typ", data, files=files)))
    pages_by_title = _outline_pages(livret)
    writer = PdfWriter(clone_from=livret)
    positions = {}
    for number in inserts:
        prefix = f"Annexe {number} — "
        page = next((p for title, p in pages_by_title.items() if title.startswith(prefix)), None)
        if page is None:  # cannot happen with our template; never insert pages blindly
            raise RenderError(f"bundle: no bookmark for annex {number}")
        positions[number] = page
    # From the last annex back, so earlier insertion points do not move.
    for number in sorted(inserts, key=lambda n: positions[n], reverse=True):
        writer.merge(positions[number] + 1, inserts[number], import_outline=False)
    # The inserted pages are the candidate's files as uploaded: the bundle as a whole can no
    # longer claim PDF/A or PDF/UA conformance, so it drops those claims (the Livret 2 keeps them).
    if "/Metadata" in writer.root_object:
        del writer.root_object["/Metadata"]
    writer.add_metadata(
        {
            "/Title": f"Dossier pour le jury – {data['title']}",
            "/Author": data["full_name"],
        }
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
