"""Hostile files and file names for the upload fuzz tests, drawn by hypothesis.

Files start from valid ones (PDF, PNG, JPEG, Word) and from the hostile corpus of
tests/uploads/hostile.py, then are damaged: bytes flipped, cut short, junk inserted, the header
of one type on the body of another, small zip bombs, Word packages with a part damaged, a macro,
a missing or doubled part. Names carry control characters, path separators, Unicode, wrong
extensions, or are empty or very long.

`multipart()` writes the request body by hand: Django's test client keeps only the base name of
a file and cannot send some of these names, a robot can.
"""

import functools
import io
import random
import uuid
import warnings
import zipfile
from typing import Any
from xml.sax.saxutils import escape

from hypothesis import strategies as st
from PIL import Image

from tests.documents import docx_samples
from tests.files import jpeg_bytes, pdf_bytes, png_bytes
from tests.uploads import hostile

MB = 1024 * 1024
# Corpus files too slow to check many times over (each is checked once in tests/uploads).
SLOW = {"too-many-objects"}


def _noise_png(size: tuple[int, int]) -> bytes:
    """A PNG of random pixels, the same every run (hypothesis replays failing examples)."""
    noise = random.Random(7).randbytes(size[0] * size[1] * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, noise).save(buffer, format="PNG")
    return buffer.getvalue()


def _text_pdf() -> bytes:
    stream = b"BT /F1 12 Tf 72 720 Td (Marie Dupont, 06 12 34 56 78) Tj ET"
    return hostile.raw_pdf(
        [
            hostile.CATALOG,
            hostile.PAGES,
            hostile.page(b"/Contents 4 0 R"),
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        ]
    )


@functools.cache
def seeds() -> dict[str, bytes]:
    """Valid files of each type the platform accepts, and a Word file."""
    return {
        "pdf": pdf_bytes(),
        "pdf-3-pages": pdf_bytes(pages=3),
        "pdf-text": _text_pdf(),
        "pdf-object-stream": hostile.object_stream_pdf(b"<< /S /GoTo /D [3 0 R /Fit] >>"),
        "png": png_bytes((16, 16)),
        "png-noise": _noise_png((64, 48)),
        "jpeg": jpeg_bytes((16, 16)),
        "docx": docx_samples.minimal_docx(),
    }


@functools.cache
def corpus() -> dict[str, bytes]:
    return {h.id: h.data for h in hostile.CORPUS if h.id not in SLOW}


