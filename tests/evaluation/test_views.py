"""The sessions pages: list (fixed number of queries), forms, refusals as messages, the
candidate's registration, the transmission page, the convocation download."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.evaluation.factories import (
    EvaluationSessionFactory,
    JuryMemberFactory,
    RegistrationFactory,
    favourable_case,
    transmittable,
)
from vaecos.cases.models import Coaching
from vaecos.dossiers.models import DossierStatus
from vaecos.evaluation.models import EvaluationSession, Registration


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def flash(response):
    return [m.message for m in get_messages(response.wsgi_request)]


def in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


def test_the_list_has_a_fixed_number_of_queries(referentiel, instructor, django_assert_num_queries):
    def add(count):
        for _ in range(count):
            session = EvaluationSessionFactory(referentiel_version=referentiel)
            JuryMemberFactory(session=session, is_president=True)
            RegistrationFactory(session=session, case=favourable_case(referentiel))

    client = signed_in(instructor)
    add(1)
    # Session, user, upcoming sessions with counts, their jury, past sessions (none: no prefetch).
    with django_assert_num_queries(5):
        client.get(reverse("evaluation:list"))
    add(4)
    with django_assert_num_queries(5):
        page = client.get(reverse("evaluation:list"))
    text = page.content.decode()
    assert text.count("1 / 8") == 5 and "Incomplet" in text


def test_create_a_session(referentiel, instructor):
    response = signed_in(instructor).post(
        reverse("evaluation:create"),
        {
            "referentiel_version": referentiel.pk,
            "branch": "",
            "date": in_days(60).isoformat(),
            "start_time": "14:00",
            "duration_minutes": "45",
            "place": "",
            "video_link": "https://visio.example/jury",
            "capacity": "6",
            "practical_details": "",
        },
    )

    session = EvaluationSession.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/sessions/{session.pk}/"
    assert session.created_by == instructor and session.branch is None


def test_a_session_form_without_place_or_link_or_in_the_past_says_why(referentiel, instructor):
    response = signed_in(instructor).post(
        reverse("evaluation:create"),
        {
            "referentiel_version": referentiel.pk,
            "date": in_days(-1).isoformat(),
            "start_time": "14:00",
            "duration_minutes": "45",
            "capacity": "6",
        },
    )

    text = response.content.decode()
    assert response.status_code == 400
    assert "Indiquez un lieu ou un lien de visioconférence, ou les deux." in text
    assert "La date de la session est passée" in text
    assert not EvaluationSession.objects.exists()


def test_deleting_a_session_with_registrations_is_refused_with_a_message(referentiel, instructor):
    session = EvaluationSessionFactory(referentiel_version=referentiel)
    RegistrationFactory(session=session, case=favourable_case(referentiel))

    response = signed_in(instructor).post(reverse("evaluation:delete", args=[session.pk]))

    assert response.status_code == 302 and response["Location"] == f"/sessions/{session.pk}/"
    assert "Rien n'a été supprimé" in flash(response)[0]
    assert EvaluationSession.objects.filter(pk=session.pk).exists()


def test_the_detail_page_shows_registrations_jury_and_checks(referentiel, instructor):
    session = EvaluationSessionFactory(referentiel_version=referentiel)
    case = favourable_case(referentiel)
    RegistrationFactory(session=session, case=case)
    favourable_case(referentiel)  # may be registered

    text = (
        signed_in(instructor).get(reverse("evaluation:detail", args=[session.pk])).content.decode()
    )

    assert case.candidate.display_name in text
    assert "au moins deux membres" in text
    assert "Inscrire un candidat" in text and 'name="case"' in text


def test_a_candidate_registers_and_withdraws(referentiel, candidate):
    case = favourable_case(referentiel, candidate=candidate)
    session = EvaluationSessionFactory(referentiel_version=referentiel)
    client = signed_in(candidate)

    page = client.get(reverse("evaluation:mine")).content.decode()
    registered = client.post(reverse("evaluation:register", args=[case.pk, session.pk]))
    registration = Registration.objects.get()
    withdrawn = client.post(reverse("evaluation:withdraw", args=[registration.pk]))

    assert "M'inscrire" in page
    assert registered.status_code == 302 and "Vous êtes inscrit(e)" in flash(registered)[0]
    assert withdrawn.status_code == 302 and not Registration.objects.exists()


def test_a_closed_session_is_refused_with_its_reason(referentiel, candidate):
    case = favourable_case(referentiel, candidate=candidate)
    session = EvaluationSessionFactory(referentiel_version=referentiel, date=in_days(10))

    response = signed_in(candidate).post(reverse("evaluation:register", args=[case.pk, session.pk]))

    assert "les inscriptions sont closes" in flash(response)[0]
    assert not Registration.objects.exists()


def test_the_transmission_page_shows_each_condition_and_the_next_sessions(referentiel, instructor):
    dossier = transmittable(referentiel)
    soon = EvaluationSessionFactory(referentiel_version=referentiel, date=in_days(20))
    later = EvaluationSessionFactory(referentiel_version=referentiel, date=in_days(80))
    client = signed_in(instructor)

    page = client.get(
        reverse("evaluation:transmit", args=[dossier.pk]), {"session": soon.pk}
    ).content.decode()
    default = client.get(reverse("evaluation:transmit", args=[dossier.pk])).content.decode()
    junk = client.get(reverse("evaluation:transmit", args=[dossier.pk]), {"session": "x\x00"})

    assert "Non respectée" in page and "les inscriptions sont closes" in page
    assert "Prochaines sessions possibles" in page and f"?session={later.pk}" in page
    assert "Non respectée" not in default  # the first possible session is chosen
    assert junk.status_code == 200


def test_transmitting_from_the_page(referentiel, coach, django_capture_on_commit_callbacks):
    dossier = transmittable(referentiel, coaching=Coaching.INSTITUT_410, coach=coach)
    session = EvaluationSessionFactory(referentiel_version=referentiel)

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(coach).post(
            reverse("evaluation:transmit", args=[dossier.pk]), {"session": session.pk}
        )

    dossier.refresh_from_db()
    assert response.status_code == 302 and dossier.status == DossierStatus.TRANSMITTED
    assert "transmis au jury" in flash(response)[0]


def test_a_refused_transmission_lists_every_reason(referentiel, instructor):
    dossier = transmittable(referentiel)
    dossier.status = DossierStatus.IN_PROGRESS
    dossier.save()
    session = EvaluationSessionFactory(referentiel_version=referentiel, date=in_days(10))

    response = signed_in(instructor).post(
        reverse("evaluation:transmit", args=[dossier.pk]), {"session": session.pk}
    )

    (message,) = flash(response)
    assert "pas finalisé" in message and "moins d'un mois" in message
    assert response["Location"].endswith(f"?session={session.pk}")


@pytest.mark.parametrize("who", ["candidate", "other_coach", "instructor"])
def test_the_transmission_page_of_an_institut_410_candidate_is_the_coachs(
    referentiel, coach, candidate, instructor, who
):
    from tests.accounts.factories import UserFactory

    dossier = transmittable(
        referentiel, candidate=candidate, coaching=Coaching.INSTITUT_410, coach=coach
    )
    user = {
        "candidate": candidate,
        "other_coach": UserFactory(coach=True),
        "instructor": instructor,
    }[who]

    assert signed_in(user).get(reverse("evaluation:transmit", args=[dossier.pk])).status_code == 404


def test_staff_convene_from_the_session_page_and_the_candidate_downloads(
    referentiel, candidate, instructor, django_capture_on_commit_callbacks
):
    session = EvaluationSessionFactory(referentiel_version=referentiel)
    JuryMemberFactory(session=session, is_president=True, user__gender="F")
    JuryMemberFactory(session=session, user__gender="M")
    case = favourable_case(referentiel, candidate=candidate)
    registration = RegistrationFactory(
        session=session, case=case, dossier=case.dossiers.get(), transmitted_at=timezone.now()
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(instructor).post(
            reverse("evaluation:convene_session", args=[session.pk])
        )
    download = signed_in(candidate).get(reverse("evaluation:convocation", args=[registration.pk]))

    assert "1 candidat convoqué" in flash(response)[0]
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"


def test_staff_add_a_member_and_the_form_refuses_junk(referentiel, instructor):
    from tests.accounts.factories import UserFactory

    session = EvaluationSessionFactory(referentiel_version=referentiel)
    member = UserFactory(jury=True)
    client = signed_in(instructor)

    added = client.post(
        reverse("evaluation:jury_add", args=[session.pk]),
        {"user": member.pk, "qualified": "on", "is_president": "on"},
    )
    junk = client.post(reverse("evaluation:jury_add", args=[session.pk]), {"user": "\x00"})

    seat = session.jury.get()
    assert added.status_code == 302 and seat.user == member and seat.is_president and seat.qualified
    assert junk.status_code == 302 and "Choisissez" in flash(junk)[-1]
