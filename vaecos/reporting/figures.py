"""The dashboard's figures, each computed by the database (aggregates and conditional counts):
a fixed number of queries whatever the number of cases, and no Python loop over the cases (only
over the few groups the database returns).

Percentiles are "nearest rank": of n durations in ascending order, the p-th percentile is the
value of rank ceil(p·n) (the median is rank ceil(n/2), the 90th percentile rank ceil(0.9·n)).
PostgreSQL computes them (percentile_disc); on SQLite the database counts the durations by
number of days (a few hundred groups) and the two ranks are read from those counts.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Count,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import (
    TruncMonth,
    TruncQuarter,
)
from django.utils import timezone

from vaecos.admissibility.models import AdmissibilityRequest
from vaecos.admissibility.models import Status as RequestStatus
from vaecos.cases.models import Step, VaeCase
from vaecos.deadlines.rules import AT_RISK_DAYS, get_rule
from vaecos.dossiers.models import DossierStatus
from vaecos.evaluation.models import Registration, RegistrationStatus
from vaecos.jury.models import BlocResult, Deliberation, Outcome
from vaecos.referentiels.models import Branch
from vaecos.reporting.local_date import LocalDate

NOTIFIED = Deliberation.Status.NOTIFIED
# The outcomes of an evaluation; absent and excused candidates are counted apart.
EVALUATED = (Outcome.TOTAL, Outcome.PARTIAL, Outcome.NONE)
# How many cases each list of deadlines at risk shows.
AT_RISK_LIST = 5


@dataclass(frozen=True)
class Filters:
    """What the figures are about: one branch or all (None), and a period of days.

    The branch is a code: codes are unique within a version of the référentiel only, and the
    branches of one code in several versions are one branch for reporting."""

    branch: str | None
    start: datetime.date
    end: datetime.date  # included

    def moments(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The period as aware datetimes [start, end + 1 day): datetime columns compared
        without a function over them, so their indexes still serve."""
        tz = timezone.get_current_timezone()
        first = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=tz)
        after = datetime.datetime.combine(
            self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        )
        return first, after


# --- The stage of a case ----------------------------------------------------------------------

# The stage of a case, "<step>:<status>", is kept on VaeCase.stage (vaecos.cases.stages); how
# the dashboard names each status within its step:
EVALUATION_STATES = {
    "inscrit": "Dossier transmis, candidat inscrit",
    "convoque": "Dossier transmis, candidat convoqué",
    "brouillon": "Délibération en préparation",
    "delibere": "Délibérée, signatures attendues",
    "signe": "Signée, notification attendue",
    # Marked by staff without a deliberation yet.
    "evalue": "Évalué, délibération non commencée",
    "absent": "Absent, décision non notifiée",
    "excuse": "Excusé, décision non notifiée",
}
DOSSIER_STATES = {
    DossierStatus.IN_PROGRESS.value: DossierStatus.IN_PROGRESS.label,
    DossierStatus.FINAL.value: DossierStatus.FINAL.label,
    # A transmitted dossier outside the evaluation step: its decision (partial or none) is
    # notified and no new attempt is open yet.
    DossierStatus.TRANSMITTED.value: "Décision notifiée, pas de nouvelle tentative",
}
ADMISSIBILITY_STATES = {
    **{status.value: status.label for status in RequestStatus},
    "aucune": "Aucune demande",
}
STATES: dict[str, dict[str, str]] = {
    Step.ADMISSIBILITY.value: ADMISSIBILITY_STATES,
    Step.DOSSIER.value: DOSSIER_STATES,
    Step.EVALUATION.value: EVALUATION_STATES,
    Step.CLOSED.value: {"totale": "Validation totale notifiée"},
}


# --- 1. The pipeline, and 4. by branch -------------------------------------------------------


@dataclass
class StepCount:
    step: Step
    total: int = 0
    states: list[tuple[str, int]] = field(default_factory=list)  # (label, count)


@dataclass
class BranchSteps:
    name: str
    counts: dict[str, int]  # step value -> cases
    total: int


@dataclass
class Pipeline:
    steps: list[StepCount]
    branches: list[BranchSteps]
    total: int


