"""Recording through the API: an admissibility decision and the jury's votes and decision, by
the same services as the web pages, with the same refusals and transition logs; a read-scope
token records nothing."""

from django.core import mail

from tests.accounts.factories import UserFactory
from tests.api.conftest import complete_request, gaps
from tests.jury.factories import jury_session, transmitted, vote
from vaecos.admissibility.models import (
    AdmissibilityRequest,
    AdmissibilityTransitionLog,
    GapAnalysis,
    Status,
)
from vaecos.api.models import Scope
from vaecos.jury.models import BlocResult, BlocVote, Deliberation, DeliberationTransitionLog


def decide(api, request, **body):
    payload = {"favourable": True, "gaps": gaps(request), **body}
    return api.post(f"/admissibility-requests/{request.pk}/decision", payload)


def test_a_read_token_cannot_record_a_decision(referentiel, instructor, api_as):
    request = complete_request(referentiel)
    logs = AdmissibilityTransitionLog.objects.count()

    response = decide(api_as(instructor, Scope.READ), request)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "read_only_token"
    request.refresh_from_db()
    assert request.status == Status.COMPLETE and request.decided_on is None
    assert AdmissibilityTransitionLog.objects.count() == logs
    assert not GapAnalysis.objects.exists()


def test_a_read_token_is_refused_whatever_it_sends(referentiel, instructor, api_as):
    """The scope is the token's, not the body's: a read-only token gets 403 before its body is
    read, valid, invalid or unreadable, on every operation that records."""
    request = complete_request(referentiel)
    session, (president, _) = jury_session(referentiel)
    registration = transmitted(referentiel, session)
    paths = [
        f"/admissibility-requests/{request.pk}/decision",
        f"/registrations/{registration.pk}/votes",
        f"/registrations/{registration.pk}/decision",
    ]
    for user in (instructor, president.user):
        api = api_as(user, Scope.READ)
        for path in paths:
            for body in ({}, {"favourable": "peut-être", "votes": 3, "mode": None}):
                response = api.post(path, body)
                assert response.status_code == 403, (path, body, response.content)
                assert response.json()["error"]["code"] == "read_only_token"
            unreadable = api.client.post(
                f"/api/v1{path}",
                "{pas du json",
                content_type="application/json",
                headers={"Authorization": f"Bearer {api.secret}"},
            )
            assert unreadable.status_code == 403, (path, unreadable.content)


def test_the_schema_names_one_security_scheme_for_reads_and_writes(client):
    schema = client.get("/api/v1/openapi.json").json()

    assert list(schema["components"]["securitySchemes"]) == ["BearerToken"]
    decision = schema["paths"]["/api/v1/admissibility-requests/{request_id}/decision"]["post"]
    assert decision["security"] == [{"BearerToken": []}]


def test_a_write_token_records_the_decision_as_its_user(
    referentiel, instructor, api_as, django_capture_on_commit_callbacks
):
    request = complete_request(referentiel)
    api = api_as(instructor)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = decide(
            api,
            request,
            recommendations="Module « offres numériques ».",
            gaps=[
                {**g, "coverage": "partielle"} if g["activity"] == 3 else g for g in gaps(request)
            ],
        )

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "recevable" and data["validity_end"] is not None
    assert data["recommendations"] == "Module « offres numériques »."
    assert {g["activity"]: g["coverage"] for g in data["gaps"]}[3] == "partielle"
    request.refresh_from_db()
    assert request.status == Status.FAVOURABLE and request.decided_by == instructor
    log = request.transitions.order_by("-pk").first()
    assert (log.transition, log.from_state, log.to_state, log.by) == (
        "decide_favourable",
        "complete",
        "recevable",
        instructor,
    )
    # As from the page: the letter is written and e-mailed to the candidate.
    assert request.letters.filter(kind="decision").exists()
    assert any(request.email in m.to for m in mail.outbox)


