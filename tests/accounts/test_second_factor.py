"""Second factor (TOTP) for instructeurs, jury members and administrators."""

import re
import time
from io import StringIO
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.urls import URLPattern, reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.factories import UserFactory
from tests.www.test_authorization_matrix import ENTRIES
from vaecos.accounts import second_factor
from vaecos.accounts.models import Role
from vaecos.www.middleware import SecondFactorMiddleware

VERIFY = "/comptes/double-authentification/"
SETUP = "/comptes/double-authentification/activer/"
CODES = "/comptes/double-authentification/codes-de-secours/"


@pytest.fixture(autouse=True)
def _required(settings):
    settings.SECOND_FACTOR_REQUIRED = True


def code_for(device: TOTPDevice, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():06d}"


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


@pytest.mark.parametrize("role", [Role.INSTRUCTOR, Role.JURY, Role.ADMIN])
def test_the_deciding_roles_need_it(db, role):
    assert second_factor.requires_second_factor(UserFactory(role=role))


@pytest.mark.parametrize("role", [Role.CANDIDATE, Role.COACH])
def test_candidates_and_coaches_do_not(client, db, role):
    user = UserFactory(role=role)
    assert not second_factor.requires_second_factor(user)
    client.force_login(user)
    assert client.get("/").status_code == 200
    assert client.get(VERIFY).status_code == 302  # nothing to confirm: sent on


def test_the_setting_turns_it_off(db, settings):
    settings.SECOND_FACTOR_REQUIRED = False
    assert not second_factor.requires_second_factor(UserFactory(role=Role.INSTRUCTOR))


