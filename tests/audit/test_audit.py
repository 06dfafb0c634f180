"""The audit log: who read a dossier or a file, for administrators and for the candidate."""

import html

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import strip_tags

from tests.dossiers.factories import dossier_for
from vaecos.audit.journal import journal
from vaecos.audit.models import ReadEvent
from vaecos.audit.services import record_read
from vaecos.dossiers.models import DossierTransitionLog


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return html.unescape(response.content.decode())


def words(response) -> str:
    """The page's text as one line, without its tags."""
    return " ".join(strip_tags(text(response)).split())


def test_a_coach_downloading_the_pdf_of_their_candidates_livret2_is_recorded(coached, coach):
    response = signed_in(coach).get(reverse("documents:download", args=[coached.pk, "pdf"]))

    assert response.status_code == 200
    event = ReadEvent.objects.get()
    assert (event.user, event.user_role, event.case, event.dossier) == (
        coach,
        "accompagnateur",
        coached.case,
        coached,
    )
    assert (event.what, event.label) == ("livret2_pdf", "Livret 2 (PDF)")
    assert event.path == reverse("documents:download", args=[coached.pk, "pdf"])


def test_the_candidates_own_download_is_not_recorded(dossier, candidate):
    response = signed_in(candidate).get(reverse("documents:download", args=[dossier.pk, "pdf"]))

    assert response.status_code == 200
    assert not ReadEvent.objects.exists()


def test_a_refused_read_is_not_recorded(dossier, coach):
    """A coach who does not follow the candidate gets 404, and nothing is written."""
    response = signed_in(coach).get(reverse("documents:download", args=[dossier.pk, "pdf"]))

    assert response.status_code == 404
    assert not ReadEvent.objects.exists()


def test_a_jury_member_opening_the_candidate_page_and_the_bundle_is_recorded(registration, member):
    client = signed_in(member.user)

    page = client.get(reverse("jury:candidate", args=[registration.pk]))
    bundle = client.get(reverse("jury:bundle", args=[registration.pk]))

    assert (page.status_code, bundle.status_code) == (200, 200)
    events = list(ReadEvent.objects.order_by("pk"))
    assert [(e.user, e.user_role, e.what) for e in events] == [
        (member.user, "jury", "jury_candidate"),
        (member.user, "jury", "bundle"),
    ]
    assert {e.case for e in events} == {registration.case}
    assert {e.dossier_id for e in events} == {registration.dossier_id}


def test_the_candidate_sees_who_read_their_dossier_and_only_theirs(
    referentiel, registration, member, other_candidate, instructor
):
    client = signed_in(member.user)
    client.get(reverse("jury:candidate", args=[registration.pk]))
    client.get(reverse("jury:bundle", args=[registration.pk]))
    # Someone else's dossier read by an instructeur: not on this candidate's page.
    theirs = dossier_for(referentiel, candidate=other_candidate)
    record_read(instructor, case=theirs.case, dossier=theirs, what="livret2_pdf", label="Secret")

    response = signed_in(registration.case.candidate).get(reverse("audit:mine"))

    page = words(response)
    assert response.status_code == 200
    assert "Qui a consulté mon dossier" in page
    assert f"{member.user.display_name} (Membre du jury)" in page
    assert "A consulté : Page du candidat pour le jury" in page
    assert "A consulté : Dossier transmis au jury (PDF)" in page
    assert "Secret" not in page
    assert instructor.display_name not in page


def test_the_candidates_home_page_links_to_it(dossier, candidate):
    page = text(signed_in(candidate).get(reverse("www:home")))

    assert reverse("audit:mine") in page


def _activity(dossier, instructor, count: int) -> None:
    for index in range(count):
        record_read(
            instructor, case=dossier.case, dossier=dossier, what="bundle", label=f"Lecture {index}"
        )
        DossierTransitionLog.objects.create(
            subject=dossier, transition="finalize", from_state="en_cours", to_state="finalise"
        )


def test_the_administrator_sees_reads_and_transitions_newest_first(
    dossier, candidate, instructor, administrator, referentiel, other_candidate
):
    _activity(dossier, instructor, 2)
    DossierTransitionLog.objects.create(
        subject=dossier,
        transition="reopen",
        from_state="finalise",
        to_state="en_cours",
        by=candidate,
    )
    other = dossier_for(referentiel, candidate=other_candidate)
    record_read(instructor, case=other.case, dossier=other, what="bundle", label="Autre lecture")

    response = signed_in(administrator).get(reverse("audit:journal"))

    page = words(response)
    assert response.status_code == 200
    assert "Consultation : Lecture 0" in page
    assert "Changement de statut — Livret 2 : déclarer le dossier finalisé" in page
    assert "La plateforme" in page  # a transition without a person
    assert f"{candidate.display_name} (Candidat)" in page
    # Newest first: the reopening and the other candidate's read come before the first read.
    assert page.index("rouvrir le dossier") < page.index("Lecture 0")
    assert page.index("Autre lecture") < page.index("Lecture 1") < page.index("Lecture 0")

    filtered = signed_in(administrator).get(
        reverse("audit:journal"), {"courriel": candidate.email.upper()}
    )
    assert "Autre lecture" not in text(filtered)
    assert "Lecture 1" in text(filtered)
    by_case = signed_in(administrator).get(reverse("audit:journal"), {"parcours": other.case.pk})
    assert "Autre lecture" in text(by_case)
    assert "Lecture 1" not in text(by_case)


def test_the_journal_is_paginated_by_fifty(dossier, instructor, administrator):
    _activity(dossier, instructor, 30)  # 60 entries, after what opening the dossier logged
    total = journal().count()
    client = signed_in(administrator)

    first = text(client.get(reverse("audit:journal")))
    second = text(client.get(reverse("audit:journal"), {"page": 2}))

    assert total > 60
    assert first.count("<tr>") - 1 == 50
    assert second.count("<tr>") - 1 == total - 50
    assert "Lecture 0" in second  # the oldest read, on the last page
    assert "Page 2 sur 2" in second


@pytest.mark.parametrize("count", [1, 30])
def test_the_journals_query_count_does_not_grow(
    count, dossier, candidate, instructor, administrator, django_assert_num_queries
):
    _activity(dossier, instructor, count)
    admin_client = signed_in(administrator)
    candidate_client = signed_in(candidate)

    # Session and user, then a count and a page of each of the five sources.
    with django_assert_num_queries(12):
        assert admin_client.get(reverse("audit:journal")).status_code == 200
    with django_assert_num_queries(12):
        assert candidate_client.get(reverse("audit:mine")).status_code == 200


@pytest.mark.parametrize("role", ["candidate", "coach", "instructor", "jury_member"])
def test_only_administrators_open_the_journal(role, request):
    user = request.getfixturevalue(role)

    assert signed_in(user).get(reverse("audit:journal")).status_code == 404


@pytest.mark.parametrize("role", ["coach", "instructor", "jury_member", "administrator"])
def test_only_candidates_have_a_who_read_my_dossier_page(role, request):
    user = request.getfixturevalue(role)

    assert signed_in(user).get(reverse("audit:mine")).status_code == 404


def test_the_opening_of_the_livret2_reads_in_french(dossier, candidate):
    page = words(signed_in(candidate).get(reverse("audit:mine")))

    assert "Livret 2 : ouverture de l'espace de rédaction" in page
    assert ": open" not in page
