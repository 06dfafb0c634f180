"""The admissibility pages: the candidate's form, the instructeur's queue and instruction."""

import datetime
import html

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.accounts.factories import UserFactory
from tests.admissibility.factories import ready_request
from vaecos.admissibility import services
from vaecos.admissibility.models import AdmissibilityRequest, Coverage, Status


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def req(referentiel, candidate):
    return ready_request(referentiel, candidate=candidate)


def test_a_candidate_without_a_case_starts_a_request(referentiel, candidate):
    client = signed_in(candidate)
    assert "Commencer ma demande de recevabilité" in text(client.get("/"))

    response = client.post(reverse("admissibility:start"))

    created = AdmissibilityRequest.objects.get(case__candidate=candidate)
    assert response["Location"] == reverse("admissibility:identity", args=[created.pk])
    again = client.post(reverse("admissibility:start"))
    assert again["Location"] == reverse("admissibility:detail", args=[created.pk])
    assert AdmissibilityRequest.objects.count() == 1


def test_an_experience_with_impossible_dates_or_hours_is_refused(req, candidate):
    client = signed_in(candidate)
    today = timezone.localdate()
    url = reverse("admissibility:experience_add", args=[req.pk])
    base = {
        "role": "Conseillère",
        "organisation": "CAF",
        "status": "salarie",
        "activities_done": "Accueil.",
    }
    cases = [
        (
            {"started_on": "2024-05-01", "ended_on": "2024-01-01", "hours": "100"},
            "La date de fin doit suivre la date de début.",
        ),
        (
            {"started_on": str(today + datetime.timedelta(days=2)), "hours": "10"},
            "La date de début ne peut pas être dans le futur.",
        ),
        ({"started_on": "2024-01-01", "hours": "-5"}, "supérieure ou égale à 0"),
        (
            {"started_on": "2024-01-01", "ended_on": "2024-01-02", "hours": "100"},
            "100 heures ne tiennent pas dans 2 jour(s).",
        ),
        ({"started_on": "pas une date", "hours": "10"}, "Saisissez une date valide."),
        ({"started_on": "0001-01-01", "hours": "10"}, "antérieure à 1950"),
    ]
    for data, message in cases:
        response = client.post(url, base | data)
        assert response.status_code == 400, data
        assert message in text(response), data
    assert req.experiences.count() == 1


def test_submit_then_instruct_then_decide_through_the_pages(req, candidate, instructor):
    owner, staff = signed_in(candidate), signed_in(instructor)

    owner.post(reverse("admissibility:submit", args=[req.pk]))
    req.refresh_from_db()
    assert req.status == Status.SUBMITTED
    page = staff.get(reverse("admissibility:instruct", args=[req.pk]))
    assert "Déclarer la demande complète" in text(page)

    staff.post(
        reverse("admissibility:instruct", args=[req.pk]),
        {"action": "incomplete", "incomplete-missing_items": "Le CV.\nUne attestation."},
    )
    req.refresh_from_db()
    assert req.status == Status.INCOMPLETE
    assert "Le CV." in text(owner.get(reverse("admissibility:detail", args=[req.pk])))

    owner.post(reverse("admissibility:submit", args=[req.pk]))
    staff.post(
        reverse("admissibility:instruct", args=[req.pk]),
        {"action": "complete", "complete-on": timezone.localdate().isoformat()},
    )
    req.refresh_from_db()
    assert req.status == Status.COMPLETE and req.decision_due is not None

    activities = req.case.referentiel_version.activities.all()
    data = {
        "action": "decide",
        "decision-decision": "recevable",
        "decision-recommendations": "Formation numérique.",
    }
    for activity in activities:
        data[f"decision-coverage_{activity.pk}"] = Coverage.PARTLY
        data[f"decision-comment_{activity.pk}"] = f"Écart sur {activity.roman}"
    staff.post(reverse("admissibility:instruct", args=[req.pk]), data)

    req.refresh_from_db()
    assert req.status == Status.FAVOURABLE and req.validity_end is not None
    detail = text(owner.get(reverse("admissibility:detail", args=[req.pk])))
    assert "Écart sur II" in detail and "Formation numérique." in detail


def test_a_decision_without_the_whole_gap_analysis_is_refused_with_a_message(
    req, candidate, instructor
):
    services.request_submit(request=req, by=candidate)
    services.request_declare_complete(request=req, by=instructor)

    response = signed_in(instructor).post(
        reverse("admissibility:instruct", args=[req.pk]),
        {"action": "decide", "decision-decision": "non_recevable"},
    )

    assert response.status_code == 400
    assert "Une décision de non-recevabilité doit être motivée." in text(response)
    req.refresh_from_db()
    assert req.status == Status.COMPLETE


