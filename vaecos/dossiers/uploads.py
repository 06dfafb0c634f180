"""Validation of uploaded files: PDF, JPEG or PNG recognised by their content, within size limits."""

import hashlib
import io
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from vaecos.utils.errors import ActionRefused

MB = 1024 * 1024


class UploadRejected(ActionRefused):
    pass


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    size: int
    sha256: str


def max_file_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_FILE_MB", 10)) * MB


def max_dossier_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_DOSSIER_MB", 50)) * MB


def _sniff(head: bytes) -> tuple[str, str] | None:
    if head.startswith(b"%PDF-"):
        return "application/pdf", "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", "png"
    return None


def _read_all(upload: UploadedFile) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def check_upload(upload: UploadedFile, *, dossier_used_bytes: int) -> CheckedFile:
    """Return what the file is, or raise UploadRejected with a French message."""
    name = upload.name or "fichier"
    size = upload.size or 0
    if size == 0:
        raise UploadRejected(f"« {name} » est vide : rien n'a été enregistré.")
    if size > max_file_bytes():
        raise UploadRejected(
            f"« {name} » pèse {size / MB:.1f} Mo : la limite est de {max_file_bytes() // MB} Mo "
            "par fichier. Rien n'a été enregistré."
        )
    if dossier_used_bytes + size > max_dossier_bytes():
        left = max(0, max_dossier_bytes() - dossier_used_bytes)
        raise UploadRejected(
            f"« {name} » dépasserait la limite de {max_dossier_bytes() // MB} Mo pour l'ensemble "
            f"du dossier (il reste {left / MB:.1f} Mo). Rien n'a été enregistré."
        )
    data = _read_all(upload)
    kind = _sniff(data[:16])
    refusal = (
        f"« {name} » n'est pas un fichier PDF, JPEG ou PNG valide (le contenu du fichier a été "
        "vérifié, pas seulement son nom). Rien n'a été enregistré."
    )
    if kind is None:
        raise UploadRejected(refusal)
    content_type, extension = kind
    try:
        if content_type == "application/pdf":
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                raise UploadRejected(
                    f"« {name} » est protégé par un mot de passe : le jury ne pourrait pas le "
                    "lire. Enregistrez-le sans protection puis recommencez."
                )
            if len(reader.pages) == 0:
                raise UploadRejected(refusal)
        else:
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
    except UploadRejected:
        raise
    except (
        PdfReadError,
        UnidentifiedImageError,
        OSError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise UploadRejected(refusal) from exc
    except Exception as exc:  # a malformed file must never become a server error
        raise UploadRejected(refusal) from exc
    return CheckedFile(
        content_type=content_type,
        extension=extension,
        size=size,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def file_fields(upload: UploadedFile, checked: CheckedFile) -> dict[str, object]:
    """What a file row records of a checked upload (its stored name never comes from the user)."""
    return {
        "original_name": (upload.name or f"piece.{checked.extension}")[:255],
        "content_type": checked.content_type,
        "size": checked.size,
        "sha256": checked.sha256,
    }


def save_with_file(row: models.Model, upload: UploadedFile, checked: CheckedFile) -> None:
    """Store the upload in the row's `file` under a random name, then save the row. If the row
    cannot be written, the stored file must not stay behind."""
    upload.seek(0)
    row.file.save(f"{uuid.uuid4().hex}.{checked.extension}", upload, save=False)  # type: ignore[attr-defined]
    stored = row.file.name  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            row.save()
    except Exception:
        if stored:
            row.file.storage.delete(stored)  # type: ignore[attr-defined]
        raise


def delete_with_file(row: models.Model) -> None:
    """Delete the row now and its stored file once the transaction has committed."""
    storage, name = row.file.storage, row.file.name  # type: ignore[attr-defined]
    row.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
