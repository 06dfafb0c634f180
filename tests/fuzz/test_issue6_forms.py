"""Hostile form input on the coaching, session and jury pages: never a server error.

Each form gets, from hypothesis, its own field names filled with arbitrary text (control
characters, very long strings, numbers out of range, pks that do not exist or are not numbers)
plus stray fields; whatever comes in, the answer is a page, a redirect or a 4xx.
"""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.accounts.factories import UserFactory
from tests.evaluation.factories import EvaluationSessionFactory, favourable_case
from tests.jury.factories import jury_session, transmitted
from vaecos.accounts.models import Organisation
from vaecos.cases.models import Coaching
from vaecos.coaching.models import CommentThread

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# What people (and robots) type: anything printable, control characters, numbers, ids.
TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
    st.sampled_from(["", " ", "0", "-1", "1e9", "None", "true", "on", "2027-02-30", "25:61"]),
    st.just("x" * 100_000),
)


def values(*names: str) -> st.SearchStrategy[dict[str, str]]:
    known = st.fixed_dictionaries({}, optional=dict.fromkeys(names, TEXT))
    stray = st.dictionaries(st.text(min_size=1, max_size=12), TEXT, max_size=3)
    return st.tuples(known, stray).map(lambda pair: {**pair[1], **pair[0]})


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def no_server_error(client: Client, url: str, data: dict[str, str]) -> None:
    # NUL bytes cannot go through a form post's encoding the way a browser sends them either.
    clean = {k.replace("\x00", ""): v.replace("\x00", "") for k, v in data.items()}
    response = client.post(url, clean)
    assert response.status_code < 500, (url, clean, response.status_code)


@pytest.fixture
def world(referentiel, candidate):
    institut = Organisation.objects.create(name="Institut 4.10", is_institut_410=True, coaches=True)
    coach = UserFactory(coach=True, organisation=institut)
    case = favourable_case(
        referentiel,
        candidate=candidate,
        coaching=Coaching.INSTITUT_410,
        coaching_organisation=institut,
        coach=coach,
    )
    dossier = case.dossiers.get()
    thread = CommentThread.objects.create(dossier=dossier, section="motivation", opened_by=coach)
    session, jury = jury_session(referentiel)
    registration = transmitted(referentiel, session, candidate=UserFactory())
    future = EvaluationSessionFactory(
        referentiel_version=referentiel,
        date=timezone.localdate() + datetime.timedelta(days=90),
    )
    return {
        "candidate": candidate,
        "coach": coach,
        "instructor": UserFactory(instructor=True),
        "case": case,
        "dossier": dossier,
        "thread": thread,
        "future": future,
        "jury": jury,
        "registration": registration,
    }


@FUZZ
@given(data=values("coaching", "organisation"))
def test_coaching_declaration(world, data):
    url = reverse("coaching:declare", args=[world["case"].pk])
    no_server_error(signed_in(world["candidate"]), url, data)


@FUZZ
@given(data=values("section", "body"), reply=values("body"))
def test_comment_threads(world, data, reply):
    no_server_error(
        signed_in(world["coach"]),
        reverse("coaching:thread_open", args=[world["dossier"].pk]),
        data,
    )
    no_server_error(
        signed_in(world["candidate"]),
        reverse("coaching:thread_reply", args=[world["thread"].pk]),
        reply,
    )


SESSION_FIELDS = (
    "referentiel_version",
    "branch",
    "date",
    "start_time",
    "duration_minutes",
    "place",
    "video_link",
    "capacity",
    "practical_details",
)


@FUZZ
@given(data=values(*SESSION_FIELDS))
def test_session_create_and_edit(world, data):
    client = signed_in(world["instructor"])
    no_server_error(client, reverse("evaluation:create"), data)
    no_server_error(client, reverse("evaluation:edit", args=[world["future"].pk]), data)


@FUZZ
@given(
    add=values("user", "qualified", "is_president"),
    register=values("case"),
    transmit=values("session"),
)
def test_jury_registration_and_transmission(world, add, register, transmit):
    staff = signed_in(world["instructor"])
    future = world["future"].pk
    no_server_error(staff, reverse("evaluation:jury_add", args=[future]), add)
    no_server_error(staff, reverse("evaluation:register_case", args=[future]), register)
    no_server_error(
        signed_in(world["coach"]),
        reverse("evaluation:transmit", args=[world["dossier"].pk]),
        transmit,
    )


def _grid_fields(registration) -> list[str]:
    activities = registration.case.referentiel_version.activities.prefetch_related("competences")
    names = []
    for activity in activities:
        keys = [f"a{activity.pk}"] + [f"c{c.pk}" for c in activity.competences.all()]
        for key in keys:
            names += [f"{key}-{part}" for part in ("assessment", "observation", "version")]
            names.append(f"{key}-loaded")
        names.append(f"vote-{activity.pk}")
    return names


@FUZZ
@given(data=st.data())
def test_jury_grid_notes_votes_and_decision(world, data):
    registration = world["registration"]
    president = signed_in(world["jury"][0].user)
    pk = registration.pk
    grid = data.draw(values(*_grid_fields(registration)))
    no_server_error(president, reverse("jury:grid_save", args=[pk]), grid)
    no_server_error(president, reverse("jury:notes_save", args=[pk]), data.draw(values("text")))
    no_server_error(president, reverse("jury:vote", args=[pk]), grid)
    decision = data.draw(values("mode", "competences_to_prove", "reasons"))
    no_server_error(president, reverse("jury:deliberate", args=[pk]), decision)
