"""The dashboard's figures on cases built with fixed dates: known counts, medians, 90th
percentiles, per branch and per month; the step annotation against VaeCase.step on generated
data; a fixed number of queries."""

import datetime

import pytest
from django.utils import timezone

from tests.admissibility.factories import AdmissibilityRequestFactory
from tests.cases.factories import VaeCaseFactory
from tests.evaluation.factories import EvaluationSessionFactory, RegistrationFactory
from vaecos.admissibility.models import Status
from vaecos.cases.models import Step, VaeCase
from vaecos.cases.stages import stage_expression
from vaecos.dossiers.models import Dossier, DossierStatus
from vaecos.evaluation.models import RegistrationStatus
from vaecos.jury.models import BlocResult, Deliberation, Outcome
from vaecos.reporting import figures
from vaecos.reporting.figures import Filters

D = datetime.date
YEAR_2025 = (D(2025, 1, 1), D(2025, 12, 31))


def moment(day: datetime.date) -> datetime.datetime:
    """Noon, local time: the day is the same in every time zone the tests may use."""
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=timezone.get_current_timezone())


def case_opened(referentiel, branch_code: str | None, opened: datetime.date) -> VaeCase:
    branch = referentiel.branches.get(code=branch_code) if branch_code else None
    case = VaeCaseFactory(referentiel_version=referentiel, branch=branch)
    VaeCase.objects.filter(pk=case.pk).update(created_at=moment(opened))
    return case


def request_for(case, status, submitted, decided=None, **fields):
    """An admissibility request with its dates; the decision's and the constraints' dates
    follow from `submitted` and `decided` unless given."""
    values = {"status": status, "submitted_at": moment(submitted)}
    if status not in (Status.SUBMITTED, Status.INCOMPLETE, Status.DRAFT):
        values["complete_on"] = fields.pop("complete_on", submitted)
        values["decision_due"] = fields.pop("decision_due", submitted + datetime.timedelta(61))
    if decided is not None:
        values["decided_on"] = decided
    if status in (Status.FAVOURABLE, Status.EXPIRED):
        values["validity_end"] = fields.pop("validity_end", decided + datetime.timedelta(548))
    return AdmissibilityRequestFactory(case=case, **values, **fields)


def dossier_of(case, status=DossierStatus.TRANSMITTED, attempt=1) -> Dossier:
    return Dossier.objects.create(case=case, attempt=attempt, status=status)


def registration(case, session, dossier, sent, status=RegistrationStatus.CONVENED):
    return RegistrationFactory(
        case=case, session=session, dossier=dossier, transmitted_at=moment(sent), status=status
    )


def decision(registration, outcome, notified=None, validated=(), status=None):
    """A deliberation; notified on `notified` if given, with the blocs' results."""
    deliberation = Deliberation.objects.create(
        registration=registration,
        status=status or (Deliberation.Status.NOTIFIED if notified else "delibere"),
        outcome=outcome,
        notified_at=moment(notified) if notified else None,
    )
    activities = registration.case.referentiel_version.activities.order_by("number")
    if outcome in (Outcome.TOTAL, Outcome.PARTIAL, Outcome.NONE):
        for activity in activities:
            BlocResult.objects.create(
                deliberation=deliberation,
                activity=activity,
                validated=activity.number in validated,
            )
    return deliberation


