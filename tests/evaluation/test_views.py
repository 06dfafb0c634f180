"""The sessions pages: list (fixed number of queries), forms, refusals as messages, the
candidate's registration, the transmission page, the convocation download."""

import datetime
import html
import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.template.defaultfilters import date as date_filter
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.accounts.factories import UserFactory
from tests.evaluation.factories import (
    EvaluationSessionFactory,
    JuryMemberFactory,
    RegistrationFactory,
    favourable_case,
    transmittable,
)
from vaecos.cases.models import Coaching
from vaecos.dossiers.models import DossierStatus
from vaecos.evaluation import registrations
from vaecos.evaluation.models import EvaluationSession, Registration


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def flash(response):
    return [m.message for m in get_messages(response.wsgi_request)]


def in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.mark.parametrize("count", [1, 30])
def test_the_list_has_a_fixed_number_of_queries(
    count, referentiel, instructor, django_assert_num_queries
):
    for number in range(count):
        session = EvaluationSessionFactory(
            referentiel_version=referentiel, date=in_days(60 + number)
        )
        JuryMemberFactory(session=session, is_president=True)
        if number < 3:
            RegistrationFactory(session=session, case=favourable_case(referentiel))
    client = signed_in(instructor)

    # Session, user, a page of upcoming sessions with their counts, their jury, past sessions
    # (none: no prefetch). Nothing counts the sessions.
    with django_assert_num_queries(5):
        page = client.get(reverse("evaluation:list"))

    text = page.content.decode()
    assert text.count("1 / 8") == min(count, 3) and "Incomplet" in text
    assert text.count("0 / 8") == min(count, 25) - min(count, 3)


def test_the_list_is_paged_soonest_and_latest_first(referentiel, instructor):
    for number in range(27):
        EvaluationSessionFactory(referentiel_version=referentiel, date=in_days(30 + number))
        EvaluationSessionFactory(referentiel_version=referentiel, date=in_days(-30 - number))
    client = signed_in(instructor)

    first = client.get(reverse("evaluation:list")).content.decode()
    upcoming_2 = client.get(reverse("evaluation:list"), {"a_venir": "2"}).content.decode()

    def shown(text, days):
        return date_filter(in_days(days), "l j F Y") in text

    assert shown(first, 30) and shown(first, 54) and not shown(first, 55)
    assert shown(first, -30) and shown(first, -54) and not shown(first, -55)
    assert shown(upcoming_2, 55) and shown(upcoming_2, 56) and not shown(upcoming_2, 54)
    assert shown(upcoming_2, -30)  # the past sessions stay on their own first page
    assert 'href="?a_venir=2">Page suivante' in first
    assert 'href="?passees=2">Page suivante' in first
    assert 'href="?a_venir=1">Page précédente' in upcoming_2
    assert 'href="?a_venir=2&amp;passees=2">Page suivante' in upcoming_2


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

    text = (
        signed_in(instructor).get(reverse("evaluation:detail", args=[session.pk])).content.decode()
    )

    assert case.candidate.display_name in text
    assert "au moins deux membres" in text
    assert "Inscrire un candidat" in text and 'name="candidat"' in text
    assert 'name="case"' not in text  # no list of every candidate: a search


def test_staff_find_a_candidate_by_name_and_see_who_may_not_be_registered(referentiel, instructor):
    session = EvaluationSessionFactory(referentiel_version=referentiel)
    may = favourable_case(referentiel, candidate=UserFactory(last_name="Lemoine"))
    late = favourable_case(
        referentiel,
        candidate=UserFactory(last_name="Lemoinet"),
        validity_end=session.date - datetime.timedelta(days=1),
    )
    favourable_case(referentiel, candidate=UserFactory(last_name="Autre"))
    client = signed_in(instructor)
    url = reverse("evaluation:detail", args=[session.pk])

    found = html.unescape(client.get(url, {"candidat": "lemoin"}).content.decode())
    nobody = client.get(url, {"candidat": "zzz"}).content.decode()

    options = re.findall(r'<option value="(\d+)"', found)
    assert options == [str(may.pk)]
    assert f"{late.candidate.display_name}</strong> : " in found and "Autre" not in found
    assert "Aucun candidat de cette certification" in nobody
    response = client.post(reverse("evaluation:register_case", args=[session.pk]), {"case": may.pk})
    assert Registration.objects.filter(session=session, case=may).exists()
    assert response.status_code == 302
    # A case the search would not offer is refused by the service, with its reason.
    refused = client.post(
        reverse("evaluation:register_case", args=[session.pk]), {"case": late.pk}, follow=True
    )
    assert not Registration.objects.filter(session=session, case=late).exists()
    assert any("recevabilité" in message for message in flash(refused))


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


