"""The CSV export views: who gets them, what the file holds, that it is streamed in a fixed number
of queries, that a bad parameter is ignored, that the export is journaled, and the links on the
queue and sessions pages."""

import datetime
import html

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.accounts.factories import UserFactory
from tests.reporting.test_exports import (
    at,
    branch,
    decision,
    parse,
    queue_request,
    registration,
    session,
)
from vaecos.admissibility.models import Status
from vaecos.audit.models import ReadEvent
from vaecos.jury.models import Outcome
from vaecos.reporting import exports

EXPORTS = ["reporting:export_queue", "reporting:export_sessions", "reporting:export_results"]
STEMS = {
    "reporting:export_queue": "recevabilite",
    "reporting:export_sessions": "sessions",
    "reporting:export_results": "resultats",
}
BLOCS = [f"Bloc {r} (RNCP35543BC0{n})" for n, r in enumerate(["I", "II", "III", "IV"], 1)]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def body(response) -> bytes:
    assert response.status_code == 200
    assert response.streaming
    return b"".join(response.streaming_content)


def csv_of(client, name, params=None) -> list[list[str]]:
    return parse(body(client.get(reverse(name), params or {})))


def world(referentiel, count: int = 1) -> None:
    """`count` rows in each export: requests, registrations with a decision each."""
    on = session(referentiel, datetime.date(2026, 3, 16))
    for number in range(count):
        queue_request(
            referentiel,
            f"Nom{number:02d}",
            Status.SUBMITTED,
            submitted_at=at(datetime.date(2026, 1, 1)),
        )
        decision(
            registration(referentiel, on, f"Nom{number:02d}"),
            blocs=[(1, True), (2, False), (3, True), (4, False)],
        )


# --- Who ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXPORTS)
@pytest.mark.parametrize("role", ["candidate", "coach", "jury_member"])
def test_only_the_certifiers_staff_get_an_export(name, role, request, referentiel):
    world(referentiel)
    user = request.getfixturevalue(role)

    response = signed_in(user).get(reverse(name))

    assert response.status_code == 404
    assert not response.streaming
    assert not ReadEvent.objects.exists()


@pytest.mark.parametrize("name", EXPORTS)
def test_an_anonymous_visitor_is_sent_to_the_login_page(name):
    response = Client().get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", EXPORTS)
@pytest.mark.parametrize("role", ["instructor", "administrator"])
def test_the_staff_get_a_dated_streamed_csv_attachment(name, role, request, referentiel):
    world(referentiel)
    user = request.getfixturevalue(role)

    response = signed_in(user).get(reverse(name))

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="{STEMS[name]}-{today}.csv"'
    assert response["Cache-Control"] == "private, no-store"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.endswith(b"\r\n")
    assert len(parse(content)) == 2  # the header and the one row


@pytest.mark.parametrize("name", EXPORTS)
def test_an_export_is_read_only(name, instructor):
    assert signed_in(instructor).post(reverse(name)).status_code == 405


@pytest.mark.parametrize("name", EXPORTS)
def test_each_export_is_recorded_in_the_audit_journal(name, instructor, referentiel):
    world(referentiel, 2)

    body(signed_in(instructor).get(reverse(name), {"branche": "famille", "du": "2026-01-01"}))

    event = ReadEvent.objects.get()
    assert (event.user, event.user_role, event.case, event.what) == (
        instructor,
        "instructeur",
        None,
        "export_csv",
    )
    assert event.path == reverse(name) + "?branche=famille&du=2026-01-01"
    expected = {
        "reporting:export_queue": ("Export CSV des demandes de recevabilité (branche famille)"),
        "reporting:export_sessions": (
            "Export CSV des sessions d'évaluation (branche famille, du 01/01/2026)"
        ),
        "reporting:export_results": (
            "Export CSV des résultats des jurys (branche famille, du 01/01/2026)"
        ),
    }
    assert event.label == expected[name]


# --- What --------------------------------------------------------------------------------------


def test_the_queue_export_has_the_french_header_and_escapes_formulas(referentiel, instructor):
    queue_request(
        referentiel,
        "=1+1",
        Status.COMPLETE,
        birth_name="@Ñúñez",
        submitted_at=at(datetime.date(2026, 1, 5)),
        complete_on=datetime.date(2026, 1, 6),
        decision_due=datetime.date(2026, 3, 6),
    )

    rows = csv_of(signed_in(instructor), "reporting:export_queue")

    assert rows[0] == [
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
    ]
    pk = rows[1][0]
    assert rows[1:] == [
        [
            pk,
            "'=1+1",
            "Camille",
            "'@Ñúñez",
            "Famille",
            "1ère demande",
            "Complète, en instruction",
            "05/01/2026",
            "06/01/2026",
            "06/03/2026",
            # Long past, in any year this test runs.
            "Dépassée",
            "",
            "non",
            "",
        ]
    ]


