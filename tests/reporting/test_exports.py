"""The CSV exports' rows, cells and filters, on data whose answers are known.

The world builders here (`queue_request`, `session`, `registration`, `decision`) are shared
with tests/www/test_exports.py.
"""

import csv
import datetime
import io
import zoneinfo

import pytest
from django.http import QueryDict
from django.utils import timezone

from tests.accounts.factories import UserFactory
from tests.admissibility.factories import AdmissibilityRequestFactory
from tests.cases.factories import VaeCaseFactory
from tests.dossiers.factories import dossier_for
from tests.evaluation.factories import EvaluationSessionFactory, RegistrationFactory
from vaecos.admissibility.models import Nature, Status
from vaecos.admissibility.queue import QueueFilters
from vaecos.evaluation.models import RegistrationStatus
from vaecos.jury.models import AcquiredBloc, BlocResult, Deliberation, Outcome
from vaecos.reporting import exports
from vaecos.reporting.exports import Filters

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
D = Deliberation.Status


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=PARIS)


# --- World builders ----------------------------------------------------------------------------


def branch(referentiel, code: str):
    return referentiel.branches.get(code=code)


def case(referentiel, last_name: str, first_name: str = "Camille", branch_code: str = "famille"):
    candidate = UserFactory(last_name=last_name, first_name=first_name)
    return VaeCaseFactory(
        referentiel_version=referentiel,
        candidate=candidate,
        branch=branch(referentiel, branch_code),
    )


def queue_request(referentiel, last_name: str, status: str, **kwargs):
    return AdmissibilityRequestFactory(
        case=case(referentiel, last_name, branch_code=kwargs.pop("branch_code", "famille")),
        status=status,
        **kwargs,
    )


def session(referentiel, day: datetime.date, **kwargs):
    return EvaluationSessionFactory(referentiel_version=referentiel, date=day, **kwargs)


def registration(referentiel, on, last_name: str, first_name: str = "Camille", **kwargs):
    """A registration of a new candidate to `on`; `transmitted`: with their Livret 2, sent."""
    branch_code = kwargs.pop("branch_code", "famille")
    transmitted_at = kwargs.pop("transmitted_at", None)
    if transmitted_at is not None:
        candidate = UserFactory(last_name=last_name, first_name=first_name)
        dossier = dossier_for(referentiel, candidate=candidate)
        the_case = dossier.case
        the_case.branch = branch(referentiel, branch_code)
        the_case.save(update_fields=["branch"])
        kwargs.update(dossier=dossier, transmitted_at=transmitted_at)
    else:
        the_case = case(referentiel, last_name, first_name, branch_code)
    return RegistrationFactory(session=on, case=the_case, **kwargs)


def decision(registration_, status=D.NOTIFIED, outcome=Outcome.PARTIAL, blocs=(), **kwargs):
    """The jury's decision on the registration; `blocs`: (activity number, validated) pairs."""
    day = registration_.session.date
    deliberation = Deliberation.objects.create(
        registration=registration_,
        status=status,
        outcome=outcome,
        deliberated_at=kwargs.pop("deliberated_at", at(day, 15)),
        **kwargs,
    )
    version = registration_.case.referentiel_version
    for number, validated in blocs:
        BlocResult.objects.create(
            deliberation=deliberation,
            activity=version.activities.get(number=number),
            validated=validated,
        )
    return deliberation


def keep(deliberation, *numbers: int) -> None:
    """The blocs this decision validated, kept on the candidate's record (as notify does)."""
    version = deliberation.registration.case.referentiel_version
    for number in numbers:
        activity = version.activities.get(number=number)
        AcquiredBloc.objects.create(
            candidate=deliberation.registration.case.candidate,
            certification=version.certification,
            bloc_code=activity.bloc_code,
            activity=activity,
            deliberation=deliberation,
            acquired_on=timezone.localdate(deliberation.deliberated_at),
        )


def parse(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))


