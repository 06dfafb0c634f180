"""Accessibility: axe on every HTML page of every role, in the states that matter.

ROLE_PAGES lists, for each role, the accounts signed in one after the other (one browser page
per role) and the pages each one opens, some after an action that matters (a form sent with
errors, a deliberation decided, a code refused). test_every_html_get_page_is_audited walks the
project's URL patterns as the authorization matrix does (tests/www/test_authorization_matrix.py):
a GET page someone may open that is neither audited for that role here nor set aside with its
reason (NOT_HTML, SAME_PAGE) fails the suite, so a new page cannot ship unaudited.

The world is the demo's (`make run`), plus what it lacks to show each state: a Word import to
confirm and passages to place, a PDF whose redacted copy waits, a coach's comment, a draft
admissibility request, final dossiers to reopen and transmit, the jury's day with a dossier to
grade, one to decide, one to sign and one notified, a staff account enrolling its second factor.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as default
from types import SimpleNamespace
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import override_settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    CANDIDATE,
    SAVE_URL,
    expect_saved,
    field,
    sign_in,
    type_at_end,
)
from tests.www.test_authorization_matrix import ADMIN_NAMESPACE, ENTRIES, rule_for
from vaecos.dossiers import services

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}
ROLE_BADGES = {
    "accompagnateur@demo.test": "Accompagnateur",
    "instructeur@demo.test": "Instructeur (Ucanss)",
    "jury@demo.test": "Membre du jury",
    "admin@demo.test": "Administrateur",
}
# The first visit of a page may wait for the personal-data scanner's language model.
GOTO_TIMEOUT = 60_000

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


# --- What a person does on a page to reach the state audited -----------------------------------

Act = Callable[[Page, SimpleNamespace], None]


def _send(
    button: str,
    shows: str,
    fill: dict[str, str] | None = None,
    within: str = "main",
) -> Act:
    """Fill the fields named (by label), press the button, and check the page then `shows`
    that text: the state was reached. The browser's own checks are off, as for someone whose
    browser has none: the server's messages are what is audited."""

    def act(page: Page, world: SimpleNamespace) -> None:
        page.evaluate(
            "() => document.querySelectorAll('form').forEach(f => { f.noValidate = true; })"
        )
        scope = page.locator(within)
        for label, value in (fill or {}).items():
            scope.get_by_label(label, exact=True).fill(value)
        with page.expect_navigation():
            scope.get_by_role("button", name=button, exact=True).first.click()
        expect(page.locator("main")).to_contain_text(shows)

    return act


def _open_details(summary: str, then: Act) -> Act:
    def act(page: Page, world: SimpleNamespace) -> None:
        page.locator("main summary").filter(has_text=summary).first.click()
        then(page, world)

    return act


def _check(label: str, then: Act) -> Act:
    def act(page: Page, world: SimpleNamespace) -> None:
        page.get_by_label(label, exact=True).check()
        then(page, world)

    return act


def _right_code(page: Page, world: SimpleNamespace) -> None:
    """Enrol like a person: the key the page shows, in an authenticator application."""
    from base64 import b32decode

    from django_otp.oath import TOTP

    key = "".join(page.locator("#cle-totp").inner_text().split())
    code = f"{TOTP(b32decode(key + '=' * (-len(key) % 8))).token():06d}"
    page.get_by_label("Code à 6 chiffres").fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="Activer").click()
    expect(page.locator("main")).to_contain_text("codes de secours")


