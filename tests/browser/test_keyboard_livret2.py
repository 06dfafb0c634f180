"""The whole Livret 2 with the keyboard alone (RGAA 7.3, 10.7, 12.7): log in, open the Livret 2,
choose the branch, write the parts left, add a situation and tick its competences, follow the
completeness panel, declare the dossier final. Only Tab, Shift+Tab, Enter, Space, the arrow
keys and typed text: no click, no fill. Every stop of the focus must show a visible outline,
and every page starts with a skip link to its content.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import DEMO_PASSWORD, expect_saved, save_delay, watch_saves

pytestmark = pytest.mark.browser

EMAIL = "sam.keyboard@exemple.test"
STRENGTHS = "Mon écoute, ma connaissance de la législation et ma patience avec le numérique."
CONTEXT = "L'accueil d'une caisse d'allocations familiales : neuf conseillers, un public varié."
SITUATION = {
    "Titre de la situation": "Un justificatif de domicile douteux",
    "Quand": "Octobre 2024",
    "La situation": "Un assuré m'a présenté un justificatif dont la mise en page ne "
    "correspondait pas aux modèles habituels.",
    "Mon analyse de la situation": "J'ai comparé la pièce à celles du dossier et relu les "
    "règles du plan de maîtrise des risques.",
    "Ce que j'ai fait, étape par étape": "J'ai enregistré la pièce sans rien dire, puis j'ai "
    "rempli la fiche de signalement pour le service compétent.",
    "Pourquoi j'ai agi ainsi": "Parce que le secret professionnel m'interdit d'accuser "
    "l'assuré : l'enquête revient au service de lutte contre la fraude.",
    "Le résultat et ce que j'en ai retenu": "La fraude a été confirmée ; j'ai retenu qu'il "
    "faut signaler sans juger.",
}
COMPETENCES = [
    "Appliquer les règles de la déontologie et du secret professionnel",
    "Signaler les suspicions de fraudes auprès des services compétents",
]

_FOCUSED = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return {
        tag: el.tagName.toLowerCase(),
        type: el.type || '',
        id: el.id,
        text: (el.innerText || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 80),
        label: el.labels && el.labels.length
            ? el.labels[0].innerText.trim().replace(/\\s+/g, ' ') : '',
        checked: !!el.checked,
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
    assert focus["visible"], f"Élément focalisé hors de l'écran : {focus}"
    assert focus["focusVisible"] and focus["outline"] != "none" and focus["outlineWidth"] >= 2, (
        f"Focus sans indicateur visible : {focus}"
    )


def _tab_until(page: Page, wanted, *, backwards: bool = False, limit: int = 60) -> dict:
    """Press Tab (Shift+Tab) until the focused element matches; each stop shows its focus."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focus = _focused(page)
        seen.append(focus["label"] or focus["text"] or focus["id"] or focus["tag"])
        assert focus["tag"] != "body", f"Le focus est sorti de la page après : {seen}"
        _assert_focus_visible(focus)
        if wanted(focus):
            return focus
    raise AssertionError(f"Cible jamais atteinte au clavier ; parcours : {seen}")


def _text(text: str):
    return lambda f: f["text"] == text


def _labelled(label: str, tag: str | None = None):
    return lambda f: f["label"].startswith(label) and (tag is None or f["tag"] == tag)


def _skip_to_content(page: Page) -> None:
    """First Tab of a page: the skip link, visible; Enter puts the focus on <main>."""
    page.keyboard.press("Tab")
    focus = _focused(page)
    assert focus["tag"] == "a" and focus["text"] == "Aller au contenu", focus
    _assert_focus_visible(focus)
    page.keyboard.press("Enter")
    expect(page.locator("main#contenu")).to_be_focused()


def _follow(page: Page, link: str, heading: str | re.Pattern) -> None:
    """From the top of the page: skip link, Tab to the link, Enter, on to the next page."""
    _skip_to_content(page)
    _tab_until(page, _text(link))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)


def _write(page: Page, label: str, text: str) -> None:
    """Tab to the field, type, Tab out: the autosave acknowledges it."""
    _tab_until(page, _labelled(label, tag=None))
    page.keyboard.type(text)
    page.keyboard.press("Tab")
    expect_saved(page, label)


def _problems(page: Page) -> list[str]:
    return [
        t.strip() for t in page.locator("#completude [data-vaecos-problems] li").all_inner_texts()
    ]


@pytest.fixture
def unfinished(transactional_db, referentiel):
    """A Livret 2 that meets every rule but these: no branch, « Mes atouts » and the context
    blank, no situation for activity II."""
    from tests.accounts.factories import UserFactory
    from tests.dossiers.factories import complete_dossier

    candidate = UserFactory(
        email=EMAIL, first_name="Sam", last_name="Clavier", password=DEMO_PASSWORD
    )
    dossier = complete_dossier(referentiel, candidate=candidate)
    dossier.branch = None
    dossier.motivation_strengths = ""
    dossier.context = ""
    dossier.save()
    dossier.situations.filter(activity__number=2).delete()
    return dossier


