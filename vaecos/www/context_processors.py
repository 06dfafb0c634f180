from typing import Any

from django.http import HttpRequest

from vaecos.dossiers.uploads import max_dossier_bytes, max_file_bytes


def platform(request: HttpRequest) -> dict[str, Any]:
    return {
        "upload_max_file_mb": max_file_bytes() // 1_048_576,
        "upload_max_dossier_mb": max_dossier_bytes() // 1_048_576,
    }
