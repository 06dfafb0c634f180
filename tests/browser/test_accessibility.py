"""Accessibility: axe on every page of every role, and the Livret 2 reached with the keyboard only."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    CANDIDATE,
    SAVE_URL,
    expect_saved,
    field,
    save_delay,
    sign_in,
    type_at_end,
    watch_saves,
)
from vaecos.dossiers import services

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}
ROLE_BADGES = {
    "accompagnateur@demo.test": "Accompagnateur",
    "instructeur@demo.test": "Instructeur (Ucanss)",
    "jury@demo.test": "Membre du jury",
    "admin@demo.test": "Administrateur",
}
OTHER_ROLES = list(ROLE_BADGES)

_axe = Axe()


def _violations(page: Page) -> list[str]:
    """axe's serious and critical violations on the current page, readable in a test report."""
    found = []
    for violation in _axe.run(page).response["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        nodes = "\n".join(
            f"      {node['target']} — {node.get('failureSummary', '').splitlines()[-1].strip()}"
            for node in violation["nodes"][:5]
        )
        found.append(
            f"  [{violation['impact']}] {violation['id']} : {violation['help']} "
            f"({len(violation['nodes'])} élément(s))\n{nodes}"
        )
    return found


def _audit(page: Page, base_url: str, paths: list[str]) -> None:
    report = {}
    for path in paths:
        response = page.goto(base_url + path)
        assert response is not None and response.ok, f"{path} : HTTP {response and response.status}"
        if problems := _violations(page):
            report[path] = problems
    assert not report, "Violations axe graves ou critiques :\n" + "\n".join(
        f"{path}\n" + "\n".join(problems) for path, problems in report.items()
    )


def test_axe_anonymous_pages(live_server, page, transactional_db):
    _audit(
        page,
        live_server.url,
        [
            "/comptes/connexion/",
            "/comptes/mot-de-passe/oublie/",
            "/comptes/mot-de-passe/envoye/",
            "/comptes/mot-de-passe/nouveau/MQ/lien-perime/",
            "/accessibilite/",
        ],
    )


def test_axe_candidate_pages(live_server, page, demo):
    dossier = demo["dossier"]
    base = f"/livret2/{dossier.pk}"
    # One situation per activity: complete (I), half-written (II), with its own context (III).
    situations = [
        dossier.situations.filter(activity__number=n).order_by("position").first()
        for n in (1, 2, 3)
    ]
    first = situations[0]
    sign_in(page, live_server.url, CANDIDATE)
    _audit(
        page,
        live_server.url,
        [
            "/",
            f"{base}/",
            f"{base}/en-tete/",
            f"{base}/motivation/",
            f"{base}/contexte/",
            f"{base}/activite/1/",  # with situations
            f"{base}/activite/4/",  # none yet
            *[f"{base}/situation/{s.pk}/" for s in situations],
            f"{base}/historique/situation.{first.pk}.description/",  # one version
            f"{base}/historique/situation.{first.pk}.own_context/",  # never written
        ],
    )


def test_axe_autosave_states(live_server, page, demo):
    """What the autosave script draws: the failure message and the conflict box."""
    dossier = demo["dossier"]
    situation = dossier.situations.get(activity__number=2)
    key = f"situation.{situation.pk}.rationale"
    sign_in(page, live_server.url, CANDIDATE)
    page.goto(f"{live_server.url}/livret2/{dossier.pk}/situation/{situation.pk}/")
    label = "Pourquoi j'ai agi ainsi"
    root = field(page, label)
    states = {}

    page.route(SAVE_URL, lambda route: route.abort())
    type_at_end(page, label, "J'ai agi ainsi parce que le secret professionnel l'impose.")
    expect(root).to_have_attribute("data-vaecos-state", "error")
    states["échec de l'enregistrement"] = _violations(page)
    page.unroute(SAVE_URL)
    expect_saved(page, label, timeout=15_000)

    # Another device saves a newer text; this page, one revision behind, gets the conflict box.
    services.field_save(
        dossier=dossier,
        field_key=key,
        text="Version écrite sur un autre appareil.",
        base_revision=services.current_revisions(dossier)[key],
        by=dossier.case.candidate,
    )
    type_at_end(page, label, " Suite écrite ici.")
    expect(root.locator("[data-vaecos-conflict]")).to_be_visible()
    states["conflit"] = _violations(page)
    assert not any(states.values()), "Violations axe graves ou critiques :\n" + "\n".join(
        f"{state}\n" + "\n".join(v) for state, v in states.items() if v
    )


def test_axe_other_roles_home(live_server, new_context, demo):
    for email in OTHER_ROLES:
        page = new_context().new_page()
        sign_in(page, live_server.url, email)
        _audit(page, live_server.url, ["/"])
        expect(page.locator(".vaecos-whoami")).to_contain_text(ROLE_BADGES[email])