# --- Cells and the file ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (True, "oui"),
        (False, "non"),
        (0, "0"),
        (12, "12"),
        (datetime.date(2026, 3, 7), "07/03/2026"),
        (datetime.time(9, 5), "09:05"),
        # 23:30 UTC on 31 December is already 1 January in Paris.
        (datetime.datetime(2025, 12, 31, 23, 30, tzinfo=datetime.UTC), "01/01/2026"),
        ("Éloïse Ñúñez-Œuvray", "Éloïse Ñúñez-Œuvray"),
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+33 6 00", "'+33 6 00"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_a_cell_reads_as_excel_in_french_shows_it_and_never_as_a_formula(value, expected):
    assert exports.cell(value) == expected


def test_the_file_has_a_bom_semicolons_crlf_and_quotes_what_needs_it():
    body = b"".join(
        exports.lines(
            ("Nom", "Date"), [("Dupont; fils", datetime.date(2026, 1, 2)), ("A\nB", None)]
        )
    )

    assert body == ('\ufeffNom;Date\r\n"Dupont; fils";02/01/2026\r\n"A\nB";\r\n').encode()
    assert parse(body) == [["Nom", "Date"], ["Dupont; fils", "02/01/2026"], ["A\nB", ""]]


def test_the_file_name_is_dated():
    assert exports.filename("sessions", datetime.date(2026, 12, 2)) == "sessions-2026-12-02.csv"


# --- Filters -----------------------------------------------------------------------------------


def test_the_filters_read_a_branch_code_and_iso_dates():
    filters = Filters.from_query(QueryDict("branche=famille&du=2026-01-31&au=2026-12-01"))

    assert filters == Filters("famille", datetime.date(2026, 1, 31), datetime.date(2026, 12, 1))
    assert filters.describe() == "branche famille, du 31/01/2026, au 01/12/2026"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "branche=&du=&au=",
        "branche=%00&du=hier&au=demain",
        "branche=%00%00&du=2026-02-30&au=2026-13-01",
        "du=2026-1-1&au=20260101",
        "du=2026-01-01T10:00&au=+2026-01-01",
        "du=%00&au=2026-01-01%00",
        "du=01/02/2026&au=2026-W01-1",
        "du=99999-01-01&au=0000-00-00",
    ],
)
def test_a_filter_that_does_not_parse_is_ignored(query):
    assert Filters.from_query(QueryDict(query)) == Filters()


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("maladie", "maladie"),
        ("mala%00die", "maladie"),  # NUL, refused by PostgreSQL in text, dropped
        ("%D9%A1%D9%A2", "١٢"),  # any text: it selects no branch
        ("x" * 500, "x" * 100),  # longer than any code: it still selects none
    ],
)
def test_the_branch_is_any_text_as_on_the_queue_page(raw, code):
    assert Filters.from_query(QueryDict(f"branche={raw}")).branch == code


def test_the_queue_filters_are_the_queue_pages():
    filters = QueueFilters.from_query(
        QueryDict("statut=complete&branche=famille&q=%20Mar%00tin%20")
    )
    assert filters == QueueFilters("complete", "famille", "Martin")
    assert filters.describe() == "statut Complète, en instruction, branche famille, nom « Martin »"
    assert QueueFilters.from_query(QueryDict("statut=nimporte&q=" + "x" * 150)) == QueueFilters(
        "", "", "x" * 100
    )


# --- The queue ---------------------------------------------------------------------------------