def test_the_queue_is_sorted_by_deadline_with_flags_filters_and_search(referentiel, instructor):
    today = timezone.localdate()
    people = {}
    for name, complete_days_ago in (("Alpha", 55), ("Bravo", 70), ("Charlie", 10)):
        candidate = UserFactory(last_name=name)
        request = ready_request(referentiel, candidate=candidate)
        received = timezone.now() - datetime.timedelta(days=complete_days_ago + 1)
        services.request_submit(request=request, by=candidate, now=received)
        services.request_declare_complete(
            request=request, by=instructor, on=today - datetime.timedelta(days=complete_days_ago)
        )
        people[name] = request
    client = signed_in(instructor)

    page = text(client.get(reverse("admissibility:queue")))

    assert page.index("Bravo") < page.index("Alpha") < page.index("Charlie")
    assert "Dépassée" in page and "Proche" in page
    assert "Alpha" in text(client.get(reverse("admissibility:queue"), {"q": "alph"}))
    assert "Bravo" not in text(client.get(reverse("admissibility:queue"), {"q": "alph"}))
    assert "Alpha" not in text(client.get(reverse("admissibility:queue"), {"statut": "incomplete"}))
    assert "Alpha" in text(client.get(reverse("admissibility:queue"), {"branche": "famille"}))


def _submitted(referentiel, count, start=0):
    for number in range(start, start + count):
        request = ready_request(referentiel, candidate=UserFactory(last_name=f"Nom{number:02d}"))
        services.request_submit(request=request, by=request.case.candidate)


@pytest.mark.parametrize("count", [1, 30])
def test_the_queue_has_a_fixed_number_of_queries(
    count, referentiel, instructor, django_assert_num_queries
):
    _submitted(referentiel, count)
    client = signed_in(instructor)

    # Session, user, one page of requests (and one row more) with candidate and branch, the
    # branches. No count of the requests.
    with django_assert_num_queries(4):
        page = client.get(reverse("admissibility:queue"))

    assert text(page).count("<tr>") == 1 + min(count, 25)


def test_the_queue_is_paged_without_counting_it(referentiel, instructor):
    _submitted(referentiel, 27)
    client = signed_in(instructor)
    queue = reverse("admissibility:queue")

    first = text(client.get(queue, {"statut": "deposee"}))
    second = text(client.get(queue, {"statut": "deposee", "page": "2"}))

    assert first.count("<tr>") == 1 + 25 and second.count("<tr>") == 1 + 2
    assert 'aria-label="Pages : demandes de recevabilité"' in first
    assert '<span class="page-link">Page 1</span>' in first and "Page précédente" not in first
    assert 'href="?statut=deposee&page=2">Page suivante' in first
    assert "Nom24" in first and "Nom25" not in first
    assert "Nom25" in second and "Nom26" in second and "Nom24" not in second
    assert 'href="?statut=deposee&page=1">Page précédente' in second
    assert "Page suivante" not in second and " sur " not in second
    for junk in ("99", "0", "abc", "-3"):  # past the end or not a page: the first page
        assert "Nom00" in text(client.get(queue, {"page": junk}))


def test_the_requests_to_instruct_come_before_the_decided_ones(referentiel, instructor):
    today = timezone.localdate()
    decided = ready_request(referentiel, candidate=UserFactory(last_name="Décidée"))
    services.request_submit(request=decided, by=decided.case.candidate)
    services.request_declare_complete(request=decided, by=instructor, on=today)
    gaps = {a.pk: (Coverage.COVERED, "") for a in referentiel.activities.all()}
    services.request_decide(request=decided, by=instructor, favourable=True, gaps=gaps)
    _submitted(referentiel, 1)

    page = text(signed_in(instructor).get(reverse("admissibility:queue")))

    assert page.index("Nom00") < page.index("Décidée")


def test_a_finished_request_cannot_be_edited(req, candidate):
    services.request_submit(request=req, by=candidate)
    client = signed_in(candidate)

    response = client.post(
        reverse("admissibility:identity", args=[req.pk]), {"birth_name": "AUTRE"}
    )

    assert response.status_code == 404
    req.refresh_from_db()
    assert req.birth_name == "MARTIN"
    assert "n'est plus modifiable" in text(
        client.get(reverse("admissibility:identity", args=[req.pk]))
    )