def test_the_same_refusals_as_the_instruction_page(referentiel, instructor, api_as):
    request = complete_request(referentiel)
    api = api_as(instructor)

    unreasoned = decide(api, request, favourable=False)
    partial_analysis = decide(api, request, gaps=gaps(request)[:3])
    unknown_activity = decide(
        api, request, gaps=[*gaps(request)[:3], {"activity": 9, "coverage": "couverte"}]
    )
    twice = decide(api, request, gaps=[*gaps(request), gaps(request)[0]])

    assert unreasoned.status_code == 409
    assert unreasoned.json()["error"]["message"]["fr"] == (
        "Une décision de non-recevabilité doit être motivée."
    )
    assert unreasoned.json()["error"]["code"] == "action_refused"
    for response in (partial_analysis, unknown_activity):
        assert response.status_code == 409
        assert "analyse des écarts" in response.json()["error"]["message"]["fr"]
    assert twice.status_code == 422
    assert twice.json()["error"]["message"]["fr"] == (
        "Une activité figure deux fois dans l'analyse des écarts."
    )
    assert AdmissibilityRequest.objects.get(pk=request.pk).status == Status.COMPLETE
    assert not request.transitions.filter(transition__startswith="decide").exists()

    assert decide(api, request, favourable=False, reasons="Hors champ.").status_code == 200
    again = decide(api, request)
    assert again.status_code == 409
    assert "impossible" in again.json()["error"]["message"]["fr"]


def test_only_instructeurs_decide_admissibility(referentiel, api_as):
    request = complete_request(referentiel)
    jury_member = UserFactory(jury=True)

    response = decide(api_as(jury_member), request)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert decide(api_as(UserFactory(admin=True)), request).status_code == 200


def test_a_draft_is_not_found(referentiel, instructor, api_as):
    from tests.admissibility.factories import ready_request

    draft = ready_request(referentiel)
    assert decide(api_as(instructor), draft).status_code == 404
    missing = api_as(instructor).post(
        "/admissibility-requests/999999/decision", {"favourable": True, "gaps": gaps(draft)}
    )
    assert missing.status_code == 404


# --- The jury ----------------------------------------------------------------------------------


def test_members_vote_and_the_president_decides(referentiel, api_as):
    session, (president, member) = jury_session(referentiel)
    registration = transmitted(referentiel, session)
    as_president, as_member = api_as(president.user), api_as(member.user)
    url = f"/registrations/{registration.pk}"

    first = as_president.post(
        f"{url}/votes",
        {"votes": [{"activity": n, "validated": n != 2} for n in (1, 2, 3, 4)]},
    )
    second = as_member.post(
        f"{url}/votes",
        {"votes": [{"activity": n, "validated": n != 3} for n in (1, 2, 3, 4)]},
    )
    refused = as_member.post(f"{url}/decision", {"mode": "votes", "reasons": "x"})
    decided = as_president.post(
        f"{url}/decision",
        {"mode": "votes", "reasons": "Deux blocs à revoir.", "competences_to_prove": "II et III"},
    )

    assert first.status_code == 200 and second.status_code == 200
    assert [v["validated"] for v in second.json()["votes"]] == [True, True, False, True]
    assert BlocVote.objects.filter(member=member.user).count() == 4
    assert refused.status_code == 409
    assert refused.json()["error"]["message"]["fr"] == (
        "Seul le président du jury peut prononcer la décision."
    )
    assert decided.status_code == 200, decided.content
    result = decided.json()
    assert result["outcome"] == "partielle" and result["casting_vote_used"] is True
    blocs = {b["activity"]: b for b in result["blocs"]}
    assert not blocs[2]["validated"] and blocs[2]["casting_vote"]  # the president said no
    assert blocs[3]["validated"] and blocs[3]["casting_vote"]  # the president said yes
    log = DeliberationTransitionLog.objects.get()
    assert (log.transition, log.by) == ("deliberate", president.user)
    assert BlocResult.objects.count() == 4
    # Votes are closed once the decision is taken, as on the page.
    late = as_member.post(f"{url}/votes", {"votes": [{"activity": 1, "validated": False}]})
    assert late.status_code == 409
    assert "Les votes sont clos" in late.json()["error"]["message"]["fr"]


