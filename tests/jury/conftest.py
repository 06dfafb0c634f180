import html

import pytest
from django.test import Client

from tests.jury.factories import jury_session, transmitted


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def session_jury(referentiel):
    """A session with a president and one member."""
    return jury_session(referentiel)


@pytest.fixture
def president(session_jury):
    return session_jury[1][0]


@pytest.fixture
def member(session_jury):
    return session_jury[1][1]


@pytest.fixture
def registration(referentiel, session_jury, candidate):
    return transmitted(referentiel, session_jury[0], candidate=candidate)
