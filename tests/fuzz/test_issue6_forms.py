"""Hostile form input on the coaching, session and jury pages: never a server error.

Each form gets, from hypothesis, its own field names filled with arbitrary text (control
characters, very long strings, numbers out of range, pks that do not exist or are not numbers)
plus stray fields; whatever comes in, the answer is a page, a redirect or a 4xx.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tests.accounts.factories import UserFactory
from tests.evaluation.factories import EvaluationSessionFactory, favourable_case
from tests.fuzz.helpers import FUZZ, no_server_error, signed_in, values
from tests.jury.factories import jury_session, transmitted
from vaecos.accounts.models import Organisation
from vaecos.cases.models import Coaching
from vaecos.coaching.models import CommentThread


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
