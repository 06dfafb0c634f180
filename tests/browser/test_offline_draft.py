"""Text typed while saving fails is kept in the browser and sent when the page is opened again."""

import json

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.helpers import SAVE_URL, expect_saved, field, field_input, sign_in, type_at_end
from vaecos.dossiers.models import FieldRevision

pytestmark = pytest.mark.browser

LABEL = "Pourquoi j'ai agi ainsi"
TEXT = (
    "J'ai refusé de répondre au téléphone parce que je ne pouvais pas vérifier l'identité de "
    "mon interlocutrice."
)


def _situation_url(live_server, situation) -> str:
    return f"{live_server.url}/livret2/{situation.dossier_id}/situation/{situation.pk}/"


def _drafts(page: Page) -> list[dict]:
    return page.evaluate(
        """() => Object.keys(localStorage).filter(k => k.startsWith('vaecos:draft:'))
                 .map(k => JSON.parse(localStorage.getItem(k)))"""
    )


@pytest.fixture
def situation(demo):
    return demo["dossier"].situations.get(activity__number=2)


def test_offline_draft_is_restored_and_sent(situation, live_server, context):
    page = context.new_page()
    sign_in(page, live_server.url)
    page.goto(_situation_url(live_server, situation))

    context.set_offline(True)
    type_at_end(page, LABEL, TEXT)
    expect(field(page, LABEL)).to_have_attribute("data-vaecos-state", "error")
    expect(field(page, LABEL).locator("[data-vaecos-status]")).to_contain_text(
        "Non enregistré : le serveur ne répond pas"
    )
    assert [d["text"] for d in _drafts(page)] == [TEXT]
    page.close()  # the candidate gives up and closes the tab, still offline
    situation.refresh_from_db()
    assert situation.rationale == ""

    # Later, connection back, same browser: the text comes back and is sent without a keystroke.
    context.set_offline(False)
    page = context.new_page()
    page.goto(_situation_url(live_server, situation))
    expect(field_input(page, LABEL)).to_have_value(TEXT)
    expect_saved(page, LABEL)
    situation.refresh_from_db()
    assert situation.rationale == TEXT
    assert _drafts(page) == []
    assert (
        FieldRevision.objects.filter(field_key=f"situation.{situation.pk}.rationale").count() == 1
    )

    # Opening the page again does not send it twice.
    page.reload()
    expect(field_input(page, LABEL)).to_have_value(TEXT)
    expect(field(page, LABEL).locator("[data-vaecos-status]")).to_have_text("")
    assert (
        FieldRevision.objects.filter(field_key=f"situation.{situation.pk}.rationale").count() == 1
    )


def test_server_errors_are_retried_without_a_reload(situation, live_server, page):
    """A proxy answering 502 (HTML, not JSON): the page says so and retries by itself."""
    sign_in(page, live_server.url)
    page.goto(_situation_url(live_server, situation))
    calls: list[str] = []

    def bad_gateway(route: Route) -> None:
        calls.append(route.request.post_data or "")
        route.fulfill(status=502, content_type="text/html", body="<h1>502 Bad Gateway</h1>")

    page.route(SAVE_URL, bad_gateway)
    type_at_end(page, LABEL, TEXT)
    expect(field(page, LABEL).locator("[data-vaecos-status]")).to_contain_text(
        "Non enregistré (erreur 502)"
    )
    expect(field(page, LABEL)).to_have_attribute("data-vaecos-state", "error")
    page.unroute(SAVE_URL)
    expect_saved(page, LABEL, timeout=15_000)
    situation.refresh_from_db()
    assert situation.rationale == TEXT
    assert len(calls) >= 1


def test_lost_answer_is_not_a_conflict(situation, live_server, page):
    """The save reaches the server but its answer is lost: the retry is recognised, no conflict."""
    sign_in(page, live_server.url)
    page.goto(_situation_url(live_server, situation))
    lost = []

    def lose_answer(route: Route) -> None:
        response = route.fetch()  # the server does save the text…
        lost.append(json.loads(response.text()))
        route.abort("connectionreset")  # …but the browser never hears back

    page.route(SAVE_URL, lose_answer, times=1)
    type_at_end(page, LABEL, TEXT)
    expect(field(page, LABEL)).to_have_attribute("data-vaecos-state", "error")
    assert lost and lost[0]["outcome"] == "saved"
    type_at_end(page, LABEL, " Puis j'ai prévenu ma référente.")
    expect_saved(page, LABEL, timeout=15_000)
    expect(field(page, LABEL).locator("[data-vaecos-conflict]")).to_be_hidden()
    situation.refresh_from_db()
    assert situation.rationale == TEXT + " Puis j'ai prévenu ma référente."
    kinds = list(
        FieldRevision.objects.filter(field_key=f"situation.{situation.pk}.rationale")
        .order_by("number")
        .values_list("kind", flat=True)
    )
    # static/js/vaecos.js promises that "a save that did arrive is never duplicated"; the history
    # must not show a "Version concurrente mise de côté" the candidate never had.
    assert kinds == ["edit", "edit"], (
        f"Révisions {kinds} : la réponse perdue puis la frappe suivante (nouveau save_id, "
        "base_revision périmée) ont créé une copie de conflit fantôme dans l'historique."
    )