def test_the_queue_rows_are_the_queues_in_its_order_with_labels(referentiel):
    today = datetime.date(2026, 6, 15)
    queue_request(referentiel, "Brouillon", Status.DRAFT)
    late = queue_request(
        referentiel,
        "Zorro",
        Status.COMPLETE,
        submitted_at=at(datetime.date(2026, 3, 1)),
        complete_on=datetime.date(2026, 3, 10),
        decision_due=datetime.date(2026, 6, 10),
    )
    soon = queue_request(
        referentiel,
        "Éloïse",
        Status.COMPLETE,
        submitted_at=at(datetime.date(2026, 4, 1)),
        complete_on=datetime.date(2026, 4, 20),
        decision_due=datetime.date(2026, 6, 20),
        branch_code="maladie",
    )
    decided = queue_request(
        referentiel,
        "Alpha",
        Status.FAVOURABLE,
        nature=Nature.RENEWAL,
        birth_name="=DUPONT",
        submitted_at=at(datetime.date(2026, 1, 5)),
        complete_on=datetime.date(2026, 1, 6),
        decision_due=datetime.date(2026, 3, 6),
        decided_on=datetime.date(2026, 3, 6),
        implicit=True,
        validity_end=datetime.date(2027, 9, 6),
    )

    rows = list(exports.queue_rows(QueueFilters(), today))

    assert rows == [
        (
            late.pk,
            "Zorro",
            "Camille",
            "",
            "Famille",
            "1ère demande",
            "Complète, en instruction",
            at(datetime.date(2026, 3, 1)),
            datetime.date(2026, 3, 10),
            datetime.date(2026, 6, 10),
            "Dépassée",
            None,
            False,
            None,
        ),
        (
            soon.pk,
            "Éloïse",
            "Camille",
            "",
            "Maladie",
            "1ère demande",
            "Complète, en instruction",
            at(datetime.date(2026, 4, 1)),
            datetime.date(2026, 4, 20),
            datetime.date(2026, 6, 20),
            "Proche",
            None,
            False,
            None,
        ),
        (
            decided.pk,
            "Alpha",
            "Camille",
            "=DUPONT",
            "Famille",
            "Renouvellement",
            "Recevable",
            at(datetime.date(2026, 1, 5)),
            datetime.date(2026, 1, 6),
            datetime.date(2026, 3, 6),
            "",
            datetime.date(2026, 3, 6),
            True,
            datetime.date(2027, 9, 6),
        ),
    ]
    assert [r[1] for r in exports.queue_rows(QueueFilters(branch="maladie"), today)] == ["Éloïse"]
    assert [r[1] for r in exports.queue_rows(QueueFilters(status="recevable"), today)] == ["Alpha"]
    assert [r[1] for r in exports.queue_rows(QueueFilters(query="dupont"), today)] == ["Alpha"]
    assert [r[1] for r in exports.queue_rows(QueueFilters(query="zor"), today)] == ["Zorro"]
    assert list(exports.queue_rows(QueueFilters(status="brouillon"), today)) == []


# --- Sessions ----------------------------------------------------------------------------------


@pytest.fixture
def sessions_world(referentiel):
    """Three sessions: one open to every branch with two candidates (one decided, one whose
    deliberation is still a draft), one for Maladie with none, one later for Famille."""
    first = session(
        referentiel,
        datetime.date(2026, 3, 10),
        start_time=datetime.time(9, 30),
        place="Ucanss, salle 4",
        capacity=8,
    )
    convened = registration(
        referentiel,
        first,
        "Żółć",
        "Anaïs",
        status=RegistrationStatus.EVALUATED,
        transmitted_at=at(datetime.date(2026, 2, 1)),
        convened_at=at(datetime.date(2026, 2, 3)),
    )
    decision(convened, outcome=Outcome.TOTAL)
    pending = registration(
        referentiel, first, "Bernard", branch_code="maladie", status=RegistrationStatus.CONVENED
    )
    decision(pending, status=D.DRAFT, outcome=Outcome.NONE)
    session(
        referentiel,
        datetime.date(2026, 4, 2),
        start_time=datetime.time(14, 0),
        place="",
        video_link="https://visio.exemple.test/jury",
        capacity=4,
        branch=branch(referentiel, "maladie"),
    )
    last = session(
        referentiel,
        datetime.date(2026, 5, 20),
        start_time=datetime.time(9, 0),
        branch=branch(referentiel, "famille"),
        place="=Lieu",
        capacity=2,
    )
    registration(referentiel, last, "Martin", branch_code="maladie")
    return referentiel


