"""The admissibility step in Chromium, end to end, with axe on every page it crosses."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import screenshot, sign_in
from tests.browser.test_accessibility import _violations
from vaecos.accounts.models import Role, User

pytestmark = pytest.mark.browser


def _axe(page: Page, where: str) -> None:
    problems = _violations(page)
    assert not problems, f"{where} :\n" + "\n".join(problems)


def _fill_identity(page: Page) -> None:
    page.get_by_label("Branche").select_option(label="Maladie")
    page.get_by_label("Nom de naissance").fill("DURAND")
    page.get_by_label("Prénoms").fill("Lucie Marie")
    page.get_by_label("Sexe").select_option(label="Femme")
    page.get_by_label("Date de naissance").fill("1990-06-15")
    page.get_by_label("Commune de naissance").fill("Angers")
    page.get_by_label("Pays de naissance").fill("France")
    page.get_by_label("Nationalité").select_option(label="Française")
    page.get_by_label("Adresse actuelle").fill("[adresse fictive]")
    page.get_by_label("Situation actuelle").select_option(label="En situation d'emploi")


def test_the_whole_admissibility_step(live_server, new_context, demo):
    User.objects.create_user(
        email="lucie@exemple.test",
        password="x",
        first_name="Lucie",
        last_name="Durand",
        role=Role.CANDIDATE,
    )
    candidate = new_context().new_page()
    sign_in(candidate, live_server.url, "lucie@exemple.test")
    candidate.goto(live_server.url + "/")
    candidate.get_by_role("button", name="Commencer ma demande de recevabilité").click()

    # Rubriques 1 to 4
    expect(
        candidate.get_by_role("heading", name="État civil, situation et formation")
    ).to_be_visible()
    _axe(candidate, "état civil")
    _fill_identity(candidate)
    candidate.get_by_role("button", name="Enregistrer").click()
    expect(candidate.get_by_text("Informations enregistrées.")).to_be_visible()
    # Rubrique 5: a period that ends before it starts is refused, then corrected.
    candidate.get_by_role("link", name="Ajouter une expérience").click()
    candidate.get_by_label("Emploi ou fonction occupée").fill("Conseillère offres de services")
    candidate.get_by_label("Organisme", exact=True).fill("CPAM de Maine-et-Loire")
    candidate.get_by_label("Statut").select_option(label="Salarié")
    candidate.get_by_label("Date de début").fill("2020-01-06")
    candidate.get_by_label("Date de fin").fill("2019-01-01")
    candidate.get_by_label("Durée en heures").fill("6000")
    candidate.get_by_label("Activités exercées en rapport avec la certification").fill(
        "Accueil des assurés, information sur leurs droits, accompagnement sur ameli.fr."
    )
    candidate.get_by_label("I – Accueille").check()
    candidate.get_by_role("button", name="Enregistrer").click()
    expect(candidate.get_by_text("La date de fin doit suivre la date de début.")).to_be_visible()
    _axe(candidate, "expérience refusée")
    candidate.get_by_label("Date de fin").fill("")
    candidate.get_by_role("button", name="Enregistrer").click()
    expect(candidate.get_by_text("Expérience enregistrée.")).to_be_visible()
    # Rubrique 6, then submit
    candidate.get_by_role("link", name="Déclaration sur l'honneur").click()
    for box in candidate.get_by_role("checkbox").all():
        box.check()
    candidate.get_by_label("Fait à").fill("Angers")
    candidate.get_by_role("button", name="Enregistrer").click()
    _axe(candidate, "demande prête")
    candidate.get_by_role("button", name="Déposer ma demande").click()
    expect(candidate.get_by_text("Demande déposée.")).to_be_visible()

    # The instructeur finds it in the queue and declares it incomplete.
    staff = new_context().new_page()
    sign_in(staff, live_server.url, "instructeur@demo.test")
    staff.goto(live_server.url + "/recevabilite/file/")
    _axe(staff, "file des demandes")
    staff.get_by_role("link", name="Lucie Durand").click()
    staff.get_by_label("Ce qui manque à la demande").fill("Une attestation de votre employeur.")
    staff.get_by_role("button", name="Déclarer la demande incomplète").click()
    expect(staff.get_by_text("Demande déclarée incomplète")).to_be_visible()

    # The candidate sees what is missing and submits again.
    candidate.reload()
    expect(candidate.get_by_text("Une attestation de votre employeur.")).to_be_visible()
    candidate.get_by_role("button", name="Déposer la demande complétée").click()
    expect(candidate.get_by_text("Demande déposée.")).to_be_visible()

    # Complete, then the decision with its gap analysis.
    staff.reload()
    staff.get_by_role("button", name="Déclarer la demande complète").click()
    expect(staff.get_by_text("Demande déclarée complète")).to_be_visible()
    _axe(staff, "instruction")
    for fieldset in staff.locator("fieldset").all():
        fieldset.get_by_label("Partiellement couverte").check()
    staff.get_by_label("Commentaire sur l'activité I", exact=True).fill("Accueil bien décrit.")
    staff.get_by_label("Préconisations de formation complémentaire").fill(
        "Un module sur la maîtrise des risques."
    )
    staff.get_by_label("Recevable", exact=True).check()
    staff.get_by_role("button", name="Enregistrer la décision").click()
    expect(staff.get_by_text("Décision enregistrée")).to_be_visible()

    # The candidate sees the decision, the gap analysis and the letter.
    candidate.reload()
    expect(candidate.get_by_text("Accueil bien décrit.")).to_be_visible()
    expect(candidate.get_by_text("Un module sur la maîtrise des risques.")).to_be_visible()
    letter = candidate.get_by_role("link", name="Notification de la décision")
    expect(letter).to_be_visible()
    screenshot(candidate, "recevabilite-decision")
    _axe(candidate, "décision")
    with candidate.expect_download() as download:
        letter.click()
    assert download.value.suggested_filename.endswith(".pdf")
