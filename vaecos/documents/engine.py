"""Typst, the one engine behind every PDF of the platform (Livret 2, bundle, letters, records).

Data reaches a template only as JSON in `sys.inputs.data`, which the template decodes and sets as
text: nothing a user writes is ever parsed as Typst markup or code. Every PDF is PDF/A-3b (for
archiving) and PDF/UA-1 (tagged, for accessibility) at once, with the fonts that ship inside the
typst wheel, so the output is the same on every machine.
"""

from __future__ import annotations

import datetime
import json
import shutil
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import typst

TEMPLATES_DIR = Path(__file__).resolve().parent / "typst"
PDF_STANDARDS: list[Any] = ["a-3b", "ua-1"]

_local = threading.local()
_fonts_lock = threading.Lock()
_fonts: typst.Fonts | None = None


class RenderError(RuntimeError):
    """A template failed to compile: a bug of ours, never the user's text."""


def _embedded_fonts() -> typst.Fonts:
    # Only the fonts inside the wheel: documents must not depend on what the server has installed.
    global _fonts
    with _fonts_lock:
        if _fonts is None:
            _fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=True)
        return _fonts


def _compiler(template: str) -> typst.Compiler:
    # A compiler keeps its parsed template and fonts between runs; one per thread, as it is not
    # meant to be shared by threads compiling at the same time.
    compilers: dict[str, typst.Compiler] = getattr(_local, "compilers", None) or {}
    _local.compilers = compilers
    if template not in compilers:
        compilers[template] = typst.Compiler(
            str(TEMPLATES_DIR / template),
            root=str(TEMPLATES_DIR),
            font_paths=_embedded_fonts(),
            ignore_system_fonts=True,
        )
    return compilers[template]


def _inputs(data: Mapping[str, Any]) -> dict[str, str]:
    return {"data": json.dumps(data, ensure_ascii=False, default=str)}


def render_pdf(
    template: str,
    data: Mapping[str, Any],
    *,
    files: Mapping[str, bytes] | None = None,
    timestamp: datetime.datetime | None = None,
) -> bytes:
    """Compile a template with its data to a PDF/A-3b + PDF/UA-1 document.

    `files` are extra files the template reads by name (images of a bundle, for instance); they
    are written beside a copy of the templates in a private temporary folder.
    """
    stamp = (timestamp or datetime.datetime.now(datetime.UTC)).replace(microsecond=0)
    try:
        if not files:
            result = _compiler(template).compile(
                format="pdf",
                sys_inputs=_inputs(data),
                pdf_standards=PDF_STANDARDS,
                timestamp=stamp,
            )
        else:
            with tempfile.TemporaryDirectory(prefix="vaecos-typst-") as tmp:
                root = Path(tmp)
                for source in TEMPLATES_DIR.glob("*.typ"):
                    shutil.copyfile(source, root / source.name)
                for name, content in files.items():
                    if "/" in name or name.startswith("."):
                        raise RenderError(f"nom de fichier interdit : {name!r}")
                    (root / name).write_bytes(content)
                result = typst.compile(
                    str(root / template),
                    root=str(root),
                    font_paths=_embedded_fonts(),
                    ignore_system_fonts=True,
                    format="pdf",
                    sys_inputs=_inputs(data),
                    pdf_standards=PDF_STANDARDS,
                    timestamp=stamp,
                )
    except typst.TypstError as exc:
        raise RenderError(f"{template}: {exc.message}\n{exc.diagnostic}") from exc
    assert isinstance(result, bytes)
    return result


def render_png_pages(template: str, data: Mapping[str, Any], *, ppi: float = 96) -> list[bytes]:
    """Each page as a PNG image (the candidate's preview)."""
    try:
        result = _compiler(template).compile(format="png", ppi=ppi, sys_inputs=_inputs(data))
    except typst.TypstError as exc:
        raise RenderError(f"{template}: {exc.message}\n{exc.diagnostic}") from exc
    if isinstance(result, bytes):
        return [result]
    assert isinstance(result, list)
    return result
