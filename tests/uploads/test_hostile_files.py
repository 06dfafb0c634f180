"""Safe files everywhere files enter.

Every hostile file of the corpus is refused with a French message saying why, and nothing
else than UploadRejected ever comes out of the check. Clean files still pass. The name a user
gives is only recorded, cleaned, with the extension of the real type. Through the pages (Livret
2 attachments, Livret 1 supporting documents) a hostile file gives the message back, never an
error page, and leaves nothing behind; downloads are attachments the browser must not sniff.
"""

import html
import io
import unicodedata
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from tests.admissibility.factories import ready_request
from tests.files import jpeg_bytes, pdf_bytes, png_bytes
from tests.uploads.hostile import (
    CATALOG,
    CORPUS,
    PAGES,
    object_stream_pdf,
    page,
    pdf_hex_escaped_javascript,
    pdf_javascript_in_object_stream,
    pdf_javascript_outside_the_xref,
    png_bomb,
    raw_pdf,
)
from vaecos.admissibility.models import SupportingDocument
from vaecos.dossiers import services
from vaecos.dossiers.models import Attachment
from vaecos.dossiers.uploads import (
    MAX_NAME_LENGTH,
    UploadRejected,
    check_upload,
    clean_name,
    file_fields,
)

BY_ID = {hostile.id: hostile for hostile in CORPUS}


def check(name: str, data: bytes):
    return check_upload(SimpleUploadedFile(name, data), dossier_used_bytes=0)


def refusal(name: str, data: bytes) -> str:
    with pytest.raises(UploadRejected) as refused:
        check(name, data)
    return refused.value.message


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def text(response) -> str:
    return html.unescape(response.content.decode())


# --- The corpus ----------------------------------------------------------------------------------


@pytest.mark.parametrize("hostile", CORPUS, ids=[hostile.id for hostile in CORPUS])
def test_a_hostile_file_is_refused_saying_why(hostile):
    message = refusal(hostile.name, hostile.data)

    assert message.startswith(f"« {hostile.name} » ")
    assert hostile.expected in message
    assert "rien n'a été enregistré" in message.lower()


def test_the_corpus_names_are_unique():
    assert len(BY_ID) == len(CORPUS)


def test_a_refused_pdf_says_which_pdf_are_accepted():
    message = refusal("cv.pdf", BY_ID["open-action-javascript"].data)

    assert message == (
        "« cv.pdf » contient du code JavaScript : pour la sécurité du jury, seuls les PDF sans "
        "script, sans action de lancement et sans fichier incorporé sont acceptés. Rien n'a été "
        "enregistré. Imprimer le document en PDF en donne une copie sans contenu actif."
    )


def test_pypdf_decodes_a_hex_escaped_name():
    """Why the object walk catches /J#61vaScript: pypdf hands it over as /JavaScript."""
    data = pdf_hex_escaped_javascript()
    assert b"/J#61vaScript" in data and b"/JavaScript" not in data

    action = PdfReader(io.BytesIO(data)).root_object["/OpenAction"]

    assert action["/S"] == "/JavaScript" and action["/JS"] == "app.alert(1)"


def test_a_compressed_object_is_only_visible_to_the_object_walk():
    data = pdf_javascript_in_object_stream()
    assert b"JavaScript" not in data and b"J#61" not in data and b"/JS" not in data

    action = PdfReader(io.BytesIO(data)).root_object["/OpenAction"]

    assert action["/S"] == "/JavaScript"
    assert "contient du code JavaScript" in refusal("cv.pdf", data)


def test_an_object_missing_from_the_xref_is_only_visible_to_the_raw_scan():
    data = pdf_javascript_outside_the_xref()

    reader = PdfReader(io.BytesIO(data))

    assert 9 not in reader.xref[0]  # pypdf does not know about it
    assert "contient du code JavaScript" in refusal("cv.pdf", data)


# --- Clean files ---------------------------------------------------------------------------------


def benign_pdf() -> bytes:
    """What ordinary PDFs hold: a title and text mentioning JavaScript, a web link, a GoTo
    open action. None of it is active content."""
    text_stream = b"BT /F1 12 Tf 72 720 Td (Comp\\351tences : JavaScript, Node/JS, /Launch) Tj ET"
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /Fit] /Outlines 6 0 R >>",
            PAGES,
            page(b"/Contents 4 0 R /Annots [5 0 R]"),
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text_stream), text_stream),
            b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] "
            b"/A << /S /URI /URI (https://www.caf.fr/Node/JS) >> >>",
            b"<< /Type /Outlines /Count 0 /Title (D\\351veloppeur Node/JS \\(JavaScript\\)) >>",
        ]
    )