# --- The transmission page: a candidate without a coach, what is offered, its wording ----------


def test_staff_see_an_institut_410_candidate_without_a_coach_and_are_told_to_assign_one(
    referentiel, instructor, administrator, coach
):
    dossier = transmittable(referentiel, coaching=Coaching.INSTITUT_410)
    EvaluationSessionFactory(referentiel_version=referentiel)
    url = reverse("evaluation:transmit", args=[dossier.pk])

    for user in (instructor, administrator):
        response = signed_in(user).get(url)
        text = response.content.decode()
        assert response.status_code == 200
        assert (
            "Ce candidat est accompagné par l&#x27;Institut 4.10 : c&#x27;est son accompagnateur "
            "qui transmet le dossier. Aucun accompagnateur n&#x27;est encore désigné : "
            "désignez-en un." in text
        )
        assert reverse("coaching:assign", args=[dossier.case.pk]) in text
        assert "Transmettre le dossier au jury de la session" not in text
        assert "Prochaines sessions possibles" not in text
    # Nobody else: a coach who does not follow the candidate, the candidate.
    assert signed_in(coach).get(url).status_code == 404
    assert signed_in(dossier.case.candidate).get(url).status_code == 404


def test_staff_cannot_transmit_for_an_institut_410_candidate_without_a_coach(
    referentiel, instructor
):
    dossier = transmittable(referentiel, coaching=Coaching.INSTITUT_410)
    session = EvaluationSessionFactory(referentiel_version=referentiel)

    response = signed_in(instructor).post(
        reverse("evaluation:transmit", args=[dossier.pk]), {"session": session.pk}
    )

    assert response.status_code == 302 and "désignez-en un" in flash(response)[0]
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.FINAL and not Registration.objects.exists()


def test_next_sessions_are_not_offered_for_a_dossier_that_is_not_ready(referentiel, instructor):
    dossier = transmittable(referentiel)
    dossier.status = DossierStatus.IN_PROGRESS
    dossier.save()
    soon = EvaluationSessionFactory(referentiel_version=referentiel, date=in_days(20))
    EvaluationSessionFactory(referentiel_version=referentiel, date=in_days(80))
    client = signed_in(instructor)
    url = reverse("evaluation:transmit", args=[dossier.pk])

    chosen = client.get(url, {"session": soon.pk}).content.decode()
    default = client.get(url).content.decode()

    for text in (chosen, default):
        assert "pas finalisé" in text
        assert "Prochaines sessions possibles" not in text
        assert "Voir les prochaines sessions possibles" not in text


def test_next_sessions_are_offered_when_only_the_date_is_in_the_way(referentiel, instructor):
    dossier = transmittable(referentiel)
    soon = EvaluationSessionFactory(referentiel_version=referentiel, date=in_days(20))
    later = EvaluationSessionFactory(referentiel_version=referentiel, date=in_days(80))

    text = (
        signed_in(instructor)
        .get(reverse("evaluation:transmit", args=[dossier.pk]), {"session": soon.pk})
        .content.decode()
    )

    assert "Voir les prochaines sessions possibles" in text
    assert "Prochaines sessions possibles" in text and f"?session={later.pk}" in text
    assert f"?session={soon.pk}" not in text


def test_the_transmission_page_words(referentiel, instructor):
    dossier = transmittable(referentiel)
    session = EvaluationSessionFactory(referentiel_version=referentiel, date=in_days(60))
    latest = registrations.latest_transmission(session)

    text = (
        signed_in(instructor)
        .get(reverse("evaluation:transmit", args=[dossier.pk]))
        .content.decode()
    )

    assert f"Transmission au plus tard le {latest:%d/%m/%Y} (un mois avant la session)" in text
    assert '<legend class="form-label fs-6">' in text
    assert "Session au moins un mois" not in text


