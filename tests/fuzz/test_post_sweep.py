"""Hostile input on the platform's actions (delete, submit, finalise, confirm, withdraw…) and
their small forms: never a server error.

They are posted in the world of the authorization matrix (tests/www/test_authorization_matrix.py:
a dossier with situations, files, a Word import waiting, an admissibility request, sessions, a
jury deliberating…), by each role the matrix lets through. Hypothesis sends the fields each view
reads (from its form class where it has one), with the values the matrix posts or with anything
else, stray fields, and the URL's ids swapped for ones that do not exist or overflow.
"""

import re
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import pytest
from django import forms
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz.helpers import (
    FIELD_KEYS,
    FUZZ,
    SCALE,
    TEXT,
    TEXT_WITH_NUL,
    field_value,
    no_server_error,
)
from tests.www import test_authorization_matrix as authorization
from tests.www.test_authorization_matrix import (
    ENTRIES,
    NOT_FOUND,
    TO_LOGIN,
    client_for,
    rule_for,
    url_kwargs,
)
from vaecos.accounts.models import Role, User
from vaecos.www.admissibility.forms import ExperienceForm
from vaecos.www.coaching.forms import AssignForm, ReasonForm

FUZZ_SWEEP = settings(FUZZ, max_examples=6 * SCALE)

Fields = Callable[[SimpleNamespace], forms.BaseForm | tuple[str, ...]]
NO_FIELDS: Fields = lambda w: ()  # noqa: E731

# The URL patterns posted here, with the fields their view reads: a form, or names.
SWEPT: dict[str, Fields] = {
    "accounts:logout": NO_FIELDS,
    "dossiers:situation_add": NO_FIELDS,
    "dossiers:situation_delete": NO_FIELDS,
    "dossiers:field_restore": lambda w: ("number",),
    "dossiers:attachment_delete": NO_FIELDS,
    "dossiers:finalize": NO_FIELDS,
    "dossiers:reopen": lambda w: ReasonForm(),
    "documents:import_confirm": NO_FIELDS,
    "documents:import_cancel": NO_FIELDS,
    "documents:place": lambda w: ("cible",),
    "documents:set_aside": NO_FIELDS,
    "admissibility:start": NO_FIELDS,
    "admissibility:experience": lambda w: ExperienceForm(
        activities=w.referentiel.activities.order_by("number")
    ),
    "admissibility:experience_delete": NO_FIELDS,
    "admissibility:document_delete": NO_FIELDS,
    "admissibility:submit": NO_FIELDS,
    "coaching:assign": lambda w: AssignForm(coaches=User.objects.filter(role=Role.COACH)),
    "coaching:reopen_request": lambda w: ReasonForm(),
    "coaching:thread_resolve": NO_FIELDS,
    "evaluation:delete": NO_FIELDS,
    "evaluation:convene_session": NO_FIELDS,
    "evaluation:jury_update": lambda w: ("is_president", "qualified"),
    "evaluation:jury_remove": NO_FIELDS,
    "evaluation:register": NO_FIELDS,
    "evaluation:withdraw": NO_FIELDS,
    "evaluation:convene": NO_FIELDS,
    "jury:reopen": NO_FIELDS,
    "jury:sign": NO_FIELDS,
    "jury:new_attempt": NO_FIELDS,
}
BY_KEY = {entry.key: entry for entry in ENTRIES}

# The matrix's world, as fixtures: built once for the module, each test's changes rolled back.
module_world = authorization.module_world
matrix = authorization.world


def allowed_roles(rule: Any) -> list[str]:
    """Who the matrix lets through (the others get a 404 or the login page)."""
    return [
        role
        for role, expect in rule.expected.items()
        if role != "anonymous" and expect not in (NOT_FOUND, TO_LOGIN)
    ]


def body(fields: forms.BaseForm | tuple[str, ...], valid: dict[str, Any]):
    """The fields, each with the value the matrix posts, a value its form accepts, or anything;
    a few stray fields besides."""
    strategies: dict[str, Any] = {}
    names = tuple(fields.fields) if isinstance(fields, forms.BaseForm) else fields
    for name in {*names, *valid}:
        options = [TEXT_WITH_NUL]
        if isinstance(fields, forms.BaseForm) and name in fields.fields:
            options.append(field_value(fields.fields[name]))
        if name in valid:
            options.append(st.just(valid[name]))
        strategies[name] = st.one_of(*reversed(options))
    known = st.fixed_dictionaries({}, optional=strategies)
    stray = st.dictionaries(st.text(min_size=1, max_size=12), TEXT_WITH_NUL, max_size=3)
    return st.tuples(known, stray).map(lambda pair: {**pair[1], **pair[0]})


def fuzzed_kwargs(kwargs: dict[str, Any]):
    """The URL's values, or ids that match nothing (0, past PostgreSQL's integer, past 64 bits)
    and keys spelt otherwise (other digits, NUL…) or meaning nothing."""
    return st.fixed_dictionaries(
        {
            name: st.one_of(st.just(value), st.sampled_from([0, 2**31, 10**20]))
            if isinstance(value, int)
            else st.one_of(
                st.just(value), FIELD_KEYS, TEXT.filter(lambda s: 0 < len(s) < 300 and "/" not in s)
            )
            for name, value in kwargs.items()
        }
    )


def path(route: str, kwargs: dict[str, Any]) -> str:
    """The route with these values, written by hand: reverse() refuses a value its converter
    would not match, a robot does not ask."""
    return "/" + re.sub(
        r"<(?:\w+:)?(\w+)>", lambda m: quote(str(kwargs[m.group(1)]), safe=""), route
    )


@pytest.mark.parametrize("key", sorted(SWEPT))
@FUZZ_SWEEP
@given(data=st.data())
def test_an_action_never_fails(key: str, matrix: SimpleNamespace, data):
    world = matrix
    entry = BY_KEY[key]
    rule = rule_for(entry)
    assert rule is not None
    roles = allowed_roles(rule)
    assert roles, f"{key}: the matrix lets nobody through"
    kwargs = url_kwargs(entry, rule, world)
    fields = SWEPT[key](world)
    for role in roles:
        url = path(entry.route, data.draw(fuzzed_kwargs(kwargs), label=f"{role} URL"))
        post = data.draw(body(fields, rule.data(world)), label=f"{role} body")
        no_server_error(client_for(role, world), url, post, keep_nul=True)