CLEAN = [
    ("cv.pdf", pdf_bytes(), "application/pdf", "pdf"),
    ("livret.pdf", pdf_bytes(pages=5), "application/pdf", "pdf"),
    ("texte.pdf", benign_pdf(), "application/pdf", "pdf"),
    (
        "compresse.pdf",
        object_stream_pdf(b"<< /S /GoTo /D [3 0 R /Fit] >>"),
        "application/pdf",
        "pdf",
    ),
    ("photo.jpg", jpeg_bytes(), "image/jpeg", "jpg"),
    ("capture.png", png_bytes(), "image/png", "png"),
    ("bruit.png", png_bytes((300, 200), noise=True), "image/png", "png"),
]


@pytest.mark.parametrize(
    ("name", "data", "content_type", "extension"),
    CLEAN,
    ids=[
        "pdf",
        "pdf-5-pages",
        "pdf-mentioning-javascript",
        "pdf-object-stream",
        "jpeg",
        "png",
        "png-noise",
    ],
)
def test_a_clean_file_is_accepted(name, data, content_type, extension):
    checked = check(name, data)

    assert (checked.content_type, checked.extension, checked.size) == (
        content_type,
        extension,
        len(data),
    )


def test_an_image_just_under_the_pixel_cap_is_accepted():
    checked = check("scan.png", png_bomb(7000))  # 49 million pixels

    assert checked.content_type == "image/png"


def test_a_zero_page_pdf_built_by_hand_is_refused():
    data = raw_pdf([CATALOG, b"<< /Type /Pages /Kids [] /Count 0 >>"])

    assert "ne contient aucune page" in refusal("vide.pdf", data)


# --- Names ---------------------------------------------------------------------------------------


NAMES = [
    ("../../etc/passwd.pdf", "pdf", "passwd.pdf"),
    ("C:\\Users\\x\\cv.pdf", "pdf", "cv.pdf"),
    ("..\\..\\windows\\win.ini", "pdf", "win.pdf"),
    ("cv\x00\x1b[31m.pdf", "pdf", "cv [31m.pdf"),
    ("lettre\u202efdp.exe", "pdf", "lettrefdp.pdf"),  # right-to-left override: "lettreexe.pdf"
    ("  mon   cv\t\n final .pdf", "pdf", "mon cv final.pdf"),
    ('a<b>c:d"e|f?g*h.pdf', "pdf", "abcdefgh.pdf"),
    ("<script>alert(1)</script>.pdf", "pdf", "script.pdf"),  # the slash is a path separator
    (".htaccess", "pdf", "htaccess.pdf"),
    ("...", "png", "piece.png"),
    ("", "jpg", "piece.jpg"),
    ("<>|.pdf", "pdf", "piece.pdf"),
    ("photo.jpg", "pdf", "photo.pdf"),
    ("cv.pdf", "png", "cv.png"),
    ("scan.pdf.exe", "pdf", "scan.pdf.pdf"),
    ("Photo.JPEG", "jpg", "Photo.JPEG"),
    ("relevé.2024", "pdf", "relevé.2024.pdf"),
    ("M. Dupont", "pdf", "M. Dupont.pdf"),
    ("cv", "pdf", "cv.pdf"),
]


@pytest.mark.parametrize(("given", "extension", "recorded"), NAMES)
def test_a_name_is_cleaned(given, extension, recorded):
    assert clean_name(given, extension) == recorded


def test_a_long_name_is_cut_keeping_its_extension():
    cleaned = clean_name("x" * 300 + ".pdf", "pdf")

    assert cleaned == "x" * (MAX_NAME_LENGTH - 4) + ".pdf"
    assert len(cleaned) == MAX_NAME_LENGTH


def test_a_cleaned_name_is_nfc():
    decomposed = "rele\u0301ve\u0301.pdf"  # e + combining acute accent, twice

    cleaned = clean_name(decomposed, "pdf")

    assert cleaned == unicodedata.normalize("NFC", decomposed) == "rel\u00e9v\u00e9.pdf"
    assert len(cleaned) == len(decomposed) - 2


@pytest.mark.parametrize(
    ("given", "data", "recorded"),
    [
        ("../../etc/passwd.pdf", pdf_bytes(), "passwd.pdf"),
        ("C:\\Users\\x\\cv.pdf", pdf_bytes(), "cv.pdf"),
        ("cv\x00\x07.pdf", pdf_bytes(), "cv.pdf"),
        ("x" * 300 + ".pdf", pdf_bytes(), "x" * (MAX_NAME_LENGTH - 4) + ".pdf"),
        ("photo.jpg", pdf_bytes(), "photo.pdf"),
        ("capture.pdf", png_bytes(), "capture.png"),
        ("photo.jpeg", jpeg_bytes(), "photo.jpeg"),
    ],
    ids=[
        "traversal",
        "windows-path",
        "control-characters",
        "300-characters",
        "pdf-as-jpg",
        "png-as-pdf",
        "jpeg-alias",
    ],
)
def test_the_recorded_name_is_the_cleaned_one(given, data, recorded):
    upload = SimpleUploadedFile(given, data)

    fields = file_fields(upload, check_upload(upload, dossier_used_bytes=0))

    assert fields["original_name"] == recorded