def test_after_the_transmission_the_page_says_it_is_done(
    referentiel, instructor, django_capture_on_commit_callbacks
):
    dossier = transmittable(referentiel)
    session = EvaluationSessionFactory(referentiel_version=referentiel)
    client = signed_in(instructor)
    url = reverse("evaluation:transmit", args=[dossier.pk])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"session": session.pk})
    text = client.get(url).content.decode()

    heading = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S).group(1)
    assert " ".join(heading.split()) == (
        f"Dossier de {dossier.case.candidate.display_name} transmis au jury"
    )
    assert "Transmettre le dossier" not in text
    assert "Ce dossier a été transmis au jury le" in text


def test_a_dossier_back_to_final_after_an_absence_may_be_transmitted_again(referentiel, instructor):
    from vaecos.jury.models import Deliberation

    dossier = transmittable(referentiel)
    past = EvaluationSessionFactory(referentiel_version=referentiel, date=in_days(-10))
    registration = RegistrationFactory(
        session=past,
        case=dossier.case,
        dossier=dossier,
        transmitted_at=timezone.now(),
        status="absent",
    )
    Deliberation.objects.create(
        registration=registration,
        status=Deliberation.Status.NOTIFIED,
        outcome="absent",
        notified_at=timezone.now(),
    )
    session = EvaluationSessionFactory(referentiel_version=referentiel)  # dossier still final

    text = (
        signed_in(instructor)
        .get(reverse("evaluation:transmit", args=[dossier.pk]))
        .content.decode()
    )

    assert "Ce dossier a été transmis au jury le" not in text
    assert "Transmettre le dossier au jury de la session du" in text
    assert "Non respectée" not in text and f'value="{session.pk}"' in text


def test_the_candidate_is_told_their_coach_transmits(referentiel, candidate, coach):
    favourable_case(referentiel, candidate=candidate, coaching=Coaching.INSTITUT_410, coach=coach)

    text = signed_in(candidate).get(reverse("evaluation:mine")).content.decode()

    assert (
        "Votre dossier sera transmis au jury par votre accompagnateur de l&#x27;Institut 4.10."
        in text
    )


def test_the_president_checkbox_is_gender_neutral(referentiel, instructor):
    session = EvaluationSessionFactory(referentiel_version=referentiel)
    member = JuryMemberFactory(session=session, is_president=True)

    text = (
        signed_in(instructor).get(reverse("evaluation:detail", args=[session.pk])).content.decode()
    )

    assert f'for="president-{member.pk}">Président(e)</label>' in text


def test_editing_the_place_tells_how_many_were_convened_again(
    referentiel, instructor, django_capture_on_commit_callbacks
):
    from tests.evaluation.factories import valid_jury
    from vaecos.evaluation import convocation

    session = EvaluationSessionFactory(referentiel_version=referentiel)
    valid_jury(session)
    case = favourable_case(referentiel)
    registration = RegistrationFactory(
        session=session, case=case, dossier=case.dossiers.get(), transmitted_at=timezone.now()
    )
    convocation.convene(registration=registration, by=instructor)

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(instructor).post(
            reverse("evaluation:edit", args=[session.pk]),
            {
                "referentiel_version": referentiel.pk,
                "branch": "",
                "date": session.date.isoformat(),
                "start_time": "09:30",
                "duration_minutes": "60",
                "place": "Ucanss, salle 7",
                "video_link": "",
                "capacity": "8",
                "practical_details": "",
            },
        )

    assert response.status_code == 302
    assert flash(response) == [
        "Session modifiée : 1 candidat convoqué reçoit la nouvelle convocation par courriel."
    ]
    assert [m.subject.split(" :")[0] for m in mail.outbox] == ["Convocation modifiée"]


def test_a_refused_change_keeps_the_form_and_says_why(referentiel, instructor):
    session = EvaluationSessionFactory(referentiel_version=referentiel, date=in_days(60))
    case = favourable_case(referentiel, validity_end=in_days(70))
    RegistrationFactory(session=session, case=case)

    response = signed_in(instructor).post(
        reverse("evaluation:edit", args=[session.pk]),
        {
            "referentiel_version": referentiel.pk,
            "branch": "",
            "date": in_days(90).isoformat(),
            "start_time": "09:30",
            "duration_minutes": "60",
            "place": "Ucanss",
            "video_link": "",
            "capacity": "8",
            "practical_details": "",
        },
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert "la recevabilité du candidat prend fin" in text
    assert f"Modifier la session du {date_filter(session.date, 'j F Y')}" in text  # not the new one
    session.refresh_from_db()
    assert session.date == in_days(60)
