"""What the browser tests do again and again: log in, find an autosaved field, type, wait."""

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
DEMO_PASSWORD = "demo"
CANDIDATE = "candidat@demo.test"
SAVE_URL = re.compile(r"/livret2/\d+/champ/")  # the autosave requests


def screenshot(target: Page | Locator, name: str) -> Path:
    """Save a screenshot (the full page, or one element) in test-artifacts/; return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    if isinstance(target, Locator):
        target.screenshot(path=str(path))
    else:
        target.screenshot(path=str(path), full_page=True)
    return path


def login(page: Page, base_url: str, email: str = CANDIDATE, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base_url}/comptes/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def field(page: Page, label: str):
    """The root [data-vaecos-field] of the autosaved field whose label starts with `label`."""
    # The label's raw text starts with template whitespace and may end with "(obligatoire)".
    control = page.get_by_label(re.compile(r"^\s*" + re.escape(label) + r"\b"))
    return page.locator("[data-vaecos-field]").filter(has=control)


def field_input(page: Page, label: str):
    return field(page, label).locator("[data-vaecos-input]")


def type_at_end(page: Page, label: str, text: str) -> None:
    """Type like a person: click in the field, go to the end, type."""
    box = field_input(page, label)
    box.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def replace_text(page: Page, label: str, text: str) -> None:
    box = field_input(page, label)
    box.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def expect_saved(page: Page, label: str, timeout: float | None = None) -> None:
    root = field(page, label)
    kwargs = {"timeout": timeout} if timeout else {}
    expect(root.locator("[data-vaecos-status]")).to_contain_text(
        re.compile(r"Enregistré à \d\d:\d\d"), **kwargs
    )
    expect(root).to_have_attribute("data-vaecos-state", "saved")


def problems(page: Page) -> list[str]:
    """The "À faire" list of the completeness panel."""
    return [
        t.strip() for t in page.locator("#completude [data-vaecos-problems] li").all_inner_texts()
    ]


def sign_in(page: Page, base_url: str, email: str = CANDIDATE) -> None:
    """Open a session for `email` without the login form (tested on its own), to save time.

    Only for a server sharing this process's database (pytest-django's live_server).
    """
    from django.conf import settings
    from django.test import Client

    from vaecos.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}]
    )


_WATCH_SAVES = """() => {
    window.__saves = {};
    document.addEventListener('input', () => { window.__saves.input = performance.now(); }, true);
    // Capture phase: noted before the field's own listener starts the save.
    document.addEventListener('blur', () => { window.__saves.blur = performance.now(); }, true);
}"""

_SAVE_STARTS = """() => performance.getEntriesByType('resource')
    .filter(e => e.initiatorType === 'fetch' && e.name.includes('/champ/'))
    .map(e => e.startTime)"""


def watch_saves(page: Page) -> None:
    """Start noting, in the page's own clock, the last keystroke and the last focus loss."""
    page.evaluate(_WATCH_SAVES)


def save_delay(page: Page, since: str) -> float:
    """Milliseconds between the last "input" (or "blur") and the first save request after it."""
    marks = page.evaluate("() => window.__saves")
    start = marks[since]
    later = [t for t in page.evaluate(_SAVE_STARTS) if t >= start]
    assert later, f"Aucune requête d'enregistrement après le dernier événement {since}."
    return min(later) - start