NO_BRANCH = "Sans branche"
# Where the cases without a branch come in the lists by branch: last.
_LAST = 10_000

# A branch code -> its (position, name) in the latest version of the référentiel that has it.
BranchNames = dict[str, tuple[int, str]]


def branch_names() -> BranchNames:
    """Each branch code, named and placed as in the latest version of the référentiel that has
    it: one query over the branches (a few rows), in that order."""
    rows = Branch.objects.order_by(
        "code", "-referentiel_version__valid_from", "-referentiel_version__pk"
    ).values_list("code", "position", "name")
    latest: BranchNames = {}
    for code, position, name in rows:
        latest.setdefault(code, (position, name))
    return dict(sorted(latest.items(), key=lambda item: (item[1], item[0])))


def _branch_key(code: str | None, names: BranchNames) -> tuple[int, str, str]:
    """How a list by branch sorts a branch code, and its name (last)."""
    if code is None:
        return (_LAST, NO_BRANCH, "")
    position, name = names.get(code, (_LAST - 1, code))
    return (position, name, code)


def _cases(filters: Filters) -> QuerySet[VaeCase]:
    first, after = filters.moments()
    cases = VaeCase.objects.filter(created_at__gte=first, created_at__lt=after)
    if filters.branch is not None:
        cases = cases.filter(branch__code=filters.branch)
    return cases


def pipeline(filters: Filters, names: BranchNames | None = None) -> Pipeline:
    """The cases opened in the period, by step and status within the step, and by branch
    code: one query grouped by (branch code, stage), and the branches' names."""
    if names is None:
        names = branch_names()
    rows = _cases(filters).values("branch__code", "stage").annotate(n=Count("pk")).order_by()
    by_state: dict[str, int] = defaultdict(int)
    by_branch: dict[tuple[int, str, str], dict[str, int]] = {}
    for row in rows:
        stage = row["stage"]
        step = stage.partition(":")[0]
        by_state[stage] += row["n"]
        key = _branch_key(row["branch__code"], names)
        counts = by_branch.setdefault(key, dict.fromkeys(Step.values, 0))
        counts[step] += row["n"]
    steps = []
    for step in Step:
        labels = STATES[step.value]
        counts = {
            stage.partition(":")[2]: n
            for stage, n in by_state.items()
            if stage.partition(":")[0] == step.value
        }
        found = StepCount(step, total=sum(counts.values()))
        # The known states in their order, then any other (counted all the same).
        order = [state for state in labels if state in counts]
        order += sorted(state for state in counts if state not in labels)
        found.states = [
            (labels.get(state, state or "Non renseigné"), counts[state]) for state in order
        ]
        steps.append(found)
    branches = [
        BranchSteps(name=name, counts=counts, total=sum(counts.values()))
        for (_, name, _), counts in sorted(by_branch.items())
    ]
    return Pipeline(steps=steps, branches=branches, total=sum(s.total for s in steps))


# --- 2. Durations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Duration:
    key: str
    label: str
    short: str  # the label in the chart
    ends: str  # which date the period filters, in French
    n: int
    median: int | None  # days
    p90: int | None


def _days(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, datetime.timedelta):
        return value.days
    return int(value)


class PercentileDisc(Aggregate):
    """PostgreSQL's percentile_disc(p): the first value whose rank reaches p·n, so the value of
    rank ceil(p·n), the nearest rank. Several over the same values share one sort."""

    function = "PERCENTILE_DISC"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        super().__init__(expression, fraction=fraction, output_field=IntegerField(), **extra)


