"""CSV exports for the certifier's staff: the admissibility queue, the evaluation sessions (one
row per registration) and the jury results (one row per decision, one column per bloc).

Written for Excel in French: UTF-8 with a byte-order mark (else Excel reads it as Windows-1252),
semicolons (the comma is the decimal separator there), CRLF line ends, dates as dd/mm/yyyy and
statuses by their French labels. A cell that starts like a formula gets a leading apostrophe, so
a name typed as `=HYPERLINK(…)` stays text (CSV injection).

Each export is one query read in chunks (`values()` over the joins it needs, per-bloc columns as
subqueries): the number of queries does not grow with the rows, and no export sits whole in
memory. The views stream what `lines()` yields.
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import QueryDict
from django.utils import timezone

from vaecos.admissibility.models import Nature, Status
from vaecos.admissibility.queue import QueueFilters, queue_requests
from vaecos.deadlines import status as deadline_status
from vaecos.evaluation.models import EvaluationSession, RegistrationStatus
from vaecos.jury.models import AcquiredBloc, BlocResult, Deliberation, Outcome
from vaecos.referentiels.models import Activity

BOM = "\ufeff"
CHUNK_SIZE = 500
EMPTY = "—"  # a bloc the jury did not decide on (absent, excused, not in the version)

# Characters that make a spreadsheet read a cell as a formula (OWASP, « CSV injection »).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Longer than any code (a SlugField of 50): the audit journal's label stays short.
_MAX_CODE = 100


# --- Writing -----------------------------------------------------------------------------------


def cell(value: object) -> str:
    """One value as Excel in French shows it; text that could run as a formula made inert."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


class _Line:
    """A file-like object that hands back what csv.writer writes to it: one line at a time."""

    def write(self, value: str) -> str:
        return value


