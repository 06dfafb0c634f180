"""The documents of a Livret 2, by kind, with the names they are downloaded under."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.text import slugify

from vaecos.documents.bundle import bundle_pdf
from vaecos.documents.engine import render_pdf, render_png_pages
from vaecos.documents.livret2 import livret2_data
from vaecos.documents.permissions import Kind
from vaecos.dossiers.models import Dossier

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PREVIEW_PPI = 110
PREVIEW_SECONDS = 600


@dataclass(frozen=True)
class Document:
    content: bytes
    filename: str
    content_type: str


def _stem(dossier: Dossier, prefix: str) -> str:
    name = slugify(f"{dossier.last_name} {dossier.first_name}").replace("-", "_") or "sans_nom"
    return f"{prefix}_{name}"


def livret2_pdf(dossier: Dossier) -> bytes:
    return render_pdf("livret2.typ", livret2_data(dossier))


def livret2_docx(dossier: Dossier) -> bytes:
    from vaecos.documents import docx_export  # python-docx is only loaded when Word is asked for

    return docx_export.render_docx(livret2_data(dossier))


def document(dossier: Dossier, kind: Kind) -> Document:
    if kind == Kind.PDF:
        return Document(livret2_pdf(dossier), _stem(dossier, "Livret2") + ".pdf", PDF)
    if kind == Kind.DOCX:
        return Document(livret2_docx(dossier), _stem(dossier, "Livret2") + ".docx", DOCX)
    return Document(bundle_pdf(dossier), _stem(dossier, "Dossier_jury") + ".pdf", PDF)


def preview_pages(dossier: Dossier) -> tuple[str, list[bytes]]:
    """The Livret 2's pages as PNG images, cached for as long as its content does not change.

    Returns a version string that changes with the content, for the image URLs."""
    data = livret2_data(dossier)
    content = {k: v for k, v in data.items() if k != "generated_on"}  # the day alone is no change
    version = hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()[:16]
    key = f"livret2-preview:{dossier.pk}:{version}"
    pages = cache.get(key)
    if pages is None:
        pages = render_png_pages("livret2.typ", data, ppi=PREVIEW_PPI)
        cache.set(key, pages, PREVIEW_SECONDS)
    return version, pages
