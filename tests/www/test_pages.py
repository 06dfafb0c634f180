"""The pages around the Livret 2: health check, accounts, home pages, demo data, security headers."""

import html
import re
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import reverse

from tests.accounts.factories import UserFactory
from tests.cases.factories import VaeCaseFactory
from tests.dossiers.factories import dossier_for
from vaecos.accounts.models import Role, User
from vaecos.cases.models import VaeCase
from vaecos.demo.services import load_demo
from vaecos.dossiers import services
from vaecos.dossiers.completeness import Status, dossier_report
from vaecos.dossiers.models import Attachment, Dossier, FieldRevision, Situation

PASSWORD = "motdepasse-test"  # UserFactory's


def text(response) -> str:
    return html.unescape(response.content.decode())


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Health check ------------------------------------------------------------------------------


def test_healthz_says_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_says_503_when_the_database_does_not_answer(client, db):
    broken = mock.MagicMock(spec=BaseDatabaseWrapper)
    broken.cursor.side_effect = DatabaseError("connexion refusée")

    with mock.patch("vaecos.www.views.connection", broken):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "indisponible"}
    broken.cursor.assert_called_once()


# --- Logging in and out --------------------------------------------------------------------


def test_login_with_the_email_in_any_case(client, candidate):
    response = client.post(
        reverse("accounts:login"),
        {"username": f"  {candidate.email.upper()} ", "password": PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert html.escape(candidate.display_name) in home.content.decode()


def test_login_with_a_wrong_password_says_so_in_french(client, candidate):
    response = client.post(
        reverse("accounts:login"), {"username": candidate.email, "password": "pas-le-bon"}
    )

    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect." in text(response)
    assert client.get("/").status_code == 302


def test_login_goes_back_to_the_page_asked_for(client, dossier, candidate):
    overview = reverse("dossiers:overview", args=[dossier.pk])
    login_page = client.get(overview)["Location"]

    response = client.post(
        login_page, {"username": candidate.email, "password": PASSWORD, "next": overview}
    )

    assert response["Location"] == overview


def test_login_does_not_redirect_to_another_site(client, candidate):
    response = client.post(
        reverse("accounts:login"),
        {"username": candidate.email, "password": PASSWORD, "next": "https://exemple.com/"},
    )

    assert response["Location"] == "/"


def test_logout_is_a_post_and_ends_the_session(candidate):
    client = signed_in(candidate)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get("/").status_code == 200

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert client.get("/").status_code == 302


def test_the_logout_button_is_on_every_page(candidate):
    page = signed_in(candidate).get("/").content.decode()

    assert f'action="{reverse("accounts:logout")}"' in page
    assert "Se déconnecter" in page


# --- Password reset ------------------------------------------------------------------------


def test_password_reset_sends_a_link_that_sets_a_new_password(client, candidate):
    response = client.post(reverse("accounts:password_reset"), {"email": candidate.email.upper()})

    assert response["Location"] == reverse("accounts:password_reset_done")
    (message,) = mail.outbox
    assert message.to == [candidate.email]
    assert message.subject == "VAE COS — choisir un nouveau mot de passe"
    link = re.search(r"http://testserver(/comptes/mot-de-passe/nouveau/\S+/)", message.body)
    assert link, message.body

    form = client.get(link.group(1), follow=True)
    assert "Choisir un nouveau mot de passe" in text(form)
    assert 'name="new_password1"' in text(form)
    new_password = "Tournesol-Bleu-2025"
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )

    assert done["Location"] == reverse("accounts:password_reset_complete")
    fresh = Client()
    assert fresh.login(email=candidate.email, password=new_password)
    assert not fresh.login(email=candidate.email, password=PASSWORD)
    # The link works once.
    assert "Ce lien n'est plus valable" in text(Client().get(link.group(1), follow=True))


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "inconnu@exemple.test"})

    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_a_forged_reset_link_is_refused(client, candidate):
    response = client.get("/comptes/mot-de-passe/nouveau/MQ/pas-un-jeton/")

    assert response.status_code == 200
    assert "Ce lien n'est plus valable" in text(response)


# --- Home pages --------------------------------------------------------------------------------

HOMES = {
    "candidate": (Role.CANDIDATE, "Bonjour Camille"),
    "coach": (Role.COACH, "Mes candidats"),
    "instructor": (Role.INSTRUCTOR, "Parcours VAE en cours"),
    "jury_member": (Role.JURY, "Mes sessions d'évaluation"),
    "administrator": (Role.ADMIN, "Administration de la plateforme"),
}