# --- The pages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    """One page to audit: a URL pattern of the project (by name, filled from the world), or a
    raw path for pages no pattern names (the 404 page)."""

    name: str
    kwargs: Callable[[SimpleNamespace], dict[str, Any]] = lambda w: {}
    state: str = ""
    act: Act | None = None
    query: str = ""
    status: int = 200
    settings: dict[str, Any] = default(default_factory=dict)
    path: str = ""
    # A text the page must show, to be sure the state audited is the one described.
    shows: str = ""

    def url(self, world: SimpleNamespace) -> str:
        return (self.path or reverse(self.name, kwargs=self.kwargs(world))) + self.query

    def describe(self, world: SimpleNamespace) -> str:
        return f"{self.url(world)}{f' ({self.state})' if self.state else ''}"


@dataclass(frozen=True)
class Account:
    """Someone signed in (None: nobody) and the pages they open, in this order."""

    who: Callable[[SimpleNamespace], str | None]
    visits: list[Visit]


def _dossier(w: SimpleNamespace) -> dict[str, Any]:
    return {"pk": w.dossier.pk}


def _situation(number: int) -> Callable[[SimpleNamespace], dict[str, Any]]:
    return lambda w: {"pk": w.dossier.pk, "situation_pk": w.situations[number].pk}


def _history(key: Callable[[SimpleNamespace], str]) -> Callable[[SimpleNamespace], dict[str, Any]]:
    return lambda w: {"pk": w.dossier.pk, "field_key": key(w)}


def _request(name: str) -> Callable[[SimpleNamespace], dict[str, Any]]:
    return lambda w: {"pk": w.requests[name].pk}


def _registration(name: str) -> Callable[[SimpleNamespace], dict[str, Any]]:
    return lambda w: {"pk": w.registrations[name].pk}


NOT_FOUND_PAGE = Visit(
    "404",
    path="/page-qui-n-existe-pas/",
    status=404,
    state="page introuvable",
    shows="Cette page n'existe pas",
)
ACCESSIBILITY = Visit("www:accessibility", shows="Voies de recours")
MY_DATA = Visit("accounts:my_data")
SECOND_FACTOR_ON = {"SECOND_FACTOR_REQUIRED": True}

CANDIDATE_PAGES = [
    Visit(
        "www:home",
        state="Livret 2 en cours, accompagnée, recevabilité favorable",
        shows="Continuer mon Livret 2",
    ),
    Visit(
        "dossiers:overview",
        _dossier,
        "passages d'un import Word à placer",
        shows="de votre fichier Word reste à placer",
    ),
    Visit("dossiers:header", _dossier),
    Visit("dossiers:motivation", _dossier, "CV à masquer", shows="attestation.pdf"),
    Visit(
        "dossiers:context",
        _dossier,
        "données personnelles repérées dans le texte",
        shows="Données personnelles repérées",
    ),
    Visit("dossiers:activity", lambda w: {"pk": w.dossier.pk, "number": 1}, "avec situations"),
    Visit(
        "dossiers:activity",
        lambda w: {"pk": w.dossier.pk, "number": 4},
        "aucune situation",
        shows="Vous n'avez pas encore écrit de situation",
    ),
    Visit("dossiers:situation", _situation(1), "situation complète, avec une pièce"),
    Visit("dossiers:situation", _situation(2), "situation à moitié écrite", shows="Reste à"),
    Visit("dossiers:situation", _situation(3), "contexte propre à la situation"),
    Visit(
        "dossiers:field_history",
        _history(lambda w: "dossier.context"),
        "versions comparées",
        shows="Version 2",
    ),
    Visit(
        "dossiers:field_history",
        _history(lambda w: f"situation.{w.situations[1].pk}.own_context"),
        "jamais écrit",
    ),
    Visit("documents:preview", _dossier, "aperçu du PDF, page par page"),
    Visit("documents:import_upload", _dossier),
    Visit(
        "documents:import_upload",
        _dossier,
        "envoyé sans fichier",
        _send("Lire le fichier", shows="Choisissez un fichier Word"),
    ),
    Visit(
        "documents:import_report",
        lambda w: {"pk": w.dossier.pk, "import_pk": w.pending_import.pk},
        "import à confirmer",
        shows="Confirmer l'import",
    ),
    Visit(
        "documents:unplaced",
        _dossier,
        "passage à placer",
        shows="Note pour moi : relire avec ma coach.",
    ),
    Visit(
        "pii:overview",
        _dossier,
        "données repérées dans les textes et les pièces",
        shows="Martine Dupont",
    ),
    Visit(
        "pii:file",
        lambda w: {"pk": w.dossier.pk, "attachment_pk": w.pii_pdf.pk},
        "PDF avec copie masquée à vérifier",
        shows="Une copie masquée est prête",
    ),
    Visit(
        "pii:file",
        lambda w: {"pk": w.dossier.pk, "attachment_pk": w.screenshot.pk},
        "image à vérifier à l'œil",
        shows="J'ai vérifié",
    ),
    Visit(
        "admissibility:detail",
        _request("recevable"),
        "décision favorable",
        shows="Analyse des écarts",
    ),
    Visit("coaching:declare", lambda w: {"case_pk": w.dossier.case.pk}),
    Visit(
        "coaching:declare",
        lambda w: {"case_pk": w.dossier.case.pk},
        "autre organisme sans le nommer",
        _check(
            "Accompagnement par un autre organisme",
            _send("Enregistrer", shows="Choisissez votre organisme d'accompagnement."),
        ),
    ),
    Visit(
        "coaching:review",
        _dossier,
        "commentaire de l'accompagnatrice à traiter",
        shows="Précisez ce qui a déclenché votre démarche.",
    ),
    Visit(
        "coaching:review",
        _dossier,
        "réponse vide refusée",
        _send("Envoyer la réponse", shows="Écrivez votre commentaire avant de l'envoyer."),
    ),
    Visit("evaluation:mine", state="pas encore inscrite"),
    Visit("jury:results", state="aucune décision"),
    Visit("audit:mine", state="consultations de l'équipe", shows="Julien Moreau"),
    MY_DATA,
    ACCESSIBILITY,
    NOT_FOUND_PAGE,
]

DRAFT_CANDIDATE_PAGES = [
    Visit(
        "www:home",
        state="demande de recevabilité en brouillon",
        shows="Compléter ma demande de recevabilité",
    ),
    Visit("admissibility:detail", _request("brouillon"), "brouillon à compléter"),
    Visit("admissibility:identity", _request("brouillon")),
    Visit(
        "admissibility:identity",
        _request("brouillon"),
        "date de naissance à venir",
        _send(
            "Enregistrer",
            shows="La date de naissance doit être passée.",
            fill={"Date de naissance": "2099-01-01"},
        ),
    ),
    Visit("admissibility:sworn", _request("brouillon")),
    Visit("admissibility:experience_add", _request("brouillon")),
    Visit(
        "admissibility:experience_add",
        _request("brouillon"),
        "envoyée vide",
        _send("Enregistrer", shows="obligatoire"),
    ),
    Visit(
        "admissibility:experience",
        lambda w: {"pk": w.requests["brouillon"].pk, "experience_pk": w.experience.pk},
    ),
]

PAST_CANDIDATE_PAGES = [
    Visit("www:home", state="blocs validés par le jury", shows="Blocs de compétences validés"),
    Visit(
        "jury:results",
        state="validation partielle, nouvelle tentative possible",
        shows="Validation partielle",
    ),
    Visit("evaluation:mine", state="session passée, dossier évalué"),
]

TRANSMITTED_CANDIDATE_PAGES = [
    Visit("www:home", state="dossier transmis au jury", shows="Voir mon Livret 2"),
    Visit(
        "dossiers:overview",
        lambda w: {"pk": w.transmitted.pk},
        "transmis, en lecture seule",
        shows="transmis au jury : il n'est plus modifiable",
    ),
    Visit(
        "dossiers:situation",
        lambda w: {"pk": w.transmitted.pk, "situation_pk": w.transmitted_situation.pk},
        "champs en lecture seule",
        shows="en lecture seule",
    ),
    Visit("evaluation:mine", state="inscrit, dossier transmis"),
]

COACH_PAGES = [
    Visit("www:home", state="candidats accompagnés", shows="Camille Martin"),
    Visit("coaching:coached"),
    Visit(
        "coaching:review",
        _dossier,
        "Livret 2 en cours, avec un commentaire ouvert",
        shows="Précisez ce qui a déclenché votre démarche.",
    ),
    Visit(
        "coaching:review",
        _dossier,
        "commentaire vide refusé",
        _open_details(
            "Commenter cette partie",
            _send("Publier le commentaire", shows="Écrivez votre commentaire avant de l'envoyer."),
        ),
    ),
    Visit(
        "coaching:review",
        lambda w: {"pk": w.final_coached.pk},
        "dossier finalisé : demande de réouverture sans motif",
        _send("Envoyer la demande", shows="Indiquez le motif de la réouverture."),
    ),
    Visit(
        "evaluation:transmit",
        lambda w: {"dossier_pk": w.final_coached.pk},
        "prêt à transmettre",
        shows="Transmettre le dossier au jury",
    ),
    Visit(
        "evaluation:transmit",
        lambda w: {"dossier_pk": w.final_coached.pk},
        "conditions vérifiées pour une session",
        _send("Vérifier pour cette session", shows="Respectée"),
    ),
    Visit(
        "evaluation:transmit",
        lambda w: {"dossier_pk": w.transmitted.pk},
        "déjà transmis",
        shows="Ce dossier a été transmis au jury le",
    ),
]

INSTRUCTOR_PAGES = [
    Visit("www:home", state="tous les parcours"),
    Visit("admissibility:queue", state="échéances proches et dépassées"),
    Visit("admissibility:queue", query="?statut=complete", state="filtrée"),
    Visit("reporting:dashboard", state="douze derniers mois", shows="Parcours par étape"),
    Visit(
        "reporting:dashboard",
        query="?du=pas-une-date",
        state="filtre erroné",
        status=400,
        shows="Saisissez une date valide",
    ),
    *[
        Visit("admissibility:detail", _request(status), f"demande « {status} »")
        for status in ("deposee", "incomplete", "complete", "recevable", "non_recevable")
    ],
    Visit("admissibility:identity", _request("deposee"), "en lecture seule"),
    Visit("admissibility:sworn", _request("deposee"), "en lecture seule"),
    Visit(
        "admissibility:instruct",
        _request("deposee"),
        "Livret 1 déposé, à instruire",
        shows="Déclarer la demande complète",
    ),
    Visit(
        "admissibility:instruct",
        _request("complete"),
        "décision à prendre",
        shows="Enregistrer la décision",
    ),
    Visit(
        "admissibility:instruct",
        _request("complete"),
        "décision envoyée sans analyse",
        _send("Enregistrer la décision", shows="Ce champ est obligatoire."),
    ),
    Visit("admissibility:instruct", _request("recevable"), "décision prise"),
    Visit("coaching:assignments"),
    Visit("coaching:assign", lambda w: {"case_pk": w.unassigned.pk}),
    Visit(
        "coaching:assign",
        lambda w: {"case_pk": w.unassigned.pk},
        "envoyé sans choisir",
        _send("Attribuer", shows="Choisissez un accompagnateur."),
    ),
    Visit("coaching:review", _dossier, "lecture par l'Ucanss", shows="en lecture seule"),
    Visit(
        "dossiers:reopen",
        lambda w: {"pk": w.final_other.pk},
        "dossier finalisé",
        shows="Rouvrir le dossier",
    ),
    Visit(
        "dossiers:reopen",
        lambda w: {"pk": w.final_other.pk},
        "sans motif",
        _send("Rouvrir le dossier", shows="Indiquez le motif de la réouverture."),
    ),
    Visit(
        "dossiers:reopen",
        _dossier,
        "dossier en cours : rien à rouvrir",
        shows="seul un dossier finalisé peut être rouvert",
    ),
    Visit("documents:preview", lambda w: {"pk": w.final_other.pk}, "aperçu par l'Ucanss"),
    Visit("evaluation:list", state="sessions à venir et passées"),
    Visit("evaluation:create"),
    Visit(
        "evaluation:create",
        state="envoyée vide",
        act=_send("Enregistrer", shows="obligatoire"),
    ),
    Visit(
        "evaluation:detail",
        lambda w: {"session_pk": w.today_session.pk},
        "jour de l'oral, candidats transmis",
        shows="Lucas Bernard",
    ),
    Visit("evaluation:detail", lambda w: {"session_pk": w.future_session.pk}, "à venir"),
    Visit("evaluation:edit", lambda w: {"session_pk": w.future_session.pk}),
    Visit(
        "evaluation:edit",
        lambda w: {"session_pk": w.future_session.pk},
        "lieu effacé",
        _send(
            "Enregistrer",
            shows="Indiquez un lieu ou un lien de visioconférence",
            fill={"Lieu": ""},
        ),
    ),
    Visit(
        "evaluation:transmit",
        lambda w: {"dossier_pk": w.final_other.pk},
        "transmission par l'Ucanss",
        shows="Transmettre le dossier au jury",
    ),
    Visit("jury:home", state="jurys de toutes les sessions"),
    Visit("jury:session", lambda w: {"pk": w.today_session.pk}, shows="Lucas Bernard"),
    Visit(
        "jury:candidate",
        _registration("decided"),
        "décision en attente de signatures",
        shows="Décision : Validation partielle",
    ),
    Visit(
        "jury:candidate",
        _registration("notified"),
        "procès-verbal signé",
        shows="Télécharger le procès-verbal",
    ),
    MY_DATA,
]

# A staff account at its first login with the second factor required: enrolment, the backup
# codes, then (a new session) the code asked at each login.
SECOND_FACTOR_ENROLMENT = [
    Visit(
        "accounts:second_factor_setup",
        state="code QR",
        settings=SECOND_FACTOR_ON,
        shows="Clé à saisir à la main",
    ),
    Visit(
        "accounts:second_factor_setup",
        state="activée : codes de secours affichés une fois",
        act=_right_code,
        settings=SECOND_FACTOR_ON,
    ),
    Visit("accounts:second_factor_codes", state="codes restants", settings=SECOND_FACTOR_ON),
]
SECOND_FACTOR_LOGIN = [
    Visit(
        "accounts:second_factor",
        state="code demandé",
        settings=SECOND_FACTOR_ON,
        shows="Valider le code",
    ),
    Visit(
        "accounts:second_factor",
        state="code erroné",
        act=_send(
            "Valider le code",
            shows="Code incorrect",
            fill={"Code de vérification": "000000"},
        ),
        settings=SECOND_FACTOR_ON,
    ),
]

JURY_PAGES = [
    Visit("www:home", state="sessions du jury"),
    Visit("jury:home"),
    Visit(
        "jury:session",
        lambda w: {"pk": w.today_session.pk},
        "jour de l'oral",
        shows="Lucas Bernard",
    ),
    Visit(
        "jury:candidate",
        _registration("draft"),
        "grille à remplir",
        shows="Enregistrer la grille",
    ),
    Visit(
        "jury:candidate",
        _registration("voted"),
        "votes faits : décision à prononcer",
        shows="Selon les votes",
    ),
    Visit(
        "jury:candidate",
        _registration("voted"),
        "décision sans motifs refusée",
        _send("Prononcer la décision", shows="indiquez"),
    ),
    Visit(
        "jury:candidate",
        _registration("decided"),
        "signé par la présidente, en attente du second membre",
        shows="Décision : Validation partielle",
    ),
    Visit(
        "jury:candidate",
        _registration("notified"),
        "procès-verbal signé",
        shows="Télécharger le procès-verbal",
    ),
]


def _new_api_token(page: Page, world: SimpleNamespace) -> None:
    content = page.locator("#content")
    # The admin's labels end with " :" (Django's label suffix).
    content.get_by_label("Nom :", exact=True).fill("SIRH — export nocturne")
    content.get_by_label("Compte utilisé :", exact=True).select_option(index=1)
    with page.expect_navigation():
        content.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator("main")).to_contain_text("Copiez-le maintenant")


def _a_token() -> Any:
    from vaecos.api.models import ApiToken

    return ApiToken.objects.filter(revoked_at__isnull=True).order_by("pk").first()


def _admin_change(model: str, obj: str) -> Visit:
    return Visit(f"admin:{model}_change", lambda w: {"object_id": getattr(w, obj).pk})


ADMIN_PAGES = [
    Visit("www:home", state="versions du référentiel"),
    Visit(
        "audit:journal",
        state="consultations et changements de statut",
        shows="Consultation",
    ),
    Visit("audit:journal", query="?courriel=candidat%40demo.test", state="filtré"),
    # Django's admin: each of its views once, on the models with the richest pages.
    Visit("admin:index"),
    Visit("admin:app_list", lambda w: {"app_label": "dossiers"}),
    Visit("admin:password_change"),
    Visit("admin:password_change_done"),
    Visit("admin:accounts_user_changelist"),
    Visit("admin:accounts_user_add"),
    Visit(
        "admin:accounts_user_add",
        state="envoyé vide",
        act=_send("Enregistrer", shows="Corrigez", within="#content"),
    ),
    _admin_change("accounts_user", "candidate"),
    Visit("admin:auth_user_password_change", lambda w: {"id": w.candidate.pk}),
    Visit("admin:accounts_user_history", lambda w: {"object_id": w.candidate.pk}),
    _admin_change("dossiers_dossier", "dossier"),
    # A session's jury: a table of inline forms.
    _admin_change("evaluation_evaluationsession", "future_session"),
    Visit(
        "admin:evaluation_evaluationsession_delete",
        lambda w: {"object_id": w.future_session.pk},
    ),
    Visit("admin:audit_readevent_changelist"),
    # An API token: created (its secret shown once, in the list's message), then its page.
    Visit("admin:api_apitoken_add", state="jeton créé, secret affiché", act=_new_api_token),
    Visit("admin:api_apitoken_change", lambda w: {"object_id": _a_token().pk}, "à révoquer"),
]

ANONYMOUS_PAGES = [
    Visit("accounts:login"),
    Visit(
        "accounts:login",
        state="mot de passe erroné",
        act=_send(
            "Se connecter",
            shows="Adresse électronique ou mot de passe incorrect",
            fill={"Adresse électronique": CANDIDATE, "Mot de passe": "pas le bon"},
        ),
    ),
    Visit(
        "accounts:login",
        state="connexion bloquée après trop d'échecs",
        act=_send(
            "Se connecter",
            shows="Trop de tentatives de connexion",
            fill={"Adresse électronique": CANDIDATE, "Mot de passe": "toujours pas"},
        ),
        settings={"AXES_FAILURE_LIMIT": 2},
    ),
    Visit("accounts:password_reset"),
    Visit(
        "accounts:password_reset",
        state="adresse invalide",
        act=_send(
            "Recevoir le lien",
            shows="Saisissez une adresse",
            fill={"Courriel": "pas-une-adresse"},
        ),
    ),
    Visit("accounts:password_reset_done"),
    Visit(
        "accounts:password_reset_confirm",
        lambda w: {"uidb64": w.uidb64, "token": w.token},
        "lien valable : nouveau mot de passe",
    ),
    Visit(
        "accounts:password_reset_confirm",
        lambda w: {"uidb64": w.uidb64, "token": w.token},
        "mots de passe différents",
        _send(
            "Enregistrer le mot de passe",
            shows="Les deux mots de passe ne correspondent pas",
            fill={
                "Nouveau mot de passe": "Un-Mot-De-Passe-Solide-1",
                "Confirmation du nouveau mot de passe": "Un-Autre-Mot-De-Passe-2",
            },
        ),
    ),
    Visit(
        "accounts:password_reset_confirm",
        lambda w: {"uidb64": w.uidb64, "token": "lien-perime"},
        "lien périmé",
        shows="Ce lien n'est plus valable",
    ),
    Visit("accounts:password_reset_complete"),
    ACCESSIBILITY,
    Visit("api:docs", shows="Authorization: Bearer"),
    NOT_FOUND_PAGE,
]

ROLE_PAGES: dict[str, list[Account]] = {
    "anonymous": [Account(lambda w: None, ANONYMOUS_PAGES)],
    "candidate": [
        Account(lambda w: CANDIDATE, CANDIDATE_PAGES),
        Account(lambda w: w.draft_candidate.email, DRAFT_CANDIDATE_PAGES),
        Account(lambda w: w.past_candidate.email, PAST_CANDIDATE_PAGES),
        Account(lambda w: w.transmitted.case.candidate.email, TRANSMITTED_CANDIDATE_PAGES),
        Account(
            lambda w: w.newcomer.email,
            [Visit("www:home", state="aucun parcours : commencer la recevabilité")],
        ),
    ],
    "coach": [Account(lambda w: "accompagnateur@demo.test", COACH_PAGES)],
    "instructor": [
        Account(lambda w: "instructeur@demo.test", INSTRUCTOR_PAGES),
        Account(lambda w: w.otp_user.email, SECOND_FACTOR_ENROLMENT),
        Account(lambda w: w.otp_user.email, SECOND_FACTOR_LOGIN),
    ],
    "jury": [Account(lambda w: "jury@demo.test", JURY_PAGES)],
    "admin": [Account(lambda w: "admin@demo.test", ADMIN_PAGES)],
}


# --- What is not audited, and why -------------------------------------------------------------

NOT_HTML = {
    "www:healthz": "JSON pour la supervision",
    "accounts:my_data_download": "archive ZIP",
    "accounts:second_factor_qr": "image SVG du code QR (son texte de remplacement est audité "
    "sur la page d'activation)",
    "dossiers:completeness": "fragment htmx du panneau de complétude, audité dans les pages "
    "du Livret 2 qui l'incluent et après un enregistrement (test_axe_autosave_states)",
    "pii:panel": "fragment htmx des données repérées sous un champ, audité dans les pages qui "
    "l'incluent (contexte, motivation)",
    "dossiers:attachment_download": "fichier joint (PDF, image)",
    "documents:download": "PDF ou Word du Livret 2",
    "documents:preview_page": "image PNG d'une page de l'aperçu (texte de remplacement audité "
    "sur la page d'aperçu)",
    "pii:file_copy": "copie masquée (PDF)",
    "admissibility:document": "pièce justificative (fichier)",
    "admissibility:letter": "courrier (PDF)",
    "coaching:attachment": "pièce du Livret 2 (fichier)",
    "evaluation:convocation": "convocation (PDF)",
    "evaluation:bundle": "dossier transmis (PDF)",
    "jury:bundle": "dossier transmis (PDF)",
    "jury:minutes": "procès-verbal (PDF)",
    "jury:result_letter": "lettre de résultat (PDF)",
    "reporting:export_queue": "fichier CSV",
    "reporting:export_sessions": "fichier CSV",
    "reporting:export_results": "fichier CSV",
    "api:openapi-json": "schéma OpenAPI (JSON)",
    "api:api-root": "redirection vers la documentation de l'API",
    **{
        f"api:{name}": "réponse JSON de l'API (tests/api)"
        for name in (
            "cases",
            "case",
            "admissibility_requests",
            "admissibility_request",
            "sessions",
            "session",
            "results",
            "result",
            "unknown",
        )
    },
}
# The same page for several roles: audited for one, set aside for the others with the reason.
# Each role's header (its menu) is audited on its own pages.
SAME_FOR_ALL = "même page pour tous, auditée sans être connecté"
STAFF_VERSION = "même page que pour l'instructeur (version des comptes qui ne sont pas candidats)"
SAME_PAGE: dict[tuple[str, str], str] = {
    **{
        (name, role): SAME_FOR_ALL
        for name in (
            "accounts:password_reset",
            "accounts:password_reset_done",
            "accounts:password_reset_complete",
        )
        for role in ("candidate", "coach", "instructor", "jury", "admin")
    },
    **{
        (name, role): SAME_FOR_ALL
        for name in ("www:accessibility", "api:docs")
        for role in ("coach", "instructor", "jury", "admin")
    },
    ("api:docs", "candidate"): SAME_FOR_ALL,
    **{("accounts:my_data", role): STAFF_VERSION for role in ("coach", "jury", "admin")},
}
# The administrator opens the instructeur's pages through the same views and templates
# (audited for the instructeur): test_every_html_get_page_is_audited accepts those.

# Django's admin is audited template by template (its views, by function): the other models'
# pages are the same templates with other fields. Not HTML: its translations' JavaScript.
ADMIN_NOT_HTML = {"i18n_javascript": "JavaScript des traductions de l'administration"}

MATRIX_ROLES = {
    "anonymous": "anonymous",
    "owner": "candidate",
    "other_candidate": "candidate",
    "coach": "coach",
    "instructor": "instructor",
    "jury": "jury",
    "admin": "admin",
}


def _audited() -> set[tuple[str, str]]:
    return {
        (visit.name, role)
        for role, accounts in ROLE_PAGES.items()
        for account in accounts
        for visit in account.visits
    }


def _admin_view(name: str) -> str:
    """The admin view function behind an admin URL name (changelist_view, add_view…)."""
    for entry in ENTRIES:
        if entry.key == name:
            return entry.pattern.callback.__name__
    raise AssertionError(f"Pas de page d'administration nommée {name}")


def test_every_html_get_page_is_audited():
    """Every GET page someone may open (the authorization matrix says who) is audited for that
    role, or set aside with its reason; an entry of this file that names no page fails too."""
    audited = _audited()
    names = {entry.key for entry in ENTRIES}
    unknown = {name for name, _ in audited if name not in names and name != "404"}
    unknown |= (set(NOT_HTML) | {name for name, _ in SAME_PAGE}) - names
    assert not unknown, f"Pages inconnues dans la liste d'accessibilité : {sorted(unknown)}"

    missing = []
    admin_views = set()
    for entry in ENTRIES:
        rule = rule_for(entry)
        if rule is None or rule.method != "GET":
            continue  # no rule: the matrix fails on its own; POST: a form's target, not a page
        if entry.namespace == ADMIN_NAMESPACE:
            if rule.expected["admin"].status == 200:
                admin_views.add(entry.pattern.callback.__name__)
            continue
        if entry.key in NOT_HTML:
            continue
        roles = {MATRIX_ROLES[r] for r, expect in rule.expected.items() if expect.status == 200}
        if not roles and not any(name == entry.key for name, _ in audited):
            missing.append(f"{entry.key} : page que personne n'ouvre dans la matrice, à auditer")
        for role in sorted(roles):
            if (entry.key, role) in audited or (entry.key, role) in SAME_PAGE:
                continue
            if role == "admin" and (entry.key, "instructor") in audited:
                continue  # the instructeur's page
            missing.append(f"{entry.key} pour le rôle {role}")
    audited_admin = {
        _admin_view(name) for name, role in audited if name.startswith(f"{ADMIN_NAMESPACE}:")
    }
    missing += [
        f"administration : vue {view}"
        for view in sorted(admin_views - audited_admin - set(ADMIN_NOT_HTML))
    ]
    assert not missing, (
        "Pages sans audit d'accessibilité : ajoutez-les à ROLE_PAGES (tests/browser/"
        "test_accessibility.py), ou à NOT_HTML / SAME_PAGE avec la raison :\n  "
        + "\n  ".join(missing)
    )


# --- The world --------------------------------------------------------------------------------

PII_SENTENCE = " Ce jour-là, Mme Martine Dupont m'a rappelée au 06 12 34 56 78."


def _world(demo: dict[str, Any], referentiel: Any, tmp_path: Any) -> SimpleNamespace:
    import docx
    from django.contrib.auth.tokens import default_token_generator
    from django.utils import timezone
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from tests.accounts.factories import UserFactory
    from tests.evaluation.factories import favourable_case, transmittable
    from tests.files import upload
    from tests.jury.factories import transmitted, vote
    from tests.pii.pdfs import text_pdf
    from vaecos.accounts.models import Organisation, Role, User
    from vaecos.admissibility.models import AdmissibilityRequest
    from vaecos.audit.services import record_read
    from vaecos.cases.models import Coaching
    from vaecos.coaching import services as coaching
    from vaecos.documents import imports
    from vaecos.documents.exports import livret2_docx
    from vaecos.dossiers import fields
    from vaecos.dossiers.models import AttachmentKind
    from vaecos.evaluation.models import Registration
    from vaecos.jury import services as jury
    from vaecos.pii import services as pii

    users = demo["users"]
    candidate, coach = users[Role.CANDIDATE], users[Role.COACH]
    instructor, president = users[Role.INSTRUCTOR], users[Role.JURY]
    dossier = demo["dossier"]
    w = SimpleNamespace(candidate=candidate, dossier=dossier, future_session=demo["session"])
    w.situations = {
        n: dossier.situations.filter(activity__number=n).order_by("position").first()
        for n in (1, 2, 3)
    }
    w.screenshot = dossier.attachments.get(original_name="capture-mon-compte-anonymisee.png")

    # Word: a first import placed (one stray note left to place), a second one to confirm.
    def word(*added: str) -> bytes:
        document = docx.Document(io.BytesIO(livret2_docx(dossier)))
        for text in added:
            document.paragraphs[0].insert_paragraph_before(text)
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()

    first = imports.import_read(
        dossier=dossier,
        content=word("Note pour moi : relire avec ma coach."),
        name="a.docx",
        by=candidate,
    )
    imports.import_apply(source=first, by=candidate)
    w.pending_import = imports.import_read(
        dossier=dossier, content=word("Autre note."), name="livret2.docx", by=candidate
    )
    # Personal data in a text (two versions of the context) and in a PDF, its copy ready.
    dossier.refresh_from_db()
    key = fields.dossier_key("context")
    services.field_save(
        dossier=dossier,
        field_key=key,
        text=dossier.context + PII_SENTENCE,
        base_revision=services.current_revisions(dossier)[key],
        by=candidate,
    )
    pdf = text_pdf(tmp_path, "Attestation : Mme Lucie Garnier, joignable au 07 11 22 33 44.")
    w.pii_pdf = services.attachment_add(
        dossier=dossier,
        upload=upload("attestation.pdf", pdf, "application/pdf"),
        kind=AttachmentKind.CV,
        by=candidate,
    )
    pii.file_redact(dossier=dossier, attachment_id=w.pii_pdf.pk, by=candidate)
    # The coach's comment, and reads the candidate finds in « qui a consulté mon dossier ».
    coaching.thread_open(
        dossier=dossier,
        section="motivation",
        body="Précisez ce qui a déclenché votre démarche.",
        by=coach,
    )
    record_read(
        instructor, case=dossier.case, dossier=dossier, what="livret2_pdf", label="Livret 2"
    )

    # Admissibility requests in every state (the demo's queue, and the candidate's own).
    w.requests = {r.status: r for r in AdmissibilityRequest.objects.order_by("pk")}
    w.requests["recevable"] = dossier.case.admissibility_requests.get()
    w.draft_candidate = w.requests["brouillon"].case.candidate
    w.experience = w.requests["brouillon"].experiences.first()
    w.newcomer = UserFactory(first_name="Sacha")

    # Lucas Bernard's dossier, transmitted to today's session (the demo's).
    lucas = Registration.objects.select_related("dossier", "session").get(
        case__candidate__email="lucas.bernard@demo.test"
    )
    w.transmitted = lucas.dossier
    w.transmitted_situation = lucas.dossier.situations.order_by("pk").first()
    w.today_session = lucas.session

    # Final dossiers: one coached by the Institut 4.10 (its coach transmits), one not (staff
    # transmit and reopen); a case waiting for its coach.
    institut = Organisation.objects.get(is_institut_410=True)
    w.final_coached = transmittable(
        referentiel,
        coaching=Coaching.INSTITUT_410,
        coaching_organisation=institut,
        coach=coach,
        coaching_declared_at=timezone.now(),
    )
    w.final_other = transmittable(referentiel, coaching=Coaching.NONE)
    w.unassigned = favourable_case(
        referentiel,
        coaching=Coaching.INSTITUT_410,
        coaching_organisation=institut,
        coaching_declared_at=timezone.now(),
    )

    # The jury's day: one dossier to grade (Lucas), one voted, one decided, one notified.
    members = {m.user_id: m for m in w.today_session.jury.all()}
    second = User.objects.get(email="jury2@demo.test")
    w.registrations = {"draft": lucas}
    for state in ("voted", "decided", "notified"):
        registration = transmitted(referentiel, w.today_session)
        for member in members.values():
            vote(registration, member, True, True, True, False)
        w.registrations[state] = registration
        if state == "voted":
            continue
        jury.deliberation_decide(
            registration=registration,
            by=president,
            mode="votes",
            competences_to_prove="Bloc IV : décrire une saisie de masse.",
            reasons="Aucune saisie en nombre dans le dossier.",
        )
        jury.deliberation_sign(registration=registration, by=president)
        if state == "notified":
            jury.deliberation_sign(registration=registration, by=second)
    w.past_candidate = w.registrations["notified"].case.candidate

    # A staff account at its first login with the second factor; someone who forgot a password.
    w.otp_user = UserFactory(instructor=True, email="double.authentification@demo.test")
    forgetful = UserFactory()
    w.uidb64 = urlsafe_base64_encode(force_bytes(forgetful.pk))
    w.token = default_token_generator.make_token(forgetful)
    return w


# --- The audit --------------------------------------------------------------------------------


def _as(page: Page, base_url: str, email: str | None) -> None:
    page.context.clear_cookies()
    if email is not None:
        sign_in(page, base_url, email)


def _audit_role(page: Page, base_url: str, world: SimpleNamespace, role: str) -> list[str]:
    """Each page of the role, in order; its serious and critical violations, by page."""
    report = []
    for account in ROLE_PAGES[role]:
        who = account.who(world)
        _as(page, base_url, who)
        for visit in account.visits:
            where = f"{who or 'anonyme'} — {visit.describe(world)}"
            with override_settings(**visit.settings):
                response = page.goto(base_url + visit.url(world), timeout=GOTO_TIMEOUT)
                status = response.status if response else None
                assert status == visit.status, f"{where} : HTTP {status}"
                if visit.act is not None:
                    try:
                        visit.act(page, world)
                    except Exception as exc:
                        raise AssertionError(f"{where} : état non atteint") from exc
                if visit.shows:
                    expect(page.locator("main"), f"{where} : état non atteint").to_contain_text(
                        visit.shows
                    )
                if problems := _violations(page):
                    report.append(f"{where}\n" + "\n".join(problems))
    return report


def test_axe_every_page_of_every_role(live_server, new_context, demo, referentiel, tmp_path):
    world = _world(demo, referentiel, tmp_path)
    report = []
    for role in ROLE_PAGES:
        page = new_context().new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        report += _audit_role(page, live_server.url, world, role)
    assert not report, "Violations axe graves ou critiques :\n" + "\n".join(report)


def test_the_role_is_shown_on_each_role_s_pages(live_server, page, demo):
    for email, badge in ROLE_BADGES.items():
        _as(page, live_server.url, email)
        page.goto(f"{live_server.url}/")
        expect(page.locator(".vaecos-whoami")).to_contain_text(badge)


def test_the_error_page_for_a_server_failure_is_accessible(live_server, page, transactional_db):
    """The 500 page is served without the platform's context (no session, no menu): rendered
    here, shown on the platform's origin so that its stylesheets load."""
    from django.template.loader import render_to_string

    page.goto(f"{live_server.url}/accessibilite/")
    page.set_content(render_to_string("500.html"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Erreur du serveur")
    expect(page.locator("header")).to_have_css("background-color", "rgb(244, 246, 250)")
    problems = _violations(page)
    assert not problems, "\n".join(problems)


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
    states["enregistré, panneau de complétude rafraîchi"] = _violations(page)

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
