"""The second factor in Chromium: enrolment of a new instructeur, a demo jury member's login."""

import re
import time
from base64 import b32decode

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from tests.accounts.factories import UserFactory
from tests.browser.helpers import DEMO_PASSWORD, login, screenshot
from vaecos.accounts.models import Role

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _required(settings):
    settings.SECOND_FACTOR_REQUIRED = True


def _serious(page: Page) -> list[str]:
    return [
        f"{v['id']}: {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def _code(readable_key: str) -> str:
    key = readable_key.replace(" ", "")
    key += "=" * (-len(key) % 8)
    totp = TOTP(b32decode(key))
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_a_new_instructeur_enrols_then_reaches_the_queue(
    live_server, new_context, transactional_db
):
    UserFactory(
        email="nouvelle.instructrice@ucanss.test", role=Role.INSTRUCTOR, password=DEMO_PASSWORD
    )
    page = new_context().new_page()
    login(page, live_server.url, "nouvelle.instructrice@ucanss.test")
    page.goto(f"{live_server.url}/recevabilite/file/")

    expect(page.get_by_role("heading", name="Activer la double authentification")).to_be_visible()
    assert "/comptes/double-authentification/activer/" in page.url
    qr = page.get_by_role("img", name=re.compile("Code QR"))
    expect(qr).to_be_visible()
    assert page.evaluate("img => img.naturalWidth", qr.element_handle()) > 0  # the SVG loaded
    assert not _serious(page)
    screenshot(page, "double-authentification-activation")

    page.get_by_label("Code à 6 chiffres").fill("000000")
    page.get_by_role("button", name="Activer").click()
    expect(page.get_by_text("Code incorrect")).to_be_visible()
    assert not _serious(page)

    page.wait_for_timeout(1100)  # the wait after a wrong code
    key = page.locator("#cle-totp").inner_text()
    page.get_by_label("Code à 6 chiffres").fill(_code(key))
    page.get_by_role("button", name="Activer").click()

    expect(page.get_by_role("heading", name="Vos codes de secours")).to_be_visible()
    codes = page.locator("#codes-de-secours li").all_inner_texts()
    assert len(codes) == 10
    assert not _serious(page)
    screenshot(page, "double-authentification-codes")
    page.get_by_role("link", name="Continuer").click()
    assert page.url.endswith("/recevabilite/file/")

    # Next login: a backup code instead of the application.
    page.get_by_role("button", name="Se déconnecter").first.click()
    login(page, live_server.url, "nouvelle.instructrice@ucanss.test")
    page.goto(f"{live_server.url}/recevabilite/file/")
    expect(page.get_by_role("heading", name="Double authentification")).to_be_visible()
    assert not _serious(page)
    page.get_by_label("Code de vérification").fill(codes[0])
    page.get_by_role("button", name="Valider le code").click()
    expect(page.get_by_text("il vous en reste 9")).to_be_visible()
    assert page.url.endswith("/recevabilite/file/")


def test_a_demo_jury_member_types_the_code_the_demo_page_shows(
    live_server, new_context, demo, settings
):
    settings.SHOW_DEMO_ACCOUNTS = True
    page = new_context().new_page()
    login(page, live_server.url, "jury@demo.test")
    expect(page.get_by_role("heading", name="Double authentification")).to_be_visible()
    code = page.locator("#demo-code-titre + p .font-monospace").inner_text()
    page.get_by_label("Code de vérification").fill(code)
    page.get_by_role("button", name="Valider le code").click()
    expect(page.get_by_role("link", name="Double authentification")).to_be_visible()
    page.goto(f"{live_server.url}/jury/")
    assert page.url.endswith("/jury/")
