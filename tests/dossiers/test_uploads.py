"""Attachments: PDF, JPEG or PNG recognised by their content, within size limits, owner only.

A refused file leaves nothing behind: no row, no file in MEDIA_ROOT.
"""

import html
import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from pypdf import PdfWriter

from tests.dossiers.factories import dossier_for
from tests.files import jpeg_bytes, pdf_bytes, png_bytes, upload
from vaecos.dossiers import services
from vaecos.dossiers.models import Attachment
from vaecos.dossiers.services import DossierError

MB = 1024 * 1024
NOT_VALID = "n'est pas un fichier PDF, JPEG ou PNG valide"


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture
def send(owner, dossier):
    """Send a file through the page, follow the redirect, return the page's text."""

    def do(name, data, kind="cv", **extra):
        response = owner.post(
            reverse("dossiers:attachment_add", args=[dossier.pk]),
            {"kind": kind, "file": upload(name, data), **extra},
            follow=True,
        )
        assert response.status_code == 200
        return html.unescape(response.content.decode())

    return do


VALID = [
    ("cv.pdf", pdf_bytes(), "application/pdf"),
    ("photo.jpg", jpeg_bytes(), "image/jpeg"),
    ("capture.png", png_bytes(), "image/png"),
]


@pytest.mark.parametrize(("name", "data", "content_type"), VALID, ids=["pdf", "jpeg", "png"])
def test_a_valid_file_is_stored_and_listed(send, dossier, candidate, name, data, content_type):
    page = send(name, data)

    assert f"« {name} » a été ajouté." in page
    attachment = Attachment.objects.get(dossier=dossier)
    assert (attachment.original_name, attachment.content_type, attachment.size) == (
        name,
        content_type,
        len(data),
    )
    assert attachment.uploaded_by == candidate
    assert media_files() == [Path(settings.MEDIA_ROOT) / attachment.file.name]
    assert media_files()[0].read_bytes() == data
    # The motivation page lists the CV with its link.
    assert reverse("dossiers:attachment_download", args=[dossier.pk, attachment.pk]) in page


@pytest.mark.parametrize(("name", "data", "content_type"), VALID, ids=["pdf", "jpeg", "png"])
def test_only_the_owner_downloads_a_file_as_an_attachment(
    owner, dossier, candidate, other_candidate, name, data, content_type
):
    attachment = services.attachment_add(
        dossier=dossier, upload=upload(name, data), kind="cv", by=candidate
    )
    url = reverse("dossiers:attachment_download", args=[dossier.pk, attachment.pk])

    response = owner.get(url)

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == data

    stranger = Client()
    stranger.force_login(other_candidate)
    assert stranger.get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_a_file_name_with_accents_downloads_with_its_name(owner, dossier, candidate):
    attachment = services.attachment_add(
        dossier=dossier,
        upload=upload("relevé d'activité.pdf", pdf_bytes()),
        kind="cv",
        by=candidate,
    )

    response = owner.get(reverse("dossiers:attachment_download", args=[dossier.pk, attachment.pk]))

    assert "filename*=utf-8''relev%C3%A9%20d%27activit%C3%A9.pdf" in response["Content-Disposition"]


def test_the_stored_name_never_comes_from_the_user(send, dossier):
    send("../../../config/urls.pdf", pdf_bytes())

    attachment = Attachment.objects.get()
    stored = Path(settings.MEDIA_ROOT) / attachment.file.name
    assert stored.parent == Path(settings.MEDIA_ROOT) / "dossiers" / str(dossier.pk)
    assert "urls" not in stored.name
    assert attachment.original_name == "urls.pdf"
    assert media_files() == [stored]


