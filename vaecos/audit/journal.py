"""The audit journal: reads (ReadEvent) and the four transition logs, merged by date.

Each source is queried once for its count and once for its newest rows, so a page of the
journal costs the same number of queries whatever it shows.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, overload

from django.db.models import QuerySet

from vaecos.accounts.models import Role, User
from vaecos.admissibility.models import AdmissibilityTransitionLog
from vaecos.admissibility.workflow import ADMISSIBILITY_WORKFLOW
from vaecos.audit.models import ReadEvent
from vaecos.cases.models import VaeCase
from vaecos.dossiers.models import DossierTransitionLog
from vaecos.dossiers.workflow import DOSSIER_WORKFLOW
from vaecos.evaluation.models import RegistrationTransitionLog
from vaecos.evaluation.workflow import REGISTRATION_WORKFLOW
from vaecos.jury.models import DeliberationTransitionLog
from vaecos.jury.workflow import DELIBERATION_WORKFLOW
from vaecos.utils.workflow import Workflow

ROLE_LABELS = dict(Role.choices)

# Transitions that create their object, written by services outside the workflow tables.
CREATIONS = {
    "open": "ouverture de l'espace de rédaction",
    "register": "inscription à la session",
    "create": "création",
}


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str  # "read" or "transition"
    who: User | None  # None: the platform itself
    role: str  # the French label of the person's role
    action: str  # what was read, or what changed
    case: VaeCase | None
    order: tuple[int, int]  # ties on `at`: the source, then the row


@dataclass(frozen=True)
class Source:
    rank: int
    queryset: QuerySet[Any]
    case_path: str  # from a row to its VaeCase
    # None for the reads; for a log, its workflow and the French name of its subject.
    workflow: Workflow | None = None
    subject: str = ""

    def filtered(self, **lookups: Any) -> "Source":
        prefixed = {f"{self.case_path}__{key}": value for key, value in lookups.items()}
        return Source(
            self.rank, self.queryset.filter(**prefixed), self.case_path, self.workflow, self.subject
        )

    def case_of(self, row: Any) -> VaeCase | None:
        obj = row
        for part in self.case_path.split("__"):
            obj = getattr(obj, part)
            if obj is None:
                return None
        return obj

    def entry(self, row: Any) -> Entry:
        if self.workflow is None:
            return Entry(
                at=row.at,
                kind="read",
                who=row.user,
                role=row.get_user_role_display(),
                action=row.label,
                case=self.case_of(row),
                order=(self.rank, row.pk),
            )
        transition = self.workflow.transitions.get(row.transition)
        what = transition.label if transition else CREATIONS.get(row.transition, row.transition)
        return Entry(
            at=row.at,
            kind="transition",
            who=row.by,
            role=ROLE_LABELS.get(row.by.role, "") if row.by else "",
            action=f"{self.subject} : {what}",
            case=self.case_of(row),
            order=(self.rank, row.pk),
        )


def _sources() -> list[Source]:
    return [
        Source(0, ReadEvent.objects.select_related("user", "case__candidate"), "case"),
        Source(
            1,
            DossierTransitionLog.objects.select_related("by", "subject__case__candidate"),
            "subject__case",
            DOSSIER_WORKFLOW,
            "Livret 2",
        ),
        Source(
            2,
            AdmissibilityTransitionLog.objects.select_related("by", "subject__case__candidate"),
            "subject__case",
            ADMISSIBILITY_WORKFLOW,
            "Demande de recevabilité",
        ),
        Source(
            3,
            RegistrationTransitionLog.objects.select_related("by", "subject__case__candidate"),
            "subject__case",
            REGISTRATION_WORKFLOW,
            "Inscription à une session",
        ),
        Source(
            4,
            DeliberationTransitionLog.objects.select_related(
                "by", "subject__registration__case__candidate"
            ),
            "subject__registration__case",
            DELIBERATION_WORKFLOW,
            "Délibération du jury",
        ),
    ]


class Journal:
    """A sequence for django's Paginator: count() and slicing, newest first."""

    def __init__(self, sources: list[Source]) -> None:
        self.sources = sources

    def count(self) -> int:
        return sum(source.queryset.count() for source in self.sources)

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Entry]:
        return iter(self[0 : self.count()])

    @overload
    def __getitem__(self, index: int) -> Entry: ...

    @overload
    def __getitem__(self, index: slice) -> list[Entry]: ...

    def __getitem__(self, index: int | slice) -> Entry | list[Entry]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        entries = [
            source.entry(row)
            for source in self.sources
            for row in source.queryset.order_by("-at", "-pk")[:stop]
        ]
        entries.sort(key=lambda e: (e.at, e.order), reverse=True)
        return entries[start:stop]


def journal(*, case_pk: int | None = None, email: str = "") -> Journal:
    """Everything, for administrators; narrowed to one case or one candidate's e-mail."""
    sources = _sources()
    if case_pk is not None:
        sources = [s.filtered(pk=case_pk) for s in sources]
    if email:
        sources = [s.filtered(candidate__email__iexact=email) for s in sources]
    return Journal(sources)


def journal_of_candidate(candidate: User) -> Journal:
    """What happened to a candidate's own cases: who read them, and every change of status."""
    return Journal([s.filtered(candidate=candidate) for s in _sources()])
