"""Typst, the one engine behind every PDF of the platform (Livret 2, bundle, letters, records).

Data reaches a template only as JSON in `sys.inputs.data`, which the template decodes and sets as
text: nothing a user writes is ever parsed as Typst markup or code. Every PDF is PDF/A-3b (for
archiving) and PDF/UA-1 (tagged, for accessibility) at once, with the fonts that ship inside the
typst wheel, so the output is the same on every machine.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
import shutil
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import typst

TEMPLATES_DIR = Path(__file__).resolve().parent / "typst"
PDF_STANDARDS: list[Any] = ["a-3b", "ua-1"]
# What stands for a character no embedded font can draw (an emoji, a CJK ideogram…): PDF/A
# forbids a missing glyph, and one emoji must not cost the candidate their whole PDF.
REPLACEMENT = "?"
MAX_ATTEMPTS = 3

logger = logging.getLogger(__name__)
# Control characters other than tab and line feed: no font draws them, text never needs them.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_UNDRAWABLE = re.compile(r'the text `"((?:[^"\\]|\\.)*)"` could not be displayed')
_ESCAPE = re.compile(r"\\u\{([0-9a-fA-F]+)\}|\\(.)")

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


def _map_strings(value: Any, change: Any) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, Mapping):
        return {key: _map_strings(item, change) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_map_strings(item, change) for item in value]
    return value


def _undrawable(error: typst.TypstError) -> set[str]:
    """The characters Typst says no font can draw, from its error message."""
    found: set[str] = set()
    for raw in _UNDRAWABLE.findall(f"{error.message}\n{error.diagnostic}"):
        text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2), raw)
        found.update(text)
    return found


def _compile(run: Any, template: str, data: Mapping[str, Any]) -> Any:
    """Compile; where a character cannot be drawn, replace it and compile again."""
    data = _map_strings(data, lambda text: _CONTROLS.sub("", text))
    for _ in range(MAX_ATTEMPTS):
        try:
            return run(_inputs(data))
        except typst.TypstError as exc:
            missing = _undrawable(exc) - {REPLACEMENT}
            if not missing:
                logger.error("Typst template %s failed: %s", template, exc.message)
                raise RenderError(f"{template}: {exc.message}\n{exc.diagnostic}") from exc
            logger.info("%s: %d character(s) without a glyph replaced", template, len(missing))
            table = str.maketrans(dict.fromkeys(missing, REPLACEMENT))
            data = _map_strings(data, lambda text, table=table: text.translate(table))
    raise RenderError(f"{template}: characters without a glyph remain")


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
    if not files:
        result = _compile(
            lambda inputs: _compiler(template).compile(
                format="pdf", sys_inputs=inputs, pdf_standards=PDF_STANDARDS, timestamp=stamp
            ),
            template,
            data,
        )
    else:
        with tempfile.TemporaryDirectory(prefix="vaecos-typst-") as tmp:
            root = Path(tmp)
            for source in TEMPLATES_DIR.glob("*.typ"):
                shutil.copyfile(source, root / source.name)
            for name, content in files.items():
                if "/" in name or "\\" in name or name.startswith("."):
                    raise RenderError(f"nom de fichier interdit : {name!r}")
                (root / name).write_bytes(content)
            result = _compile(
                lambda inputs: typst.compile(
                    str(root / template),
                    root=str(root),
                    font_paths=_embedded_fonts(),
                    ignore_system_fonts=True,
                    format="pdf",
                    sys_inputs=inputs,
                    pdf_standards=PDF_STANDARDS,
                    timestamp=stamp,
                ),
                template,
                data,
            )
    assert isinstance(result, bytes)
    return result


def render_png_pages(template: str, data: Mapping[str, Any], *, ppi: float = 96) -> list[bytes]:
    """Each page as a PNG image (the candidate's preview)."""
    result = _compile(
        lambda inputs: _compiler(template).compile(format="png", ppi=ppi, sys_inputs=inputs),
        template,
        data,
    )
    if isinstance(result, bytes):
        return [result]
    assert isinstance(result, list)
    return result