def test_the_sessions_rows_are_one_per_registration_and_one_per_empty_session(sessions_world):
    rows = list(exports.sessions_rows(Filters()))

    assert rows == [
        (
            datetime.date(2026, 3, 10),
            datetime.time(9, 30),
            "Toutes les branches",
            "Ucanss, salle 4",
            "",
            8,
            "Bernard",
            "Camille",
            "Convoqué",
            None,
            None,
            "",  # a draft deliberation: no decision yet
        ),
        (
            datetime.date(2026, 3, 10),
            datetime.time(9, 30),
            "Toutes les branches",
            "Ucanss, salle 4",
            "",
            8,
            "Żółć",
            "Anaïs",
            "Évalué",
            at(datetime.date(2026, 2, 1)),
            at(datetime.date(2026, 2, 3)),
            "Validation totale",
        ),
        (
            datetime.date(2026, 4, 2),
            datetime.time(14, 0),
            "Maladie",
            "",
            "https://visio.exemple.test/jury",
            4,
            None,
            None,
            "",
            None,
            None,
            "",
        ),
        (
            datetime.date(2026, 5, 20),
            datetime.time(9, 0),
            "Famille",
            "=Lieu",
            "",
            2,
            "Martin",
            "Camille",
            "Inscrit",
            None,
            None,
            "",
        ),
    ]


def test_the_sessions_filters_keep_a_branchs_sessions_and_its_candidates_in_open_ones(
    sessions_world,
):
    def names(filters):
        return [(row[0].isoformat(), row[6]) for row in exports.sessions_rows(filters)]

    maladie, famille = "maladie", "famille"

    # Maladie: its own session (empty), and its candidate in the open session.
    assert names(Filters(branch=maladie)) == [("2026-03-10", "Bernard"), ("2026-04-02", None)]
    # Famille: its candidate in the open session, and its own session whoever registered.
    assert names(Filters(branch=famille)) == [("2026-03-10", "Żółć"), ("2026-05-20", "Martin")]
    assert names(Filters(start=datetime.date(2026, 4, 2), end=datetime.date(2026, 5, 19))) == [
        ("2026-04-02", None)
    ]
    assert names(Filters(start=datetime.date(2026, 5, 21))) == []
    assert names(Filters(branch=famille, end=datetime.date(2026, 3, 10))) == [
        ("2026-03-10", "Żółć")
    ]


# --- Results -----------------------------------------------------------------------------------


@pytest.fixture
def results_world(referentiel):
    """Anaïs, absent in February then partially validated in March after acquiring bloc 1 in
    January; Bernard (Maladie) fully validated in March, decided by the casting vote; a draft."""
    january = session(referentiel, datetime.date(2026, 1, 12))
    february = session(referentiel, datetime.date(2026, 2, 9))
    march = session(referentiel, datetime.date(2026, 3, 16), start_time=datetime.time(9, 0))
    first = registration(referentiel, january, "Żółć", "Anaïs")
    anais = first.case
    first_decision = decision(
        first, outcome=Outcome.PARTIAL, blocs=[(1, True), (2, False), (3, False), (4, False)]
    )
    keep(first_decision, 1)
    absent = RegistrationFactory(session=february, case=anais)
    decision(absent, outcome=Outcome.ABSENT, signed_at=None, notified_at=None, status=D.DELIBERATED)
    again = RegistrationFactory(session=march, case=anais)
    partial = decision(
        again,
        outcome=Outcome.PARTIAL,
        blocs=[(2, True), (3, True), (4, False)],
        signed_at=at(datetime.date(2026, 3, 17)),
        notified_at=at(datetime.date(2026, 3, 18)),
    )
    keep(partial, 2, 3)
    bernard = registration(referentiel, march, "Bernard", branch_code="maladie")
    decision(
        bernard,
        outcome=Outcome.TOTAL,
        status=D.SIGNED,
        casting_vote_used=True,
        blocs=[(1, True), (2, True), (3, True), (4, True)],
        signed_at=at(datetime.date(2026, 3, 16), 18),
    )
    draft = registration(referentiel, march, "Brouillon")
    decision(draft, status=D.DRAFT, outcome=Outcome.NONE)
    return referentiel


