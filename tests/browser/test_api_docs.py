"""The API's documentation page in Chromium: no axe violation (whatever its impact), no Content
Security Policy violation in the console, keyboard reachable table of contents."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


def _readable(violations: list[dict]) -> list[str]:
    """axe's violations as a test report reads them (as tests/browser/test_accessibility.py)."""
    return [
        f"[{v['impact']}] {v['id']} : {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
    ]


def test_the_documentation_page_passes_axe_under_the_csp(live_server, db, browser: Browser):
    """The session's Chromium (tests/browser/conftest.py), in a context of its own: the shared
    `page` fixture fails on any CSP violation, and this test provokes one on purpose."""
    errors: list[str] = []
    csp: list[str] = []

    def on_console(msg) -> None:
        if msg.type == "error":
            (csp if "Content Security Policy" in msg.text else errors).append(msg.text)

    context = browser.new_context(locale="fr-FR")
    try:
        page = context.new_page()
        page.on("console", on_console)
        page.on("pageerror", lambda error: errors.append(str(error)))
        response = page.goto(f"{live_server.url}/api/v1/docs")
        assert response is not None and response.status == 200
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, policy
        page.wait_for_load_state("load")
        violations = Axe().run(page).response["violations"]
        # A link of the table of contents moves the focus to its section.
        page.get_by_role("link", name="Pagination", exact=True).focus()
        page.keyboard.press("Enter")
        assert page.url.endswith("#pagination")
        page_csp = list(csp)
        # The watch works: an inline script, which the policy forbids, is reported.
        page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.injected = true'; document.body.append(s); }"
        )
        page.wait_for_timeout(200)
        assert page.evaluate("() => window.injected") is None
    finally:
        context.close()
    assert not page_csp, page_csp
    assert len(csp) == 1 and "inline script" in csp[0], csp
    assert not errors, errors
    assert not violations, _readable(violations)