def _page_names(client, params) -> list[str]:
    response = client.get(reverse("admissibility:queue"), params)
    return [item["req"].case.candidate.last_name for item in response.context["items"]]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"statut": "complete"},
        {"statut": "deposee"},
        {"branche": "maladie"},
        {"q": "ber"},
        {"statut": "complete", "branche": "famille"},
        {"statut": "brouillon"},
        {"statut": "nimporte", "branche": "\x00", "q": "a\x00"},
    ],
)
def test_the_queue_export_holds_the_queue_pages_rows_for_the_same_filters(
    params, referentiel, instructor
):
    queue_request(referentiel, "Draft", Status.DRAFT)
    for name, status, due, code in (
        ("Alpha", Status.COMPLETE, datetime.date(2026, 5, 1), "famille"),
        ("Bernard", Status.COMPLETE, datetime.date(2026, 4, 1), "maladie"),
        ("Berthe", Status.SUBMITTED, None, "famille"),
        ("Charlie", Status.UNFAVOURABLE, datetime.date(2026, 1, 1), "famille"),
    ):
        queue_request(
            referentiel,
            name,
            status,
            decision_due=due,
            complete_on=datetime.date(2026, 1, 3) if due else None,
            decided_on=due if status == Status.UNFAVOURABLE else None,
            submitted_at=at(datetime.date(2026, 1, 2)),
            branch_code=code,
        )
    client = signed_in(instructor)

    exported = [row[1] for row in csv_of(client, "reporting:export_queue", params)[1:]]

    assert exported == _page_names(client, params)


def test_the_queue_export_keeps_the_filters_the_page_ignores_ignored(referentiel, instructor):
    queue_request(
        referentiel, "Alpha", Status.SUBMITTED, submitted_at=at(datetime.date(2026, 1, 2))
    )
    client = signed_in(instructor)

    assert [r[1] for r in csv_of(client, "reporting:export_queue", {"q": "alp"})[1:]] == ["Alpha"]
    assert csv_of(client, "reporting:export_queue", {"q": "zzz"})[1:] == []
    assert [r[1] for r in csv_of(client, "reporting:export_queue", {"statut": "x"})[1:]] == [
        "Alpha"
    ]