BLOCS = [
    "Bloc I (RNCP35543BC01)",
    "Bloc II (RNCP35543BC02)",
    "Bloc III (RNCP35543BC03)",
    "Bloc IV (RNCP35543BC04)",
]


def test_the_results_have_one_row_per_decision_and_one_column_per_bloc(results_world):
    header, rows = exports.results_table(Filters())

    assert header == [*exports.RESULTS_HEADER, *BLOCS]
    cqp = "CQP Conseiller offres de services"
    assert [tuple(exports.cell(v) for v in row) for row in rows] == [
        (
            "12/01/2026",
            "Żółć",
            "Anaïs",
            "Famille",
            cqp,
            "Notifiée",
            "Validation partielle",
            "non",
            "12/01/2026",
            "",
            "",
            "validé",
            "non validé",
            "non validé",
            "non validé",
        ),
        (
            "09/02/2026",
            "Żółć",
            "Anaïs",
            "Famille",
            cqp,
            "Délibérée",
            "Candidat absent",
            "non",
            "09/02/2026",
            "",
            "",
            # Acquired in January; blocs II and III acquired in March are not « earlier ».
            "acquis antérieurement",
            "—",
            "—",
            "—",
        ),
        (
            "16/03/2026",
            "Bernard",
            "Camille",
            "Maladie",
            cqp,
            "Signée",
            "Validation totale",
            "oui",
            "16/03/2026",
            "16/03/2026",
            "",
            "validé",
            "validé",
            "validé",
            "validé",
        ),
        (
            "16/03/2026",
            "Żółć",
            "Anaïs",
            "Famille",
            cqp,
            "Notifiée",
            "Validation partielle",
            "non",
            "16/03/2026",
            "17/03/2026",
            "18/03/2026",
            "acquis antérieurement",
            "validé",
            "validé",
            "non validé",
        ),
    ]


def test_the_results_filters_apply_to_the_candidates_branch_and_the_session_date(results_world):
    def names(filters):
        header, rows = exports.results_table(filters)
        return [(exports.cell(row[0]), row[1]) for row in rows]

    maladie = "maladie"
    assert names(Filters(branch=maladie)) == [("16/03/2026", "Bernard")]
    assert names(Filters(start=datetime.date(2026, 2, 9), end=datetime.date(2026, 2, 9))) == [
        ("09/02/2026", "Żółć")
    ]
    assert names(Filters(end=datetime.date(2026, 1, 31))) == [("12/01/2026", "Żółć")]
    assert names(Filters(branch=maladie, end=datetime.date(2026, 3, 1))) == []


def test_no_decision_no_bloc_column(referentiel):
    header, rows = exports.results_table(Filters())

    assert header == list(exports.RESULTS_HEADER)
    assert list(rows) == []


def test_a_branch_code_covers_that_branch_in_every_version_of_the_referentiel(referentiel):
    """Codes are unique within a version only: `maladie` of two versions is one branch."""
    from tests.reporting.test_figures import second_version

    later = second_version(referentiel)
    on = session(referentiel, datetime.date(2026, 3, 16))
    for version, name in ((referentiel, "Ancien"), (later, "Nouveau"), (later, "Autre")):
        code = "retraite" if name == "Autre" else "maladie"
        decision(registration(version, on, name, branch_code=code), status=D.SIGNED)
        queue_request(
            version,
            name,
            Status.SUBMITTED,
            branch_code=code,
            submitted_at=at(datetime.date(2026, 1, 5)),
        )

    def names(rows, column):
        return sorted(row[column] for row in rows)

    maladie = Filters(branch="maladie")
    assert names(exports.sessions_rows(maladie), 6) == ["Ancien", "Nouveau"]
    assert names(exports.results_table(maladie)[1], 1) == ["Ancien", "Nouveau"]
    assert names(exports.queue_rows(QueueFilters(branch="maladie")), 1) == ["Ancien", "Nouveau"]
    assert names(exports.sessions_rows(Filters(branch="retraite")), 6) == ["Autre"]
