"""The highlights shown under a Livret 2 field (kept apart from the views: the editor uses it)."""

from typing import Any

from django.urls import reverse

from vaecos.dossiers import fields as dossier_fields
from vaecos.dossiers.models import Dossier
from vaecos.pii import services


def panel_context(
    dossier: Dossier, scanner: services.Scanner, key: str, text: str
) -> dict[str, Any]:
    """What the highlights under one field need."""
    findings = scanner.findings(key, text)
    return {
        "key": key,
        "dom_id": dossier_fields.dom_id(key) + "-donnees",
        "url": reverse("pii:panel", args=[dossier.pk, key]),
        "findings": findings,
        "excerpts": services.excerpts(text, findings),
        "kinds": services.kinds(findings),
    }
