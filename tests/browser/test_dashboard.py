"""The dashboard in Chromium: its charts drawn, no axe violation (whatever its impact) with
data, filtered by branch, with bad filters and with no data; the filters sent from the form."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.accounts.factories import UserFactory
from tests.browser.helpers import sign_in
from tests.reporting.test_figures import build_world

pytestmark = pytest.mark.browser

URL = reverse("reporting:dashboard")
_axe = Axe()


def violations(page: Page) -> list[str]:
    found = []
    for violation in _axe.run(page).response["violations"]:
        nodes = ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        found.append(f"[{violation['impact']}] {violation['id']} : {violation['help']} — {nodes}")
    return found


@pytest.fixture
def staff_page(transactional_db, referentiel, live_server, page):
    user = UserFactory(instructor=True, email="instructrice@exemple.test")
    sign_in(page, live_server.url, user.email)
    return page


def test_the_dashboard_with_data_has_no_axe_violation(staff_page, referentiel, live_server):
    """…and no Content Security Policy violation: the policy is sent (style-src 'self', no
    inline style), and Chromium reports none in its console."""
    page = staff_page
    console: list[str] = []
    page.on("console", lambda msg: console.append(f"{msg.type} : {msg.text}"))
    build_world(referentiel)
    states = {
        "données de 2025, toutes branches": ("?du=2025-01-01&au=2025-12-31", 200),
        "une branche": ("?du=2025-01-01&au=2025-12-31&branche=maladie", 200),
        "période de trois ans, par trimestre": ("?du=2023-01-01&au=2025-12-31", 200),
        "filtres erronés": ("?du=2025-12-31&au=2025-01-01&branche=abc", 400),
    }
    report = []
    for state, (query, status) in states.items():
        response = page.goto(live_server.url + URL + query)
        assert response is not None and response.status == status, state
        policy = response.headers["content-security-policy"]
        assert "style-src 'self'" in policy and "unsafe-inline" not in policy
        expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord de la VAE")
        charts = page.locator("svg[role=img]")
        expect(charts.first).to_be_visible()
        if problems := violations(page):
            report.append(f"{state}\n  " + "\n  ".join(problems))
    assert not report, "Violations axe :\n" + "\n".join(report)
    assert not [line for line in console if "Content Security Policy" in line], console


def test_the_charts_are_drawn_and_named(staff_page, referentiel, live_server):
    page = staff_page
    build_world(referentiel)
    page.goto(live_server.url + URL + "?du=2025-01-01&au=2025-12-31")
    pipeline = page.get_by_role("img", name="Parcours par étape")
    expect(pipeline).to_be_visible()
    box = pipeline.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100
    expect(page.get_by_role("img", name="Durée de chaque étape, en jours")).to_be_visible()
    expect(page.get_by_role("img", name="Décisions du jury par mois")).to_be_visible()
    expect(page.get_by_role("table", name="Durée de chaque étape, en jours")).to_contain_text(
        "Demande → décision de recevabilité"
    )


def test_the_filters_are_sent_from_the_form(staff_page, referentiel, live_server):
    page = staff_page
    build_world(referentiel)
    page.goto(live_server.url + URL)
    page.get_by_label("Branche", exact=True).select_option(label="Famille")
    page.get_by_label("Du", exact=True).fill("2025-01-01")
    page.get_by_label("Au", exact=True).fill("2025-12-31")
    with page.expect_navigation():
        page.get_by_role("button", name="Afficher").click()
    expect(page.locator("main")).to_contain_text(
        "Période affichée : du 1 janvier 2025 au 31 décembre 2025, branche Famille."
    )
    link = page.get_by_role("link", name="Exporter les résultats (CSV)")
    expect(link).to_have_attribute(
        "href",
        f"{reverse('reporting:export_results')}?branche=famille&du=2025-01-01&au=2025-12-31",
    )
    expect(page).to_have_url(live_server.url + URL + "?branche=famille&du=2025-01-01&au=2025-12-31")


def test_the_empty_dashboard_has_no_axe_violation(staff_page, live_server):
    page = staff_page
    response = page.goto(live_server.url + URL)
    assert response is not None and response.status == 200
    expect(page.locator("main")).to_contain_text("Aucun parcours ouvert pendant la période.")
    problems = violations(page)
    assert not problems, "\n".join(problems)
