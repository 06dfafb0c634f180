"""A corpus of hostile files, built in code: each entry is a file name, a function making the
bytes and the words the refusal must contain.

PDFs are made with pypdf's PdfWriter when it can write what is wanted, by hand otherwise (a
hex-escaped name, an object stream, an object missing from the cross-reference table, deep
nesting): `raw_pdf` and `object_stream_pdf` write a correct cross-reference table, so pypdf
reads these files without having to repair them.
"""

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript, PageTrigger
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from tests.files import jpeg_bytes, pdf_bytes, png_bytes

NOT_VALID = "n'est pas un fichier PDF, JPEG ou PNG valide"
SCRIPT = "contient du code JavaScript"
TOO_COMPLEX = "trop complexe pour être vérifié"
TOO_BIG = "image trop grande"


@dataclass(frozen=True)
class Hostile:
    id: str
    name: str
    make: Callable[[], bytes]
    expected: str  # words the refusal message must contain

    @cached_property
    def data(self) -> bytes:
        return self.make()


# --- Building blocks -----------------------------------------------------------------------------


def pdf_name(value: str) -> NameObject:
    return NameObject(value)


def action(kind: str, **entries) -> DictionaryObject:
    """An action dictionary: action("/JavaScript", JS=TextStringObject("app.alert(1)"))."""
    result = DictionaryObject(
        {pdf_name("/Type"): pdf_name("/Action"), pdf_name("/S"): pdf_name(kind)}
    )
    result.update({pdf_name(f"/{key}"): value for key, value in entries.items()})
    return result


def write(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def one_page_writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return writer


def with_open_action(open_action: DictionaryObject) -> bytes:
    writer = one_page_writer()
    writer.root_object[pdf_name("/OpenAction")] = writer._add_object(open_action)
    return write(writer)


def with_annotation(**entries) -> bytes:
    annotation = DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Rect"): ArrayObject([FloatObject(v) for v in (10, 10, 90, 90)]),
        }
    )
    annotation.update({pdf_name(f"/{key}"): value for key, value in entries.items()})
    writer = one_page_writer()
    writer.add_annotation(0, annotation)
    return write(writer)


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"


def page(extra: bytes = b"") -> bytes:
    return b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] " + extra + b" >>"