def lines(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[bytes]:
    """The CSV file, line by line, as UTF-8 bytes: the byte-order mark and the header first."""
    writer = csv.writer(_Line(), delimiter=";", lineterminator="\r\n")
    yield (BOM + writer.writerow([cell(h) for h in header])).encode()
    for row in rows:
        yield writer.writerow([cell(value) for value in row]).encode()


def filename(stem: str, today: datetime.date | None = None) -> str:
    """The download's name, dated: `stem-2026-12-02.csv`."""
    return f"{stem}-{(today or timezone.localdate()).isoformat()}.csv"


# --- Filters shared by the sessions and results exports ---------------------------------------


@dataclass(frozen=True)
class Filters:
    """`branche` (a branch code, as on the queue page and in the API: the branches of that code
    in every version of the référentiel), `du` and `au` (yyyy-mm-dd, on the session's date). A
    date that does not parse is ignored, as the queue page ignores an unknown status; an unknown
    branch selects nothing: never an error."""

    branch: str | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None

    @classmethod
    def from_query(cls, query: QueryDict) -> Filters:
        return cls(
            branch=_code(query.get("branche")),
            start=_date(query.get("du")),
            end=_date(query.get("au")),
        )

    def describe(self) -> str:
        """The filters in French, for the audit journal."""
        parts = []
        if self.branch is not None:
            parts.append(f"branche {self.branch}")
        if self.start is not None:
            parts.append(f"du {cell(self.start)}")
        if self.end is not None:
            parts.append(f"au {cell(self.end)}")
        return ", ".join(parts) or "aucun filtre"


def _code(raw: str | None) -> str | None:
    """Any text, NUL dropped (PostgreSQL refuses it in text); empty: every branch."""
    return (raw or "").replace("\x00", "")[:_MAX_CODE] or None


def _date(raw: str | None) -> datetime.date | None:
    if not raw or not _ISO_DATE.fullmatch(raw):
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        return None


def _dated(rows: QuerySet[Any], filters: Filters, date_field: str) -> QuerySet[Any]:
    if filters.start is not None:
        rows = rows.filter(**{f"{date_field}__gte": filters.start})
    if filters.end is not None:
        rows = rows.filter(**{f"{date_field}__lte": filters.end})
    return rows


# --- The admissibility queue -------------------------------------------------------------------


QUEUE_HEADER = (
    "N° de demande",
    "Nom",
    "Prénom",
    "Nom de naissance",
    "Branche",
    "Nature de la demande",
    "Statut",
    "Reçue le",
    "Complète le",
    "Décision au plus tard le",
    "Échéance",
    "Décidée le",
    "Décision implicite",
    "Recevable jusqu'au",
)

_DEADLINE_LABELS = {"overdue": "Dépassée", "at_risk": "Proche", "on_time": "Dans les temps"}


def queue_rows(
    filters: QueueFilters, today: datetime.date | None = None
) -> Iterator[tuple[object, ...]]:
    """One row per request, as QUEUE_HEADER names them. « Échéance » is the page's warning on
    a complete request waiting for its decision; empty otherwise."""
    today = today or timezone.localdate()
    statuses = dict(Status.choices)
    natures = dict(Nature.choices)
    found = queue_requests(filters).values_list(
        "pk",
        "case__candidate__last_name",
        "case__candidate__first_name",
        "birth_name",
        "case__branch__name",
        "nature",
        "status",
        "submitted_at",
        "complete_on",
        "decision_due",
        "decided_on",
        "implicit",
        "validity_end",
    )
    for (
        pk,
        last_name,
        first_name,
        birth_name,
        branch,
        nature,
        status,
        submitted_at,
        complete_on,
        decision_due,
        decided_on,
        implicit,
        validity_end,
    ) in found.iterator(chunk_size=CHUNK_SIZE):
        deadline = ""
        if status == Status.COMPLETE and decision_due:
            deadline = _DEADLINE_LABELS[deadline_status(decision_due, today)]
        yield (
            pk,
            last_name,
            first_name,
            birth_name,
            branch or EMPTY,
            natures.get(nature, nature),
            statuses.get(status, status),
            submitted_at,
            complete_on,
            decision_due,
            deadline,
            decided_on,
            implicit,
            validity_end,
        )


# --- The evaluation sessions -------------------------------------------------------------------


SESSIONS_HEADER = (
    "Date de la session",
    "Heure",
    "Branche de la session",
    "Lieu",
    "Lien de visioconférence",
    "Places",
    "Nom",
    "Prénom",
    "Statut de l'inscription",
    "Dossier transmis le",
    "Convoqué le",
    "Décision du jury",
)

ALL_BRANCHES = "Toutes les branches"


def sessions_queryset(filters: Filters) -> QuerySet[Any]:
    """One row per registration, and one for each session without any (its candidate columns
    empty): the sessions' LEFT JOIN to their registrations, by date, then candidate.

    `branche`: the sessions reserved to that branch, and in sessions open to every branch the
    registrations of that branch's candidates."""
    rows = _dated(EvaluationSession.objects.all(), filters, "date")
    if filters.branch is not None:
        rows = rows.filter(
            Q(branch__code=filters.branch)
            | Q(branch__isnull=True, registrations__case__branch__code=filters.branch)
        )
    return rows.values_list(
        "date",
        "start_time",
        "branch__name",
        "place",
        "video_link",
        "capacity",
        "registrations__case__candidate__last_name",
        "registrations__case__candidate__first_name",
        "registrations__status",
        "registrations__transmitted_at",
        "registrations__convened_at",
        "registrations__deliberation__status",
        "registrations__deliberation__outcome",
        "registrations__pk",
    ).order_by(
        "date",
        "start_time",
        "pk",
        "registrations__case__candidate__last_name",
        "registrations__case__candidate__first_name",
        "registrations__pk",
    )


def sessions_rows(filters: Filters) -> Iterator[tuple[object, ...]]:
    statuses = dict(RegistrationStatus.choices)
    outcomes = dict(Outcome.choices)
    for (
        date,
        start_time,
        branch,
        place,
        video_link,
        capacity,
        last_name,
        first_name,
        status,
        transmitted_at,
        convened_at,
        deliberation_status,
        outcome,
        _registration,
    ) in sessions_queryset(filters).iterator(chunk_size=CHUNK_SIZE):
        # A draft deliberation's outcome is not a decision yet (the president may take it back).
        decided = deliberation_status and deliberation_status != Deliberation.Status.DRAFT
        yield (
            date,
            start_time,
            branch or ALL_BRANCHES,
            place,
            video_link,
            capacity,
            last_name,
            first_name,
            statuses.get(status, status) if status else "",
            transmitted_at,
            convened_at,
            outcomes.get(outcome, outcome) if decided else "",
        )


# --- The jury results --------------------------------------------------------------------------


@dataclass(frozen=True)
class BlocColumn:
    """A bloc of the référentiel, under the key the candidate's record keeps it
    (jury.services.bloc_key: its RNCP code, or the certification's code and the roman number)."""

    key: str
    roman: str
    bloc_code: str
    certification: str

    @property
    def header(self) -> str:
        return f"Bloc {self.roman} ({self.key})"

    def matches(self, prefix: str = "") -> Q:
        """The activities of this bloc, from a row that reaches them through `prefix`."""
        if self.bloc_code:
            return Q(**{f"{prefix}bloc_code": self.bloc_code})
        return Q(
            **{
                f"{prefix}bloc_code": "",
                f"{prefix}roman": self.roman,
                f"{prefix}referentiel_version__certification__code": self.certification,
            }
        )


BLOC_VALIDATED = "validé"
BLOC_NOT_VALIDATED = "non validé"
BLOC_EARLIER = "acquis antérieurement"

RESULTS_HEADER = (
    "Date de la session",
    "Nom",
    "Prénom",
    "Branche",
    "Certification",
    "Statut de la délibération",
    "Décision",
    "Voix prépondérante utilisée",
    "Délibéré le",
    "Signé le",
    "Notifié le",
)


def decisions(filters: Filters) -> QuerySet[Deliberation]:
    """Every deliberation past its draft, in the filters (the candidate's branch, the session's
    date), by session date then candidate."""
    rows = Deliberation.objects.exclude(status=Deliberation.Status.DRAFT)
    rows = _dated(rows, filters, "registration__session__date")
    if filters.branch is not None:
        rows = rows.filter(registration__case__branch__code=filters.branch)
    return rows.order_by(
        "registration__session__date",
        "registration__session__start_time",
        "registration__case__candidate__last_name",
        "registration__case__candidate__first_name",
        "pk",
    )


def bloc_columns(filters: Filters) -> list[BlocColumn]:
    """The blocs of the référentiel versions the exported decisions were taken on, in their
    order: one query, whatever the number of decisions."""
    versions = decisions(filters).order_by().values("registration__case__referentiel_version")
    columns: dict[str, BlocColumn] = {}
    found = (
        Activity.objects.filter(referentiel_version__in=versions)
        .order_by("number", "referentiel_version__certification__code", "bloc_code")
        .values_list("roman", "bloc_code", "referentiel_version__certification__code")
    )
    for roman, bloc_code, certification in found:
        key = bloc_code or f"{certification}-{roman}"
        columns.setdefault(key, BlocColumn(key, roman, bloc_code, certification))
    return list(columns.values())


def _bloc_annotations(columns: Sequence[BlocColumn]) -> dict[str, Any]:
    """Per bloc: this jury's decision (True, False, or None when it did not decide on it) and
    whether the candidate had acquired it through an earlier decision."""
    annotations: dict[str, Any] = {}
    for index, column in enumerate(columns):
        result = (
            BlocResult.objects.filter(column.matches("activity__"), deliberation=OuterRef("pk"))
            .order_by()
            .values("validated")[:1]
        )
        earlier = AcquiredBloc.objects.filter(
            candidate=OuterRef("registration__case__candidate"),
            certification=OuterRef("registration__case__referentiel_version__certification"),
            bloc_code=column.key,
            deliberation__deliberated_at__lt=OuterRef("deliberated_at"),
        )
        annotations[f"bloc_{index}"] = Subquery(result)
        annotations[f"bloc_{index}_earlier"] = Exists(earlier)
    return annotations


def bloc_cell(validated: bool | None, earlier: bool) -> str:
    if validated is None:
        return BLOC_EARLIER if earlier else EMPTY
    return BLOC_VALIDATED if validated else BLOC_NOT_VALIDATED


def results_table(filters: Filters) -> tuple[list[str], Iterator[tuple[object, ...]]]:
    """The header (RESULTS_HEADER and one column per bloc) and the rows, read lazily."""
    columns = bloc_columns(filters)
    header = [*RESULTS_HEADER, *(column.header for column in columns)]
    return header, _results_rows(filters, columns)


def _results_rows(filters: Filters, columns: Sequence[BlocColumn]) -> Iterator[tuple[object, ...]]:
    statuses = dict(Deliberation.Status.choices)
    outcomes = dict(Outcome.choices)
    blocs = [(f"bloc_{i}", f"bloc_{i}_earlier") for i in range(len(columns))]
    found = (
        decisions(filters)
        .annotate(**_bloc_annotations(columns))
        .values(
            "registration__session__date",
            "registration__case__candidate__last_name",
            "registration__case__candidate__first_name",
            "registration__case__branch__name",
            "registration__case__referentiel_version__certification__name",
            "status",
            "outcome",
            "casting_vote_used",
            "deliberated_at",
            "signed_at",
            "notified_at",
            *(name for pair in blocs for name in pair),
        )
    )
    for row in found.iterator(chunk_size=CHUNK_SIZE):
        yield (
            row["registration__session__date"],
            row["registration__case__candidate__last_name"],
            row["registration__case__candidate__first_name"],
            row["registration__case__branch__name"] or EMPTY,
            row["registration__case__referentiel_version__certification__name"],
            statuses.get(row["status"], row["status"]),
            outcomes.get(row["outcome"], row["outcome"]),
            row["casting_vote_used"],
            row["deliberated_at"],
            row["signed_at"],
            row["notified_at"],
            *(bloc_cell(row[result], bool(row[earlier])) for result, earlier in blocs),
        )
