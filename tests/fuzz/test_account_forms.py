"""Hostile input on the account pages: login, password reset (request and new password), the
second factor (enrolment, code, new backup codes), logout. Never a server error.

Field names come from the forms the pages use. Values mix the right ones (a real address, the
right password, the current code) with anything, so the throttling, the lockout and the success
paths are reached too. A form's errors are in French, and wherever the page sends the person
next (`next`), it stays on the platform.
"""

import time
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import example, given
from hypothesis import strategies as st

from tests.accounts.factories import UserFactory
from tests.fuzz.helpers import FUZZ, TEXT, TEXT_WITH_NUL, looks_french, no_server_error, signed_in
from vaecos.accounts import second_factor
from vaecos.www.accounts.second_factor import CodeForm, EnrolmentForm, RenewalForm
from vaecos.www.accounts.views import EmailAuthenticationForm

PASSWORD = "motdepasse-test"  # tests.accounts.factories.UserFactory's
# Where a robot would like to send someone after the form.
NEXT = st.sampled_from(
    ["/", "/livret2/1/", "//pirate.test/", "https://pirate.test/", "javascript:alert(1)", "/\\x"]
)


def with_strings(names, fixed: dict[str, st.SearchStrategy[str]]):
    """A body with some of these fields (the right value or anything), and a few stray ones."""
    known = st.fixed_dictionaries(
        {}, optional={name: fixed.get(name, TEXT_WITH_NUL) for name in names}
    )
    stray = st.dictionaries(st.text(min_size=1, max_size=12), TEXT, max_size=3)
    return st.tuples(known, stray).map(lambda pair: {**pair[1], **pair[0]})


def answered_in_french(response) -> None:
    """The form's errors, if the page shows one, are in French; a redirect stays on the site."""
    if response.status_code in (301, 302):
        location = response["Location"]
        parts = urlsplit(location)
        assert not parts.scheme and not parts.netloc, location
        assert not location.lstrip().startswith(("//", "/\\", "\\")), location
        return
    form = (response.context or {}).get("form")
    if form is not None:
        for message in [m for errors in form.errors.values() for m in errors]:
            assert looks_french(message), message


@pytest.fixture
def person(db):
    return UserFactory(email="marie.durand@exemple.test")


@FUZZ
@given(
    data=with_strings(
        [*EmailAuthenticationForm.base_fields, "next"],
        {
            "username": st.sampled_from(
                ["marie.durand@exemple.test", " Marie.Durand@Exemple.TEST "]
            )
            | TEXT_WITH_NUL,
            "password": st.just(PASSWORD) | TEXT_WITH_NUL,
            "next": NEXT | TEXT_WITH_NUL,
        },
    )
)
def test_login(person, data):
    response = no_server_error(Client(), reverse("accounts:login"), data, keep_nul=True)

    assert response.status_code in (200, 302, 429), response.status_code
    answered_in_french(response)


@FUZZ
@given(
    data=with_strings(
        PasswordResetForm.base_fields,
        {"email": st.just("marie.durand@exemple.test") | TEXT_WITH_NUL},
    )
)
def test_password_reset_request(person, data):
    response = no_server_error(Client(), reverse("accounts:password_reset"), data, keep_nul=True)

    assert response.status_code in (200, 302), response.status_code
    answered_in_french(response)


@FUZZ
@given(
    data=with_strings(
        SetPasswordForm.base_fields,
        {
            "new_password1": st.just("Un mot de passe assez long 2027") | TEXT_WITH_NUL,
            "new_password2": st.just("Un mot de passe assez long 2027") | TEXT_WITH_NUL,
        },
    ),
    link=st.sampled_from(["valid", "valid", "broken"]),
    uid=TEXT.filter(lambda s: 0 < len(s) < 200 and "/" not in s),
    token=TEXT.filter(lambda s: 0 < len(s) < 200 and "/" not in s),
)
def test_password_reset_new_password(db, data, link, uid, token):
    someone = UserFactory()  # each example its own link: a reset voids the one before
    client = Client()
    if link == "valid":
        uid = urlsafe_base64_encode(force_bytes(someone.pk))
        token = default_token_generator.make_token(someone)
    url = reverse("accounts:password_reset_confirm", args=[uid, token])
    opened = client.get(url)
    assert opened.status_code in (200, 302)
    if opened.status_code == 302:
        url = opened["Location"]  # the link's token is in the session now

    response = no_server_error(client, url, data, keep_nul=True)

    assert response.status_code in (200, 302), response.status_code
    answered_in_french(response)


@pytest.fixture
def staff(db, settings):
    settings.SECOND_FACTOR_REQUIRED = True
    return UserFactory(instructor=True)


def current_code(device: TOTPDevice, steps: int = 0) -> str:
    """The application's code, `steps` periods ahead (each code is accepted once)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps * device.step
    return f"{totp.token():0{device.digits}d}"


@example(enrolment={}, login={}, renewal={}, right_codes=(True, True, False))
# A page name rather than a path in `next`, once the code is right.
@example(enrolment={}, login={"next": "suite"}, renewal={}, right_codes=(True, True, False))
@FUZZ
@given(
    enrolment=with_strings([*EnrolmentForm.base_fields, "next"], {"next": NEXT | TEXT}),
    login=with_strings([*CodeForm.base_fields, "next"], {"next": NEXT | TEXT}),
    renewal=with_strings(RenewalForm.base_fields, {}),
    right_codes=st.tuples(st.booleans(), st.booleans(), st.booleans()),
)
def test_second_factor(staff, enrolment, login, renewal, right_codes):
    """Enrolment, the code at login, new backup codes: anything in the forms or, as drawn, the
    right code (each is accepted once: in the later examples the right code is refused)."""
    if not second_factor.is_enrolled(staff):
        client = signed_in(staff)
        setup = reverse("accounts:second_factor_setup")
        assert client.get(setup).status_code == 200  # the key is made for this session
        if right_codes[0]:
            enrolment["code"] = current_code(TOTPDevice.objects.get(user=staff, confirmed=False))
        answered_in_french(no_server_error(client, setup, enrolment, keep_nul=True))
        assert second_factor.is_enrolled(staff) == right_codes[0]  # a first code works once
    device = TOTPDevice.objects.filter(user=staff, confirmed=True).first()
    if right_codes[1] and device is not None:
        login["code"] = current_code(device, 1)
    client = signed_in(staff)  # a new login: the code is asked again
    url = reverse("accounts:second_factor")
    answered_in_french(no_server_error(client, url, login, keep_nul=True))
    if right_codes[2] and device is not None:
        renewal["code"] = current_code(device, 1)
    url = reverse("accounts:second_factor_codes")
    answered_in_french(no_server_error(client, url, renewal, keep_nul=True))


@FUZZ
@given(stray=st.dictionaries(st.text(min_size=1, max_size=12), TEXT_WITH_NUL, max_size=3))
def test_logout(person, stray):
    response = no_server_error(signed_in(person), reverse("accounts:logout"), stray, keep_nul=True)

    assert response.status_code == 302
    answered_in_french(response)
