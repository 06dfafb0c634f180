"""The jury's lists at any size: a fixed number of queries, pages that are not counted."""

import datetime

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

from tests.evaluation.factories import EvaluationSessionFactory
from tests.jury.conftest import signed_in, text
from tests.jury.factories import transmitted


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def shown(page: str, days: int) -> bool:
    with translation.override("fr"):
        return formats.date_format(in_days(days), "l j F Y") in page


def sessions(referentiel, count: int) -> None:
    for number in range(count):
        EvaluationSessionFactory(referentiel_version=referentiel, date=in_days(1 + number))
        EvaluationSessionFactory(referentiel_version=referentiel, date=in_days(-1 - number))


@pytest.mark.parametrize("count", [1, 30])
def test_the_staff_list_of_juries_has_a_fixed_number_of_queries(
    count, referentiel, instructor, django_assert_num_queries
):
    sessions(referentiel, count)
    client = signed_in(instructor)

    # Session, user, a page of upcoming sessions, a page of past ones, each with the number
    # of dossiers transmitted. Nothing counts the sessions.
    with django_assert_num_queries(4):
        page = text(client.get(reverse("jury:home")))

    assert page.count("Session du") == 2 * min(count, 25)


def test_the_lists_of_juries_are_paged(referentiel, instructor):
    sessions(referentiel, 27)
    client = signed_in(instructor)

    first = text(client.get(reverse("jury:home")))
    past_2 = text(client.get(reverse("jury:home"), {"passees": "2"}))

    assert shown(first, 1) and shown(first, 25) and not shown(first, 26)
    assert shown(first, -1) and shown(first, -25) and not shown(first, -26)
    assert shown(past_2, -26) and shown(past_2, -27) and not shown(past_2, -25)
    assert shown(past_2, 1)  # the upcoming sessions stay on their first page
    assert 'aria-label="Pages : sessions à venir"' in first
    assert 'href="?a_venir=2">Page suivante' in first
    assert 'href="?passees=1">Page précédente' in past_2
    assert 'href="?passees=2&a_venir=2">Page suivante' in past_2


@pytest.mark.parametrize("count", [1, 12])
def test_the_session_page_has_a_fixed_number_of_queries(
    count, referentiel, session_jury, member, instructor, django_assert_num_queries
):
    session = session_jury[0]
    for _ in range(count):
        transmitted(referentiel, session)
    url = reverse("jury:session", args=[session.pk])
    # Session and user, the session, then: the member's seat (a member), the candidates with
    # their deliberation, the jury.
    for user, queries in ((instructor, 5), (member.user, 6)):
        client = signed_in(user)
        client.get(url)

        with django_assert_num_queries(queries):
            page = text(client.get(url))

        assert page.count("/jury/candidat/") == count


@pytest.mark.parametrize("count", [1, 12])
def test_a_member_from_an_organisation_reads_the_session_in_a_fixed_number_of_queries(
    count, referentiel, session_jury, member, django_assert_num_queries
):
    from tests.evaluation.factories import favourable_for
    from vaecos.accounts.models import Organisation

    member.user.organisation = Organisation.objects.create(name="CPAM du Rhône")
    member.user.save()
    session = session_jury[0]
    registrations = [transmitted(referentiel, session) for _ in range(count)]
    # The first candidate worked in the member's organisation: the member does not sit for them.
    favourable_for(registrations[0].case, organisation="CPAM du Rhône")
    url = reverse("jury:session", args=[session.pk])
    client = signed_in(member.user)
    client.get(url)

    # Session, user, the session, the seat, the candidates, their organisations, the member's
    # organisation, the jury.
    with django_assert_num_queries(8):
        page = text(client.get(url))

    assert page.count("/jury/candidat/") == count - 1
    assert "Vous ne siégez pas pour ce candidat" in page