def test_a_read_token_cannot_vote_or_decide(referentiel, api_as):
    session, (president, _) = jury_session(referentiel)
    registration = transmitted(referentiel, session)
    api = api_as(president.user, Scope.READ)

    votes = api.post(
        f"/registrations/{registration.pk}/votes", {"votes": [{"activity": 1, "validated": True}]}
    )
    decision = api.post(f"/registrations/{registration.pk}/decision", {"mode": "absent"})

    assert votes.status_code == decision.status_code == 403
    assert not BlocVote.objects.exists()
    assert not Deliberation.objects.exclude(status="brouillon").exists()
    assert not DeliberationTransitionLog.objects.exists()


def test_the_jurys_rules_apply(referentiel, instructor, api_as):
    session, (president, member) = jury_session(referentiel)
    registration = transmitted(referentiel, session)
    url = f"/registrations/{registration.pk}"

    missing = api_as(president.user).post(f"{url}/decision", {"mode": "votes"})
    assert missing.status_code == 409
    assert "Votes manquants" in missing.json()["error"]["message"]["fr"]
    vote(registration, president, False, False, False, False)
    vote(registration, member, False, False, False, False)
    no_reasons = api_as(president.user).post(f"{url}/decision", {"mode": "votes"})
    assert no_reasons.status_code == 409
    assert "motifs" in no_reasons.json()["error"]["message"]["fr"]
    unknown_bloc = api_as(member.user).post(
        f"{url}/votes", {"votes": [{"activity": 7, "validated": True}]}
    )
    assert unknown_bloc.status_code == 409
    # Staff read the jury's work, they do not vote; another session's member does not see it.
    staff = api_as(instructor).post(f"{url}/decision", {"mode": "absent"})
    assert staff.status_code == 403
    assert staff.json()["error"]["code"] == "not_a_jury_member"
    _, (stranger, _) = jury_session(referentiel)
    assert api_as(stranger.user).post(f"{url}/decision", {"mode": "absent"}).status_code == 404
    assert Deliberation.objects.get().status == "brouillon"


def test_absent_needs_no_vote(referentiel, api_as):
    session, (president, _) = jury_session(referentiel)
    registration = transmitted(referentiel, session)

    response = api_as(president.user).post(
        f"/registrations/{registration.pk}/decision", {"mode": "absent"}
    )

    assert response.status_code == 200
    assert response.json()["outcome"] == "absent" and response.json()["blocs"] == []


# --- Atomicity ---------------------------------------------------------------------------------


def test_a_failure_after_the_service_leaves_no_decision(
    referentiel, instructor, api_as, monkeypatch, django_capture_on_commit_callbacks
):
    """The decision and its answer are one transaction: a 500 while answering records nothing
    (no status, no log, no letter, no e-mail), so the client can retry."""
    request = complete_request(referentiel)
    logs = AdmissibilityTransitionLog.objects.count()
    mail.outbox.clear()

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("vaecos.api.routers.admissibility.serialize", broken)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = decide(api_as(instructor), request)

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    request.refresh_from_db()
    assert request.status == Status.COMPLETE and request.decided_on is None
    assert AdmissibilityTransitionLog.objects.count() == logs
    assert not GapAnalysis.objects.exists()
    assert not request.letters.filter(kind="decision").exists()
    assert callbacks == [] and mail.outbox == []
    monkeypatch.undo()
    assert decide(api_as(instructor), request).status_code == 200  # the retry goes through


def test_a_failure_after_the_jurys_decision_leaves_none(referentiel, api_as, monkeypatch):
    session, (president, _) = jury_session(referentiel)
    registration = transmitted(referentiel, session)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("vaecos.api.routers.jury.serialize", broken)
    response = api_as(president.user).post(
        f"/registrations/{registration.pk}/decision", {"mode": "absent"}
    )

    assert response.status_code == 500
    assert not Deliberation.objects.exclude(status="brouillon").exists()
    assert not DeliberationTransitionLog.objects.exists()