def test_the_sessions_export_has_one_row_per_registration_and_the_empty_sessions(
    referentiel, instructor
):
    open_session = session(
        referentiel, datetime.date(2026, 3, 10), start_time=datetime.time(9, 30), place="Salle 4"
    )
    decided = registration(referentiel, open_session, "Żółć", "Anaïs", status="evalue")
    decision(decided, outcome=Outcome.TOTAL)
    session(
        referentiel,
        datetime.date(2026, 4, 2),
        start_time=datetime.time(14, 0),
        place="",
        video_link="https://visio.exemple.test/jury",
        capacity=4,
        branch=branch(referentiel, "maladie"),
    )
    client = signed_in(instructor)

    rows = csv_of(client, "reporting:export_sessions")

    assert rows == [
        list(exports.SESSIONS_HEADER),
        [
            "10/03/2026",
            "09:30",
            "Toutes les branches",
            "Salle 4",
            "",
            "8",
            "Żółć",
            "Anaïs",
            "Évalué",
            "",
            "",
            "Validation totale",
        ],
        [
            "02/04/2026",
            "14:00",
            "Maladie",
            "",
            "https://visio.exemple.test/jury",
            "4",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
    ]
    assert [r[0] for r in csv_of(client, "reporting:export_sessions", {"branche": "maladie"})] == [
        "Date de la session",
        "02/04/2026",
    ]
    assert [
        r[0] for r in csv_of(client, "reporting:export_sessions", {"au": "2026-03-31"})[1:]
    ] == ["10/03/2026"]


def test_the_results_export_has_a_column_per_bloc_and_its_filters(referentiel, instructor):
    march = session(referentiel, datetime.date(2026, 3, 16))
    april = session(referentiel, datetime.date(2026, 4, 20))
    decision(
        registration(referentiel, march, "Żółć", "Anaïs"),
        outcome=Outcome.PARTIAL,
        blocs=[(1, True), (2, False), (3, True), (4, False)],
        signed_at=at(datetime.date(2026, 3, 17)),
        notified_at=at(datetime.date(2026, 3, 18)),
    )
    decision(
        registration(referentiel, april, "=cmd", branch_code="maladie"),
        outcome=Outcome.EXCUSED,
        status="delibere",
    )
    client = signed_in(instructor)

    rows = csv_of(client, "reporting:export_results")

    assert rows == [
        [
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
            *BLOCS,
        ],
        [
            "16/03/2026",
            "Żółć",
            "Anaïs",
            "Famille",
            "CQP Conseiller offres de services",
            "Notifiée",
            "Validation partielle",
            "non",
            "16/03/2026",
            "17/03/2026",
            "18/03/2026",
            "validé",
            "non validé",
            "validé",
            "non validé",
        ],
        [
            "20/04/2026",
            "'=cmd",
            "Camille",
            "Maladie",
            "CQP Conseiller offres de services",
            "Délibérée",
            "Candidat excusé",
            "non",
            "20/04/2026",
            "",
            "",
            "—",
            "—",
            "—",
            "—",
        ],
    ]
    maladie = "maladie"
    assert [r[1] for r in csv_of(client, "reporting:export_results", {"branche": maladie})[1:]] == [
        "'=cmd"
    ]
    assert [r[1] for r in csv_of(client, "reporting:export_results", {"du": "2026-04-01"})[1:]] == [
        "'=cmd"
    ]
    assert [r[1] for r in csv_of(client, "reporting:export_results", {"au": "2026-03-31"})[1:]] == [
        "Żółć"
    ]
    assert (
        csv_of(client, "reporting:export_results", {"du": "2026-03-17", "au": "2026-04-19"})[1:]
        == []
    )


BAD = [
    {"branche": "", "du": "hier", "au": "2026-02-30"},
    {"branche": "\x00", "du": "2026-1-1", "au": "\x00"},
    {"du": "2026-01-01T00:00", "au": "0000-00-00"},
    {"du": "२०२६-०१-०१", "au": "99999-12-31", "page": "x"},
]
# The queue's `branche` is a branch code, as on its page: any text is a filter there.
BAD_FOR_THE_QUEUE = [
    {"statut": "nimporte", "page": "x"},
    {"statut": "\x00", "branche": "\x00", "q": "\x00 "},
    {"statut": "dépos", "page": "-1", "du": "x"},
]


@pytest.mark.parametrize(
    ("name", "params"),
    [
        *(("reporting:export_queue", params) for params in BAD_FOR_THE_QUEUE),
        *(("reporting:export_sessions", params) for params in BAD),
        *(("reporting:export_results", params) for params in BAD),
    ],
)
def test_a_bad_parameter_is_ignored_never_a_server_error(name, params, referentiel, instructor):
    world(referentiel, 2)
    client = signed_in(instructor)

    unfiltered = body(client.get(reverse(name)))

    assert body(client.get(reverse(name), params)) == unfiltered


JUNK_BRANCHES = ["abc", "1", "-3", "99999999999999999999", "١", "x" * 5000, "Famille", "famille "]


@pytest.mark.parametrize("name", EXPORTS)
@pytest.mark.parametrize("junk", JUNK_BRANCHES)
def test_an_unknown_branch_code_gives_the_header_alone_never_a_server_error(
    name, junk, referentiel, instructor
):
    world(referentiel, 2)
    client = signed_in(instructor)
    assert len(csv_of(client, name, {"branche": "famille"})) == 3  # the header, two rows

    assert len(csv_of(client, name, {"branche": junk, "du": "x", "q": "\x00"})) == 1


@pytest.mark.parametrize("name", EXPORTS)
def test_a_repeated_parameter_never_fails(name, referentiel, instructor):
    world(referentiel, 1)
    client = signed_in(instructor)
    query = "?branche=famille&branche=zzz&du=2026-01-01&du=nope&au=&au=%00&statut=a&statut=b"

    assert body(client.get(reverse(name) + query)).startswith(b"\xef\xbb\xbf")


# --- How many queries --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # Session, user, the journal's event, the rows.
        ("reporting:export_queue", 4),
        ("reporting:export_sessions", 4),
        # … and the bloc columns, read before the rows.
        ("reporting:export_results", 5),
    ],
)
def test_an_export_costs_the_same_queries_for_1_row_or_30(name, expected, referentiel):
    client = signed_in(UserFactory(instructor=True))
    world(referentiel, 1)
    counts = []
    for more in (0, 29):
        if more:
            world(referentiel, more)
        with CaptureQueriesContext(connection) as queries:
            rows = parse(body(client.get(reverse(name))))
        counts.append(len(queries))
        assert len(rows) == 1 + 1 + more

    assert counts == [expected, expected]


def test_the_rows_are_read_by_chunks(referentiel, instructor, monkeypatch):
    """The export never holds more than a chunk: with chunks of 2 rows, 5 rows still stream
    right (on PostgreSQL through a server-side cursor)."""
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    world(referentiel, 5)
    client = signed_in(instructor)

    for name in EXPORTS:
        assert len(csv_of(client, name)) == 6


# --- The links on the staff's pages ------------------------------------------------------------


def test_the_queue_page_links_to_its_export_with_its_filters(referentiel, instructor):
    client = signed_in(instructor)

    page = html.unescape(
        client.get(
            reverse("admissibility:queue"), {"statut": "complete", "q": "Mar", "page": "2"}
        ).content.decode()
    )

    assert f'href="{reverse("reporting:export_queue")}?statut=complete&q=Mar"' in page
    assert "Exporter en CSV" in page
    plain = html.unescape(client.get(reverse("admissibility:queue")).content.decode())
    assert f'href="{reverse("reporting:export_queue")}"' in plain


def test_the_sessions_page_links_to_the_sessions_export(instructor):
    page = signed_in(instructor).get(reverse("evaluation:list")).content.decode()

    assert f'href="{reverse("reporting:export_sessions")}"' in page
    assert "Exporter en CSV" in page
