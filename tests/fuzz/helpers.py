"""What every fuzz test of tests/fuzz shares: the hypothesis settings, the text people (and
robots) type, form bodies built from field names or from a form class, and the one assertion,
never a server error.

The number of examples is kept small so that `make test` stays quick; FUZZ_SCALE=20 in the
environment runs twenty times as many, to hunt for bugs on purpose.
"""

import os
import re
from typing import Any

from django import forms
from django.contrib.messages import get_messages
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

SCALE = max(1, int(os.environ.get("FUZZ_SCALE", "1")))
FUZZ = settings(
    max_examples=25 * SCALE,
    deadline=None,
    # No "explain" phase: replaying a failure dozens of times costs minutes for a line number.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# For the tests that walk many URLs: fewer examples, each of them heavier.
FUZZ_FEW = settings(FUZZ, max_examples=12 * SCALE)
# For the uploads: each example is one request, the more files the better.
FUZZ_FILES = settings(FUZZ, max_examples=30 * SCALE)

# What people (and robots) type: anything printable, control characters, numbers, ids.
TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
    st.sampled_from(["", " ", "0", "-1", "1e9", "None", "true", "on", "2027-02-30", "25:61"]),
    st.just("x" * 100_000),
)
# The same, with the NUL character a robot can send (%00) and PostgreSQL refuses in text.
TEXT_WITH_NUL = st.one_of(
    TEXT,
    st.text(alphabet=st.sampled_from(["\x00", "a", "é", " "]), min_size=1, max_size=12),
)


# Field keys ("situation.12.title") spelt with other digits, NUL, other names: what a robot
# would try in the autosave's URL or the personal-data forms.
FIELD_KEYS = st.one_of(
    st.tuples(
        st.sampled_from(["situation", "dossier", "Situation", ""]),
        st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=4)
        | st.integers(-1, 2**70).map(str),
        st.sampled_from(["title", "description", "context", "status", "title\x00", ""]),
    ).map(".".join),
    st.sampled_from(["dossier.context", "dossier.status", "dossier.last_name", "dossier..context"]),
)


def values(*names: str, text: st.SearchStrategy[str] = TEXT) -> st.SearchStrategy[dict[str, str]]:
    """A form body: some of these fields, with anything in them, and a few stray fields."""
    known = st.fixed_dictionaries({}, optional=dict.fromkeys(names, text))
    stray = st.dictionaries(st.text(min_size=1, max_size=12), text, max_size=3)
    return st.tuples(known, stray).map(lambda pair: {**pair[1], **pair[0]})


def _choice_values(field: forms.ChoiceField) -> list[str]:
    found: list[str] = []
    for value, label in field.choices:
        if isinstance(label, list | tuple):  # an optgroup
            found += [str(v) for v, _ in label]
        else:
            found.append(str(value))
    return [v for v in found if v]


def field_value(field: forms.Field) -> st.SearchStrategy[str]:
    """Anything, or (half the time) a value the field accepts when it has a list of them, so the
    form gets past its first checks and what lies behind is fuzzed too."""
    if isinstance(field, forms.ChoiceField) and (choices := _choice_values(field)):
        return st.one_of(st.sampled_from(choices), TEXT)
    if isinstance(field, forms.BooleanField):
        return st.one_of(st.just("on"), TEXT)
    return TEXT


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def no_server_error(
    client: Client, url: str, data: dict[str, Any] | bytes, *, keep_nul: bool = False, **extra: Any
):
    """POST this body (fields, or bytes with their `content_type`); the answer must be a page, a
    redirect or a 4xx. Returns the response.

    Without `keep_nul`, NUL characters are taken out of the fields: the older fuzz tests assert
    nothing about them (the newer ones send them: see TEXT_WITH_NUL)."""
    if keep_nul or isinstance(data, bytes):
        clean = data
    else:
        clean = {
            k.replace("\x00", ""): v.replace("\x00", "") if isinstance(v, str) else v
            for k, v in data.items()
        }
    response = client.post(url, clean, **extra)
    assert response.status_code < 500, (url, clean, response.status_code)
    return response


# Words a message of the platform uses; an English or technical message has none of them.
_FRENCH = re.compile(
    r"\b(?:le|la|les|l'|d'|un|une|des|du|de|est|sont|été|n'|pas|rien|ce|cette|votre|vos|"
    r"choisissez|fichier|pièce|enregistré|introuvable|invalide|à)\b",
    re.IGNORECASE,
)
_NOT_FRENCH = re.compile(
    r"Traceback|Exception|\bError\b|\bthe\b|\binvalid\b|\bnot\b|\bfailed\b", re.IGNORECASE
)
# What the person typed, quoted back between « and » (a file name, a text), is theirs.
_QUOTED = re.compile(r"«.*»", re.DOTALL)  # from the first « to the last »: names may hold one


def looks_french(message: str) -> bool:
    ours = _QUOTED.sub("« »", message)
    return bool(_FRENCH.search(ours)) and not _NOT_FRENCH.search(ours)


def flashed(response) -> list[tuple[str, str]]:
    """The messages a response left for the next page: (level tag, text)."""
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