def zip_bomb(megabytes: int, *, nested: bool = False) -> bytes:
    """A zip holding `megabytes` MB of zeros: a few kilobytes on the wire."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", b"\0" * (megabytes * MB))
    if not nested:
        return buffer.getvalue()
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(4):
            archive.writestr(f"bombe{n}.zip", buffer.getvalue())
    return outer.getvalue()


@st.composite
def damaged(draw: Any, data: bytes) -> bytes:
    """These bytes, maybe damaged the ways a broken download, a bad disk or a robot damage them."""
    how = draw(st.sampled_from(["as is", "flip", "truncate", "insert", "other header", "append"]))
    if how == "as is" or not data:
        return data
    if how == "flip":
        changed = bytearray(data)
        for _ in range(draw(st.integers(1, 8))):
            changed[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(changed)
    if how == "truncate":
        return data[: draw(st.integers(0, len(data) - 1))]
    if how == "insert":
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
    if how == "other header":
        head = draw(st.sampled_from(sorted(seeds().values(), key=len)))[:16]
        return head + data[draw(st.integers(0, 16)) :]
    return data + draw(st.binary(min_size=1, max_size=64) | st.sampled_from(list(seeds().values())))


@st.composite
def any_file(draw: Any) -> bytes:
    """A file for the PDF, JPEG or PNG uploads: valid (a third of the time, so that what is kept
    is checked too), hostile, damaged, empty, random or a small zip bomb."""
    source = draw(st.sampled_from(["valid", "valid", "damaged", "damaged", "corpus", "other"]))
    if source == "valid":
        return seeds()[draw(st.sampled_from(sorted(set(seeds()) - {"docx"})))]
    if source == "damaged":
        return draw(damaged(seeds()[draw(st.sampled_from(sorted(seeds())))]))
    if source == "corpus":
        return draw(damaged(corpus()[draw(st.sampled_from(sorted(corpus())))]))
    other = draw(st.sampled_from(["random", "empty", "zip bomb"]))
    if other == "random":
        return draw(st.binary(min_size=1, max_size=2048))
    if other == "empty":
        return b""
    return zip_bomb(draw(st.integers(1, 6)), nested=draw(st.booleans()))


# --- Word --------------------------------------------------------------------------------------


@functools.cache
def word_seeds() -> dict[str, dict[str, bytes]]:
    return {
        "minimal": docx_samples.entries_of(docx_samples.minimal_docx()),
        "official": docx_samples.entries_of(docx_samples.official_sample()),
    }


def _with_paragraphs(xml: bytes, texts: list[str]) -> bytes:
    paragraphs = "".join(f"<w:p><w:r><w:t>{escape(t)}</w:t></w:r></w:p>" for t in texts)
    head, body, tail = xml.decode().partition("<w:body>")
    return (head + body + paragraphs + tail).encode()


@st.composite
def word_file(draw: Any) -> bytes:
    """A .docx built from a real one, then changed inside the package or as bytes."""
    entries = dict(word_seeds()[draw(st.sampled_from(sorted(word_seeds())))])
    names = sorted(entries)
    how = draw(
        st.sampled_from(
            [
                "as is",
                "paragraphs",
                "damaged part",
                "macro",
                "dropped part",
                "doubled part",
                "bomb",
                "stored",
                "other file",
            ]
        )
    )
    method = zipfile.ZIP_DEFLATED
    extra: list[tuple[str, bytes]] = []
    if how == "paragraphs":
        # Text as people paste it, control characters and lone surrogates left out (XML forbids
        # them: they are the "damaged part" case).
        text = st.text(
            st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]) | st.just("\t"),
            max_size=400,
        )
        texts = draw(st.lists(text | st.just("Situation N°1 : " + "x" * 300), max_size=12))
        entries["word/document.xml"] = _with_paragraphs(entries["word/document.xml"], texts)
    elif how == "damaged part":
        name = draw(st.sampled_from(names))
        entries[name] = draw(damaged(entries[name]))
    elif how == "macro":
        entries["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0" + b"\x00" * 60
    elif how == "dropped part":
        del entries[draw(st.sampled_from(names))]
    elif how == "doubled part":
        name = draw(st.sampled_from(names))
        extra.append((name, entries[name]))
    elif how == "bomb":
        extra.append(("word/media/image1.png", b"\0" * (draw(st.integers(1, 8)) * MB)))
    elif how == "stored":
        method = zipfile.ZIP_STORED
    elif how == "other file":
        return draw(any_file())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns of a second entry of one name
            for name, content in extra:
                archive.writestr(name, content)
    return draw(damaged(buffer.getvalue())) if draw(st.booleans()) else buffer.getvalue()


# --- Names -------------------------------------------------------------------------------------

NASTY_NAMES = [
    "cv.pdf",
    "photo.jpg",
    "capture.png",
    "livret2.docx",
    "",
    ".",
    "..",
    "../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "C:\\Users\\x\\cv.pdf",
    "a/b/c.pdf",
    "/absolu.pdf",
    "scan.pdf.exe",
    "CON.pdf",
    "  .pdf",
    ".htaccess",
    "cv\x00.pdf",
    "cv\x1b[31m.pdf",
    "lettre\u202efdp.exe",
    "rele\u0301ve\u0301.pdf",
    "<img src=x onerror=alert(1)>.pdf",
    "&lt;b&gt;.pdf",
    "a%00b.pdf",
    "名前.pdf",
    "😀.png",
    "x" * 1000 + ".pdf",
    "é" * 300 + ".docx",
    "Photo.JPEG",
    "sans extension",
]
EXTENSIONS = ["", ".pdf", ".PDF", ".jpg", ".jpeg", ".png", ".docx", ".doc", ".exe", ".svg", ".zip"]
FILE_NAMES = st.one_of(
    st.sampled_from(NASTY_NAMES),
    st.tuples(st.text(max_size=60), st.sampled_from(EXTENSIONS)).map("".join),
    st.sampled_from(NASTY_NAMES),
    st.tuples(st.text(max_size=60), st.sampled_from(EXTENSIONS)).map("".join),
    st.tuples(
        st.text(st.characters(codec="utf-8"), min_size=200, max_size=600),
        st.sampled_from(EXTENSIONS),
    ).map("".join),
)


# --- The request body --------------------------------------------------------------------------


def _header_value(name: str, style: str) -> bytes:
    if style == "browser":
        # What the HTML standard tells browsers to do with a file name in a form post.
        quoted = name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
        return f'filename="{quoted}"'.encode("utf-8", "surrogatepass")
    if style == "rfc2231":
        from urllib.parse import quote

        return f"filename*=UTF-8''{quote(name.encode('utf-8', 'surrogatepass'))}".encode()
    return b'filename="' + name.encode("utf-8", "surrogatepass") + b'"'  # raw, as a robot may


def multipart(
    fields: dict[str, str], files: dict[str, tuple[str, bytes]], *, name_style: str = "browser"
) -> tuple[bytes, str]:
    """A multipart/form-data body and its content type."""
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for key, value in fields.items():
        parts += [
            f"--{boundary}".encode(),
            f'Content-Disposition: form-data; name="{_field_name(key)}"'.encode(),
            b"",
            value.encode("utf-8", "surrogatepass"),
        ]
    for key, (name, content) in files.items():
        parts += [
            f"--{boundary}".encode(),
            f'Content-Disposition: form-data; name="{_field_name(key)}"; '.encode()
            + _header_value(name, name_style),
            b"Content-Type: application/octet-stream",
            b"",
            content,
        ]
    parts += [f"--{boundary}--".encode(), b""]
    return b"\r\n".join(parts), f"multipart/form-data; boundary={boundary}"


def _field_name(key: str) -> str:
    return key.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


NAME_STYLES = st.sampled_from(["browser", "browser", "rfc2231", "raw"])
