"""The parts of a Livret 2 a comment thread can be about, by key.

"header", "motivation", "context", "attachments", "general" (remarks on the whole dossier,
reopening requests) and "situation-<pk>" for one situation retained in the dossier.
"""

import re

from vaecos.dossiers.models import Dossier, Situation

GENERAL = "general"
FIXED_SECTIONS: dict[str, str] = {
    "header": "En-tête",
    "motivation": "Motivation",
    "context": "Contexte de l'organisme",
    "attachments": "Pièces jointes",
    GENERAL: "Remarques générales",
}
SITUATION_RE = re.compile(r"situation-(\d{1,10})")


def situation_key(situation_pk: int) -> str:
    return f"situation-{situation_pk}"


def situation_label(situation: Situation) -> str:
    label = f"Activité {situation.activity.roman} — situation"
    return f"{label} « {situation.title} »" if situation.title else f"{label} sans titre"


def section_label(dossier: Dossier, key: str) -> str | None:
    """The French name of a section of this dossier, or None when the key names nothing in it
    (an unknown key, or a situation of another dossier or no longer retained)."""
    if key in FIXED_SECTIONS:
        return FIXED_SECTIONS[key]
    match = SITUATION_RE.fullmatch(key)
    if match is None:
        return None
    situation = (
        Situation.objects.filter(dossier=dossier, pk=int(match.group(1)), included=True)
        .select_related("activity")
        .first()
    )
    return situation_label(situation) if situation is not None else None


def anchor(key: str) -> str:
    """The id of a section on the review page."""
    return f"partie-{key}"
