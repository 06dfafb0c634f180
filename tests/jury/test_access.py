"""Who reaches the jury's pages: a seat on the session's jury, a transmitted dossier, or the
certifier's staff (read only). Anyone else gets 404, whatever the URL they type."""

import datetime

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

from tests.accounts.factories import UserFactory
from tests.evaluation.factories import RegistrationFactory
from tests.jury.conftest import signed_in, text
from tests.jury.factories import favourable_case, jury_session, transmitted


def day(value: datetime.date) -> str:
    with translation.override("fr"):
        return formats.date_format(value, "j F Y")


def test_a_member_sees_their_sessions_upcoming_first_with_the_transmitted_count(
    referentiel, session_jury, registration, president, django_assert_num_queries
):
    session = session_jury[0]
    past, past_jury = jury_session(
        referentiel, date=timezone.localdate() - datetime.timedelta(days=30)
    )
    past_jury[0].delete()
    past.jury.create(user=president.user, is_president=True)
    later, later_jury = jury_session(
        referentiel, date=timezone.localdate() + datetime.timedelta(days=120)
    )
    later_jury[0].delete()
    later.jury.create(user=president.user)
    jury_session(referentiel)  # a session where they do not sit
    # Not transmitted yet: not counted.
    RegistrationFactory(session=session, case=favourable_case(referentiel))
    client = signed_in(president.user)
    client.get(reverse("jury:home"))

    # Session, user, a page of upcoming sessions, a page of past ones (each with its count).
    with django_assert_num_queries(4):
        response = client.get(reverse("jury:home"))

    page = text(response)
    assert response.status_code == 200
    assert page.count("Session du") == 3
    soon = page.index(day(session.date))
    assert soon < page.index(day(later.date)) < page.index("Passées")
    assert page.index("Passées") < page.index(day(past.date))
    assert "1 candidat dont le dossier est transmis" in page


def test_the_session_page_lists_only_transmitted_dossiers(
    referentiel, session_jury, registration, member
):
    waiting = RegistrationFactory(session=session_jury[0], case=favourable_case(referentiel))
    client = signed_in(member.user)

    page = text(client.get(reverse("jury:session", args=[session_jury[0].pk])))

    assert registration.case.candidate.display_name in page
    assert waiting.case.candidate.display_name not in page
    assert client.get(reverse("jury:candidate", args=[waiting.pk])).status_code == 404


def test_a_member_reads_the_candidate_page_and_the_frozen_bundle(registration, member):
    client = signed_in(member.user)

    page = client.get(reverse("jury:candidate", args=[registration.pk]))
    bundle = client.get(reverse("jury:bundle", args=[registration.pk]))

    assert page.status_code == 200
    assert "Enregistrer la grille" in text(page)
    assert bundle.status_code == 200
    assert bundle["Content-Type"] == "application/pdf"
    assert b"".join(bundle.streaming_content).startswith(b"%PDF")


def test_a_member_of_another_session_gets_404_everywhere(referentiel, registration, session_jury):
    _, other_jury = jury_session(referentiel)
    outsider = signed_in(other_jury[0].user)
    pk = registration.pk

    answers = [
        outsider.get(reverse("jury:session", args=[session_jury[0].pk])).status_code,
        outsider.get(reverse("jury:candidate", args=[pk])).status_code,
        outsider.get(reverse("jury:bundle", args=[pk])).status_code,
        outsider.get(reverse("jury:minutes", args=[pk])).status_code,
        outsider.post(reverse("jury:grid_save", args=[pk]), {}).status_code,
        outsider.post(reverse("jury:notes_save", args=[pk]), {"text": "x"}).status_code,
        outsider.post(reverse("jury:vote", args=[pk]), {}).status_code,
        outsider.post(reverse("jury:deliberate", args=[pk]), {"mode": "absent"}).status_code,
        outsider.post(reverse("jury:sign", args=[pk]), {}).status_code,
    ]

    assert answers == [404] * 9
    assert registration.case.candidate.display_name not in text(outsider.get(reverse("jury:home")))


@pytest.mark.parametrize("role", ["candidate", "coach"])
def test_candidates_and_coaches_get_404(registration, session_jury, role):
    user = registration.case.candidate if role == "candidate" else UserFactory(coach=True)
    client = signed_in(user)

    assert client.get(reverse("jury:home")).status_code == 404
    assert client.get(reverse("jury:session", args=[session_jury[0].pk])).status_code == 404
    assert client.get(reverse("jury:candidate", args=[registration.pk])).status_code == 404


def test_staff_read_the_grid_but_write_nothing(registration, instructor):
    client = signed_in(instructor)

    page = client.get(reverse("jury:candidate", args=[registration.pk]))
    post = client.post(reverse("jury:grid_save", args=[registration.pk]), {})

    assert page.status_code == 200
    assert "Lecture seule" in text(page)
    assert "Enregistrer la grille" not in text(page)
    assert post.status_code == 404
    assert client.get(reverse("jury:home")).status_code == 200


