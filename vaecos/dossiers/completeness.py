"""Completeness of a Livret 2, computed from the référentiel's rules (nothing hard-coded here).

`evaluate` is a pure function over plain data so the rules can be tested exhaustively;
`snapshot` reads a dossier from the database into that data.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from vaecos.dossiers.models import ContextMode, Dossier
from vaecos.referentiels.models import ReferentielVersion

WORD_RE = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    return WORD_RE.findall(text.lower())


class Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    # A bloc a jury validated on an earlier attempt: nothing to write for it.
    EXEMPT = "exempt"

    @property
    def label(self) -> str:
        return {
            "not_started": "Non commencé",
            "in_progress": "En cours",
            "complete": "Terminé",
            "exempt": "Bloc déjà validé",
        }[self.value]

    @property
    def is_done(self) -> bool:
        return self in (Status.COMPLETE, Status.EXEMPT)


@dataclass(frozen=True)
class ActivityRule:
    number: int
    roman: str
    title: str
    situations_required: int
    competences_min_covered: int | None = None
    competence_codes: tuple[str, ...] = ()
    # Validated by a jury on an earlier attempt (Dossier.exempt_activities): no situation asked.
    exempt: bool = False


@dataclass(frozen=True)
class SituationData:
    activity_number: int
    included: bool = True
    context_mode: str = ContextMode.GENERAL
    parts: Mapping[str, str] = field(default_factory=dict)
    competence_codes: frozenset[str] = frozenset()
    id: int | None = None


@dataclass(frozen=True)
class DossierData:
    header: Mapping[str, str] = field(default_factory=dict)
    motivation: Mapping[str, str] = field(default_factory=dict)
    context: str = ""
    situations: Sequence[SituationData] = ()


@dataclass
class SituationReport:
    id: int | None
    activity_number: int
    title: str
    included: bool
    status: Status
    missing: list[str]
    warnings: list[str]
    word_count: int


@dataclass
class ActivityReport:
    number: int
    roman: str
    title: str
    required: int
    included: int
    complete: int
    status: Status
    problems: list[str]
    warnings: list[str]
    situations: list[SituationReport]
    competences_covered: int = 0
    competences_min: int | None = None
    competences_total: int = 0


@dataclass
class SectionReport:
    key: str
    title: str
    status: Status
    problems: list[str]


@dataclass
class Report:
    sections: list[SectionReport]
    activities: list[ActivityReport]

    @property
    def tasks(self) -> list[tuple[str, str, Status]]:
        items = [(s.key, s.title, s.status) for s in self.sections]
        items += [
            (f"activity-{a.number}", f"Activité {a.roman}", a.status) for a in self.activities
        ]
        return items

    @property
    def problems(self) -> list[str]:
        found = [p for s in self.sections for p in s.problems]
        return found + [p for a in self.activities for p in a.problems]

    @property
    def warnings(self) -> list[str]:
        return [w for a in self.activities for w in a.warnings]

    @property
    def is_complete(self) -> bool:
        return not self.problems

    @property
    def done_count(self) -> int:
        return sum(1 for _, _, status in self.tasks if status.is_done)

    @property
    def percent(self) -> int:
        total = len(self.tasks)
        return round(100 * self.done_count / total) if total else 100


def _normalise_quotes(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u02bc", "'").replace("\u2018", "'")


def _contains_phrase(text: str, phrase: str) -> bool:
    """Whole words only: « car » is a reason, « carte » is not."""
    return re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", text) is not None


def _shorten(text: str, limit: int = 60) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def _blank(text: str | None) -> bool:
    return not (text or "").strip()


def _status(filled: int, total: int, has_problem: bool) -> Status:
    if not has_problem:
        return Status.COMPLETE
    return Status.IN_PROGRESS if filled else Status.NOT_STARTED


def _parts_section(
    key: str,
    title: str,
    values: Mapping[str, str],
    required: Iterable[str],
    labels: Mapping[str, str],
) -> SectionReport:
    required = list(required)
    missing = [name for name in required if _blank(values.get(name))]
    filled = sum(1 for name in values if not _blank(values.get(name)))
    problems = [f"{title} : « {labels.get(name, name)} » est à remplir." for name in missing]
    return SectionReport(key, title, _status(filled, len(required), bool(missing)), problems)


def _advice(parts: Mapping[str, str], advice: Mapping[str, Any], label: str) -> list[str]:
    warnings: list[str] = []
    all_words = [w for text in parts.values() for w in words(text or "")]
    if not all_words:
        return warnings
    min_words = int(advice.get("min_words", 0))
    if min_words and len(all_words) < min_words:
        warnings.append(
            f"{label} : environ {len(all_words)} mots. Une situation détaillée en compte "
            f"souvent au moins {min_words} : le jury a besoin de comprendre ce que vous avez fait."
        )
    first = {w.lower() for w in advice.get("first_person_words", [])}
    collective = {w.lower() for w in advice.get("collective_words", [])}
    n_first = sum(1 for w in all_words if w in first)
    n_collective = sum(1 for w in all_words if w in collective)
    ratio = float(advice.get("collective_ratio_max", 1.0))
    if (
        n_collective >= int(advice.get("collective_min_count", 1))
        and n_collective > ratio * n_first
    ):
        warnings.append(
            f"{label} : écrite surtout avec « nous » ou « on » ({n_collective} fois, contre "
            f"{n_first} « je »). Le jury évalue vos compétences : dites ce que vous, vous avez fait."
        )
    rationale = _normalise_quotes(parts.get("rationale") or "").lower()
    markers = [_normalise_quotes(m).lower().strip() for m in advice.get("why_markers", [])]
    markers = [m for m in markers if m]
    why_min = int(advice.get("why_min_words", 0))
    if markers or why_min:
        too_short = len(words(rationale)) < why_min
        no_reason = bool(markers) and not any(_contains_phrase(rationale, m) for m in markers)
        if too_short or no_reason:
            warnings.append(
                f"{label} : la partie « Pourquoi j'ai agi ainsi » n'explique pas encore vos raisons "
                "(« parce que… », « afin de… »). C'est ce que le jury attend le plus."
            )
    return warnings


def evaluate(
    *,
    rules: Mapping[str, Any],
    activities: Sequence[ActivityRule],
    data: DossierData,
    header_labels: Mapping[str, str] | None = None,
    motivation_labels: Mapping[str, str] | None = None,
) -> Report:
    header_labels = header_labels or {}
    motivation_labels = motivation_labels or {}
    sections = [
        _parts_section(
            "header", "En-tête", data.header, rules.get("header_required", []), header_labels
        ),
        _parts_section(
            "motivation",
            "Motivation",
            data.motivation,
            rules.get("motivation_required", []),
            motivation_labels,
        ),
    ]
    exempt_numbers = {a.number for a in activities if a.exempt}
    included = [
        s for s in data.situations if s.included and s.activity_number not in exempt_numbers
    ]
    context_needed = bool(rules.get("context_required")) and (
        not included or any(s.context_mode != ContextMode.OWN for s in included)
    )
    if context_needed and _blank(data.context):
        sections.append(
            SectionReport(
                "context",
                "Contexte de l'organisme",
                Status.NOT_STARTED,
                [
                    "Contexte de l'organisme : décrivez l'organisme où se sont déroulées vos situations."
                ],
            )
        )
    else:
        sections.append(SectionReport("context", "Contexte de l'organisme", Status.COMPLETE, []))

    part_rules = rules.get("situation_parts", [])
    required_parts = [p["key"] for p in part_rules if p.get("required")]
    part_labels = {p["key"]: p["label"] for p in part_rules}
    min_competences = int(rules.get("situation_min_competences", 0))
    advice = rules.get("advice", {})

    reports: list[ActivityReport] = []
    for activity in activities:
        if activity.exempt:
            reports.append(
                ActivityReport(
                    number=activity.number,
                    roman=activity.roman,
                    title=activity.title,
                    required=0,
                    included=0,
                    complete=0,
                    status=Status.EXEMPT,
                    problems=[],
                    warnings=[],
                    situations=[],
                    competences_min=None,
                    competences_total=len(activity.competence_codes),
                )
            )
            continue
        mine = [s for s in data.situations if s.activity_number == activity.number]
        situation_reports: list[SituationReport] = []
        problems: list[str] = []
        warnings: list[str] = []
        chosen = 0
        for situation in mine:
            chosen += situation.included
            position = chosen if situation.included else None
            title = (situation.parts.get("title") or "").strip()
            label = f"Activité {activity.roman}, situation {position or '(non retenue)'}"
            if title:
                label += f" « {_shorten(title)} »"
            missing = [part_labels[k] for k in required_parts if _blank(situation.parts.get(k))]
            if situation.context_mode == ContextMode.OWN and _blank(
                situation.parts.get("own_context")
            ):
                missing.append("Contexte propre à la situation")
            if (
                activity.competence_codes
                and min_competences
                and len(situation.competence_codes & set(activity.competence_codes))
                < min_competences
            ):
                missing.append("Compétences mises en œuvre")
            filled = any(not _blank(v) for v in situation.parts.values())
            status = (
                Status.COMPLETE
                if not missing
                else (Status.IN_PROGRESS if filled else Status.NOT_STARTED)
            )
            situation_warnings = (
                _advice(situation.parts, advice, label) if situation.included else []
            )
            situation_reports.append(
                SituationReport(
                    id=situation.id,
                    activity_number=activity.number,
                    title=title,
                    included=situation.included,
                    status=status,
                    missing=missing,
                    warnings=situation_warnings,
                    word_count=sum(len(words(v or "")) for v in situation.parts.values()),
                )
            )
            if situation.included:
                warnings.extend(situation_warnings)
                if missing:
                    parts_list = ", ".join(f"« {m} »" for m in missing)
                    problems.append(f"{label} : à compléter — {parts_list}.")
        included_reports = [r for r in situation_reports if r.included]
        n_included = len(included_reports)
        n_complete = sum(1 for r in included_reports if r.status == Status.COMPLETE)
        required = activity.situations_required
        if n_included < required:
            lacking = required - n_included
            problems.insert(
                0,
                f"Activité {activity.roman} : {lacking} situation{'s' if lacking > 1 else ''} "
                f"manquante{'s' if lacking > 1 else ''} ({n_included} sur {required} exigée"
                f"{'s' if required > 1 else ''}).",
            )
        elif n_included > required:
            warnings.insert(
                0,
                f"Activité {activity.roman} : {n_included} situations retenues pour {required} "
                "prévue(s) par le modèle. Choisissez celles qui iront dans le dossier.",
            )
        covered = set().union(*(s.competence_codes for s in mine if s.included)) & set(
            activity.competence_codes
        )
        if activity.competences_min_covered and len(covered) < activity.competences_min_covered:
            problems.append(
                f"Activité {activity.roman} : vos situations doivent couvrir au moins "
                f"{activity.competences_min_covered} des {len(activity.competence_codes)} "
                f"compétences ({len(covered)} cochée{'s' if len(covered) > 1 else ''} pour "
                "l'instant)."
            )
        started = any(r.status != Status.NOT_STARTED for r in included_reports)
        status = (
            Status.COMPLETE
            if not problems
            else (Status.IN_PROGRESS if started else Status.NOT_STARTED)
        )
        reports.append(
            ActivityReport(
                number=activity.number,
                roman=activity.roman,
                title=activity.title,
                required=required,
                included=n_included,
                complete=n_complete,
                status=status,
                problems=problems,
                warnings=warnings,
                situations=situation_reports,
                competences_covered=len(covered),
                competences_min=activity.competences_min_covered,
                competences_total=len(activity.competence_codes),
            )
        )
    return Report(sections=sections, activities=reports)


SITUATION_PART_NAMES = (
    "title",
    "when",
    "own_context",
    "description",
    "analysis",
    "actions",
    "rationale",
    "outcome",
)


def activity_rules(version: ReferentielVersion, exempt: Iterable[int] = ()) -> list[ActivityRule]:
    """The rules of each activity; those whose number is in `exempt` ask for nothing."""
    exempt = set(exempt)
    rules = []
    for activity in version.activities.prefetch_related("competences").order_by("number"):
        rules.append(
            ActivityRule(
                number=activity.number,
                roman=activity.roman,
                title=activity.title,
                situations_required=activity.situations_required,
                competences_min_covered=activity.competences_min_covered,
                competence_codes=tuple(c.code for c in activity.competences.all()),
                exempt=activity.number in exempt,
            )
        )
    return rules


def snapshot(dossier: Dossier) -> DossierData:
    situations = []
    for situation in dossier.situations.select_related("activity").prefetch_related("competences"):
        situations.append(
            SituationData(
                id=situation.pk,
                activity_number=situation.activity.number,
                included=situation.included,
                context_mode=situation.context_mode,
                parts={name: getattr(situation, name) for name in SITUATION_PART_NAMES},
                competence_codes=frozenset(c.code for c in situation.competences.all()),
            )
        )
    return DossierData(
        header={
            "last_name": dossier.last_name,
            "first_name": dossier.first_name,
            "branch": dossier.branch.name if dossier.branch_id else "",  # type: ignore[union-attr]
        },
        motivation={
            "motivation_reasons": dossier.motivation_reasons,
            "motivation_strengths": dossier.motivation_strengths,
        },
        context=dossier.context,
        situations=situations,
    )


def dossier_report(dossier: Dossier) -> Report:
    version = dossier.referentiel_version
    exempt = dossier.exempt_activities.values_list("number", flat=True) if dossier.pk else []
    return evaluate(
        rules=version.template_rules,
        activities=activity_rules(version, exempt),
        data=snapshot(dossier),
        header_labels={"last_name": "Nom", "first_name": "Prénom", "branch": "Branche"},
        motivation_labels={
            "motivation_reasons": "Pourquoi je m'engage dans la VAE",
            "motivation_strengths": "Mes atouts au regard du CQP",
        },
    )