def build_world(referentiel) -> dict[str, VaeCase]:
    """Ten cases of two branches, through every step, with the dates of the docstrings below.

    request → decision (days): c1 30, c2 10, c3 20, c4 40, c5 50, c10 80 (2025); c9 14 (2024).
    decision → first transmission: c1 70, c2 79, c3 133, c4 91, c5 164, c9 131.
    transmission → session (sessions of 2025): c1 51, c2 40, c9 46, c3 45, c4 36.
    session → notified result: c1 10 (totale), c2 20 (partielle), c3 30 (aucune); c4 absent.
    """
    s1 = EvaluationSessionFactory(referentiel_version=referentiel, date=D(2025, 6, 10))
    s2 = EvaluationSessionFactory(referentiel_version=referentiel, date=D(2025, 9, 15))
    s3 = EvaluationSessionFactory(referentiel_version=referentiel, date=D(2026, 3, 10))
    c = {}

    c["c1"] = case_opened(referentiel, "famille", D(2025, 1, 10))
    request_for(c["c1"], Status.FAVOURABLE, D(2025, 1, 10), D(2025, 2, 9))
    r = registration(c["c1"], s1, dossier_of(c["c1"]), D(2025, 4, 20), RegistrationStatus.EVALUATED)
    decision(r, Outcome.TOTAL, D(2025, 6, 20), validated=(1, 2, 3, 4))

    c["c2"] = case_opened(referentiel, "famille", D(2025, 2, 1))
    request_for(c["c2"], Status.FAVOURABLE, D(2025, 2, 1), D(2025, 2, 11))
    r = registration(c["c2"], s1, dossier_of(c["c2"]), D(2025, 5, 1), RegistrationStatus.EVALUATED)
    decision(r, Outcome.PARTIAL, D(2025, 6, 30), validated=(1, 2))

    c["c3"] = case_opened(referentiel, "maladie", D(2025, 3, 1))
    request_for(c["c3"], Status.FAVOURABLE, D(2025, 3, 1), D(2025, 3, 21))
    r = registration(c["c3"], s2, dossier_of(c["c3"]), D(2025, 8, 1), RegistrationStatus.EVALUATED)
    decision(r, Outcome.NONE, D(2025, 10, 15))

    # Absent at the session of September, then transmitted again (not a first transmission).
    c["c4"] = case_opened(referentiel, "maladie", D(2025, 4, 1))
    request_for(c["c4"], Status.FAVOURABLE, D(2025, 4, 1), D(2025, 5, 11))
    dossier = dossier_of(c["c4"])
    r = registration(c["c4"], s2, dossier, D(2025, 8, 10), RegistrationStatus.ABSENT)
    decision(r, Outcome.ABSENT, D(2025, 9, 20))
    registration(c["c4"], s3, dossier, D(2025, 11, 1), RegistrationStatus.CONVENED)

    c["c5"] = case_opened(referentiel, "famille", D(2025, 5, 1))
    request_for(c["c5"], Status.FAVOURABLE, D(2025, 5, 1), D(2025, 6, 20))
    registration(
        c["c5"],
        s3,
        dossier_of(c["c5"], DossierStatus.IN_PROGRESS),
        D(2025, 12, 1),
        RegistrationStatus.REGISTERED,
    )

    c["c6"] = case_opened(referentiel, "famille", D(2025, 6, 1))
    request_for(c["c6"], Status.COMPLETE, D(2025, 6, 1))
    c["c7"] = case_opened(referentiel, "maladie", D(2025, 7, 1))
    request_for(c["c7"], Status.SUBMITTED, D(2025, 7, 1))
    c["c8"] = case_opened(referentiel, "famille", D(2025, 8, 1))

    # Opened, decided (14 days) in 2024; first transmitted in 2025; deliberation not notified.
    c["c9"] = case_opened(referentiel, "famille", D(2024, 6, 1))
    request_for(c["c9"], Status.FAVOURABLE, D(2024, 12, 1), D(2024, 12, 15))
    r = registration(c["c9"], s1, dossier_of(c["c9"]), D(2025, 4, 25))
    decision(r, "", status=Deliberation.Status.DRAFT)

    c["c10"] = case_opened(referentiel, "maladie", D(2025, 9, 1))
    request_for(c["c10"], Status.UNFAVOURABLE, D(2025, 10, 1), D(2025, 12, 20))
    return c


def second_version(referentiel, version: str = "2027"):
    """A later version of the référentiel: `maladie` renamed, `famille` dropped, `retraite`
    new. Its branches are other rows with the same codes."""
    import copy

    from tests.conftest import REFERENTIEL_FILE, _referentiel_file
    from vaecos.referentiels.loader import load_data

    data = copy.deepcopy(_referentiel_file()[0])
    data["version"] = version
    data["valid_from"] = D(int(version), 1, 1)
    data["branches"] = [
        {"code": "retraite", "name": "Retraite"},
        {"code": "maladie", "name": "Assurance maladie"},
        {"code": "recouvrement", "name": "Recouvrement"},
    ]
    return load_data(data, source_file=REFERENTIEL_FILE.name, digest=version * 16).version


@pytest.fixture
def world(referentiel):
    return build_world(referentiel)


