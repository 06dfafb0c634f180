"""Text of PDF files, page by page, and redacted copies in which the redacted text is really gone.

A redacted copy keeps every page that holds nothing to hide as it was (text, fonts, quality),
without its annotations; each page that holds something to hide is replaced by a picture of
itself with black boxes over the hidden words. The picture carries no text layer, so nothing
under a box can be selected, copied or extracted. The document information (author, title…) and
XMP metadata are not copied.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import ImageDraw
from pypdf import PdfReader, PdfWriter

RENDER_SCALE = 2.0  # 144 dpi: readable print, moderate size
MIN_READABLE_CHARS = 20  # fewer letters than this on a page: a scan or a picture


@dataclass(frozen=True)
class PageText:
    number: int  # from 1
    text: str

    @property
    def readable(self) -> bool:
        return sum(1 for c in self.text if c.isalnum()) >= MIN_READABLE_CHARS


def pages_text(data: bytes) -> list[PageText]:
    """The text of every page (pdfium's reading order)."""
    document = pdfium.PdfDocument(data)
    try:
        result = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            result.append(PageText(index + 1, textpage.get_text_range()))
            textpage.close()
            page.close()
        return result
    finally:
        document.close()


def _boxes(textpage: pdfium.PdfTextPage, start: int, end: int) -> list[tuple[float, ...]]:
    """The boxes (left, bottom, right, top, in points) of the chars between two text offsets."""
    boxes: list[tuple[float, ...]] = []
    for text_index in range(start, end):
        char_index = pdfium_c.FPDFText_GetCharIndexFromTextIndex(textpage, text_index)
        if char_index < 0:
            continue
        left, bottom, right, top = textpage.get_charbox(char_index, loose=True)
        if right > left and top > bottom:
            boxes.append((left, bottom, right, top))
    return boxes


def _redacted_page_pdf(page: pdfium.PdfPage, spans: Sequence[tuple[int, int]]) -> bytes:
    textpage = page.get_textpage()
    boxes = [box for start, end in spans for box in _boxes(textpage, start, end)]
    textpage.close()
    _, height = page.get_size()
    image = page.render(scale=RENDER_SCALE, may_draw_forms=False).to_pil().convert("RGB")
    draw = ImageDraw.Draw(image)
    pad = 1.5
    for left, bottom, right, top in boxes:
        draw.rectangle(
            (
                (left - pad) * RENDER_SCALE,
                (height - top - pad) * RENDER_SCALE,
                (right + pad) * RENDER_SCALE,
                (height - bottom + pad) * RENDER_SCALE,
            ),
            fill="black",
        )
    out = io.BytesIO()
    image.save(out, format="PDF", resolution=72 * RENDER_SCALE)
    image.close()
    return out.getvalue()


def redact(data: bytes, spans_by_page: Mapping[int, Sequence[tuple[int, int]]]) -> bytes:
    """A copy of the PDF with the text at these offsets (per page number, from 1, offsets into
    `pages_text`) gone for good."""
    document = pdfium.PdfDocument(data)
    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter()
    try:
        for index in range(len(document)):
            number = index + 1
            spans = spans_by_page.get(number)
            if spans:
                page = document[index]
                picture = PdfReader(io.BytesIO(_redacted_page_pdf(page, spans)))
                page.close()
                writer.add_page(picture.pages[0])
            else:
                added = writer.add_page(reader.pages[index])
                if "/Annots" in added:
                    del added["/Annots"]
    finally:
        document.close()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