def test_a_refusal_shows_the_cleaned_name():
    message = refusal("<img src=x onerror=alert(1)>\u202e.pdf", b"<html></html>")

    assert message.startswith("« img src=x onerror=alert(1).pdf » n'est pas un fichier PDF")


# --- Through the pages ---------------------------------------------------------------------------


THROUGH_THE_PAGES = [
    "open-action-javascript",
    "hex-escaped-javascript",
    "object-stream-javascript",
    "launch",
    "embedded-file",
    "xfa-form",
    "encrypted",
    "truncated-pdf",
    "nested-arrays",
    "html",
    "windows-exe",
    "png-bomb",
    "png-corrupt-body",
]


@pytest.mark.parametrize("hostile_id", THROUGH_THE_PAGES)
def test_a_hostile_attachment_is_refused_on_the_page(owner, dossier, hostile_id):
    hostile = BY_ID[hostile_id]

    response = owner.post(
        reverse("dossiers:attachment_add", args=[dossier.pk]),
        {"kind": "cv", "file": SimpleUploadedFile(hostile.name, hostile.data)},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("dossiers:motivation", args=[dossier.pk]), 302)]
    assert response.status_code == 200
    page_text = text(response)
    assert f"« {hostile.name} »" in page_text and hostile.expected in page_text
    assert not Attachment.objects.exists()
    assert media_files() == []


@pytest.fixture
def admissibility_request(referentiel, candidate):
    return ready_request(referentiel, candidate=candidate)


@pytest.mark.parametrize("hostile_id", THROUGH_THE_PAGES)
def test_a_hostile_supporting_document_is_refused_on_the_page(
    owner, admissibility_request, hostile_id
):
    hostile = BY_ID[hostile_id]
    detail = reverse("admissibility:detail", args=[admissibility_request.pk])

    response = owner.post(
        reverse("admissibility:document_add", args=[admissibility_request.pk]),
        {"fichier": SimpleUploadedFile(hostile.name, hostile.data)},
        follow=True,
    )

    assert response.redirect_chain == [(detail, 302)]
    assert response.status_code == 200
    page_text = text(response)
    assert f"« {hostile.name} »" in page_text and hostile.expected in page_text
    assert not SupportingDocument.objects.exists()
    assert media_files() == []


# --- Downloads -----------------------------------------------------------------------------------


def test_an_attachment_downloads_as_an_attachment_that_is_not_sniffed(owner, dossier, candidate):
    attachment = services.attachment_add(
        dossier=dossier,
        upload=SimpleUploadedFile("<i>photo.jpg", pdf_bytes()),
        kind="cv",
        by=candidate,
    )
    assert attachment.original_name == "iphoto.pdf"

    response = owner.get(reverse("dossiers:attachment_download", args=[dossier.pk, attachment.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="iphoto.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    b"".join(response.streaming_content)


def test_a_supporting_document_downloads_as_an_attachment(owner, admissibility_request):
    response = owner.post(
        reverse("admissibility:document_add", args=[admissibility_request.pk]),
        {"fichier": SimpleUploadedFile("attestation.jpg", pdf_bytes())},
    )
    assert response.status_code == 302
    document = SupportingDocument.objects.get()
    assert document.original_name == "attestation.pdf"

    response = owner.get(
        reverse("admissibility:document", args=[admissibility_request.pk, document.pk])
    )

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="attestation.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    b"".join(response.streaming_content)


def test_a_page_never_echoes_a_name_unescaped(owner, dossier):
    response = owner.post(
        reverse("dossiers:attachment_add", args=[dossier.pk]),
        {"kind": "cv", "file": SimpleUploadedFile("<img src=x onerror=alert(1)>.pdf", b"<html>")},
        follow=True,
    )

    assert b"<img src=x" not in response.content
    assert "« img src=x onerror=alert(1).pdf » n'est pas un fichier PDF" in text(response)


def test_an_anonymous_visitor_cannot_upload(dossier):
    response = Client().post(
        reverse("dossiers:attachment_add", args=[dossier.pk]),
        {"kind": "cv", "file": SimpleUploadedFile("cv.pdf", pdf_bytes())},
    )

    assert response.status_code == 302
    assert not Attachment.objects.exists()