# Keyboard only ---------------------------------------------------------------------------------

_FOCUSED = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return {
        tag: el.tagName.toLowerCase(),
        id: el.id,
        text: (el.innerText || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 80),
        label: el.labels && el.labels.length ? el.labels[0].innerText.trim() : '',
        focusVisible: el.matches(':focus-visible'),
        outline: style.outlineStyle,
        outlineWidth: parseFloat(style.outlineWidth) || 0,
        visible: box.width > 1 && box.height > 1
            && box.bottom > 0 && box.top < window.innerHeight,
    };
}"""


def _focused(page: Page) -> dict:
    return page.evaluate(_FOCUSED)


def _assert_focus_visible(focus: dict) -> None:
    assert focus["visible"], f"Élément focalisé invisible : {focus}"
    assert focus["focusVisible"] and focus["outline"] != "none" and focus["outlineWidth"] >= 2, (
        f"Focus sans indicateur visible : {focus}"
    )


def _tab_until(page: Page, wanted, limit: int = 40) -> dict:
    """Press Tab until the focused element matches; each stop must show a visible focus."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = _focused(page)
        seen.append(focus["text"] or focus["label"] or focus["id"] or focus["tag"])
        assert focus["tag"] != "body", f"Le focus est sorti de la page après : {seen}"
        _assert_focus_visible(focus)
        if wanted(focus):
            return focus
    raise AssertionError(f"Cible jamais atteinte au clavier ; parcours : {seen}")


def _skip_to_content(page: Page) -> None:
    """First Tab of the page: the skip link, visible; Enter puts the focus on <main>."""
    page.keyboard.press("Tab")
    focus = _focused(page)
    assert focus["tag"] == "a" and focus["text"] == "Aller au contenu", focus
    _assert_focus_visible(focus)
    page.keyboard.press("Enter")
    expect(page.locator("main#contenu")).to_be_focused()


def test_keyboard_only_writing(live_server, page, demo):
    situation = demo["dossier"].situations.get(activity__number=2)
    page.goto(f"{live_server.url}/comptes/connexion/")

    # The login form puts the focus in its first field (autofocus); Tab, type, Enter.
    expect(page.get_by_label("Adresse électronique")).to_be_focused()
    page.keyboard.type(CANDIDATE)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mot de passe")).to_be_focused()
    _assert_focus_visible(_focused(page))
    page.keyboard.type("demo")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()

    # Home: skip link, then on to the Livret 2.
    _skip_to_content(page)
    _tab_until(page, lambda f: f["text"] == "Continuer mon Livret 2")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Livret 2")

    _skip_to_content(page)
    _tab_until(page, lambda f: f["text"] == "Activité II")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Activité II")

    _skip_to_content(page)
    _tab_until(page, lambda f: f["text"].startswith("Demande d’informations d’une partenaire"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Situation — activité II")

    _skip_to_content(page)
    _tab_until(page, lambda f: f["tag"] == "textarea" and f["label"].startswith("Pourquoi"))
    text = "J'ai refusé de répondre parce que je ne pouvais pas vérifier qui appelait."
    watch_saves(page)
    page.keyboard.type(text)
    page.keyboard.press("Tab")  # leaving the field saves it at once
    expect_saved(page, "Pourquoi j'ai agi ainsi")
    delay = save_delay(page, "blur")
    assert delay < 500, f"Enregistré {delay:.0f} ms après la sortie du champ."
    situation.refresh_from_db()
    assert situation.rationale == text


def test_axe_coaching_sessions_and_jury_pages(live_server, new_context, demo):
    """The pages of coaching, sessions and the jury that the end-to-end flow does not audit."""
    case = demo["case"]
    dossier = demo["dossier"]
    session = demo["session"]
    pages = {
        CANDIDATE: [
            f"/accompagnement/declaration/{case.pk}/",
            "/sessions/mes-sessions/",
            "/jury/mes-resultats/",
        ],
        "accompagnateur@demo.test": ["/accompagnement/", f"/accompagnement/livret2/{dossier.pk}/"],
        "instructeur@demo.test": [
            "/accompagnement/attributions/",
            f"/accompagnement/attributions/{case.pk}/",
            "/sessions/",
            "/sessions/nouvelle/",
            f"/sessions/{session.pk}/",
            f"/sessions/{session.pk}/modifier/",
            "/jury/",
        ],
        "jury@demo.test": ["/jury/", f"/jury/session/{session.pk}/"],
    }
    for email, paths in pages.items():
        page = new_context().new_page()
        sign_in(page, live_server.url, email)
        _audit(page, live_server.url, paths)
