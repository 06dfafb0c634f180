"""Browser fixtures: one Debian Chromium per session, a fresh context per test.

Playwright's bundled browser download cannot work here, so the tests drive the system's
Chromium. When it is missing the tests fail (they never skip) and say how to install it.
A failing test leaves a screenshot of each of its pages in test-artifacts/ (git-ignored).
"""

import re
import shutil
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from tests.browser.helpers import DEMO_PASSWORD, screenshot

INSTALL_HINT = (
    "Chromium est introuvable : les tests dans le navigateur utilisent le Chromium de Debian "
    "(le téléchargement de Playwright ne fonctionne pas ici). Installez-le avec :\n"
    "    sudo apt-get update && sudo apt-get install -y chromium\n"
    "(ou `make chromium` en root), puis relancez les tests."
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Saving waits up to 1 s of typing pause plus the request: leave room on a slow machine.
expect.set_options(timeout=10_000)

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def _failed(node: pytest.Item) -> bool:
    reports = node.stash.get(_REPORTS, {})
    return any(r.failed for r in reports.values())


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    browser = playwright_instance.chromium.launch(
        executable_path=executable, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser: Browser, request: pytest.FixtureRequest) -> Iterator:
    """Factory of browser contexts (two contexts = two devices); all closed after the test.

    Uncaught JavaScript errors and Content Security Policy violations fail the test.
    """
    contexts: list[BrowserContext] = []
    problems: list[str] = []

    def make() -> BrowserContext:
        context = browser.new_context(
            locale="fr-FR",
            timezone_id="Europe/Paris",
            viewport={"width": 1280, "height": 900},
            # Bootstrap scrolls smoothly otherwise: focus checks would read a moving page.
            reduced_motion="reduce",
        )
        context.on("weberror", lambda error: problems.append(f"Erreur JavaScript : {error.error}"))
        context.on(
            "console",
            lambda msg: (
                problems.append(f"Console : {msg.text}")
                if msg.type == "error" and "Content Security Policy" in msg.text
                else None
            ),
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make

    if _failed(request.node):
        slug = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
        for i, context in enumerate(contexts):
            for j, page in enumerate(context.pages):
                try:
                    screenshot(page, f"echec-{slug}-{i}-{j}")
                except Exception as exc:  # a crashed page must not hide the real failure
                    print(f"Capture impossible : {exc}")
    for context in contexts:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def context(new_context) -> BrowserContext:
    return new_context()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture(scope="session", autouse=True)
def _personal_data_scanner_loaded() -> None:
    """The live server runs in this process, not through config.wsgi, so nothing loads the
    scanner's language model ahead: load it now (seconds), not while a page waits for it."""
    from vaecos.pii import detection

    detection.analyzer()


@pytest.fixture(scope="session", autouse=True)
def _one_request_at_a_time() -> Iterator[None]:
    """live_server hands its in-memory SQLite connection to its server thread; a threaded server
    answering several requests at once (a page's preview images, say) would use that one
    connection from several threads, which SQLite refuses ("bad parameter or other API misuse").
    A plain WSGIServer answers one request at a time and closes each connection."""
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    class OneAtATime(WSGIServer):
        # The live server thread itself already uses the shared connections.
        def __init__(self, *args, connections_override=None, **kwargs):
            super().__init__(*args, **kwargs)

    original = LiveServerThread.server_class
    LiveServerThread.server_class = OneAtATime
    yield
    LiveServerThread.server_class = original


@pytest.fixture(autouse=True)
def _connections_wait_for_table_locks(request: pytest.FixtureRequest) -> Iterator[None]:
    """On SQLite the test database lives in memory, shared by its connections (`cache=shared`).
    The live server's thread has its own connection to it, and so does the test: Playwright's
    sync API keeps an event loop running in this thread, so Django keeps this thread's
    connections per context, not per thread, and the test does not reuse the one it handed to the
    server. A statement of the test (a write behind the page's back, a refresh_from_db) can then
    meet one of a request the page sent meanwhile (an htmx panel refresh), and either side gets
    « database table is locked », which SQLite's busy timeout does not cover. Both connections
    wait and retry (10 s at most), as two connections to a SQLite file wait for each other."""
    from django.db import OperationalError, connection

    def retry_when_locked(execute, sql, params, many, context):
        deadline = time.monotonic() + 10
        while True:
            try:
                return execute(sql, params, many, context)
            except OperationalError as exc:
                if "database table is locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    wrappers = [connection.execute_wrappers]
    if "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")  # the test database first, as pytest-django
        server = request.getfixturevalue("live_server")
        wrappers += [c.execute_wrappers for c in server.thread.connections_override.values()]
    for wrapped in wrappers:
        wrapped.append(retry_when_locked)
    yield
    for wrapped in wrappers:
        wrapped.remove(retry_when_locked)


@pytest.fixture(scope="session", autouse=True)
def _live_server_static_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """live_server serves static files from the finders; STATIC_ROOT only has to exist,
    otherwise WhiteNoise warns "No directory at …" (an error under this suite's filters)."""
    from django.test import override_settings

    with override_settings(STATIC_ROOT=str(tmp_path_factory.mktemp("static"))):
        yield


@pytest.fixture
def demo(transactional_db, referentiel):
    """The demo accounts and half-written Livret 2 (`make run`'s data) in the test database."""
    from vaecos.demo.services import load_demo

    result = load_demo(password=DEMO_PASSWORD)
    dossier = result["case"].dossiers.get()
    return {**result, "dossier": dossier}