@pytest.mark.parametrize(("fixture", "role", "heading"), [(k, *v) for k, v in HOMES.items()])
def test_each_role_has_its_home_page(request, fixture, role, heading):
    user = request.getfixturevalue(fixture)

    page = text(signed_in(user).get("/"))

    header = page.split("<main", 1)[0]
    assert user.display_name in header
    assert role.label in header
    assert (
        '<a class="visually-hidden-focusable vaecos-skip" href="#contenu">Aller au contenu</a>'
        in page
    )
    assert '<main id="contenu"' in page
    assert heading in page
    assert ("Administration</a>" in header) == (role == Role.ADMIN)


def test_the_candidate_home_shows_the_livret_2_progress(candidate, dossier):
    page = text(signed_in(candidate).get("/"))

    report = dossier_report(dossier)
    assert "CQP Conseiller offres de services" in page
    assert f"{report.done_count} partie" in page
    assert f'aria-valuenow="{report.percent}"' in page
    assert reverse("dossiers:overview", args=[dossier.pk]) in page


def test_a_candidate_without_a_case_is_told_so(candidate):
    page = text(signed_in(candidate).get("/"))

    assert "Vous n'avez pas encore de parcours VAE sur cette plateforme." in page


def test_the_instructor_list_has_a_fixed_number_of_queries(
    instructor, referentiel, django_assert_num_queries
):
    for _ in range(3):
        VaeCaseFactory(referentiel_version=referentiel)
    client = signed_in(instructor)

    # Session, user, count of cases, one page of cases with their candidate and certification,
    # their latest Livret 2.
    with django_assert_num_queries(5):
        few = client.get("/")
    for _ in range(27):
        VaeCaseFactory(referentiel_version=referentiel)
    with django_assert_num_queries(5):
        many = client.get("/")

    assert text(few).count("<tr>") == 1 + 3
    assert text(many).count("<tr>") == 1 + 25
    assert "Page 1 sur 2" in text(many)
    newest = VaeCase.objects.order_by("-created_at", "-pk").first()
    assert newest.candidate.display_name in text(many)


# --- Demo data ---------------------------------------------------------------------------------


def demo_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (User, VaeCase, Dossier, Situation, FieldRevision, Attachment)
    }


DEMO_ACCOUNTS = {
    "candidat@demo.test": Role.CANDIDATE,
    "accompagnateur@demo.test": Role.COACH,
    "instructeur@demo.test": Role.INSTRUCTOR,
    "jury@demo.test": Role.JURY,
    "jury2@demo.test": Role.JURY,
    "admin@demo.test": Role.ADMIN,
}


def test_demo_creates_one_account_per_role_with_the_demo_password(referentiel):
    load_demo()

    accounts = User.objects.filter(email__in=DEMO_ACCOUNTS)
    assert dict(accounts.values_list("email", "role")) == DEMO_ACCOUNTS
    for user in accounts:
        assert user.check_password("demo"), user.email
    # The other people of the demo (the instructeur's queue) cannot log in.
    others = User.objects.exclude(email__in=DEMO_ACCOUNTS)
    assert others.exists() and not any(user.has_usable_password() for user in others)
    assert set(others.values_list("role", flat=True)) == {Role.CANDIDATE}
    admin = User.objects.get(role=Role.ADMIN)
    assert admin.is_staff and admin.is_superuser
    assert not User.objects.exclude(role=Role.ADMIN).filter(is_staff=True).exists()
    assert Client().login(email="candidat@demo.test", password="demo")


def test_demo_password_comes_from_the_settings(referentiel, settings):
    settings.DEMO_PASSWORD = "un-autre-secret"

    load_demo()

    user = User.objects.get(email="jury@demo.test")
    assert user.check_password("un-autre-secret")
    assert not user.check_password("demo")


def test_loading_the_demo_twice_changes_nothing(referentiel):
    load_demo()
    first = demo_counts()
    dossier = Dossier.objects.get(case__candidate__email="candidat@demo.test")
    texts = list(Situation.objects.order_by("pk").values_list("title", "description"))

    again = load_demo()

    assert again["created"] is False
    assert demo_counts() == first
    assert Dossier.objects.get(case__candidate__email="candidat@demo.test").pk == dossier.pk
    assert list(Situation.objects.order_by("pk").values_list("title", "description")) == texts