def filters(referentiel=None, branch: str | None = None, period=YEAR_2025) -> Filters:
    return Filters(branch=branch, start=period[0], end=period[1])


# --- The step ------------------------------------------------------------------------------------


def test_the_stored_step_matches_the_property_on_the_built_cases(world):
    annotated = {
        pk: stage.partition(":")[0] for pk, stage in VaeCase.objects.values_list("pk", "stage")
    }
    expected = {
        "c1": Step.CLOSED,
        "c2": Step.DOSSIER,
        "c3": Step.DOSSIER,
        "c4": Step.EVALUATION,
        "c5": Step.EVALUATION,
        "c6": Step.ADMISSIBILITY,
        "c7": Step.ADMISSIBILITY,
        "c8": Step.ADMISSIBILITY,
        "c9": Step.EVALUATION,
        "c10": Step.ADMISSIBILITY,
    }
    assert {name: annotated[case.pk] for name, case in world.items()} == expected
    assert {name: case.step for name, case in world.items()} == expected


def test_the_stored_stage_matches_the_property_on_generated_cases(referentiel):
    from vaecos.demo import generator

    generator.generate(400, today=D(2026, 6, 16))
    cases = VaeCase.objects.annotate(computed=stage_expression())
    seen = set()
    for case in cases:
        assert case.stage == case.computed, case.pk
        assert case.stage.split(":")[0] == case.step, case.pk
        seen.add(case.stage)
    # The generated cases go through every step and many of their states.
    assert {stage.split(":")[0] for stage in seen} == set(Step.values)
    assert len(seen) >= 8
    # The pipeline counts each case once, in its step.
    found = figures.pipeline(filters(period=(D(2020, 1, 1), D(2026, 12, 31))))
    by_step = dict.fromkeys(Step, 0)
    for case in VaeCase.objects.all():
        by_step[case.step] += 1
    assert {s.step: s.total for s in found.steps} == by_step
    assert found.total == VaeCase.objects.count() == 400
    assert all(sum(n for _, n in s.states) == s.total for s in found.steps)


def test_a_registration_marked_absent_without_deliberation_is_still_counted(referentiel):
    case = case_opened(referentiel, "famille", D(2025, 5, 1))
    request_for(case, Status.FAVOURABLE, D(2025, 5, 1), D(2025, 5, 20))
    session = EvaluationSessionFactory(referentiel_version=referentiel, date=D(2025, 9, 1))
    registration(case, session, dossier_of(case), D(2025, 7, 1), RegistrationStatus.ABSENT)
    found = figures.pipeline(filters(referentiel))
    evaluation = found.steps[2]
    assert (evaluation.step, evaluation.total) == (Step.EVALUATION, 1)
    assert evaluation.states == [("Absent, décision non notifiée", 1)]


# --- 1. The pipeline ------------------------------------------------------------------------------


def test_pipeline_counts_the_cases_opened_in_the_period_by_step_and_status(world, referentiel):
    found = figures.pipeline(filters(referentiel))
    assert found.total == 9  # c9 opened in 2024
    assert [(s.step, s.total, s.states) for s in found.steps] == [
        (
            Step.ADMISSIBILITY,
            4,
            [
                ("Déposée", 1),
                ("Complète, en instruction", 1),
                ("Non recevable", 1),
                ("Aucune demande", 1),
            ],
        ),
        (Step.DOSSIER, 2, [("Décision notifiée, pas de nouvelle tentative", 2)]),
        (
            Step.EVALUATION,
            2,
            [("Dossier transmis, candidat inscrit", 1), ("Dossier transmis, candidat convoqué", 1)],
        ),
        (Step.CLOSED, 1, [("Validation totale notifiée", 1)]),
    ]
    assert [(b.name, b.counts, b.total) for b in found.branches] == [
        ("Famille", {"recevabilite": 2, "livret2": 1, "evaluation": 1, "clos": 1}, 5),
        ("Maladie", {"recevabilite": 2, "livret2": 1, "evaluation": 1, "clos": 0}, 4),
    ]