def test_first_login_leads_to_enrolment_then_backup_codes(client, db):
    user = UserFactory(role=Role.INSTRUCTOR)
    client.force_login(user)

    response = client.get("/recevabilite/file/")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next={quote('/recevabilite/file/', safe='')}"
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"].startswith(SETUP)

    page = client.get(response["Location"])
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    shown = re.search(r'id="cle-totp">([A-Z2-7 ]+)<', page.content.decode()).group(1)
    assert shown.replace(" ", "") == second_factor.readable_key(device).replace(" ", "")
    # The same key on every visit until it is confirmed.
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=user).count() == 1

    qr = client.get("/comptes/double-authentification/qr-code.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert b"<svg" in qr.content

    wrong = client.post(SETUP, {"code": "000000", "next": "/recevabilite/file/"})
    assert wrong.status_code == 400
    assert "Code incorrect" in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_timestamp = None  # the wait after a wrong code, elapsed
    device.save()

    done = client.post(SETUP, {"code": code_for(device), "next": "/recevabilite/file/"})
    assert done.status_code == 302 and done["Location"].startswith(CODES)
    device.refresh_from_db()
    assert device.confirmed
    codes_page = client.get(done["Location"]).content.decode()
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", codes_page)
    assert len(codes) == 10
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert stored == {second_factor._digest(code) for code in codes}  # never in clear
    assert not stored & set(codes)
    assert 'href="/recevabilite/file/"' in codes_page  # « Continuer » goes where they were going
    # Shown once only.
    assert not re.findall(r"<li>([a-z2-7]{8})</li>", client.get(CODES).content.decode())
    # Verified for the rest of the session; no QR code of the confirmed key any more.
    assert client.get("/recevabilite/file/").status_code == 200
    assert client.get("/comptes/double-authentification/qr-code.svg").status_code == 404


def test_an_enrolled_person_confirms_each_login(client, db):
    user = UserFactory(role=Role.JURY)
    device = enrolled(user)
    client.force_login(user)
    assert client.get("/jury/").status_code == 302
    assert client.get(SETUP).status_code == 302  # no second device without confirming first

    response = client.post(VERIFY, {"code": code_for(device), "next": "/jury/"})
    assert response.status_code == 302 and response["Location"] == "/jury/"
    assert client.get("/jury/").status_code == 200

    client.logout()
    client.force_login(user)
    assert client.get("/jury/").status_code == 302  # a new login asks again


def test_a_code_is_used_once(client, db):
    user = UserFactory(role=Role.INSTRUCTOR)
    device = enrolled(user)
    code = code_for(device)
    client.force_login(user)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    other = client.__class__()
    other.force_login(user)
    replay = other.post(VERIFY, {"code": code})
    assert replay.status_code == 400


def test_wrong_codes_are_throttled_with_a_french_message(client, db, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 60
    user = UserFactory(role=Role.INSTRUCTOR)
    device = enrolled(user)
    client.force_login(user)
    first = client.post(VERIFY, {"code": "123456"})
    assert first.status_code == 400
    assert "Code incorrect ou expiré" in first.content.decode()
    # Right away, even the right code waits.
    second = client.post(VERIFY, {"code": code_for(device)})
    assert second.status_code == 400
    assert "Trop de codes erronés : patientez" in second.content.decode()
    assert client.get("/recevabilite/file/").status_code == 302


@pytest.mark.parametrize("junk", ["", "   ", "abc", "9" * 20, "\x00\x01", "１２３４５６"])
def test_junk_codes_are_refused_without_error(client, db, junk):
    user = UserFactory(role=Role.ADMIN, is_staff=True)
    enrolled(user)
    client.force_login(user)
    response = client.post(VERIFY, {"code": junk})
    assert response.status_code == 400


def test_a_backup_code_works_once_and_says_how_many_are_left(client, db):
    user = UserFactory(role=Role.INSTRUCTOR)
    enrolled(user)
    codes = second_factor.new_backup_codes(user)
    client.force_login(user)
    response = client.post(VERIFY, {"code": codes[0].upper()}, follow=True)
    assert response.status_code == 200
    assert "il vous en reste 9" in response.content.decode()
    client.logout()
    client.force_login(user)
    assert client.post(VERIFY, {"code": codes[0]}).status_code == 400


def test_new_backup_codes_replace_the_old_after_a_fresh_code(client, db, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no wait after the refused try below
    user = UserFactory(role=Role.INSTRUCTOR)
    device = enrolled(user)
    old = second_factor.new_backup_codes(user)
    client.force_login(user)
    client.post(VERIFY, {"code": code_for(device)})
    refused = client.post(CODES, {"code": old[0]})  # a backup code cannot renew them
    assert refused.status_code == 400
    assert "aucun nouveau code de secours" in refused.content.decode()
    with_code = client.post(CODES, {"code": code_for(device, 1)}, follow=True)
    page = with_code.content.decode()
    new = re.findall(r"<li>([a-z2-7]{8})</li>", page)
    assert len(new) == 10 and not set(new) & set(old)
    assert second_factor.backup_codes_left(user) == 10


def test_renewing_codes_after_logging_in_with_one_keeps_the_session(client, db):
    user = UserFactory(role=Role.INSTRUCTOR)
    device = enrolled(user)
    codes = second_factor.new_backup_codes(user)
    client.force_login(user)
    assert client.post(VERIFY, {"code": codes[0]}).status_code == 302
    response = client.post(CODES, {"code": code_for(device)}, follow=True)
    assert response.status_code == 200
    assert len(re.findall(r"<li>([a-z2-7]{8})</li>", response.content.decode())) == 10
    assert client.get("/recevabilite/file/").status_code == 200


def test_confirming_the_login_rotates_the_session_key(client, db):
    user = UserFactory(role=Role.INSTRUCTOR)
    device = enrolled(user)
    client.force_login(user)
    before = client.session.session_key
    client.post(VERIFY, {"code": code_for(device)})
    assert client.session.session_key != before
    assert client.get("/recevabilite/file/").status_code == 200


def test_another_session_cannot_confirm_the_key_shown_elsewhere(client, db):
    user = UserFactory(role=Role.INSTRUCTOR)
    client.force_login(user)
    client.get(SETUP)
    first = TOTPDevice.objects.get(user=user)
    intruder = client.__class__()
    intruder.force_login(user)
    intruder.get(SETUP)
    second = TOTPDevice.objects.get(user=user)
    assert second.pk != first.pk and second.key != first.key
    # The first session's key is gone: its code confirms nothing.
    assert client.post(SETUP, {"code": code_for(first)}).status_code == 400
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_enrolment_and_new_codes_are_told_by_email(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(role=Role.INSTRUCTOR)
    client.force_login(user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SETUP, {"code": code_for(device)})
    assert [m.to for m in mailoutbox] == [[user.email]]
    assert "La double authentification a été activée" in mailoutbox[0].body
    assert "Si ce n'est pas vous" in mailoutbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        client.post(CODES, {"code": code_for(device, 1)})
    assert "nouveaux codes de secours" in mailoutbox[1].body


def test_a_new_password_lifts_the_wait_after_wrong_codes(client, db, settings):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 60
    user = UserFactory(role=Role.INSTRUCTOR)
    device = enrolled(user)
    client.force_login(user)
    client.post(VERIFY, {"code": "000000"})
    client.logout()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = client.get(
        f"/comptes/mot-de-passe/nouveau/{uid}/{default_token_generator.make_token(user)}/"
    )
    response = client.post(
        link["Location"],
        {
            "new_password1": "Un-nouveau-mot-de-passe-2026",
            "new_password2": "Un-nouveau-mot-de-passe-2026",
        },
    )
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    client.force_login(user)
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 302


def test_next_never_leaves_the_site(client, db):
    user = UserFactory(role=Role.INSTRUCTOR)
    device = enrolled(user)
    client.force_login(user)
    response = client.post(VERIFY, {"code": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_htmx_requests_are_sent_to_the_page_by_htmx(client, db):
    user = UserFactory(role=Role.INSTRUCTOR)
    enrolled(user)
    client.force_login(user)
    response = client.get(
        "/recevabilite/file/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/sessions/?page=2"},
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{VERIFY}?next={quote('/sessions/?page=2', safe='')}"
    hostile = client.get(
        "/recevabilite/file/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver//evil.example/x"},
    )
    assert hostile["HX-Redirect"] == f"{VERIFY}?next=%2F"  # only a path of this site


def _dummy_kwargs(pattern: URLPattern) -> dict[str, object]:
    kwargs: dict[str, object] = {}
    for name, converter in pattern.pattern.converters.items():
        kwargs[name] = {"IntConverter": 1, "UUIDConverter": "0" * 32}.get(
            type(converter).__name__, "x"
        )
    return kwargs


def test_every_page_but_a_few_waits_for_the_second_factor(client, db):
    """Every URL of the project, for an administrator who has not confirmed their login."""
    user = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    enrolled(user)
    client.force_login(user)
    allowed = SecondFactorMiddleware.ALLOWED
    checked = 0
    for entry in ENTRIES:
        if not entry.name or entry.key in allowed or entry.key.startswith(("admin:", "api:")):
            continue
        try:
            url = reverse(entry.key, kwargs=_dummy_kwargs(entry.pattern))
        except Exception:  # noqa: BLE001 - patterns with unusual converters are covered below
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 302, f"{method.upper()} {url}: {response.status_code}"
            assert response["Location"].startswith(VERIFY), url
        checked += 1
    assert checked > 100
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/accounts/user/").status_code == 302
    assert client.get("/healthz").status_code == 200
    assert client.get("/accessibilite/").status_code == 200
    # The API authenticates by token, never by the session: no second factor to wait for.
    assert client.get("/api/v1/docs").status_code == 200
    assert client.get("/api/v1/cases").status_code == 401


def test_an_administrator_can_reset_a_lost_second_factor(client, db):
    admin = UserFactory(admin=True)
    admin_device = enrolled(admin)
    user = UserFactory(role=Role.INSTRUCTOR)
    lost = enrolled(user)
    client.force_login(admin)
    client.post(VERIFY, {"code": code_for(admin_device)})
    # The admin lists the devices but never shows a key.
    assert client.get(f"/admin/otp_totp/totpdevice/{lost.pk}/config/").status_code == 403
    response = client.post(f"/admin/otp_totp/totpdevice/{lost.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not second_factor.is_enrolled(user)
    client.logout()
    client.force_login(user)
    response = client.get("/recevabilite/file/", follow=True)
    assert response.redirect_chain[-1][0].startswith(SETUP)


def test_demo_accounts_are_enrolled_and_show_their_code(client, db, referentiel, settings):
    call_command("load_demo", stdout=StringIO())
    for email in ("instructeur@demo.test", "jury@demo.test", "jury2@demo.test", "admin@demo.test"):
        assert TOTPDevice.objects.filter(user__email=email, confirmed=True).exists(), email
    assert not TOTPDevice.objects.filter(user__email="candidat@demo.test").exists()

    out = StringIO()
    call_command("demo_code", "instructeur@demo.test", stdout=out)
    code = out.getvalue().split()[0]
    device = TOTPDevice.objects.get(user__email="instructeur@demo.test")
    assert code in {code_for(device, -1), code_for(device), code_for(device, 1)}

    user = device.user
    client.force_login(user)
    settings.SHOW_DEMO_ACCOUNTS = True
    page = client.get(VERIFY).content.decode()
    shown = re.search(r'font-monospace fw-semibold">(\d{6})<', page).group(1)
    assert client.post(VERIFY, {"code": shown}).status_code == 302
    settings.SHOW_DEMO_ACCOUNTS = False
    client.logout()
    client.force_login(user)
    assert "Code actuel" not in client.get(VERIFY).content.decode()


def test_demo_code_refuses_real_accounts(db):
    UserFactory(email="vrai@ucanss.fr", role=Role.INSTRUCTOR)
    with pytest.raises(Exception, match="démonstration"):
        call_command("demo_code", "vrai@ucanss.fr", stdout=StringIO())


def test_a_throttled_enrolment_says_when_to_retry(client, db, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    user = UserFactory(role=Role.INSTRUCTOR)
    client.force_login(user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    client.post(SETUP, {"code": "000000"})
    response = client.post(SETUP, {"code": code_for(device)})
    assert "Trop de codes erronés" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert device.throttling_failure_timestamp <= timezone.now()


@pytest.mark.parametrize("target", ["suite", "www:home", "//evil.example/", "javascript:alert(1)"])
def test_a_next_that_is_no_path_of_this_site_goes_home(client, db, target):
    user = UserFactory(role=Role.INSTRUCTOR)
    device = enrolled(user)
    client.force_login(user)
    assert client.get(VERIFY, {"next": target}).status_code == 200
    response = client.post(VERIFY, {"code": code_for(device), "next": target})
    assert response.status_code == 302 and response["Location"] == "/"
    candidate = UserFactory()
    client.force_login(candidate)
    assert client.get(VERIFY, {"next": target})["Location"] == "/"