def test_the_whole_livret2_with_the_keyboard_alone(live_server, page, unfinished):
    from vaecos.dossiers.models import DossierStatus

    dossier = unfinished
    page.goto(f"{live_server.url}/comptes/connexion/")

    # Log in: the e-mail field has the focus (autofocus); type, Tab, type, Enter.
    expect(page.get_by_label("Adresse électronique")).to_be_focused()
    page.keyboard.type(EMAIL)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mot de passe")).to_be_focused()
    _assert_focus_visible(_focused(page))
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Sam")

    # Home → the Livret 2: the completeness panel lists what is left.
    _follow(page, "Continuer mon Livret 2", re.compile("^Livret 2 –"))
    left = " ".join(_problems(page))
    for part in ("Branche", "Mes atouts", "Contexte", "activité II"):
        assert part.lower() in left.lower(), left

    # The header: the branch is a group of radio buttons; Space picks the first, the arrow key
    # the next, each choice saved at once and announced in the status line.
    _follow(page, "En-tête", "En-tête du dossier")
    focus = _tab_until(page, lambda f: f["type"] == "radio")
    assert focus["label"] == "Famille", focus
    page.keyboard.press("Space")
    expect(page.locator("#branche-etat")).to_have_text("Branche enregistrée : Famille.")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#branche-etat")).to_have_text("Branche enregistrée : Maladie.")
    assert _focused(page)["label"] == "Maladie"
    _tab_until(page, _text("Partie suivante : motivation"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre motivation")

    # Motivation: leaving the field saves it at once (well before the typing pause).
    _skip_to_content(page)
    _tab_until(page, _labelled("Mes atouts au regard du CQP", "textarea"))
    watch_saves(page)
    page.keyboard.type(STRENGTHS)
    page.keyboard.press("Tab")
    expect_saved(page, "Mes atouts au regard du CQP")
    delay = save_delay(page, "blur")
    assert delay < 500, f"Enregistré {delay:.0f} ms après la sortie du champ."
    _tab_until(page, _text("Partie suivante : contexte de l'organisme"))
    page.keyboard.press("Enter")

    # The context.
    expect(page.get_by_role("heading", level=1)).to_have_text("Livret 2 : Analyse de l'expérience")
    _skip_to_content(page)
    _write(page, "Contexte de l'organisme", CONTEXT)

    # Back to the overview through the breadcrumb (Shift+Tab from the field), then activity II.
    _tab_until(page, _text("Mon Livret 2"), backwards=True)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Livret 2 –"))
    _follow(page, "Activité II", "Activité II")
    expect(page.locator("main")).to_contain_text("Vous n'avez pas encore écrit de situation")

    # A new situation: the button is a form; Enter sends it.
    _skip_to_content(page)
    _tab_until(page, _text("Écrire une nouvelle situation"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Situation — activité II")
    _skip_to_content(page)
    for label in ("Titre de la situation", "Quand"):
        _write(page, label, SITUATION[label])
    # Its competences: Space ticks a box, saved at once.
    for wording in COMPETENCES:
        _tab_until(page, lambda f, w=wording: f["type"] == "checkbox" and f["label"] == w)
        page.keyboard.press("Space")
        assert _focused(page)["checked"]
        expect(page.locator("#options-etat")).to_contain_text("Options enregistrées")
    for label, text in SITUATION.items():
        if label not in ("Titre de la situation", "Quand"):
            _write(page, label, text)

    # Nothing left to do: the panel says so and offers to declare the dossier final.
    panel = page.locator("#completude")
    expect(panel).to_contain_text("Votre dossier respecte toutes les règles du modèle de Livret 2.")
    _tab_until(page, _text("Déclarer mon dossier finalisé"))
    page.keyboard.press("Enter")
    expect(page.locator("[data-vaecos-final]")).to_contain_text("il n'est plus modifiable")
    expect(page.locator(".vaecos-messages")).to_contain_text("Votre Livret 2 est finalisé")

    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.FINAL
    assert dossier.branch is not None and dossier.branch.name == "Maladie"
    assert (dossier.motivation_strengths, dossier.context) == (STRENGTHS, CONTEXT)
    situation = dossier.situations.get(activity__number=2)
    assert situation.included
    assert situation.title == SITUATION["Titre de la situation"]
    assert situation.rationale == SITUATION["Pourquoi j'ai agi ainsi"]
    assert sorted(c.wording for c in situation.competences.all()) == sorted(COMPETENCES)
