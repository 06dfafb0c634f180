"""Stored files served to the people allowed to see them (the view checks who; this, how)."""

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404


def stored_file(file: FieldFile, filename: str, content_type: str) -> FileResponse:
    """A stored file as a download: never displayed inline, never type-sniffed by the browser,
    never cached by a proxy; 404 with a French message if it is gone from storage."""
    try:
        handle = file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("Fichier introuvable.") from exc
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
