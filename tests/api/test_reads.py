"""Reading through the API: cases with their step and dates, admissibility decisions, sessions
with their registrations, jury results per bloc; pages, filters, the jury's scope, and query
counts that do not grow with the rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.accounts.factories import UserFactory
from tests.api.conftest import Api, complete_request, gaps
from tests.evaluation.factories import favourable_case
from tests.jury.factories import jury_session, transmitted, vote
from vaecos.api.models import Scope
from vaecos.cases.models import VaeCase
from vaecos.jury import services as jury
from vaecos.jury.models import Deliberation


@pytest.fixture
def decided(referentiel):
    """A session held today, two candidates: one with a tie decided by the president's casting
    vote (partial validation), one with no decision yet."""
    session, seats = jury_session(referentiel)
    first = transmitted(referentiel, session)
    second = transmitted(referentiel, session)
    vote(first, seats[0], True, False, True, True)
    vote(first, seats[1], False, True, True, True)
    jury.deliberation_decide(
        registration=first,
        by=seats[0].user,
        mode="votes",
        reasons="Bloc II à revoir.",
        competences_to_prove="II-3",
    )
    return session, seats, first, second


def test_cases_show_their_step_status_and_dates(referentiel, instructor, api_as, decided):
    session, _, first, _ = decided
    request = complete_request(referentiel)
    api = api_as(instructor, Scope.READ)

    response = api.get("/cases", {"limit": 100})

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 3 and data["next"] is None and data["previous"] is None
    by_id = {c["id"]: c for c in data["results"]}
    mine = by_id[first.case_id]
    assert mine["step"] == "evaluation"
    assert mine["admissibility_status"] == "recevable"
    assert mine["candidate"] == {
        "first_name": first.case.candidate.first_name,
        "last_name": first.case.candidate.last_name,
    }
    assert set(mine["candidate"]) == {"first_name", "last_name"}  # no e-mail, no address
    assert mine["dates"]["session_date"] == session.date.isoformat()
    assert mine["dates"]["transmitted"] is not None
    assert mine["dates"]["decision_notified"] is None
    assert mine["registrations"][0]["deliberation_status"] == "delibere"
    assert mine["registrations"][0]["outcome"] == "partielle"
    waiting = by_id[request.case_id]
    assert waiting["step"] == "recevabilite"
    assert waiting["admissibility_status"] == "complete"
    assert waiting["dates"]["admissibility_submitted"] is not None
    assert waiting["registrations"] == []
    # The stored step agrees with the model's, case by case.
    assert {pk: case["step"] for pk, case in by_id.items()} == {
        case.pk: case.step for case in VaeCase.objects.filter(pk__in=by_id)
    }


def test_pages_are_stable_and_linked(referentiel, instructor, api_as):
    cases = [favourable_case(referentiel) for _ in range(5)]
    api = api_as(instructor)

    first = api.get("/cases", {"limit": 2}).json()
    second = api.get("/cases", {"limit": 2, "offset": 2}).json()
    last = api.get("/cases", {"limit": 2, "offset": 4}).json()

    assert first["count"] == 5
    ids = [c["id"] for page in (first, second, last) for c in page["results"]]
    assert ids == [c.pk for c in cases]
    assert first["previous"] is None
    assert first["next"].endswith("/api/v1/cases?limit=2&offset=2")
    assert second["previous"].endswith("/api/v1/cases?limit=2&offset=0")
    assert last["next"] is None
    assert api.get("/cases", {"limit": 2, "offset": 50}).json()["results"] == []
    too_many = api.get("/cases", {"limit": 101})
    assert too_many.status_code == 422
    assert too_many.json()["error"]["details"][0]["location"] == ["query", "limit"]


def test_filters_by_branch_and_step(referentiel, instructor, api_as):
    branches = list(referentiel.branches.order_by("position"))
    favourable_case(referentiel, branch=branches[0])
    other = favourable_case(referentiel, branch=branches[1])
    api = api_as(instructor)

    found = api.get("/cases", {"branch": branches[1].code}).json()
    assert [c["id"] for c in found["results"]] == [other.pk]
    assert found["results"][0]["branch"] == {"code": branches[1].code, "name": branches[1].name}
    assert api.get("/cases", {"step": "livret2"}).json()["count"] == 2
    assert api.get("/cases", {"step": "clos"}).json()["count"] == 0
    assert api.get("/cases", {"step": "nimporte"}).status_code == 422


def test_results_per_bloc_with_the_casting_vote(instructor, api_as, decided):
    _, seats, first, _ = decided
    api = api_as(instructor, Scope.READ)

    data = api.get("/results").json()

    assert data["count"] == 1  # the second candidate's deliberation is not decided
    result = data["results"][0]
    assert result["registration_id"] == first.pk
    assert result["outcome"] == "partielle" and result["status"] == "delibere"
    assert result["casting_vote_used"] is True
    assert result["competences_to_prove"] == "II-3"
    blocs = {b["activity"]: b for b in result["blocs"]}
    assert [b["activity"] for b in result["blocs"]] == [1, 2, 3, 4]
    assert blocs[1]["validated"] is True and blocs[1]["casting_vote"] is True
    assert (blocs[1]["votes_for"], blocs[1]["votes_against"]) == (1, 1)
    assert blocs[2]["validated"] is False and blocs[2]["casting_vote"] is True
    assert (blocs[3]["votes_for"], blocs[3]["votes_against"], blocs[3]["casting_vote"]) == (
        2,
        0,
        False,
    )
    assert blocs[1]["code"]
    assert api.get(f"/results/{result['id']}").json() == result
    assert api.get("/results", {"status": "notifie"}).json()["count"] == 0


def test_sessions_list_their_registrations(instructor, api_as, decided):
    session, _, first, second = decided
    api = api_as(instructor, Scope.READ)

    data = api.get("/sessions").json()

    assert [s["id"] for s in data["results"]] == [session.pk]
    registrations = data["results"][0]["registrations"]
    assert {r["id"] for r in registrations} == {first.pk, second.pk}
    assert api.get(f"/sessions/{session.pk}").json()["id"] == session.pk
    later = session.date.replace(year=session.date.year + 1)
    assert api.get("/sessions", {"date_from": later.isoformat()}).json()["count"] == 0


def test_admissibility_requests_with_their_decision(referentiel, instructor, api_as):
    from vaecos.admissibility import services

    request = complete_request(referentiel)
    pending = complete_request(referentiel)
    services.request_decide(
        request=request,
        by=instructor,
        favourable=False,
        gaps={
            a.pk: ("non_couverte", "Rien sur l'activité.")
            for a in request.case.referentiel_version.activities.all()
        },
        reasons="Expérience sans rapport.",
    )
    api = api_as(instructor, Scope.READ)

    data = api.get("/admissibility-requests", {"decided": "true"}).json()

    assert data["count"] == 1
    found = data["results"][0]
    assert found["id"] == request.pk and found["status"] == "non_recevable"
    assert found["decision_reasons"] == "Expérience sans rapport."
    assert [g["activity"] for g in found["gaps"]] == [1, 2, 3, 4]
    assert {g["coverage"] for g in found["gaps"]} == {"non_couverte"}
    assert [a["number"] for a in found["activities"]] == [1, 2, 3, 4]
    undecided = api.get(f"/admissibility-requests/{pending.pk}").json()
    assert undecided["decided_on"] is None and undecided["gaps"] == []
    assert gaps(pending)[0]["activity"] == 1


def test_a_jury_member_reads_only_their_sessions_and_candidates(
    referentiel, api_as, decided, instructor
):
    session, seats, first, second = decided
    other_session, other_seats = jury_session(referentiel)
    elsewhere = transmitted(referentiel, other_session)
    api = api_as(seats[1].user, Scope.READ)

    cases = api.get("/cases").json()
    assert {c["id"] for c in cases["results"]} == {first.case_id, second.case_id}
    sessions = api.get("/sessions").json()
    assert [s["id"] for s in sessions["results"]] == [session.pk]
    assert api.get(f"/sessions/{other_session.pk}").status_code == 404
    assert api.get(f"/cases/{elsewhere.case_id}").status_code == 404
    results = api.get("/results").json()
    assert [r["registration_id"] for r in results["results"]] == [first.pk]
    # Admissibility stays the instructeurs' business, as on the web.
    assert api.get("/admissibility-requests").status_code == 403
    # The other session's jury does not see this session's result.
    assert Api(None).get("/results").status_code == 401
    other = api_as(other_seats[0].user, Scope.READ).get("/results").json()
    assert other["count"] == 0


def test_a_jury_member_does_not_read_a_candidate_they_coached(referentiel, api_as):
    session, seats = jury_session(referentiel)
    coached = transmitted(referentiel, session)
    coached.case.coach = seats[1].user
    coached.case.save(update_fields=["coach"])
    other = transmitted(referentiel, session)
    api = api_as(seats[1].user, Scope.READ)

    found = api.get("/sessions").json()["results"][0]["registrations"]

    assert [r["id"] for r in found] == [other.pk]
    assert api.get(f"/cases/{coached.case_id}").status_code == 404


def test_query_counts_do_not_grow_with_the_rows(
    referentiel, instructor, api_as, django_assert_num_queries, steady_clock
):
    session, seats = jury_session(referentiel)

    def add_one():
        registration = transmitted(referentiel, session)
        vote(registration, seats[0], True, True, True, True)
        vote(registration, seats[1], True, True, True, True)
        jury.deliberation_decide(registration=registration, by=seats[0].user, mode="votes")
        complete_request(referentiel)

    add_one()
    api = api_as(instructor, Scope.READ)
    paths = ["/cases", "/sessions", "/results", "/admissibility-requests"]
    api.get("/cases")  # the window's counter and the token's last use, written once
    counts = {}
    for path in paths:
        with CaptureQueriesContext(connection) as context:
            assert api.get(path).status_code == 200
        counts[path] = len(context.captured_queries)

    for _ in range(3):
        add_one()
    assert Deliberation.objects.exclude(status="brouillon").count() == 4

    for path in paths:
        with django_assert_num_queries(counts[path]):
            response = api.get(path)
        assert response.status_code == 200
        rows = response.json()["results"]
        assert len(rows[0]["registrations"]) == 4 if path == "/sessions" else len(rows) >= 4


def test_a_jury_members_query_count_is_constant(
    referentiel, api_as, django_assert_num_queries, steady_clock
):
    session, seats = jury_session(referentiel)
    organisation_member = seats[1].user
    transmitted(referentiel, session)
    api = api_as(organisation_member, Scope.READ)
    api.get("/cases")
    with CaptureQueriesContext(connection) as context:
        api.get("/cases")
    before = len(context.captured_queries)
    for _ in range(3):
        transmitted(referentiel, session)
    with django_assert_num_queries(before):
        assert api.get("/cases").json()["count"] == 4


def test_reads_are_in_the_audit_journal(referentiel, instructor, api_as):
    from vaecos.audit.models import ReadEvent

    case = favourable_case(referentiel)
    api = api_as(instructor, Scope.READ)

    api.get(f"/cases/{case.pk}")
    api.get("/cases")

    detail, listing = ReadEvent.objects.order_by("pk")
    assert (detail.user, detail.case, detail.what) == (instructor, case, "api_case")
    assert detail.path == f"/api/v1/cases/{case.pk}"
    assert (listing.case, listing.label) == (None, "API : liste des parcours (1)")


def test_an_inactive_user_elsewhere_does_not_matter(referentiel, instructor, api_as):
    UserFactory(instructor=True, is_active=False)
    assert api_as(instructor).get("/cases").status_code == 200


LISTS = ["/cases", "/sessions", "/results", "/admissibility-requests"]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"limit": -1},
        {"limit": "beaucoup"},
        {"limit": "2.5"},
        {"limit": ""},
        {"limit": 10**30},
        {"offset": -1},
        {"offset": 2**31 + 1},
        {"offset": 10**30},
        {"offset": "loin"},
    ],
    ids=lambda p: "-".join(f"{k}={v}"[:20] for k, v in p.items()),
)
def test_bad_pages_are_422_never_500(instructor, api_as, path, params):
    response = api_as(instructor, Scope.READ).get(path, params)

    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"][0]["location"] == ["query", next(iter(params))]


@pytest.mark.parametrize("path", LISTS)
def test_the_largest_page_and_offset_are_accepted(instructor, api_as, path):
    data = api_as(instructor, Scope.READ).get(path, {"limit": 100, "offset": 2**31}).json()

    assert data["results"] == [] and data["next"] is None


def test_query_counts_do_not_depend_on_the_page_size(
    referentiel, instructor, api_as, django_assert_num_queries, steady_clock
):
    session, seats = jury_session(referentiel)
    for _ in range(3):
        registration = transmitted(referentiel, session)
        vote(registration, seats[0], True, True, True, True)
        vote(registration, seats[1], True, True, True, True)
        jury.deliberation_decide(registration=registration, by=seats[0].user, mode="votes")
        complete_request(referentiel)
    jury_session(referentiel)  # a second session, so that /sessions has pages too
    api = api_as(instructor, Scope.READ)
    api.get("/cases")  # the window's counter and the token's last use, written once

    for path in LISTS:
        with CaptureQueriesContext(connection) as context:
            one = api.get(path, {"limit": 1})
        assert one.json()["next"] is not None, path  # there is more than one page
        with django_assert_num_queries(len(context.captured_queries)):
            every = api.get(path, {"limit": 100})
        assert len(every.json()["results"]) == every.json()["count"] > 1, path


@pytest.mark.parametrize("path", ["/cases", "/sessions", "/results"])
def test_a_jury_members_lists_have_a_constant_query_count(
    referentiel, api_as, django_assert_num_queries, steady_clock, path
):
    session, seats = jury_session(referentiel)

    def add_one():
        registration = transmitted(referentiel, session)
        vote(registration, seats[0], True, True, True, True)
        vote(registration, seats[1], True, True, True, True)
        jury.deliberation_decide(registration=registration, by=seats[0].user, mode="votes")

    add_one()
    api = api_as(seats[1].user, Scope.READ)
    api.get(path)
    with CaptureQueriesContext(connection) as context:
        assert api.get(path).json()["count"] == 1
    for _ in range(3):
        add_one()

    with django_assert_num_queries(len(context.captured_queries)):
        data = api.get(path).json()
    rows = data["results"][0]["registrations"] if path == "/sessions" else data["results"]
    assert len(rows) == 4


def test_session_reads_are_in_the_audit_journal(instructor, api_as, decided):
    from vaecos.audit.models import ReadEvent

    session = decided[0]
    api = api_as(instructor, Scope.READ)

    api.get("/sessions")
    api.get(f"/sessions/{session.pk}")

    listing, detail = ReadEvent.objects.order_by("pk")
    assert (listing.user, listing.what, listing.label) == (
        instructor,
        "api_sessions",
        "API : sessions d'évaluation (1)",
    )
    assert (detail.what, detail.object_id, detail.path) == (
        "api_session",
        str(session.pk),
        f"/api/v1/sessions/{session.pk}",
    )


def test_every_read_is_recorded_with_its_user_and_address(instructor, api_as, decided):
    from vaecos.audit.models import ReadEvent

    _, _, first, _ = decided
    api = api_as(instructor, Scope.READ)
    result = api.get("/results").json()["results"][0]
    paths = [
        "/cases",
        f"/cases/{first.case_id}",
        "/sessions",
        f"/sessions/{first.session_id}",
        "/results",
        f"/results/{result['id']}",
        "/admissibility-requests",
    ]
    before = ReadEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    for path in paths:
        assert api.get(path).status_code == 200, path

    events = list(ReadEvent.objects.filter(pk__gt=before).order_by("pk"))
    assert [e.path for e in events] == [f"/api/v1{p}" for p in paths]
    assert {e.user for e in events} == {instructor}
    assert ReadEvent.objects.get(path=f"/api/v1/results/{result['id']}").case == first.case


def test_another_sessions_jury_member_gets_404_on_each_detail(referentiel, api_as, decided):
    session, _, first, _ = decided
    _, other_seats = jury_session(referentiel)
    staff_view = api_as(UserFactory(instructor=True), Scope.READ).get("/results").json()
    result_id = staff_view["results"][0]["id"]
    api = api_as(other_seats[0].user, Scope.READ)

    for path in (
        f"/cases/{first.case_id}",
        f"/sessions/{session.pk}",
        f"/results/{result_id}",
        f"/admissibility-requests/{first.case.admissibility_requests.first().pk}",
    ):
        response = api.get(path)
        assert response.status_code in (403, 404), path
        assert "candidate" not in response.json(), path
    assert api.get(f"/results/{result_id}").json()["error"]["code"] == "not_found"
    assert api.get("/sessions").json()["count"] == 1  # their own session only