def raw_pdf(objects: list[bytes], *, unlisted: bytes = b"") -> bytes:
    """A PDF written by hand: objects 1, 2, 3… (object 1 is the catalog), with a correct
    cross-reference table. `unlisted` is written in the file but left out of that table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    out += unlisted
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % start
    return bytes(out)


def object_stream_pdf(hidden: bytes) -> bytes:
    """A PDF whose open action (object 5) sits compressed in an object stream (object 4),
    indexed by a cross-reference stream (object 6): its bytes are not readable in the file."""
    header = b"5 0 "
    packed = zlib.compress(header + hidden)
    plain = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>",
        PAGES,
        page(),
        b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n%s\n"
        b"endstream" % (len(header), len(packed), packed),
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(plain, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_offset = len(out)
    entries = [struct.pack(">BIH", 0, 0, 65535)]
    entries += [struct.pack(">BIH", 1, offset, 0) for offset in offsets]
    entries += [struct.pack(">BIH", 2, 4, 0), struct.pack(">BIH", 1, xref_offset, 0)]
    table = b"".join(entries)
    out += (
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n%s\n"
        b"endstream\nendobj\n" % (len(table), table)
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref_offset
    return bytes(out)


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_with(width: int, height: int, idat: bytes, *, bit_depth: int = 1) -> bytes:
    """A greyscale PNG declaring these dimensions, with this compressed image data."""
    header = struct.pack(">IIBBBBB", width, height, bit_depth, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def png_bomb(side: int = 8000) -> bytes:
    """A complete, valid 1-bit PNG of side × side pixels: all white, so it compresses to a few
    kilobytes, and decoding it would take side² bytes."""
    row = b"\x00" + b"\xff" * ((side + 7) // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row * 500) for _ in range(side // 500)) + packer.flush()
    return png_with(side, side, idat)


def png_declaring(side: int) -> bytes:
    """A PNG whose header declares side × side pixels, with only a little data behind it."""
    return png_with(side, side, zlib.compress(b"\x00" * 1024))


def png_corrupt_body() -> bytes:
    """Chunks with correct CRCs (so the structure checks pass), but no zlib stream inside."""
    return png_with(64, 64, b"ceci n'est pas un flux zlib" * 20, bit_depth=8)


def jpeg_declaring(width: int, height: int) -> bytes:
    """A real JPEG whose frame header (SOF0) is changed to declare other dimensions."""
    data = bytearray(jpeg_bytes())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def noisy_jpeg() -> bytes:
    buffer = io.BytesIO()
    image = Image.effect_noise((256, 256), 64).convert("RGB")
    image.save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


def truncated(data: bytes, keep: float = 0.6) -> bytes:
    return data[: int(len(data) * keep)]


# --- PDFs with active content --------------------------------------------------------------------


def pdf_open_action_javascript() -> bytes:
    return with_open_action(action("/JavaScript", JS=TextStringObject("app.alert('jury');")))


def pdf_names_javascript() -> bytes:
    """Document-level JavaScript, in the /Names /JavaScript tree."""
    writer = one_page_writer()
    writer.add_open_action(JavaScript("this.exportDataObject({cName: 'x', nLaunch: 2});"))
    return write(writer)


def pdf_page_additional_action() -> bytes:
    """JavaScript run when the page opens (/AA on the page)."""
    writer = one_page_writer()
    writer.pages[0].add_action(PageTrigger.OPEN, JavaScript("app.launchURL('http://x.test');"))
    return write(writer)


def pdf_link_javascript() -> bytes:
    return with_annotation(
        Subtype=pdf_name("/Link"), A=action("/JavaScript", JS=TextStringObject("app.alert(1);"))
    )


def pdf_launch() -> bytes:
    launch = action("/Launch", F=TextStringObject("cmd.exe"))
    launch[pdf_name("/Win")] = DictionaryObject(
        {pdf_name("/F"): TextStringObject("cmd.exe"), pdf_name("/P"): TextStringObject("/c calc")}
    )
    return with_open_action(launch)


def pdf_embedded_file() -> bytes:
    writer = one_page_writer()
    writer.add_attachment("facture.exe", b"MZ\x90\x00" + b"\x00" * 64)
    return write(writer)


def pdf_file_attachment_annotation() -> bytes:
    spec = DictionaryObject(
        {pdf_name("/Type"): pdf_name("/Filespec"), pdf_name("/F"): TextStringObject("notes.txt")}
    )
    return with_annotation(Subtype=pdf_name("/FileAttachment"), FS=spec)


def pdf_go_to_embedded() -> bytes:
    target = DictionaryObject(
        {pdf_name("/R"): pdf_name("/C"), pdf_name("/N"): TextStringObject("x.pdf")}
    )
    return with_open_action(action("/GoToE", T=target, D=ArrayObject([NumberObject(0)])))


def pdf_rich_media() -> bytes:
    return with_annotation(Subtype=pdf_name("/RichMedia"))


def pdf_xfa_form() -> bytes:
    writer = one_page_writer()
    writer.root_object[pdf_name("/AcroForm")] = DictionaryObject(
        {
            pdf_name("/Fields"): ArrayObject(),
            pdf_name("/XFA"): TextStringObject("<xdp:xdp><script>xfa.host.messageBox(1)</script>"),
        }
    )
    return write(writer)


def pdf_import_data() -> bytes:
    return with_open_action(action("/ImportData", F=TextStringObject("donnees.fdf")))


def pdf_submit_form() -> bytes:
    url = DictionaryObject(
        {pdf_name("/FS"): pdf_name("/URL"), pdf_name("/F"): TextStringObject("http://x")}
    )
    return with_annotation(Subtype=pdf_name("/Link"), A=action("/SubmitForm", F=url))


def pdf_hex_escaped_javascript() -> bytes:
    """`/J#61vaScript` is `/JavaScript` and `/J#53` is `/JS` once the escapes are decoded."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
            PAGES,
            page(),
            b"<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>",
        ]
    )


def pdf_javascript_in_object_stream() -> bytes:
    """Compressed: only the object walk sees it. Escaped too, so it must be decoded there."""
    return object_stream_pdf(b"<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>")


def pdf_javascript_outside_the_xref() -> bytes:
    """An object the cross-reference table does not list: pypdf does not see it, a viewer that
    rebuilds the table might. Only the raw scan finds it."""
    orphan = b"9 0 obj\n<< /S /JavaScript /JS (app.alert\\(1\\)) >>\nendobj\n"
    return raw_pdf([CATALOG, PAGES, page()], unlisted=orphan)


# --- Malformed PDFs ------------------------------------------------------------------------------


def pdf_encrypted() -> bytes:
    writer = one_page_writer()
    writer.encrypt("secret")
    return write(writer)


def pdf_zero_pages() -> bytes:
    return write(PdfWriter())


def pdf_deeply_nested_arrays(depth: int = 5000) -> bytes:
    """pypdf reads nested arrays recursively: Python's recursion limit is reached."""
    return raw_pdf([CATALOG, PAGES, page(b"/Deep 4 0 R"), b"[" * depth + b"0" + b"]" * depth])


def pdf_deeply_nested_dictionaries(depth: int = 3000) -> bytes:
    """pypdf silently cuts nested dictionaries short: what lies below cannot be checked."""
    nested = b"<< /A " * depth + b"(JS) " + b">> " * depth
    return raw_pdf([CATALOG, PAGES, page(b"/Deep 4 0 R"), nested])


def pdf_too_many_objects() -> bytes:
    """210,000 empty arrays (pypdf allows 100,000 elements per array, so three arrays)."""
    many = b"[" + b"[]" * 70_000 + b"]"
    return raw_pdf([CATALOG, PAGES, page(b"/A 4 0 R /B 5 0 R /C 6 0 R"), many, many, many])


def pdf_truncated() -> bytes:
    return truncated(pdf_bytes(pages=3))


