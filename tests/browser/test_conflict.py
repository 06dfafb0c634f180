"""Two devices edit the same field: nothing is overwritten, the candidate chooses."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    expect_saved,
    field,
    field_input,
    replace_text,
    screenshot,
    sign_in,
    type_at_end,
)
from vaecos.dossiers.models import FieldRevision, RevisionKind, Situation

pytestmark = pytest.mark.browser

LABEL = "La situation"
OFFICE = "Texte écrit sur l'ordinateur du bureau, enregistré en premier."
TABLET = "Texte écrit sur la tablette, sans avoir vu celui du bureau."


def _open_situation(new_context, live_server, situation: Situation) -> Page:
    page = new_context().new_page()
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/livret2/{situation.dossier_id}/situation/{situation.pk}/")
    return page


def _history_rows(page: Page) -> list[dict]:
    """Each version of the history page: number, badges, and its text (the diff without <del>)."""
    return page.locator("main ol > li.card").evaluate_all(
        """cards => cards.map(card => {
            const diff = card.querySelector('.vaecos-diff').cloneNode(true);
            diff.querySelectorAll('del').forEach(d => d.remove());
            return {
                title: card.querySelector('h2').innerText.replace(/\\s+/g, ' ').trim(),
                text: diff.textContent,
            };
        })"""
    )


@pytest.fixture
def two_devices(demo, live_server, new_context):
    situation = demo["dossier"].situations.get(activity__number=2)
    office = _open_situation(new_context, live_server, situation)
    tablet = _open_situation(new_context, live_server, situation)
    return situation, office, tablet


def test_conflict_keep_mine(two_devices, live_server):
    situation, office, tablet = two_devices
    original = situation.description.strip()

    replace_text(office, LABEL, OFFICE)
    expect_saved(office, LABEL)

    # The tablet still holds the page of the previous revision.
    replace_text(tablet, LABEL, TABLET)
    box = field(tablet, LABEL).locator("[data-vaecos-conflict]")
    expect(box).to_be_visible()
    expect(box.get_by_role("alert")).to_contain_text(
        "Ce texte a été modifié dans un autre onglet ou sur un autre appareil."
    )
    expect(field(tablet, LABEL)).to_have_attribute("data-vaecos-state", "error")
    expect(field(tablet, LABEL).locator("[data-vaecos-status]")).to_contain_text("Conflit")
    expect(field_input(tablet, LABEL)).to_have_value(TABLET)
    expect(box.get_by_label("Version enregistrée")).to_have_value(OFFICE)
    # The box is announced (role="alert") without taking the focus from the field being typed
    # in: keystrokes after it appears must still land in the candidate's text.
    expect(field_input(tablet, LABEL)).to_be_focused()
    screenshot(tablet, "conflit-page")
    screenshot(field(tablet, LABEL), "conflit")

    # Nothing was overwritten while the candidate decides.
    situation.refresh_from_db()
    assert situation.description == OFFICE

    box.get_by_role("button", name="Garder ma version").click()
    expect(box).to_be_hidden()
    expect_saved(tablet, LABEL)
    situation.refresh_from_db()
    assert situation.description == TABLET

    # The history keeps all three texts, the set-aside copy flagged as such.
    field(tablet, LABEL).get_by_role("link", name=re.compile("^Historique")).click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("Historique : La situation")
    screenshot(tablet, "historique-conflit")
    rows = _history_rows(tablet)
    titles = [r["title"] for r in rows]
    texts = [r["text"].strip() for r in rows]
    assert titles == [
        "Version 4 Version actuelle",
        "Version 3 Version concurrente mise de côté",
        "Version 2",
        "Version 1",
    ], titles
    assert texts == [TABLET, TABLET, OFFICE, original], texts
    expect(tablet.get_by_text("Version concurrente mise de côté")).to_have_count(1)
    kinds = list(
        FieldRevision.objects.filter(field_key=f"situation.{situation.pk}.description")
        .order_by("number")
        .values_list("kind", flat=True)
    )
    assert kinds == [RevisionKind.EDIT, RevisionKind.EDIT, RevisionKind.CONFLICT, RevisionKind.EDIT]


def test_conflict_take_theirs_then_keep_writing(two_devices):
    situation, office, tablet = two_devices

    replace_text(office, LABEL, OFFICE)
    expect_saved(office, LABEL)
    replace_text(tablet, LABEL, TABLET)
    box = field(tablet, LABEL).locator("[data-vaecos-conflict]")
    expect(box).to_be_visible()

    box.get_by_role("button", name="Reprendre la version enregistrée").click()
    expect(box).to_be_hidden()
    expect(field_input(tablet, LABEL)).to_have_value(OFFICE)
    expect(field_input(tablet, LABEL)).to_be_focused()
    expect(field(tablet, LABEL).locator("[data-vaecos-status]")).to_have_text(
        "Version enregistrée reprise."
    )

    # Writing on from the saved version is an ordinary save, not a new conflict.
    type_at_end(tablet, LABEL, " Complété sur la tablette.")
    expect_saved(tablet, LABEL)
    situation.refresh_from_db()
    assert situation.description == OFFICE + " Complété sur la tablette."
    # And the office page, now one revision behind, gets the conflict box in turn.
    type_at_end(office, LABEL, " Ajout au bureau.")
    expect(field(office, LABEL).locator("[data-vaecos-conflict]")).to_be_visible()
    situation.refresh_from_db()
    assert situation.description == OFFICE + " Complété sur la tablette."
