"""Import of a Livret 2 written in Word: read into a plan, shown, then applied on confirmation.

Applying writes every value through the dossier's own services, so each becomes a new revision
with its history (the text it replaces stays restorable). What the file held that no part took
becomes an "à placer" fragment the candidate places by hand: nothing of the file is lost.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from vaecos.accounts.models import User
from vaecos.documents import docx_import
from vaecos.documents.models import ImportStatus, Livret2Import, UnplacedFragment
from vaecos.dossiers import fields as dossier_fields
from vaecos.dossiers import services as dossier_services
from vaecos.dossiers.models import ContextMode, Dossier, Situation
from vaecos.utils.errors import ActionRefused

SITUATION_TEXT_PARTS = ("description", "analysis", "actions", "rationale", "outcome")


class ImportRefused(ActionRefused):
    pass


def _plan_values(plan: docx_import.ImportPlan) -> dict[str, Any]:
    return {
        "last_name": plan.last_name,
        "first_name": plan.first_name,
        "branch_code": plan.branch_code,
        "fields": dict(plan.fields),
        "situations": [
            {
                "activity_number": s.activity_number,
                "ordinal": s.ordinal,
                "title": s.title,
                "when": s.when,
                "own_context": s.own_context,
                "parts": dict(s.parts),
                "competence_codes": list(s.competence_codes),
            }
            for s in plan.situations
        ],
    }


def _too_long(values: dict[str, Any], report: dict[str, Any]) -> None:
    """A value longer than its part allows is not written: its paragraphs go "à placer", where
    the candidate puts them in a part that can hold them (a 400-character title into the
    description, say). Nothing is cut, nothing is lost."""
    romans = {number: docx_import.roman(number) for number in range(1, 40)}
    moved: set[str] = set()

    def check(key: str, name: str, text: str | None, limits: dict[str, tuple[str, int]]) -> bool:
        if text is None or name not in limits or len(text) <= limits[name][1]:
            return False
        moved.add(key)
        return True

    for name in ("last_name", "first_name"):
        if check(f"dossier.{name}", name, values.get(name), dossier_fields.DOSSIER_FIELDS):
            values[name] = None
    for name, text in list(values["fields"].items()):
        if check(f"dossier.{name}", name, text, dossier_fields.DOSSIER_FIELDS):
            del values["fields"][name]
    for item in values["situations"]:
        prefix = f"situation.{romans.get(item['activity_number'], '?')}.{item['ordinal']}"
        for name in ("title", "when", "own_context"):
            if check(f"{prefix}.{name}", name, item.get(name), dossier_fields.SITUATION_FIELDS):
                item[name] = "" if name != "own_context" else None
        for name, text in list(item["parts"].items()):
            if check(f"{prefix}.{name}", name, text, dossier_fields.SITUATION_FIELDS):
                del item["parts"][name]
    if moved:
        kept = [p for p in report["placed"] if p.get("key") not in moved]
        out = [
            {"where": p["where"], "text": p["text"]}
            for p in report["placed"]
            if p.get("key") in moved
        ]
        report["placed"] = kept
        report["unplaced"] = [*report["unplaced"], *out]


def import_read(*, dossier: Dossier, content: bytes, name: str, by: User) -> Livret2Import:
    """Check and read a .docx into a pending import; the dossier itself is not touched."""
    if not dossier.is_editable:
        raise ImportRefused("Ce Livret 2 est finalisé : il ne peut plus être modifié.")
    docx_import.check_docx(content)
    plan = docx_import.parse_docx(content, docx_import.rules_for(dossier.referentiel_version))
    values, report = _plan_values(plan), plan.to_json()
    _too_long(values, report)
    return Livret2Import.objects.create(
        dossier=dossier,
        uploaded_by=by,
        original_name=name[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        plan=values,
        report=report,
    )


@dataclass(frozen=True)
class ApplyResult:
    saved: int  # fields that received a new revision
    unchanged: int
    created_situations: int
    unplaced: int


def _save(dossier: Dossier, key: str, text: str, by: User, counts: dict[str, int]) -> None:
    if not text:
        return  # an empty part in the file never erases what the dossier holds
    revisions = dossier_services.current_revisions(dossier)
    result = dossier_services.field_save(
        dossier=dossier,
        field_key=key,
        text=text,
        base_revision=revisions.get(key, 0),
        by=by,
    )
    counts["saved" if result.outcome == "saved" else "unchanged"] += 1


@transaction.atomic
def import_apply(*, source: Livret2Import, by: User) -> ApplyResult:
    source = Livret2Import.objects.select_for_update().get(pk=source.pk)
    dossier = Dossier.objects.select_for_update().get(pk=source.dossier_id)
    if source.status != ImportStatus.PENDING:
        raise ImportRefused("Cet import a déjà été confirmé ou annulé.")
    if not dossier.is_editable:
        raise ImportRefused("Ce Livret 2 est finalisé : il ne peut plus être modifié.")
    plan = source.plan
    counts = {"saved": 0, "unchanged": 0}
    for name in ("last_name", "first_name"):
        if plan.get(name):
            _save(dossier, dossier_fields.dossier_key(name), plan[name], by, counts)
    if plan.get("branch_code"):
        branch = dossier.referentiel_version.branches.filter(code=plan["branch_code"]).first()
        if branch is not None and branch.pk != dossier.branch_id:
            dossier_services.dossier_set_branch(dossier=dossier, branch=branch, by=by)
    for name, text in plan.get("fields", {}).items():
        if name in dossier_fields.DOSSIER_FIELDS:
            _save(dossier, dossier_fields.dossier_key(name), text, by, counts)

    activities = {a.number: a for a in dossier.referentiel_version.activities.all()}
    existing: dict[int, list[Situation]] = {}
    for situation in dossier.situations.filter(included=True).order_by("position", "pk"):
        existing.setdefault(situation.activity_id, []).append(situation)
    created = 0
    for item in plan.get("situations", []):
        activity = activities.get(item["activity_number"])
        if activity is None:
            continue
        mine = existing.setdefault(activity.pk, [])
        if item["ordinal"] <= len(mine):
            situation = mine[item["ordinal"] - 1]
        else:
            situation = dossier_services.situation_add(dossier=dossier, activity=activity, by=by)
            mine.append(situation)
            created += 1
        codes = item.get("competence_codes") or []
        competence_ids = list(
            activity.competences.filter(code__in=codes).values_list("pk", flat=True)
        )
        dossier_services.situation_update_options(
            dossier=dossier,
            situation=situation,
            by=by,
            context_mode=ContextMode.OWN if item.get("own_context") else None,
            competence_ids=competence_ids or None,
        )
        values = {
            "title": item.get("title", ""),
            "when": item.get("when", ""),
            "own_context": item.get("own_context") or "",
            **item.get("parts", {}),
        }
        for name, text in values.items():
            if name in dossier_fields.SITUATION_FIELDS:
                _save(dossier, dossier_fields.situation_key(situation.pk, name), text, by, counts)

    unplaced = [
        UnplacedFragment(
            dossier=dossier,
            source=source,
            position=index,
            where=item.get("where", "")[:120],
            text=item["text"],
        )
        for index, item in enumerate(source.report.get("unplaced", []))
    ]
    UnplacedFragment.objects.bulk_create(unplaced)
    source.status = ImportStatus.APPLIED
    source.decided_at = timezone.now()
    source.save(update_fields=["status", "decided_at"])
    return ApplyResult(counts["saved"], counts["unchanged"], created, len(unplaced))


@transaction.atomic
def import_cancel(*, source: Livret2Import, by: User) -> None:
    source = Livret2Import.objects.select_for_update().get(pk=source.pk)
    if source.status != ImportStatus.PENDING:
        raise ImportRefused("Cet import a déjà été confirmé ou annulé.")
    source.status = ImportStatus.CANCELLED
    source.decided_at = timezone.now()
    source.save(update_fields=["status", "decided_at"])


def placement_choices(dossier: Dossier) -> list[tuple[str, str]]:
    """Every text part of the dossier a fragment can go to, labelled as the candidate sees it."""
    choices = [
        (dossier_fields.dossier_key(name), f"Votre motivation — {label}")
        for name, (label, _) in dossier_fields.DOSSIER_FIELDS.items()
        if name.startswith("motivation")
    ]
    choices.append((dossier_fields.dossier_key("context"), "Contexte de l'organisme"))
    by_activity: dict[int, int] = {}
    situations = (
        dossier.situations.filter(included=True)
        .select_related("activity")
        .order_by("activity__number", "position", "pk")
    )
    for situation in situations:
        ordinal = by_activity[situation.activity_id] = by_activity.get(situation.activity_id, 0) + 1
        where = f"Activité {situation.activity.roman} — Situation N°{ordinal}"
        for name in ("own_context", *SITUATION_TEXT_PARTS):
            label = dossier_fields.SITUATION_FIELDS[name][0]
            choices.append((dossier_fields.situation_key(situation.pk, name), f"{where} — {label}"))
    return choices


@transaction.atomic
def fragment_place(*, fragment: UnplacedFragment, field_key: str, by: User) -> None:
    """Add the fragment's text at the end of a part of the dossier, as a new revision."""
    fragment = UnplacedFragment.objects.select_for_update().get(pk=fragment.pk)
    dossier = Dossier.objects.get(pk=fragment.dossier_id)
    if not fragment.is_open:
        raise ImportRefused("Ce texte a déjà été placé ou mis de côté.")
    if not dossier.is_editable:
        raise ImportRefused("Ce Livret 2 est finalisé : il ne peut plus être modifié.")
    if field_key not in dict(placement_choices(dossier)):
        raise ImportRefused("Choisissez une partie du dossier dans la liste.")
    ref = dossier_fields.parse_key(field_key)
    current = getattr(ref.target(dossier), ref.name)
    text = f"{current.rstrip()}\n\n{fragment.text}" if current.strip() else fragment.text
    revisions = dossier_services.current_revisions(dossier)
    dossier_services.field_save(
        dossier=dossier,
        field_key=field_key,
        text=text,
        base_revision=revisions.get(field_key, 0),
        by=by,
    )
    if ref.situation_id is not None and ref.name == "own_context":
        situation = Situation.objects.get(pk=ref.situation_id)
        if situation.context_mode != ContextMode.OWN:
            dossier_services.situation_update_options(
                dossier=dossier, situation=situation, by=by, context_mode=ContextMode.OWN
            )
    fragment.placed_in = field_key
    fragment.decided_by = by
    fragment.decided_at = timezone.now()
    fragment.save(update_fields=["placed_in", "decided_by", "decided_at"])