def pdf_header_then_html() -> bytes:
    return b"%PDF-1.7\n<html><body><script>alert(1)</script></body></html>\n%%EOF\n"


# --- Other content under a PDF or image name -----------------------------------------------------


def html_page() -> bytes:
    return b"<!DOCTYPE html>\n<html><body><script>fetch('/admin/')</script></body></html>\n"


def svg_image() -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>\n'
    )


def html_then_pdf_polyglot() -> bytes:
    """An HTML page that also holds a PDF further on: what a file starts with decides."""
    return b"<html><!--\n" + pdf_bytes() + b"\n--><script>alert(1)</script></html>\n"


def zip_archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("cv.pdf", pdf_bytes())
    return buffer.getvalue()


def windows_program() -> bytes:
    """An MZ executable that also carries a PDF inside."""
    return b"MZ\x90\x00\x03\x00\x00\x00This program cannot be run in DOS mode.\r\n" + pdf_bytes()


def linux_program() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 256


def heic_photo() -> bytes:
    return b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 256


CORPUS = [
    # PDFs carrying active content
    Hostile("open-action-javascript", "cv.pdf", pdf_open_action_javascript, SCRIPT),
    Hostile("names-javascript", "cv.pdf", pdf_names_javascript, SCRIPT),
    Hostile("page-aa-javascript", "cv.pdf", pdf_page_additional_action, SCRIPT),
    Hostile("link-javascript", "cv.pdf", pdf_link_javascript, SCRIPT),
    Hostile("hex-escaped-javascript", "cv.pdf", pdf_hex_escaped_javascript, SCRIPT),
    Hostile("object-stream-javascript", "cv.pdf", pdf_javascript_in_object_stream, SCRIPT),
    Hostile("unlisted-javascript", "cv.pdf", pdf_javascript_outside_the_xref, SCRIPT),
    Hostile("launch", "cv.pdf", pdf_launch, "contient une action qui lance un programme"),
    Hostile("embedded-file", "cv.pdf", pdf_embedded_file, "contient un fichier incorporé"),
    Hostile(
        "file-attachment-annotation",
        "cv.pdf",
        pdf_file_attachment_annotation,
        "contient un fichier joint",
    ),
    Hostile("goto-embedded", "cv.pdf", pdf_go_to_embedded, "lien vers un fichier incorporé"),
    Hostile("rich-media", "cv.pdf", pdf_rich_media, "RichMedia"),
    Hostile("xfa-form", "cv.pdf", pdf_xfa_form, "formulaire dynamique (XFA)"),
    Hostile("import-data", "cv.pdf", pdf_import_data, "import de données"),
    Hostile("submit-form", "cv.pdf", pdf_submit_form, "formulaire qui envoie des données"),
    # Malformed PDFs
    Hostile("encrypted", "cv.pdf", pdf_encrypted, "est protégé par un mot de passe"),
    Hostile("zero-pages", "cv.pdf", pdf_zero_pages, "ne contient aucune page"),
    Hostile("truncated-pdf", "cv.pdf", pdf_truncated, "la fin du PDF manque"),
    Hostile("pdf-header-then-html", "cv.pdf", pdf_header_then_html, NOT_VALID),
    Hostile("nested-arrays", "cv.pdf", pdf_deeply_nested_arrays, TOO_COMPLEX),
    Hostile("nested-dictionaries", "cv.pdf", pdf_deeply_nested_dictionaries, TOO_COMPLEX),
    Hostile("too-many-objects", "cv.pdf", pdf_too_many_objects, TOO_COMPLEX),
    # Other content under a PDF or image name
    Hostile("empty", "cv.pdf", lambda: b"", "est vide"),
    Hostile("html", "cv.pdf", html_page, "page web"),
    Hostile("svg", "cv.pdf", svg_image, "image SVG"),
    Hostile("html-pdf-polyglot", "cv.pdf", html_then_pdf_polyglot, "page web"),
    Hostile("zip", "cv.pdf", zip_archive, "archive ZIP"),
    Hostile("windows-exe", "cv.pdf", windows_program, "c'est un programme"),
    Hostile("linux-exe", "photo.png", linux_program, "c'est un programme"),
    Hostile("heic", "photo.jpg", heic_photo, "convertissez-la en JPEG ou en PNG"),
    # Broken or oversized images
    Hostile("png-corrupt-body", "photo.png", png_corrupt_body, NOT_VALID),
    Hostile("png-truncated", "photo.png", lambda: truncated(png_bytes((64, 64), True)), NOT_VALID),
    Hostile("jpeg-truncated", "photo.jpg", lambda: truncated(noisy_jpeg()), NOT_VALID),
    Hostile("png-bomb", "photo.png", png_bomb, TOO_BIG),
    Hostile("png-declaring-100-megapixels", "photo.png", lambda: png_declaring(10_000), TOO_BIG),
    Hostile("png-declaring-10-gigapixels", "photo.png", lambda: png_declaring(100_000), TOO_BIG),
    Hostile(
        "jpeg-declaring-81-megapixels", "photo.jpg", lambda: jpeg_declaring(9000, 9000), TOO_BIG
    ),
]
