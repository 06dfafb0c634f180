"""The Livret 2 as one plain structure, the single source for its PDF, its DOCX and the bundle.

Everything a document shows is computed here, once: numbering of situations, annex numbers and
captions, paragraphs and bullet lists. Renderers only lay it out. The structure is JSON-ready
because the PDF template receives it as JSON (never as markup).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format

from vaecos.dossiers.fields import DOSSIER_FIELDS, SITUATION_FIELDS
from vaecos.dossiers.models import Attachment, AttachmentKind, ContextMode, Dossier, Situation

COVER_LINES = (
    "Validation des acquis de l'expérience (VAE)",
    "Livret 2 – Rédaction du dossier de validation",
)
MOTIVATION_HEADING = "Votre motivation"
ANALYSIS_HEADING = "Livret 2 : Analyse de l'expérience"
CONTEXT_HEADING = "Le contexte de votre organisme"
ANNEXES_HEADING = "Liste des annexes"
MOTIVATION_FIELDS = ("motivation_reasons", "motivation_strengths")
BULLETS = ("- ", "• ", "– ")
LIST_MARKER = "- "  # the marker a bullet-list item is written with in a field's text


def certification_line(dossier: Dossier) -> str:
    certification = dossier.referentiel_version.certification
    number = certification.rncp_code.removeprefix("RNCP")
    return f"{certification.name} (inscrit au RNCP n°{number})"


def blocks(text: str) -> list[dict[str, Any]]:
    """A field's text as paragraphs and bullet lists, in order; blank lines separate nothing."""
    result: list[dict[str, Any]] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        bullet = next((b for b in BULLETS if line.startswith(b)), None)
        if bullet is not None and line[len(bullet) :].strip():
            item = line[len(bullet) :].strip()
            if result and result[-1]["type"] == "list":
                result[-1]["items"].append(item)
            else:
                result.append({"type": "list", "items": [item]})
        else:
            result.append({"type": "p", "text": line})
    return result


def _part(key: str, label: str, text: str) -> dict[str, Any]:
    return {"key": key, "label": label, "text": text, "blocks": blocks(text)}


def situation_heading(ordinal: int, count: int, required: int) -> str:
    """« Situation » alone where the template asks for one, else « Situation N°n »."""
    if required == 1 and count == 1:
        return "Situation"
    return f"Situation N°{ordinal}"


def _annex_kind(attachment: Attachment) -> str:
    return "pdf" if attachment.content_type == "application/pdf" else "image"


def livret2_data(dossier: Dossier, *, generated_at: datetime.datetime | None = None) -> dict:
    """The dossier as the documents show it: included situations only, in the template's order."""
    version = dossier.referentiel_version
    rules = version.template_rules
    part_rules = {p["key"]: p["label"] for p in rules.get("situation_parts", [])}
    generated_at = generated_at or timezone.now()
    situations = list(
        Situation.objects.filter(dossier=dossier, included=True)
        .select_related("activity")
        .prefetch_related(
            "competences",
            Prefetch(
                "attachments",
                queryset=Attachment.objects.filter(kind=AttachmentKind.EVIDENCE).order_by(
                    "uploaded_at", "pk"
                ),
            ),
        )
        .order_by("activity__number", "position", "pk")
    )
    cv = (
        Attachment.objects.filter(dossier=dossier, kind=AttachmentKind.CV)
        .order_by("uploaded_at", "pk")
        .first()
    )
    annexes: list[dict[str, Any]] = []

    def annex(attachment: Attachment, caption: str) -> dict[str, Any]:
        item = {
            "number": len(annexes) + 1,
            "id": attachment.pk,
            "name": attachment.original_name,
            "kind": _annex_kind(attachment),
            "content_type": attachment.content_type,
            "caption": caption,
        }
        annexes.append(item)
        return item

    motivation = [
        _part(name, DOSSIER_FIELDS[name][0], getattr(dossier, name)) for name in MOTIVATION_FIELDS
    ]
    cv_annex = annex(cv, f"CV — {MOTIVATION_HEADING}") if cv else None

    exempt = set(dossier.exempt_activities.values_list("pk", flat=True))
    activities = []
    for activity in version.activities.order_by("number").prefetch_related("competences"):
        own = [s for s in situations if s.activity_id == activity.pk and activity.pk not in exempt]
        items = []
        for ordinal, situation in enumerate(own, start=1):
            heading = situation_heading(ordinal, len(own), activity.situations_required)
            where = f"Activité {activity.roman} — {heading}"
            if situation.title:
                where += f" : {situation.title}"
            parts = []
            if situation.context_mode == ContextMode.OWN:
                parts.append(
                    _part("own_context", SITUATION_FIELDS["own_context"][0], situation.own_context)
                )
            for key in ("description", "analysis", "actions", "rationale", "outcome"):
                label = part_rules.get(key, SITUATION_FIELDS[key][0])
                parts.append(_part(key, label, getattr(situation, key)))
            items.append(
                {
                    "id": situation.pk,
                    "ordinal": ordinal,
                    "heading": heading,
                    "title": situation.title,
                    "when": situation.when,
                    "context_mode": situation.context_mode,
                    "competences": [
                        {"code": c.code, "wording": c.wording}
                        for c in sorted(situation.competences.all(), key=lambda c: c.position)
                    ],
                    "parts": parts,
                    "annexes": [annex(a, where) for a in situation.attachments.all()],
                }
            )
        activities.append(
            {
                "number": activity.number,
                "roman": activity.roman,
                "title": activity.title,
                "heading": f"{activity.roman} – {activity.title}",
                "situations_required": activity.situations_required,
                "exempt": activity.pk in exempt,
                "competences": [
                    {"code": c.code, "wording": c.wording} for c in activity.competences.all()
                ],
                "situations": items,
            }
        )

    full_name = " ".join(p for p in (dossier.last_name.upper(), dossier.first_name) if p)
    return {
        "title": f"Livret 2 – Dossier de validation VAE – {full_name or 'sans nom'}",
        "cover": list(COVER_LINES),
        "certification": certification_line(dossier),
        "certification_name": version.certification.name,
        "branch": dossier.branch.name if dossier.branch is not None else "",
        "last_name": dossier.last_name,
        "first_name": dossier.first_name,
        "full_name": full_name,
        "headings": {
            "motivation": MOTIVATION_HEADING,
            "analysis": ANALYSIS_HEADING,
            "context": CONTEXT_HEADING,
            "annexes": ANNEXES_HEADING,
        },
        "motivation": motivation,
        "cv": cv_annex,
        "context": _part("context", DOSSIER_FIELDS["context"][0], dossier.context),
        "activities": activities,
        "annexes": annexes,
        "generated_on": date_format(timezone.localtime(generated_at), "j F Y"),
        "referentiel_version": version.version,
    }
