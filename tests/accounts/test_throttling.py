"""Login throttling (django-axes): failures counted per (e-mail, client IP) pair."""

import importlib
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.accounts.factories import UserFactory
from vaecos.www.accounts import throttling

PASSWORD = "motdepasse-test"
WRONG = "pas-le-bon"
HOME = "192.0.2.10"
ELSEWHERE = "198.51.100.7"
LOCKED = "Trop de tentatives de connexion"
TRY_LATER = "Réessayez dans 15 minutes ou réinitialisez votre mot de passe."
INCORRECT = "Adresse électronique ou mot de passe incorrect."


def attempt(client, email, password, ip=HOME, path=None):
    return client.post(
        path or reverse("accounts:login"),
        {"username": email, "password": password},
        REMOTE_ADDR=ip,
    )


def fail(client, email, times, ip=HOME):
    return [attempt(client, email, WRONG, ip=ip) for _ in range(times)]


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


@pytest.fixture
def person(db):
    return UserFactory()


def test_the_defaults_are_five_failures_and_fifteen_minutes():
    assert django_settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == django_settings.AXES_COOLOFF_TIME
    assert django_settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert django_settings.AXES_RESET_ON_SUCCESS is True


def test_the_limit_and_the_cool_off_come_from_the_environment(monkeypatch):
    from config.settings import security

    monkeypatch.setenv("AXES_FAILURE_LIMIT", "8")
    monkeypatch.setenv("AXES_COOLOFF_TIME", "30")
    try:
        reloaded = importlib.reload(security)
        assert reloaded.AXES_FAILURE_LIMIT == 8
        assert timedelta(minutes=30) == reloaded.AXES_COOLOFF_TIME
    finally:
        monkeypatch.delenv("AXES_FAILURE_LIMIT")
        monkeypatch.delenv("AXES_COOLOFF_TIME")
        importlib.reload(security)


def test_every_environment_puts_axes_first():
    from config.django import base, test

    assert base.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert base.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert test.AUTHENTICATION_BACKENDS[0].endswith("AxesBackendForTestClient")


def test_five_wrong_passwords_lock_the_pair_even_for_the_right_password(client, person):
    before = fail(client, person.email, 4)
    assert [r.status_code for r in before] == [200] * 4
    assert all(INCORRECT in r.content.decode() for r in before)

    fifth = attempt(client, person.email, WRONG)
    assert fifth.status_code == 429

    sixth = attempt(client, person.email, PASSWORD)
    assert sixth.status_code == 429
    page = sixth.content.decode()
    assert LOCKED in page and TRY_LATER in page
    assert f'href="{reverse("accounts:password_reset")}"' in page
    assert sixth["Retry-After"] == "900"
    assert not signed_in(client)


def test_the_lockout_page_is_the_platform_s_accessible_page(client, person):
    fail(client, person.email, 5)
    page = attempt(client, person.email, PASSWORD).content.decode()

    assert '<html lang="fr">' in page
    assert "<title>" in page and "Trop de tentatives de connexion" in page.split("</title>")[0]
    assert 'href="#contenu"' in page  # base.html's skip link
    assert page.count("<h1") == 1
    assert 'role="alert"' in page
    assert "Réinitialiser mon mot de passe" in page


def test_another_person_from_the_same_address_is_not_locked(client, person):
    neighbour = UserFactory()
    fail(client, person.email, 5)

    assert attempt(client, person.email, PASSWORD).status_code == 429
    answer = attempt(Client(), neighbour.email, PASSWORD)
    assert answer.status_code == 302


def test_the_same_person_from_another_address_is_not_locked(client, person):
    fail(client, person.email, 5)

    assert attempt(Client(), person.email, PASSWORD, ip=ELSEWHERE).status_code == 302


def test_the_case_and_spaces_of_the_address_do_not_make_a_new_counter(client, person):
    fail(client, person.email.upper(), 2)
    fail(client, f"  {person.email}  ", 2)
    fail(client, person.email, 1)

    assert attempt(client, person.email, PASSWORD).status_code == 429


def test_logging_in_works_again_after_the_cool_off(client, person):
    fail(client, person.email, 5)
    assert attempt(client, person.email, PASSWORD).status_code == 429

    # 14 minutes after the last attempt: still locked (each attempt restarts the cool-off).
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    assert attempt(client, person.email, PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    answer = attempt(client, person.email, PASSWORD)
    assert answer.status_code == 302
    assert signed_in(client)


def test_a_shorter_cool_off_from_the_settings_is_said_on_the_page(client, person, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=2)
    fail(client, person.email, 5)

    answer = attempt(client, person.email, PASSWORD)
    assert answer.status_code == 429
    assert "Réessayez dans 2 minutes" in answer.content.decode()
    assert answer["Retry-After"] == "120"


def test_a_successful_login_resets_the_counter(client, person):
    fail(client, person.email, 4)
    assert attempt(client, person.email, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username=person.email).exists()
    client.post(reverse("accounts:logout"))

    again = fail(client, person.email, 4)
    assert [r.status_code for r in again] == [200] * 4
    assert attempt(client, person.email, PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(client, db):
    admin = UserFactory(admin=True)
    path = reverse("admin:login")
    for _ in range(5):
        attempt(client, admin.email, WRONG, path=path)

    answer = attempt(client, admin.email, PASSWORD, path=path)
    assert answer.status_code == 429
    assert LOCKED in answer.content.decode()


def test_the_test_client_shortcuts_still_work(person):
    assert Client().login(email=person.email, password=PASSWORD)
    assert not Client().login(email=person.email, password=WRONG)
    forced = Client()
    forced.force_login(person)
    assert signed_in(forced)


def test_the_client_address_behind_the_tls_proxy(settings):
    factory = RequestFactory()
    forwarded = factory.post(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9, 192.0.2.44"
    )
    settings.SECURE_PROXY_SSL_HEADER = None
    assert throttling.client_ip_address(forwarded) == "10.0.0.2"

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The proxy appends what it saw last; what comes before is the client's word.
    assert throttling.client_ip_address(forwarded) == "192.0.2.44"
    spoofed = factory.post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="pas-une-adresse")
    assert throttling.client_ip_address(spoofed) == "10.0.0.2"


def test_a_new_password_from_the_reset_link_lifts_the_lock(client, person):
    fail(client, person.email, 5)
    assert attempt(client, person.email, PASSWORD).status_code == 429
    stranger = UserFactory()
    fail(Client(), stranger.email, 3)

    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = default_token_generator.make_token(person)
    form = client.get(reverse("accounts:password_reset_confirm", args=[uid, token]), follow=True)
    new_password = "Tournesol-Bleu-2025"
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done["Location"] == reverse("accounts:password_reset_complete")

    assert attempt(client, person.email, new_password).status_code == 302
    # Only this person's failures are forgotten.
    assert AccessAttempt.objects.filter(username=stranger.email).exists()


def test_unlocking_nobody_forgets_nothing(client, person):
    fail(client, person.email, 2)

    assert throttling.unlock("  ") == 0
    assert AccessAttempt.objects.exists()