def test_loading_the_demo_again_keeps_what_the_candidate_wrote(referentiel):
    load_demo()
    dossier = Dossier.objects.get(case__candidate__email="candidat@demo.test")
    candidate = User.objects.get(email="candidat@demo.test")
    services.field_save(
        dossier=dossier,
        field_key="dossier.context",
        text="Mon contexte, réécrit.",
        base_revision=services.current_revisions(dossier)["dossier.context"],
        by=candidate,
    )

    load_demo()

    assert (
        Dossier.objects.get(case__candidate__email="candidat@demo.test").context
        == "Mon contexte, réécrit."
    )


def test_the_demo_dossier_is_half_written(referentiel):
    load_demo()

    report = dossier_report(Dossier.objects.get(case__candidate__email="candidat@demo.test"))
    assert not report.is_complete
    assert 0 < report.percent < 100
    statuses = {key: status for key, _, status in report.tasks}
    assert Status.COMPLETE in statuses.values()
    assert statuses["header"] == statuses["motivation"] == statuses["context"] == Status.COMPLETE
    assert statuses["activity-1"] == Status.COMPLETE
    assert statuses["activity-4"] == Status.NOT_STARTED
    # Its text went through autosave: it has a history.
    assert FieldRevision.objects.filter(field_key="dossier.motivation_reasons").exists()


def test_the_demo_needs_the_referentiel(db):
    with pytest.raises(RuntimeError, match="Chargez d'abord le référentiel"):
        load_demo()


def test_the_demo_command_says_what_it_did(referentiel):
    out = StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=out)

    assert "Livret 2 de démonstration : créé." in out.getvalue()
    assert "Livret 2 de démonstration : déjà présent, laissé tel quel." in out.getvalue()


# --- Content Security Policy -------------------------------------------------------------------


def csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_every_page_has_a_strict_content_security_policy(client, db):
    policy = csp(client.get(reverse("accounts:login")))

    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in policy[directive]
        assert "'unsafe-eval'" not in policy[directive]


INLINE_CODE = [
    (re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<[^>]+\sstyle=", re.I), "a style attribute"),
    (re.compile(r"<[^>]+\son[a-z]+=", re.I), "an inline event handler"),
]


def test_no_page_needs_what_the_policy_blocks(candidate, dossier, situation):
    """Inline scripts, styles and handlers would be blocked by the browser: none may be used."""
    client = signed_in(candidate)
    key = f"situation.{situation.pk}.title"
    pages = [
        "/",
        reverse("www:accessibility"),
        reverse("dossiers:overview", args=[dossier.pk]),
        reverse("dossiers:header", args=[dossier.pk]),
        reverse("dossiers:motivation", args=[dossier.pk]),
        reverse("dossiers:context", args=[dossier.pk]),
        reverse("dossiers:activity", args=[dossier.pk, 2]),
        reverse("dossiers:situation", args=[dossier.pk, situation.pk]),
        reverse("dossiers:field_history", args=[dossier.pk, key]),
    ]
    anonymous = [reverse("accounts:login"), reverse("accounts:password_reset")]
    problems = []
    for url, response in [(u, client.get(u)) for u in pages] + [
        (u, Client().get(u)) for u in anonymous
    ]:
        assert response.status_code == 200, url
        for pattern, what in INLINE_CODE:
            if match := pattern.search(response.content.decode()):
                problems.append(f"{url}: {what}: {match.group(0)}")
    assert not problems, "\n".join(problems)


def test_a_page_cannot_be_framed(client, db):
    response = client.get(reverse("accounts:login"))

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_instructor_home_lists_cases_of_every_candidate(instructor, referentiel):
    dossier_for(referentiel, candidate=UserFactory(first_name="Zoé", last_name="Leroy"))

    page = text(signed_in(instructor).get("/"))

    assert "Zoé Leroy" in page


def test_an_inactive_account_cannot_log_in(client, db):
    user = UserFactory(is_active=False)

    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
    )

    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect." in text(response)
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("shown", [True, False])
def test_demo_accounts_are_listed_on_the_login_page_only_when_asked(client, db, settings, shown):
    settings.SHOW_DEMO_ACCOUNTS = shown

    page = text(client.get(reverse("accounts:login")))

    assert ("candidat@demo.test" in page) == shown
    assert ("Comptes de démonstration" in page) == shown


