"""The platform's files on S3-compatible object storage, through the real pages.

A local S3 server (moto's server mode, tests/deploy/conftest.py) holds a bucket; the storage is
switched onto it by the environment variables of config/settings/storage.py only. Every check
looks in the bucket from outside the application, as an operator would.
"""

import io
import zipfile
from pathlib import Path

from django.core import mail
from django.core.files.storage import storages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from storages.backends.s3 import S3Storage

from tests.admissibility.factories import ready_request
from tests.files import pdf_bytes, png_bytes, upload
from vaecos.admissibility.models import LetterKind


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def files_on_disk(settings) -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_environment_alone_switches_the_storage_to_the_bucket(s3):
    storage = storages["default"]

    assert isinstance(storage, S3Storage)
    assert (storage.bucket_name, storage.endpoint_url) == (s3.name, s3.endpoint)
    assert storage.access_key == s3.environment()["AWS_ACCESS_KEY_ID"]
    assert storage.querystring_auth and not storage.file_overwrite


def test_a_livret2_attachment_is_stored_in_the_bucket_downloaded_identical_and_deleted_with_it(
    s3, settings, dossier, situation, owner, django_capture_on_commit_callbacks
):
    # Near the 10 MB limit: above boto3's 8 MB threshold, so it goes up in several parts.
    data = png_bytes((1800, 1750), noise=True)
    assert len(data) > 8 * 1024 * 1024

    response = owner.post(
        reverse("dossiers:attachment_add", args=[dossier.pk]),
        {"kind": "evidence", "situation": situation.pk, "file": upload("relevé.png", data)},
    )

    assert response.status_code == 302
    attachment = dossier.attachments.get()
    assert s3.keys() == {attachment.file.name}
    assert s3.read(attachment.file.name) == data
    assert files_on_disk(settings) == []
    download = owner.get(reverse("dossiers:attachment_download", args=[dossier.pk, attachment.pk]))
    assert download.status_code == 200
    assert body(download) == data
    assert download["Content-Type"] == "image/png"
    assert download["Content-Length"] == str(len(data))
    assert download["Content-Disposition"].startswith("attachment;")

    with django_capture_on_commit_callbacks(execute=True):
        owner.post(reverse("dossiers:attachment_delete", args=[dossier.pk, attachment.pk]))

    assert not dossier.attachments.exists()
    assert s3.keys() == set()


def test_a_file_gone_from_the_bucket_is_a_404_with_a_french_message(s3, dossier, situation, owner):
    owner.post(
        reverse("dossiers:attachment_add", args=[dossier.pk]),
        {"kind": "cv", "file": upload("cv.pdf", pdf_bytes())},
    )
    attachment = dossier.attachments.get()
    s3.client.delete_object(Bucket=s3.name, Key=attachment.file.name)

    response = owner.get(reverse("dossiers:attachment_download", args=[dossier.pk, attachment.pk]))

    assert response.status_code == 404


def test_a_livret1_supporting_document_round_trips_through_the_bucket(
    s3, referentiel, candidate, owner, django_capture_on_commit_callbacks
):
    request = ready_request(referentiel, candidate=candidate)
    data = pdf_bytes(pages=3)

    owner.post(
        reverse("admissibility:document_add", args=[request.pk]),
        {"kind": "activite", "fichier": upload("attestation employeur.pdf", data)},
    )

    document = request.documents.get()
    assert s3.keys() == {document.file.name}
    assert s3.read(document.file.name) == data
    download = owner.get(reverse("admissibility:document", args=[request.pk, document.pk]))
    assert download.status_code == 200 and body(download) == data

    with django_capture_on_commit_callbacks(execute=True):
        owner.post(reverse("admissibility:document_delete", args=[request.pk, document.pk]))

    assert s3.keys() == set()


def test_a_letter_the_platform_writes_lands_in_the_bucket_and_is_sent_from_it(
    s3, settings, referentiel, candidate, owner, instructor, django_capture_on_commit_callbacks
):
    request = ready_request(referentiel, candidate=candidate)
    owner.post(reverse("admissibility:submit", args=[request.pk]))

    with django_capture_on_commit_callbacks(execute=True):
        signed_in(instructor).post(
            reverse("admissibility:instruct", args=[request.pk]),
            {"action": "complete", "complete-on": timezone.localdate().isoformat()},
        )

    letter = request.letters.get(kind=LetterKind.ACKNOWLEDGEMENT)
    assert s3.keys() == {letter.file.name}
    stored = s3.read(letter.file.name)
    assert stored.startswith(b"%PDF-")
    assert files_on_disk(settings) == []
    download = owner.get(reverse("admissibility:letter", args=[request.pk, letter.pk]))
    assert download.status_code == 200 and body(download) == stored
    (sent,) = [message for message in mail.outbox if message.attachments]
    assert [content for _, content, _ in sent.attachments] == [stored]


def test_the_personal_data_archive_copies_the_files_from_the_bucket(s3, dossier, situation, owner):
    data = png_bytes((64, 64), noise=True)
    owner.post(
        reverse("dossiers:attachment_add", args=[dossier.pk]),
        {"kind": "evidence", "situation": situation.pk, "file": upload("photo.png", data)},
    )

    response = owner.get(reverse("accounts:my_data_download"))

    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(body(response))) as archive:
        copies = [archive.read(name) for name in archive.namelist() if name.startswith("fichiers/")]
    assert copies == [data]