def test_pipeline_of_one_branch_and_of_an_empty_period(world, referentiel):
    maladie = figures.pipeline(filters(referentiel, "maladie"))
    assert [s.total for s in maladie.steps] == [2, 1, 1, 0]
    assert [b.name for b in maladie.branches] == ["Maladie"]
    empty = figures.pipeline(filters(referentiel, period=(D(2020, 1, 1), D(2020, 12, 31))))
    assert empty.total == 0 and empty.branches == []


def test_a_case_without_branch_is_counted_apart(referentiel):
    case_opened(referentiel, None, D(2025, 3, 3))
    found = figures.pipeline(filters(referentiel))
    assert [(b.name, b.total) for b in found.branches] == [("Sans branche", 1)]


# --- 2. Durations ---------------------------------------------------------------------------------


def as_table(found):
    return {d.key: (d.n, d.median, d.p90) for d in found}


def test_durations_median_and_90th_percentile_by_nearest_rank(world, referentiel):
    assert as_table(figures.durations(filters(referentiel))) == {
        # 10 20 30 40 50 80: ranks 3 and 6
        "decision": (6, 30, 80),
        # 70 79 91 131 133 164: ranks 3 and 6 (c4's second transmission is not a first one)
        "transmission": (6, 91, 164),
        # 36 40 45 46 51: ranks 3 and 5 (c4 and c5's session of 2026 is outside the period)
        "session": (5, 45, 51),
        # 10 20 30: ranks 2 and 3 (the absent candidate has no result to wait for)
        "result": (3, 20, 30),
    }


def test_durations_of_one_branch(world, referentiel):
    assert as_table(figures.durations(filters(referentiel, "famille"))) == {
        "decision": (3, 30, 50),  # 10 30 50
        "transmission": (4, 79, 164),  # 70 79 131 164: ranks 2 and 4
        "session": (3, 46, 51),  # 40 46 51
        "result": (2, 10, 20),  # 10 20: ranks 1 and 2
    }


def test_durations_of_an_empty_period(world, referentiel):
    found = figures.durations(filters(referentiel, period=(D(2020, 1, 1), D(2020, 12, 31))))
    assert as_table(found) == {
        "decision": (0, None, None),
        "transmission": (0, None, None),
        "session": (0, None, None),
        "result": (0, None, None),
    }