def test_a_candidate_whose_livret_2_is_not_open_yet_is_told_when_it_opens(candidate, referentiel):
    VaeCaseFactory(candidate=candidate, referentiel_version=referentiel)

    page = text(signed_in(candidate).get("/"))

    assert "Votre espace de rédaction du Livret 2 s'ouvrira" in page
    assert 'aria-current="step"' in page
    assert "/livret2/" not in page


# --- Livret 2 pages ----------------------------------------------------------------------------


def test_the_overview_lists_every_part_with_its_status(candidate, dossier):
    page = text(signed_in(candidate).get(reverse("dossiers:overview", args=[dossier.pk])))

    assert "Livret 2 – Rédaction du dossier de validation" in page
    assert "(inscrit au RNCP n°35543)" in page
    for part in ("En-tête", "Motivation", "Contexte de l'organisme"):
        assert f">{part}</a>" in page
    for number, roman in enumerate(("I", "II", "III", "IV"), start=1):
        url = reverse("dossiers:activity", args=[dossier.pk, number])
        assert f'<a href="{url}">Activité {roman}</a>' in page


def test_the_overview_counts_in_french(candidate, dossier):
    """French puts zero in the singular, as the completeness messages do (« 0 cochée »)."""
    page = text(signed_in(candidate).get(reverse("dossiers:overview", args=[dossier.pk])))

    assert "0 situation retenue sur 2 exigées" in page
    assert "0 compétence couverte sur 2 au minimum" in page


@pytest.mark.parametrize(("days", "warned"), [(-1, True), (1, False), (None, False)])
def test_the_overview_warns_when_the_rncp_registration_has_ended(
    candidate, dossier, referentiel, days, warned
):
    import datetime

    referentiel.rncp_registration_end = (
        None if days is None else datetime.date.today() + datetime.timedelta(days=days)
    )
    referentiel.save()

    page = text(signed_in(candidate).get(reverse("dossiers:overview", args=[dossier.pk])))

    assert ("L'enregistrement RNCP de cette version du référentiel a pris fin" in page) == warned


def test_the_completeness_panel_follows_the_autosave(candidate, dossier):
    client = signed_in(candidate)
    panel = reverse("dossiers:completeness", args=[dossier.pk])
    before = text(client.get(panel))
    assert "Contexte de l'organisme : décrivez l'organisme" in before
    assert "<html" not in before

    client.post(
        reverse("dossiers:field_save", args=[dossier.pk, "dossier.context"]),
        {"text": "L'accueil de la caisse de Saint-Nazaire.", "base_revision": "0"},
    )

    assert "Contexte de l'organisme : décrivez l'organisme" not in text(client.get(panel))


def test_the_activity_page_states_its_requirements(candidate, dossier):
    page = text(signed_in(candidate).get(reverse("dossiers:activity", args=[dossier.pk, 2])))

    assert "1 situation exigée" in page
    assert "couvrant au moins 2 des 5 compétences ci-dessous" in page
    assert "Signaler les suspicions de fraudes auprès des services compétents" in page
    assert "Écrire une nouvelle situation" in page


def test_the_demo_has_a_dossier_the_jury_can_evaluate_today(referentiel):
    from vaecos.dossiers.models import DossierStatus
    from vaecos.evaluation.composition import composition_report, conflict_reason
    from vaecos.evaluation.models import Registration
    from vaecos.jury.services import session_held
    from vaecos.pii.gate import transmission_blockers

    load_demo()
    load_demo()  # idempotent: still one

    registration = Registration.objects.get(case__candidate__email="lucas.bernard@demo.test")
    dossier = registration.dossier
    assert dossier.status == DossierStatus.TRANSMITTED
    assert dossier_report(dossier).is_complete
    assert transmission_blockers(dossier) == []
    assert registration.bundle.read(5) == b"%PDF-"
    session = registration.session
    assert session_held(registration)
    assert not composition_report(session).errors
    jury = User.objects.get(email="jury@demo.test")
    assert session.jury.get(user=jury).is_president
    assert all(conflict_reason(m.user, registration.case) is None for m in session.jury.all())
    client = Client()
    client.force_login(jury)
    page = client.get(reverse("jury:session", args=[session.pk])).content.decode()
    assert "Lucas Bernard" in page