def percentiles(durations: QuerySet[Any], key: str, label: str, short: str, ends: str) -> Duration:
    """Median and 90th percentile (nearest rank) of the `days` annotation of `durations`; a
    NULL (a first transmission without a decision before it, on SQLite) is left out. On
    PostgreSQL, ordered-set aggregates (one sort of the values). Elsewhere, the database counts
    the durations by number of days (a few hundred groups whatever the number of rows, `days`
    computed once per row) and the ranks ceil(n/2) and ceil(9n/10) are found in those counts."""
    if connection.vendor == "postgresql":
        found = durations.order_by().aggregate(
            n=Count("pk"),
            median=PercentileDisc("days", 0.5),
            p90=PercentileDisc("days", 0.9),
        )
        if not found["n"]:
            return Duration(key, label, short, ends, 0, None, None)
        return Duration(
            key, label, short, ends, found["n"], _days(found["median"]), _days(found["p90"])
        )
    counts = durations.values("days").annotate(n=Count("pk")).order_by("days")
    n, median, p90 = nearest_ranks(
        [(_days(r["days"]), r["n"]) for r in counts if r["days"] is not None]
    )
    return Duration(key, label, short, ends, n, median, p90)


def nearest_ranks(counts: list[tuple[Any, int]]) -> tuple[int, Any, Any]:
    """(n, median, 90th percentile) of values given as (value, how many) in ascending order:
    the values of rank ceil(n/2) and ceil(9n/10) (integer division: (n + 1) // 2 and
    (9n + 9) // 10)."""
    n = sum(count for _, count in counts)
    if not n:
        return 0, None, None
    median_rank, p90_rank = (n + 1) // 2, (9 * n + 9) // 10
    median = p90 = None
    seen = 0
    for value, count in counts:
        seen += count
        if median is None and seen >= median_rank:
            median = value
        if seen >= p90_rank:
            p90 = value
            break
    return n, median, p90


def _in_branch(queryset: QuerySet[Any], filters: Filters, path: str) -> QuerySet[Any]:
    if filters.branch is None:
        return queryset
    return queryset.filter(**{f"{path}__code": filters.branch})


