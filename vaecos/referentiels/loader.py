"""Load a référentiel YAML file into the database, idempotently.

A file describes one version of one certification. Loading the same file again changes nothing;
loading a file whose version already exists with different content is refused (a published
version never changes under the dossiers that use it: publish a new version instead).
"""

import datetime
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from vaecos.referentiels.models import (
    Activity,
    Branch,
    Certification,
    Competence,
    ReferentielVersion,
)

# Situation fields the platform knows how to store (vaecos.dossiers.models.Situation).
KNOWN_SITUATION_PARTS = {
    "title",
    "when",
    "description",
    "analysis",
    "actions",
    "rationale",
    "outcome",
}
KNOWN_MOTIVATION_PARTS = {"motivation_reasons", "motivation_strengths"}
KNOWN_HEADER_PARTS = {"last_name", "first_name", "branch"}


class ReferentielFileError(Exception):
    pass


@dataclass
class LoadResult:
    version: ReferentielVersion
    created: bool


def _require(data: dict[str, Any], key: str, where: str) -> Any:
    if key not in data or data[key] in (None, ""):
        raise ReferentielFileError(f"{where} : la clé « {key} » est obligatoire.")
    return data[key]


def _date(value: Any, where: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ReferentielFileError(f"{where} : date invalide « {value} ».") from exc


def validate(data: Any, source: str) -> None:
    if not isinstance(data, dict):
        raise ReferentielFileError(f"{source} : le fichier doit décrire un dictionnaire.")
    if data.get("format") != 1:
        raise ReferentielFileError(f"{source} : format de fichier inconnu (attendu : 1).")
    for key in ("certification", "version", "valid_from", "branches", "activities", "template"):
        _require(data, key, source)
    numbers = [a.get("number") for a in data["activities"]]
    if len(set(numbers)) != len(numbers):
        raise ReferentielFileError(f"{source} : deux activités portent le même numéro.")
    for activity in data["activities"]:
        where = f"{source}, activité {activity.get('number')}"
        for key in ("number", "roman", "title", "situations_required"):
            _require(activity, key, where)
        for competence in activity.get("competences") or []:
            if not isinstance(competence, dict):
                raise ReferentielFileError(f"{where} : compétence mal décrite.")
            _require(competence, "code", where)
            _require(competence, "wording", f"{where}, compétence {competence['code']}")
        codes = [c["code"] for c in activity.get("competences") or []]
        if len(set(codes)) != len(codes):
            raise ReferentielFileError(f"{where} : deux compétences portent le même code.")
        minimum = activity.get("competences_min_covered")
        if minimum is not None and minimum > len(codes):
            raise ReferentielFileError(
                f"{where} : {minimum} compétences à couvrir, mais seulement {len(codes)} listées."
            )
    template = data["template"]
    for part in template.get("situation_parts", []):
        if not isinstance(part, dict):
            raise ReferentielFileError(f"{source} : partie de situation mal décrite.")
        _require(part, "key", f"{source}, template")
        _require(part, "label", f"{source}, partie « {part['key']} »")
    parts = {p["key"] for p in template.get("situation_parts", [])}
    unknown = parts - KNOWN_SITUATION_PARTS
    if unknown or not parts:
        raise ReferentielFileError(
            f"{source} : parties de situation inconnues ou absentes : {sorted(unknown)}."
        )
    if set(template.get("motivation_required", [])) - KNOWN_MOTIVATION_PARTS:
        raise ReferentielFileError(f"{source} : partie de motivation inconnue.")
    if set(template.get("header_required", [])) - KNOWN_HEADER_PARTS:
        raise ReferentielFileError(f"{source} : partie d'en-tête inconnue.")
    _require(template, "advice", f"{source}, template")
    for key in ("first_person_words", "collective_words", "why_markers"):
        values = template["advice"].get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ReferentielFileError(
                f"{source} : « {key} » doit être une liste de mots entre guillemets "
                "(en YAML, on, oui, yes… sans guillemets deviennent des booléens)."
            )


def load_file(path: Path) -> LoadResult:
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ReferentielFileError(f"{path.name} : YAML illisible ({exc}).") from exc
    validate(data, path.name)
    return load_data(data, source_file=path.name, digest=digest)


@transaction.atomic
def load_data(data: dict[str, Any], *, source_file: str, digest: str) -> LoadResult:
    cert_data = data["certification"]
    certification, _ = Certification.objects.update_or_create(
        code=cert_data["code"],
        defaults={
            "name": cert_data["name"],
            "rncp_code": cert_data.get("rncp_code", ""),
            "level": cert_data.get("level"),
            "certifier": cert_data.get("certifier", ""),
        },
    )
    version_label = str(data["version"])
    existing = ReferentielVersion.objects.filter(
        certification=certification, version=version_label
    ).first()
    if existing is not None:
        if existing.source_sha256 != digest:
            raise ReferentielFileError(
                f"{source_file} : la version {version_label} est déjà chargée avec un contenu "
                "différent. Une version publiée ne change plus : créez une nouvelle version."
            )
        return LoadResult(version=existing, created=False)

    version = ReferentielVersion.objects.create(
        certification=certification,
        version=version_label,
        valid_from=_date(data["valid_from"], source_file) or datetime.date.today(),
        valid_until=_date(data.get("valid_until"), source_file),
        rncp_registration_end=_date(data.get("rncp_registration_end"), source_file),
        template_rules=data["template"],
        source_file=source_file,
        source_sha256=digest,
    )
    for position, branch in enumerate(data["branches"]):
        Branch.objects.create(
            referentiel_version=version, code=branch["code"], name=branch["name"], position=position
        )
    for activity_data in data["activities"]:
        activity = Activity.objects.create(
            referentiel_version=version,
            number=activity_data["number"],
            roman=activity_data["roman"],
            bloc_code=activity_data.get("bloc_code", ""),
            title=activity_data["title"],
            situations_required=activity_data["situations_required"],
            competences_min_covered=activity_data.get("competences_min_covered"),
            guidance=activity_data.get("guidance", ""),
        )
        for position, competence in enumerate(activity_data.get("competences") or []):
            Competence.objects.create(
                activity=activity,
                code=competence["code"],
                wording=competence["wording"],
                position=position,
            )
    return LoadResult(version=version, created=True)