REFUSED = [
    ("notes.txt", b"Bonjour, ceci est un simple texte.\n", NOT_VALID),
    ("lettre.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + os.urandom(2000), NOT_VALID),
    ("lettre.pdf", b"\x7fELF\x02\x01\x01\x00" + os.urandom(2000), NOT_VALID),
    ("lettre.pdf", b"%PDF-1.7\n" + os.urandom(2000), NOT_VALID),
    ("photo.png", b"\x89PNG\r\n\x1a\n" + os.urandom(2000), NOT_VALID),
    ("photo.jpg", b"\xff\xd8\xff\xe0" + os.urandom(2000), NOT_VALID),
    ("secret.pdf", encrypted_pdf(), "est protégé par un mot de passe"),
]
REFUSED_IDS = ["text", "windows-exe", "linux-exe", "fake-pdf", "fake-png", "fake-jpeg", "encrypted"]


@pytest.mark.parametrize(("name", "data", "message"), REFUSED, ids=REFUSED_IDS)
def test_a_file_that_is_not_a_valid_document_is_refused(send, name, data, message):
    page = send(name, data)

    assert f"« {name} » {message}" in page
    assert "Rien n'a été enregistré" in page or "recommencez" in page
    assert not Attachment.objects.exists()
    assert media_files() == []


@pytest.mark.parametrize(("name", "data", "message"), REFUSED, ids=REFUSED_IDS)
def test_the_service_refuses_the_same_files(dossier, candidate, name, data, message):
    with pytest.raises(DossierError) as refused:
        services.attachment_add(dossier=dossier, upload=upload(name, data), kind="cv", by=candidate)

    assert message in refused.value.message
    assert not Attachment.objects.exists()
    assert media_files() == []


def test_an_empty_file_is_refused(send, dossier, candidate):
    page = send("vide.pdf", b"")

    assert "« vide.pdf » est vide : rien n'a été enregistré." in page
    assert not Attachment.objects.exists()
    assert media_files() == []
    with pytest.raises(DossierError, match="est vide"):
        services.attachment_add(
            dossier=dossier, upload=upload("vide.pdf", b""), kind="cv", by=candidate
        )


def test_sending_no_file_asks_for_one(owner, dossier):
    response = owner.post(
        reverse("dossiers:attachment_add", args=[dossier.pk]), {"kind": "cv"}, follow=True
    )

    assert "Choisissez un fichier à envoyer." in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_file_over_the_limit_is_refused(send, settings):
    settings.UPLOAD_MAX_FILE_MB = 1
    data = pdf_bytes()
    too_big = data + b"\n" * (MB + 1 - len(data))

    page = send("gros.pdf", too_big)

    assert "« gros.pdf » pèse 1.0 Mo : la limite est de 1 Mo par fichier." in page
    assert not Attachment.objects.exists()
    assert media_files() == []


def test_the_default_limit_is_ten_megabytes(send):
    page = send("enorme.pdf", b"%PDF-1.7\n" + b"0" * (10 * MB + 1 - 9))

    assert "la limite est de 10 Mo par fichier" in page
    assert not Attachment.objects.exists()
    assert media_files() == []


def test_the_whole_dossier_has_a_limit(send, settings, dossier):
    settings.UPLOAD_MAX_FILE_MB = 1
    settings.UPLOAD_MAX_DOSSIER_MB = 1
    first, second = png_bytes((430, 430), noise=True), png_bytes((430, 430), noise=True)
    assert len(first) < MB < len(first) + len(second)

    assert "« premier.png » a été ajouté." in send("premier.png", first)
    page = send("second.png", second)

    assert "« second.png » dépasserait la limite de 1 Mo pour l'ensemble du dossier" in page
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["premier.png"]
    assert len(media_files()) == 1


def test_the_limits_are_shown_next_to_the_upload_field(owner, dossier, settings):
    settings.UPLOAD_MAX_FILE_MB = 3
    settings.UPLOAD_MAX_DOSSIER_MB = 7

    page = owner.get(reverse("dossiers:motivation", args=[dossier.pk])).content.decode()

    assert "3 Mo au plus par fichier, 7 Mo pour tout le dossier" in page


def test_an_unknown_kind_is_refused(send):
    page = send("cv.pdf", pdf_bytes(), kind="photo-de-vacances")

    assert "Type de pièce inconnu." in page
    assert not Attachment.objects.exists()
    assert media_files() == []


def test_evidence_is_attached_to_its_situation(owner, send, dossier, situation):
    page = send("courrier.pdf", pdf_bytes(), kind="evidence", situation=str(situation.pk))

    attachment = Attachment.objects.get()
    assert attachment.situation == situation
    assert "« courrier.pdf » a été ajouté." in page
    assert "Pièces justificatives" in page  # back on the situation's page
    assert reverse("dossiers:attachment_download", args=[dossier.pk, attachment.pk]) in page


def test_a_cv_is_not_attached_to_a_situation(send, situation):
    page = send("cv.pdf", pdf_bytes(), kind="cv", situation=str(situation.pk))

    assert "Le CV n'est pas rattaché à une situation." in page
    assert not Attachment.objects.exists()
    assert media_files() == []


def test_deleting_an_attachment_removes_its_file(
    owner, dossier, candidate, django_capture_on_commit_callbacks
):
    attachment = services.attachment_add(
        dossier=dossier, upload=upload("cv.pdf", pdf_bytes()), kind="cv", by=candidate
    )
    assert len(media_files()) == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(
            reverse("dossiers:attachment_delete", args=[dossier.pk, attachment.pk]), follow=True
        )

    assert "« cv.pdf » a été retiré du dossier." in html.unescape(response.content.decode())
    assert not Attachment.objects.exists()
    assert media_files() == []


def test_a_file_is_only_deleted_once_the_deletion_is_committed(
    dossier, candidate, django_capture_on_commit_callbacks
):
    attachment = services.attachment_add(
        dossier=dossier, upload=upload("cv.pdf", pdf_bytes()), kind="cv", by=candidate
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.attachment_delete(dossier=dossier, attachment=attachment, by=candidate)

    # Were the transaction to fail, the row would come back: its file must still be there.
    assert len(media_files()) == 1
    assert len(callbacks) == 1


def test_evidence_for_a_situation_of_another_dossier_is_refused(
    owner, dossier, referentiel, other_candidate
):
    other = services.situation_add(
        dossier=dossier_for(referentiel, candidate=other_candidate),
        activity=referentiel.activities.get(number=1),
        by=other_candidate,
    )

    response = owner.post(
        reverse("dossiers:attachment_add", args=[dossier.pk]),
        {"kind": "evidence", "situation": str(other.pk), "file": upload("a.pdf", pdf_bytes())},
    )

    assert response.status_code == 404
    assert not Attachment.objects.exists()
    assert media_files() == []


def test_a_file_missing_from_the_storage_is_404_not_an_error(owner, dossier, candidate):
    attachment = services.attachment_add(
        dossier=dossier, upload=upload("cv.pdf", pdf_bytes()), kind="cv", by=candidate
    )
    media_files()[0].unlink()

    response = owner.get(reverse("dossiers:attachment_download", args=[dossier.pk, attachment.pk]))

    assert response.status_code == 404


def test_deleting_a_file_frees_room_in_the_dossier(
    send, settings, dossier, candidate, django_capture_on_commit_callbacks
):
    settings.UPLOAD_MAX_FILE_MB = 1
    settings.UPLOAD_MAX_DOSSIER_MB = 1
    first = png_bytes((430, 430), noise=True)
    send("premier.png", first)
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(
            dossier=dossier, attachment=Attachment.objects.get(), by=candidate
        )

    page = send("second.png", png_bytes((430, 430), noise=True))

    assert "« second.png » a été ajouté." in page