def test_percentiles_of_one_to_ten_values(referentiel):
    """Nearest rank on 1..10 values of 1, 2, … n days: median ceil(n/2), p90 ceil(0.9 n)."""
    case = case_opened(referentiel, "famille", D(2025, 1, 1))
    for days in range(1, 11):
        request_for(
            case, Status.UNFAVOURABLE, D(2025, 1, 1), D(2025, 1, 1) + datetime.timedelta(days)
        )
        found = figures.durations(filters(referentiel))[0]
        assert (found.n, found.median, found.p90) == (days, (days + 1) // 2, (9 * days + 9) // 10)


# --- 3. Outcomes and blocs -----------------------------------------------------------------------


def test_outcomes_by_month_of_the_session(world, referentiel):
    found = figures.outcomes(filters(referentiel))
    assert found.unit == "month"
    assert [p.label for p in found.periods][:3] == ["janv. 2025", "févr. 2025", "mars 2025"]
    assert len(found.periods) == 12
    nonzero = {
        p.label: {k: v for k, v in p.counts.items() if v}
        for p in found.periods
        if any(p.counts.values())
    }
    assert nonzero == {
        "juin 2025": {"totale": 1, "partielle": 1},
        "sept. 2025": {"aucune": 1, "absent": 1},
    }
    assert found.totals == {"totale": 1, "partielle": 1, "aucune": 1, "absent": 1, "excuse": 0}
    assert [(b.name, b.counts, b.evaluated) for b in found.branches] == [
        ("Famille", {"totale": 1, "partielle": 1, "aucune": 0, "absent": 0, "excuse": 0}, 2),
        ("Maladie", {"totale": 0, "partielle": 0, "aucune": 1, "absent": 1, "excuse": 0}, 1),
    ]


def test_outcomes_by_quarter_over_a_long_period(world, referentiel):
    found = figures.outcomes(filters(referentiel, period=(D(2024, 2, 1), D(2026, 6, 30))))
    assert found.unit == "quarter"
    assert [p.label for p in found.periods] == [
        "T1 2024", "T2 2024", "T3 2024", "T4 2024",
        "T1 2025", "T2 2025", "T3 2025", "T4 2025",
        "T1 2026", "T2 2026",
    ]  # fmt: skip
    by_label = {p.label: p.counts for p in found.periods}
    assert by_label["T2 2025"]["totale"] == 1 and by_label["T2 2025"]["partielle"] == 1
    assert by_label["T3 2025"]["aucune"] == 1 and by_label["T3 2025"]["absent"] == 1


def test_validated_blocs(world, referentiel):
    found = figures.validated_blocs(filters(referentiel))
    assert [(b.roman, b.code, b.validated, b.assessed, b.rate) for b in found] == [
        ("I", "RNCP35543BC01", 2, 3, 67),
        ("II", "RNCP35543BC02", 2, 3, 67),
        ("III", "RNCP35543BC03", 1, 3, 33),
        ("IV", "RNCP35543BC04", 1, 3, 33),
    ]
    famille = figures.validated_blocs(filters(referentiel, "famille"))
    assert [(b.validated, b.assessed) for b in famille] == [(2, 2), (2, 2), (1, 2), (1, 2)]


# --- 5. Deadlines at risk ------------------------------------------------------------------------


def test_deadlines_at_risk(referentiel):
    today = D(2026, 1, 15)
    due = {}
    for name, decision_due, branch in (
        ("overdue", D(2026, 1, 10), "famille"),
        ("near", D(2026, 1, 25), "famille"),  # 10 days: at risk, the day included
        ("later", D(2026, 1, 26), "famille"),
        ("other_branch", D(2026, 1, 14), "maladie"),
    ):
        case = case_opened(referentiel, branch, D(2025, 11, 1))
        due[name] = request_for(case, Status.COMPLETE, D(2025, 11, 1), decision_due=decision_due)
    # Favourable: ends in 60 days (near), ended yesterday (overdue), ends in 61 days (not yet),
    # ends in 10 days but transmitted since the decision (nothing to do).
    for name, end, transmitted in (
        ("validity_near", D(2026, 3, 16), False),
        ("validity_over", D(2026, 1, 14), False),
        ("validity_later", D(2026, 3, 17), False),
        ("validity_sent", D(2026, 1, 25), True),
    ):
        case = case_opened(referentiel, "famille", D(2024, 6, 1))
        due[name] = request_for(
            case, Status.FAVOURABLE, D(2024, 7, 1), D(2024, 7, 20), validity_end=end
        )
        if transmitted:
            session = EvaluationSessionFactory(referentiel_version=referentiel, date=D(2026, 2, 20))
            registration(case, session, dossier_of(case), D(2026, 1, 5))
    # Past sessions without a notified decision: 20 days ago (late), 5 days ago (near); one
    # notified; one session still to come.
    waiting = {}
    for name, day, notified in (
        ("late", D(2025, 12, 26), False),
        ("recent", D(2026, 1, 10), False),
        ("done", D(2025, 12, 20), True),
        ("coming", D(2026, 1, 20), False),
    ):
        case = case_opened(referentiel, "famille", D(2025, 1, 1))
        session = EvaluationSessionFactory(referentiel_version=referentiel, date=day)
        waiting[name] = registration(case, session, dossier_of(case), day - datetime.timedelta(40))
        if notified:
            decision(waiting[name], Outcome.TOTAL, day + datetime.timedelta(5), validated=(1,))

    found = {k.key: k for k in figures.deadlines(filters(referentiel), today)}
    decision_kind = found["decision"]
    assert (decision_kind.overdue, decision_kind.near) == (2, 1)
    assert [(i["pk"], i["days"], i["url_name"]) for i in decision_kind.items] == [
        (due["overdue"].pk, -5, "admissibility:instruct"),
        (due["other_branch"].pk, -1, "admissibility:instruct"),
        (due["near"].pk, 10, "admissibility:instruct"),
    ]
    validity = found["validity"]
    assert (validity.overdue, validity.near) == (1, 1)
    assert [i["pk"] for i in validity.items] == [due["validity_over"].pk, due["validity_near"].pk]
    result = found["result"]
    assert (result.overdue, result.near) == (1, 1)
    assert [(i["pk"], i["ago"], i["url_name"]) for i in result.items] == [
        (waiting["late"].pk, 20, "jury:candidate"),
        (waiting["recent"].pk, 5, "jury:candidate"),
    ]

    maladie = {k.key: k for k in figures.deadlines(filters(referentiel, "maladie"), today)}
    assert (maladie["decision"].overdue, maladie["decision"].near) == (1, 0)
    assert maladie["validity"].items == [] and maladie["result"].items == []


# --- Everything, in a fixed number of queries ----------------------------------------------------


def figure_queries() -> int:
    """Thirteen, and on PostgreSQL the transaction that turns JIT off (SAVEPOINT, SET LOCAL,
    RELEASE inside the test's transaction)."""
    from django.db import connection

    return 13 + (3 if connection.vendor == "postgresql" else 0)


def test_the_dashboard_takes_the_same_number_of_queries_whatever_the_data(
    referentiel, django_assert_num_queries
):
    names = figures.branch_names()
    with django_assert_num_queries(figure_queries()):
        figures.dashboard(filters(referentiel), today=D(2026, 1, 15), names=names)
    build_world(referentiel)
    with django_assert_num_queries(figure_queries()):
        board = figures.dashboard(filters(referentiel), today=D(2026, 1, 15), names=names)
    assert board.pipeline.total == 9
    # Without the branches' names, one more query reads them.
    with django_assert_num_queries(1 + figure_queries()):
        figures.dashboard(filters(referentiel), today=D(2026, 1, 15))


def test_default_period_is_the_last_twelve_months_this_one_included():
    assert figures.default_period(D(2026, 12, 2)) == (D(2026, 1, 1), D(2026, 12, 2))
    assert figures.default_period(D(2026, 3, 31)) == (D(2025, 4, 1), D(2026, 3, 31))


# --- A branch code across the versions of the référentiel -----------------------------------------


def test_a_branch_code_covers_its_branches_in_every_version(world, referentiel):
    """`maladie` of 2021 and of 2027 are one branch: counted together, under the latest name."""
    later = second_version(referentiel)
    case = case_opened(later, "maladie", D(2025, 5, 5))
    request_for(case, Status.UNFAVOURABLE, D(2025, 5, 5), D(2025, 5, 12))  # 7 days
    session = EvaluationSessionFactory(referentiel_version=later, date=D(2025, 11, 3))
    sent = registration(case, session, dossier_of(case), D(2025, 10, 1))
    decision(sent, Outcome.TOTAL, D(2025, 11, 13), validated=(1, 2, 3, 4))
    case_opened(later, "retraite", D(2025, 5, 6))

    assert list(figures.branch_names().items()) == [
        ("famille", (0, "Famille")),
        ("retraite", (0, "Retraite")),
        ("maladie", (1, "Assurance maladie")),
        ("recouvrement", (2, "Recouvrement")),
    ]
    everything = figures.pipeline(filters(referentiel))
    assert [(b.name, b.total) for b in everything.branches] == [
        ("Famille", 5),
        ("Retraite", 1),
        ("Assurance maladie", 5),  # one line for the 4 cases of 2021 and the one of 2027
    ]
    maladie = filters(branch="maladie")
    assert [s.total for s in figures.pipeline(maladie).steps] == [2, 1, 1, 1]
    durations = as_table(figures.durations(maladie))
    assert durations["decision"] == (4, 20, 80)  # 7 20 40 80
    assert durations["result"] == (2, 10, 30)  # 10 (2027) 30 (2021)
    found = figures.outcomes(maladie)
    assert [(b.name, b.counts["totale"], b.evaluated) for b in found.branches] == [
        ("Assurance maladie", 1, 2)
    ]
    # The blocs of the two versions, one line each (same number and code).
    assert [(b.validated, b.assessed) for b in figures.validated_blocs(maladie)] == [(1, 2)] * 4
    assert figures.pipeline(filters(branch="inconnue")).total == 0


def test_the_figures_read_no_case_as_a_python_object(referentiel):
    """Aggregation in the database: among 200 generated cases, the only model instances the
    dashboard builds are the few deadlines it lists (at most 5 per list, with their case and
    candidate or session)."""
    from django.db.models.signals import pre_init

    from vaecos.demo import generator

    generator.generate(200, today=D(2026, 6, 16))
    built: list[type] = []

    def count(sender, **kwargs):
        built.append(sender)

    pre_init.connect(count)
    try:
        board = figures.dashboard(filters(period=(D(2020, 1, 1), D(2026, 12, 31))), D(2026, 6, 16))
    finally:
        pre_init.disconnect(count)
    assert board.pipeline.total == 200
    listed = sum(len(kind.items) for kind in board.deadlines)
    assert len(built) <= 3 * listed <= 3 * 3 * figures.AT_RISK_LIST


def test_durations_count_local_days_at_the_edges_of_midnight(referentiel):
    """A request received at 23:30 or 00:30 local time counts from that local day, on SQLite as
    on PostgreSQL (the database converts to the site's time zone before taking the date)."""
    tz = timezone.get_current_timezone()
    case = case_opened(referentiel, "famille", D(2025, 3, 1))
    for received in (
        datetime.datetime(2025, 3, 9, 23, 30, tzinfo=tz),  # 10 days before the decision
        datetime.datetime(2025, 3, 10, 0, 30, tzinfo=tz),  # 9 days
        datetime.datetime(2025, 3, 10, 23, 59, tzinfo=tz),  # 8 days
    ):
        AdmissibilityRequestFactory(
            case=case,
            status=Status.UNFAVOURABLE,
            submitted_at=received,
            complete_on=received.date(),
            decision_due=received.date() + datetime.timedelta(61),
            decided_on=D(2025, 3, 19),
        )
    found = figures.durations(filters(referentiel))[0]
    assert (found.n, found.median, found.p90) == (3, 9, 10)


def test_a_transmission_without_a_favourable_decision_is_not_counted(world, referentiel):
    """Its duration is unknown (NULL): ranked apart, not in n, so the figures do not move."""
    case = case_opened(referentiel, "famille", D(2025, 2, 1))
    request_for(case, Status.FAVOURABLE, D(2025, 2, 1), D(2025, 9, 1))  # decided after it
    session = EvaluationSessionFactory(referentiel_version=referentiel, date=D(2025, 7, 1))
    registration(case, session, dossier_of(case), D(2025, 6, 1))
    assert as_table(figures.durations(filters(referentiel)))["transmission"] == (6, 91, 164)


def test_a_transmission_counts_from_the_latest_favourable_decision_before_it(referentiel):
    """Several decisions for one case: the latest favourable (or expired) one on or before the
    day of the first transmission; later ones, other statuses and later transmissions do not
    count, and the case's transmission is counted once (the decisions are joined, then
    grouped)."""
    case = case_opened(referentiel, "famille", D(2025, 1, 1))
    request_for(case, Status.EXPIRED, D(2025, 1, 1), D(2025, 1, 31))  # 60 days before
    request_for(case, Status.FAVOURABLE, D(2025, 2, 20), D(2025, 3, 2))  # 30 days before
    request_for(case, Status.UNFAVOURABLE, D(2025, 3, 5), D(2025, 3, 20))  # not favourable
    request_for(case, Status.FAVOURABLE, D(2025, 4, 2), D(2025, 4, 10))  # after it
    first = EvaluationSessionFactory(referentiel_version=referentiel, date=D(2025, 5, 1))
    second = EvaluationSessionFactory(referentiel_version=referentiel, date=D(2025, 9, 1))
    registration(case, first, dossier_of(case), D(2025, 4, 1), RegistrationStatus.ABSENT)
    registration(case, second, dossier_of(case, attempt=2), D(2025, 7, 1))
    # Another case, transmitted on the day of its decision: 0 days.
    other = case_opened(referentiel, "maladie", D(2025, 2, 1))
    request_for(other, Status.FAVOURABLE, D(2025, 2, 1), D(2025, 6, 2))
    session = EvaluationSessionFactory(referentiel_version=referentiel, date=D(2025, 7, 1))
    registration(other, session, dossier_of(other), D(2025, 6, 2))

    durations = as_table(figures.durations(filters(referentiel)))
    assert durations["transmission"] == (2, 0, 30)
    assert as_table(figures.durations(filters(branch="famille")))["transmission"] == (1, 30, 30)
    # The period filters the first transmission's date.
    after_it = filters(period=(D(2025, 4, 2), D(2025, 12, 31)))
    assert as_table(figures.durations(after_it))["transmission"] == (1, 0, 0)