class DaysBetween(Func):
    """Whole days from `earlier` to `later`, two dates, as an integer: PostgreSQL subtracts
    dates natively; SQLite through julianday() (Django's own date subtraction would call a
    Python function for every row there)."""

    arity = 2
    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(ROUND(julianday(%(expressions)s)) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


def _difference(later: Any, earlier: Any) -> DaysBetween:
    return DaysBetween(later, earlier)


def durations(filters: Filters) -> list[Duration]:
    """Four queries: one per step of the process, the period filtering the step's end."""
    first, after = filters.moments()
    decided = _in_branch(
        AdmissibilityRequest.objects.filter(
            decided_on__gte=filters.start,
            decided_on__lte=filters.end,
            submitted_at__isnull=False,
        ),
        filters,
        "case__branch",
    ).annotate(
        received=LocalDate("submitted_at"),
        days=_difference(F("decided_on"), F("received")),
    )
    # The decision behind a transmission: the case's latest favourable decision on or before
    # the day of the transmission, so the fewest days from a decision to it (the transmissions
    # without such a decision are left out). Only the case's first transmission counts.
    earlier = Registration.objects.filter(
        case=OuterRef("case"), transmitted_at__lt=OuterRef("transmitted_at")
    )
    first_sent = (
        _in_branch(
            Registration.objects.filter(transmitted_at__gte=first, transmitted_at__lt=after),
            filters,
            "case__branch",
        )
        .filter(~Exists(earlier))
        .annotate(sent=LocalDate("transmitted_at"))
    )
    favourable = [RequestStatus.FAVOURABLE, RequestStatus.EXPIRED]
    if connection.vendor == "postgresql":
        # MIN over the case's decisions, joined and grouped by registration: computed once per
        # row (a subquery would be repeated by Django in the WHERE, the SELECT and the
        # ordered-set aggregates), PostgreSQL hashing the decisions once.
        transmitted = first_sent.filter(
            case__admissibility_requests__status__in=favourable,
            case__admissibility_requests__decided_on__lte=F("sent"),
        ).annotate(days=Min(_difference(F("sent"), F("case__admissibility_requests__decided_on"))))
    else:
        # The latest such decision by an indexed probe per row: the durations are then counted
        # by value (percentiles()), which an aggregate per registration would not allow.
        decision = (
            AdmissibilityRequest.objects.filter(
                case=OuterRef("case"), status__in=favourable, decided_on__lte=OuterRef("sent")
            )
            .order_by("-decided_on")
            .values("decided_on")[:1]
        )
        # Without one, `days` is NULL: percentiles() leaves those out (a filter here would
        # compute the subquery once more per row).
        transmitted = first_sent.annotate(days=_difference(F("sent"), Subquery(decision)))
    held = _in_branch(
        Registration.objects.filter(
            transmitted_at__isnull=False,
            session__date__gte=filters.start,
            session__date__lte=filters.end,
        ),
        filters,
        "case__branch",
    ).annotate(
        sent=LocalDate("transmitted_at"),
        days=_difference(F("session__date"), F("sent")),
    )
    notified = _in_branch(
        Deliberation.objects.filter(
            status=NOTIFIED,
            outcome__in=EVALUATED,
            notified_at__gte=first,
            notified_at__lt=after,
        ),
        filters,
        "registration__case__branch",
    ).annotate(
        on=LocalDate("notified_at"),
        days=_difference(F("on"), F("registration__session__date")),
    )
    return [
        percentiles(
            decided,
            "decision",
            "Demande → décision de recevabilité",
            "Demande → décision",
            "date de la décision",
        ),
        percentiles(
            transmitted,
            "transmission",
            "Décision → transmission au jury",
            "Décision → transmission",
            "date de la première transmission",
        ),
        percentiles(
            held,
            "session",
            "Transmission → session d'évaluation",
            "Transmission → session",
            "date de la session",
        ),
        percentiles(
            notified,
            "result",
            "Session → résultat notifié",
            "Session → résultat",
            "date de la notification",
        ),
    ]


# --- 3. Outcomes over time, validated blocs ---------------------------------------------------


OUTCOME_LABELS = {outcome.value: outcome.label for outcome in Outcome}


@dataclass
class PeriodOutcomes:
    start: datetime.date
    label: str
    counts: dict[str, int]  # outcome value -> deliberations

    @property
    def evaluated(self) -> int:
        return sum(self.counts[o] for o in EVALUATED)


@dataclass
class BranchOutcomes:
    name: str
    counts: dict[str, int]

    @property
    def evaluated(self) -> int:
        return sum(self.counts[o] for o in EVALUATED)


@dataclass
class Outcomes:
    unit: str  # "month" or "quarter"
    periods: list[PeriodOutcomes]
    branches: list[BranchOutcomes]
    totals: dict[str, int]


MONTHS = [
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
]


def unit_of(filters: Filters) -> str:
    """Months up to two years, quarters beyond."""
    months = (filters.end.year - filters.start.year) * 12 + filters.end.month - filters.start.month
    return "month" if months < 24 else "quarter"


def buckets(filters: Filters, unit: str) -> list[datetime.date]:
    """The first day of each month (or quarter) the period touches."""
    step = 1 if unit == "month" else 3
    month = filters.start.month if unit == "month" else 3 * ((filters.start.month - 1) // 3) + 1
    current = datetime.date(filters.start.year, month, 1)
    found = []
    while current <= filters.end:
        found.append(current)
        index = current.year * 12 + current.month - 1 + step
        current = datetime.date(index // 12, index % 12 + 1, 1)
    return found


def bucket_label(start: datetime.date, unit: str) -> str:
    if unit == "month":
        return f"{MONTHS[start.month - 1]} {start.year}"
    return f"T{(start.month - 1) // 3 + 1} {start.year}"


def _session_deliberations(filters: Filters) -> QuerySet[Deliberation]:
    return _in_branch(
        Deliberation.objects.filter(
            status=NOTIFIED,
            registration__session__date__gte=filters.start,
            registration__session__date__lte=filters.end,
        ),
        filters,
        "registration__case__branch",
    )


def outcomes(filters: Filters, names: BranchNames | None = None) -> Outcomes:
    """Notified decisions of the sessions held in the period, by month (or quarter), branch code
    and outcome: one query, and the branches' names."""
    if names is None:
        names = branch_names()
    unit = unit_of(filters)
    trunc = TruncMonth if unit == "month" else TruncQuarter
    rows = (
        _session_deliberations(filters)
        .annotate(bucket=trunc("registration__session__date", output_field=DateField()))
        .values(
            "bucket",
            "registration__case__branch__code",
            "outcome",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    empty = dict.fromkeys(Outcome.values, 0)
    periods = {start: dict(empty) for start in buckets(filters, unit)}
    by_branch: dict[tuple[int, str, str], dict[str, int]] = {}
    totals = dict(empty)
    for row in rows:
        bucket = row["bucket"]
        if isinstance(bucket, datetime.datetime):
            bucket = bucket.date()
        if bucket in periods:
            periods[bucket][row["outcome"]] += row["n"]
        key = _branch_key(row["registration__case__branch__code"], names)
        by_branch.setdefault(key, dict(empty))[row["outcome"]] += row["n"]
        totals[row["outcome"]] += row["n"]
    return Outcomes(
        unit=unit,
        periods=[
            PeriodOutcomes(start, bucket_label(start, unit), counts)
            for start, counts in periods.items()
        ],
        branches=[
            BranchOutcomes(name, counts) for (_, name, _), counts in sorted(by_branch.items())
        ],
        totals=totals,
    )


@dataclass(frozen=True)
class BlocCount:
    roman: str
    code: str
    title: str
    validated: int
    assessed: int

    @property
    def rate(self) -> int | None:
        return round(100 * self.validated / self.assessed) if self.assessed else None


def validated_blocs(filters: Filters) -> list[BlocCount]:
    """Per bloc of the référentiel: how many juries decided on it, how many validated it, in
    the notified decisions of the sessions held in the period. One query."""
    rows = (
        BlocResult.objects.filter(deliberation__in=_session_deliberations(filters))
        .values("activity__number", "activity__roman", "activity__bloc_code", "activity__title")
        .annotate(assessed=Count("pk"), validated=Count("pk", filter=Q(validated=True)))
        .order_by("activity__number", "activity__bloc_code")
    )
    merged: dict[tuple[int, str], BlocCount] = {}
    for row in rows:
        # Two versions of the référentiel may word the same bloc differently: one line per bloc.
        key = (row["activity__number"], row["activity__bloc_code"])
        before = merged.get(key)
        merged[key] = BlocCount(
            roman=row["activity__roman"],
            code=row["activity__bloc_code"],
            title=row["activity__title"],
            validated=row["validated"] + (before.validated if before else 0),
            assessed=row["assessed"] + (before.assessed if before else 0),
        )
    return list(merged.values())


# --- 5. Deadlines at risk -----------------------------------------------------------------------


@dataclass
class AtRisk:
    key: str
    title: str
    rule: str  # what makes an item late or near, in French
    overdue: int
    near: int
    items: list[dict[str, Any]]


def _validity_window() -> int:
    """Favourable admissibility nearing its end: the first reminder's distance (60 days)."""
    return get_rule("VALIDITY_REMINDER_60").amount


def _counted_and_listed(
    rows: QuerySet[Any],
    date: str,
    late_before: datetime.date,
    today: datetime.date,
    url_name: str,
    *related: str,
) -> tuple[int, int, list[dict[str, Any]]]:
    """One kind of deadline at risk: how many are late (`date` before `late_before`) and near,
    in one query, and the first AT_RISK_LIST of them by `date`, in another."""
    counts = rows.aggregate(
        overdue=Count("pk", filter=Q(**{f"{date}__lt": late_before})),
        near=Count("pk", filter=Q(**{f"{date}__gte": late_before})),
    )
    read_date = attrgetter(date.replace("__", "."))
    items = []
    for item in rows.select_related("case__candidate", *related).order_by(date, "pk")[
        :AT_RISK_LIST
    ]:
        day = read_date(item)
        items.append(
            {
                "name": item.case.candidate.display_name,
                "date": day,
                "days": (day - today).days,
                "ago": (today - day).days,
                "url_name": url_name,
                "pk": item.pk,
            }
        )
    return counts["overdue"], counts["near"], items


def deadlines(filters: Filters, today: datetime.date | None = None) -> list[AtRisk]:
    """Today's deadlines at risk (the period does not apply; the branch does): two queries
    for each kind, its counts and its first items."""
    today = today or timezone.localdate()
    near_day = today + datetime.timedelta(days=AT_RISK_DAYS)
    found = []

    requests = _in_branch(
        AdmissibilityRequest.objects.filter(
            status=RequestStatus.COMPLETE, decision_due__lte=near_day
        ),
        filters,
        "case__branch",
    )
    found.append(
        AtRisk(
            "decision",
            "Décisions de recevabilité à prendre",
            f"Demande complète sans décision : date limite passée, ou dans {AT_RISK_DAYS} jours "
            "ou moins (au-delà, la décision implicite d'acceptation s'applique).",
            *_counted_and_listed(requests, "decision_due", today, today, "admissibility:instruct"),
        )
    )

    window = _validity_window()
    sent = (
        Registration.objects.filter(case=OuterRef("case"), transmitted_at__isnull=False)
        .annotate(sent=LocalDate("transmitted_at"))
        .filter(sent__gte=OuterRef("decided_on"))
    )
    favourable = _in_branch(
        AdmissibilityRequest.objects.filter(
            status=RequestStatus.FAVOURABLE,
            # Ended less than `window` days ago: the daily check expires the older ones (a
            # request evaluated in time keeps its status, with a transmission, for good).
            validity_end__gte=today - datetime.timedelta(days=window),
            validity_end__lte=today + datetime.timedelta(days=window),
        ).filter(~Exists(sent)),
        filters,
        "case__branch",
    )
    found.append(
        AtRisk(
            "validity",
            "Recevabilités bientôt expirées sans transmission",
            f"Recevabilité favorable dont la validité s'achève dans {window} jours ou moins (le "
            f"premier rappel au candidat) ou s'est achevée depuis moins de {window} jours, sans "
            "dossier transmis au jury depuis la décision.",
            *_counted_and_listed(
                favourable, "validity_end", today, today, "admissibility:instruct"
            ),
        )
    )

    late_day = today - datetime.timedelta(days=AT_RISK_DAYS)
    waiting = _in_branch(
        # Registered or convened: the notification makes a registration evaluated, absent or
        # excused (a few rows of the registrations, whatever their number).
        Registration.objects.filter(
            transmitted_at__isnull=False,
            session__date__lt=today,
            status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.CONVENED],
        ).filter(
            ~Exists(Deliberation.objects.filter(registration=OuterRef("pk"), status=NOTIFIED))
        ),
        filters,
        "case__branch",
    )
    found.append(
        AtRisk(
            "result",
            "Décisions du jury à signer ou notifier",
            "Session passée, dossier transmis, décision pas encore notifiée : en retard au-delà "
            f"de {AT_RISK_DAYS} jours après la session.",
            *_counted_and_listed(
                waiting, "session__date", late_day, today, "jury:candidate", "session"
            ),
        )
    )
    return found


# --- Everything -------------------------------------------------------------------------------


@dataclass
class Dashboard:
    filters: Filters
    pipeline: Pipeline
    durations: list[Duration]
    outcomes: Outcomes
    blocs: list[BlocCount]
    deadlines: list[AtRisk]


@contextmanager
def _without_jit() -> Iterator[None]:
    """PostgreSQL compiles a query to machine code (JIT) when its estimated cost is high, as the
    correlated subqueries' estimates make it here: 0.6 s of compiling, at 100,000 cases, for
    queries that run in 0.1–0.2 s. Off for these queries only (SET LOCAL, in a transaction).
    Nothing on SQLite, where a transaction would take the write lock."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        yield


def dashboard(
    filters: Filters, today: datetime.date | None = None, names: BranchNames | None = None
) -> Dashboard:
    """Every figure; `names` (branch_names()), when the caller has them already, saves a
    query."""
    if names is None:
        names = branch_names()
    with _without_jit():
        return Dashboard(
            filters=filters,
            pipeline=pipeline(filters, names),
            durations=durations(filters),
            outcomes=outcomes(filters, names),
            blocs=validated_blocs(filters),
            deadlines=deadlines(filters, today),
        )


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The last twelve months, the current one included: from the first day of the month
    eleven months ago to today."""
    today = today or timezone.localdate()
    index = today.year * 12 + today.month - 1 - 11
    return datetime.date(index // 12, index % 12 + 1, 1), today