@transaction.atomic
def fragment_set_aside(*, fragment: UnplacedFragment, by: User) -> None:
    fragment = UnplacedFragment.objects.select_for_update().get(pk=fragment.pk)
    if not fragment.is_open:
        raise ImportRefused("Ce texte a déjà été placé ou mis de côté.")
    fragment.set_aside = True
    fragment.decided_by = by
    fragment.decided_at = timezone.now()
    fragment.save(update_fields=["set_aside", "decided_by", "decided_at"])


@dataclass(frozen=True)
class PartSummary:
    key: str
    label: str
    paragraphs: list[dict[str, str]]
    change: str  # "nouveau", "remplace", "identique" or "ajoute" (competences, branch)

    @property
    def change_label(self) -> str:
        return {
            "nouveau": "Nouveau texte",
            "remplace": "Remplace le texte actuel (gardé dans l'historique)",
            "identique": "Identique : aucun changement",
            "ajoute": "Repris du fichier",
        }[self.change]


def import_summary(source: Livret2Import) -> list[PartSummary]:
    """Per part of the dossier, the file's paragraphs that go there and what changes."""
    dossier = source.dossier
    plan = source.plan
    romans = {a.roman: a.number for a in dossier.referentiel_version.activities.all()}
    existing: dict[int, list[Situation]] = {}
    for situation in (
        dossier.situations.filter(included=True)
        .select_related("activity")
        .order_by("position", "pk")
    ):
        existing.setdefault(situation.activity.number, []).append(situation)
    planned = {(s["activity_number"], s["ordinal"]): s for s in plan.get("situations", [])}

    def values(key: str) -> tuple[str | None, str]:
        """(text the import writes, text the dossier holds) for a report key."""
        parts = key.split(".")
        if parts[0] == "dossier":
            name = parts[1]
            if name in ("last_name", "first_name"):
                return plan.get(name) or "", getattr(dossier, name)
            if name in dossier_fields.DOSSIER_FIELDS:
                return plan.get("fields", {}).get(name, ""), getattr(dossier, name)
            if name == "branch":
                return plan.get("branch_code") or "", dossier.branch.code if dossier.branch else ""
            return None, ""
        number = romans.get(parts[1], 0)
        ordinal = int(parts[2]) if parts[2].isdigit() else 0
        name = parts[3]
        item = planned.get((number, ordinal), {})
        mine = existing.get(number, [])
        situation = mine[ordinal - 1] if 0 < ordinal <= len(mine) else None
        if name == "competences":
            held = sorted(situation.competences.values_list("code", flat=True)) if situation else []
            return ",".join(sorted(item.get("competence_codes") or [])), ",".join(held)
        if name not in dossier_fields.SITUATION_FIELDS:
            return None, ""
        new = (item.get("parts") or {}).get(name) or item.get(name) or ""
        return new, getattr(situation, name) if situation else ""

    groups: dict[str, list[dict[str, str]]] = {}
    labels: dict[str, str] = {}
    for item in source.report.get("placed", []):
        if item.get("key") == "structure":
            continue
        groups.setdefault(item["key"], []).append(item)
        labels[item["key"]] = item["target"]
    summaries = []
    for key, paragraphs in groups.items():
        new, current = values(key)
        if new is None:
            change = "ajoute"
        elif new == current:
            change = "identique"
        elif not current.strip():
            change = "nouveau"
        else:
            change = "remplace"
        summaries.append(PartSummary(key, labels[key], paragraphs, change))
    return summaries