def test_an_unknown_registration_is_404(member):
    assert signed_in(member.user).get(reverse("jury:candidate", args=[999999])).status_code == 404


def test_a_candidate_of_another_session_is_404_to_the_member(referentiel, member):
    other_session, _ = jury_session(referentiel)
    theirs = transmitted(referentiel, other_session)

    assert (
        signed_in(member.user).get(reverse("jury:candidate", args=[theirs.pk])).status_code == 404
    )


def test_the_session_page_reads_its_candidates_in_a_fixed_number_of_queries(
    referentiel, session_jury, registration, member, django_assert_num_queries
):
    for _ in range(3):
        transmitted(referentiel, session_jury[0])
    client = signed_in(member.user)
    url = reverse("jury:session", args=[session_jury[0].pk])
    client.get(url)

    with django_assert_num_queries(6):
        response = client.get(url)

    assert text(response).count("/jury/candidat/") == 4


JUNK = ["²", "-1", "99999999999999999999", "\x00", "é" * 5000, "1.5", " "]


@pytest.mark.parametrize("junk", JUNK, ids=["sup", "neg", "huge", "nul", "long", "dec", "blank"])
def test_the_jury_forms_never_answer_500_to_junk(registration, president, junk):
    from django.test import Client

    from vaecos.jury import services

    client = Client(raise_request_exception=False)
    client.force_login(president.user)
    keys = [f"a{a.pk}" for a in services.blocs_to_assess(registration)]
    data = {"text": junk, "mode": junk, "reasons": junk, "competences_to_prove": junk}
    for key in keys:
        data |= {f"{key}-assessment": junk, f"{key}-observation": junk, f"{key}-version": junk}
        data |= {f"{key}-loaded": junk, f"vote-{key[1:]}": junk}
    names = ["grid_save", "notes_save", "vote", "deliberate", "sign"]

    codes = {
        n: client.post(reverse(f"jury:{n}", args=[registration.pk]), data).status_code
        for n in names
    }

    assert all(code < 500 for code in codes.values()), codes


# --- A member in conflict with the candidate (D. 6412-6) -----------------------------------------


def test_a_member_who_coached_the_candidate_does_nothing_for_them(
    registration, session_jury, president, member
):
    from vaecos.jury import services
    from vaecos.jury.models import Deliberation, PreparationNote, Signature
    from vaecos.utils.errors import ActionRefused

    registration.case.coach = member.user
    registration.case.save(update_fields=["coach"])
    activity = services.blocs_to_assess(registration)[0]
    reason = f"{member.user.display_name} a accompagné"

    for action in (
        lambda: services.grid_save(
            registration=registration,
            by=member.user,
            changes=[services.GridChange(activity.pk, None, "acquis", "", 0)],
        ),
        lambda: services.note_save(registration=registration, by=member.user, text="Mes notes"),
        lambda: services.votes_save(
            registration=registration, by=member.user, choices={activity.pk: True}
        ),
        lambda: services.deliberation_sign(registration=registration, by=member.user),
    ):
        with pytest.raises(ActionRefused, match=reason):
            action()
    assert not PreparationNote.objects.exists()
    assert not Signature.objects.exists()
    assert not Deliberation.objects.filter(votes__isnull=False).exists()

    client = signed_in(member.user)
    pk = registration.pk
    answers = [
        client.get(reverse("jury:candidate", args=[pk])).status_code,
        client.get(reverse("jury:bundle", args=[pk])).status_code,
        client.get(reverse("jury:minutes", args=[pk])).status_code,
        client.post(reverse("jury:grid_save", args=[pk]), {}).status_code,
        client.post(reverse("jury:notes_save", args=[pk]), {"text": "x"}).status_code,
        client.post(reverse("jury:vote", args=[pk]), {}).status_code,
        client.post(reverse("jury:sign", args=[pk]), {}).status_code,
    ]
    assert answers == [404] * 7
    # The session page says why the candidate's page is out of their reach.
    page = text(client.get(reverse("jury:session", args=[session_jury[0].pk])))
    assert registration.case.candidate.display_name in page
    assert f"Vous ne siégez pas pour ce candidat : {reason}" in page
    assert reverse("jury:candidate", args=[pk]) not in page
    # The other members still work on the candidate.
    president_page = signed_in(president.user)
    assert president_page.get(reverse("jury:candidate", args=[pk])).status_code == 200
    assert reverse("jury:candidate", args=[pk]) in text(
        president_page.get(reverse("jury:session", args=[session_jury[0].pk]))
    )


def test_a_member_of_the_candidates_organisation_does_not_reach_them(registration, member):
    from vaecos.accounts.models import Organisation

    organisation = Organisation.objects.create(name="CPAM du Rhône")
    for user in (member.user, registration.case.candidate):
        user.organisation = organisation
        user.save(update_fields=["organisation"])

    client = signed_in(member.user)

    assert client.get(reverse("jury:candidate", args=[registration.pk])).status_code == 404
    page = text(client.get(reverse("jury:session", args=[registration.session_id])))
    assert "travaille dans l'organisme" in page