def test_the_demo_queue_shows_each_state_and_a_deadline_at_risk(referentiel):
    from vaecos.demo.services import load_demo

    load_demo()
    load_demo()  # idempotent

    instructor = UserFactory(instructor=True)
    page = text(signed_in(instructor).get(reverse("admissibility:queue")))
    states = set(AdmissibilityRequest.objects.values_list("status", flat=True))
    assert {
        "brouillon",
        "deposee",
        "incomplete",
        "complete",
        "recevable",
        "non_recevable",
    } <= states
    assert "Proche" in page
    demo = AdmissibilityRequest.objects.get(case__candidate__email="candidat@demo.test")
    assert demo.status == Status.FAVOURABLE and demo.validity_end > timezone.localdate()


def test_after_expiry_the_next_request_is_an_extension_and_says_why(req, candidate, instructor):
    services.request_submit(request=req, by=candidate)
    services.request_declare_complete(request=req, by=instructor)
    services.request_decide(
        request=req,
        by=instructor,
        favourable=True,
        gaps={a.pk: (Coverage.COVERED, "") for a in req.case.referentiel_version.activities.all()},
    )
    req.refresh_from_db()
    services.requests_expire(req.validity_end + datetime.timedelta(days=1))
    client = signed_in(candidate)

    response = client.post(reverse("admissibility:start"), follow=True)

    new = AdmissibilityRequest.objects.exclude(pk=req.pk).get()
    assert new.nature == "prolongation"
    assert "il s'agit d'une prolongation" in text(response)


def test_supporting_documents_are_checked_listed_and_removable(req, candidate, instructor):
    from tests.files import pdf_bytes, upload

    client = signed_in(candidate)
    url = reverse("admissibility:document_add", args=[req.pk])

    client.post(url, {"fichier": upload("attestation.pdf", pdf_bytes(), "application/pdf")})
    refused = client.post(
        url, {"fichier": upload("photo.png", b"pas une image", "image/png")}, follow=True
    )

    assert "n'est pas un fichier PDF, JPEG ou PNG valide" in text(refused)
    document = req.documents.get()
    assert document.original_name == "attestation.pdf"
    staff = signed_in(instructor)
    document_url = reverse("admissibility:document", args=[req.pk, document.pk])
    assert staff.get(document_url).status_code == 404  # a draft is the candidate's alone
    services.request_submit(request=req, by=candidate)
    staff_copy = staff.get(document_url)
    assert staff_copy.status_code == 200 and staff_copy["Content-Type"] == "application/pdf"
    late = client.post(url, {"fichier": upload("x.pdf", pdf_bytes(), "application/pdf")})
    assert late.status_code == 404 and req.documents.count() == 1


def test_the_queue_survives_nul_bytes_and_shows_open_requests_first(referentiel, instructor):
    open_request = ready_request(referentiel, candidate=UserFactory(last_name="Ouverte"))
    services.request_submit(request=open_request, by=open_request.case.candidate)
    closed = ready_request(referentiel, candidate=UserFactory(last_name="Close"))
    services.request_submit(request=closed, by=closed.case.candidate)
    services.request_declare_complete(request=closed, by=instructor)
    services.request_decide(
        request=closed,
        by=instructor,
        favourable=False,
        gaps={a.pk: (Coverage.NOT_COVERED, "") for a in referentiel.activities.all()},
        reasons="Non.",
    )
    client = signed_in(instructor)

    page = text(client.get(reverse("admissibility:queue")))
    weird = client.get(
        reverse("admissibility:queue"), {"q": "a\x00b", "branche": "\x00", "page": "abc"}
    )

    assert page.index("Ouverte") < page.index("Close")
    assert weird.status_code == 200


def test_a_stale_form_does_not_undo_a_submission(req, candidate):
    client = signed_in(candidate)
    form_page = client.get(reverse("admissibility:identity", args=[req.pk]))
    assert form_page.status_code == 200
    services.request_submit(request=req, by=candidate)  # from another tab

    # The stale tab's post: the request is no longer editable, nothing is written.
    response = client.post(reverse("admissibility:identity", args=[req.pk]), {"birth_name": "X"})

    req.refresh_from_db()
    assert response.status_code == 404
    assert req.status == Status.SUBMITTED and req.birth_name == "MARTIN"


def test_the_candidate_cannot_choose_the_nature_or_skip_the_yearly_limits(req, candidate):
    data = {
        "birth_name": "MARTIN",
        "first_names": "Camille",
        "nature": "renouvellement",
        "blocs_only": "on",
    }

    signed_in(candidate).post(reverse("admissibility:identity", args=[req.pk]), data)

    req.refresh_from_db()
    assert req.nature == "premiere" and req.blocs_only is False
