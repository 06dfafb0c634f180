"""From a finished Livret 2 to the jury's signed decision, in Chromium, through every role.

The coach comments, the candidate answers, resolves and finalises, the coach transmits, the
instructeur convenes (e-mail with the PDF and a calendar file), the two jury members fill the
grid, vote per bloc, the president deliberates (partial validation) and each member signs; the
procès-verbal and the result letter are read back, and the candidate's space shows the blocs.
Each step leaves a full-page screenshot in test-artifacts/ (jury-flow-*.png).
"""

import datetime
import io
import re
from urllib.parse import urljoin

import pytest
from django.core import mail
from django.utils import formats, timezone, translation
from playwright.sync_api import BrowserContext, Page, expect
from pypdf import PdfReader

from tests.browser.helpers import ARTIFACTS, DEMO_PASSWORD, login, screenshot
from tests.browser.test_accessibility import _violations
from tests.dossiers.factories import complete_dossier
from tests.evaluation.factories import favourable_for

pytestmark = pytest.mark.browser

COACH = "accompagnateur@demo.test"
INSTRUCTOR = "instructeur@demo.test"
PRESIDENT = "jury@demo.test"  # Nadia Petit, a woman: « Présidente »
MEMBER = "jury2@demo.test"  # Marc Leroy
CANDIDATE_EMAIL = "ines.fontaine@exemple.test"
FIRST, LAST = "Inès", "Fontaine"
NAME = f"{FIRST} {LAST}"

COMMENT = "Précisez pourquoi ce CQP maintenant : qu'est-ce qui a déclenché votre démarche ?"
REPLY = "C'est la réorganisation de l'accueil en 2024 : je l'ai ajouté à ma motivation."
TO_PROVE = (
    "Bloc IV : décrire une saisie de masse et les contrôles de cohérence faits avant de la valider."
)
REASONS = (
    "Le dossier ne montre aucune saisie en nombre ; à l'oral, les contrôles sont restés flous."
)

BLOCS = ["RNCP35543BC01", "RNCP35543BC02", "RNCP35543BC03", "RNCP35543BC04"]
VALIDATED, NOT_VALIDATED = BLOCS[:3], BLOCS[3]


# --- Helpers ------------------------------------------------------------------------------------


def _shot(page: Page, step: str) -> None:
    screenshot(page, f"jury-flow-{step}")


def _no_axe_problems(page: Page, where: str) -> None:
    problems = _violations(page)
    assert not problems, f"Violations axe graves ou critiques — {where} :\n" + "\n".join(problems)


def _nav(page: Page, name: str) -> None:
    """Follow a link of the main navigation (the header menu)."""
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name=name, exact=True
    ).click()


def _message(page: Page, text: str) -> None:
    expect(page.locator(".vaecos-messages")).to_contain_text(text)


def _long_date(day) -> str:
    """« mardi 15 juin 2027 », as the pages write a session's date (`l j F Y`)."""
    with translation.override("fr"):
        return formats.date_format(day, "l j F Y")


def _keep(content: bytes, name: str) -> bytes:
    """Leave a downloaded document next to the screenshots, to be read by a person."""
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"jury-flow-{name}.pdf").write_bytes(content)
    return content


def _signed(moment) -> str:
    """« 2 février 2027 à 10 h 05 », as the procès-verbal writes a confirmation time."""
    from vaecos.admissibility.letters import date_fr

    local = timezone.localtime(moment)
    return f"{date_fr(local.date())} à {local:%H} h {local:%M}"


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.split())  # a table cell or a line may wrap anywhere


def _download(context: BrowserContext, page: Page, link_name: str | re.Pattern) -> bytes:
    """Follow a download link of the page with the context's session; check it is a PDF."""
    href = page.get_by_role("link", name=link_name).get_attribute("href")
    assert href, f"Lien sans adresse : {link_name}"
    response = context.request.get(urljoin(page.url, href))
    assert response.status == 200, f"{href} : HTTP {response.status}"
    assert response.headers["content-type"] == "application/pdf", response.headers
    body = response.body()
    assert body.startswith(b"%PDF-"), href
    return body


def _grid_line(page: Page, legend: str | re.Pattern, assessment: str, observation: str) -> None:
    """Fill one line of the grid (its fieldset, named by its legend) like a person."""
    line = page.get_by_role("group", name=legend)
    line.get_by_label("Appréciation").select_option(label=assessment)
    line.get_by_label("Observations").fill(observation)


def _vote(page: Page, votes: dict[str, bool]) -> None:
    for code, validated in votes.items():
        bloc = page.get_by_role("group", name=re.compile(rf"^{code} –"))
        bloc.get_by_label("Validé" if validated else "Non validé", exact=True).check()
    page.get_by_role("button", name="Enregistrer mon vote").click()
    _message(page, "Votre vote est enregistré.")


# --- Setup --------------------------------------------------------------------------------------


def _new_candidate(demo, referentiel):
    """A candidate of CAF de Loire-Atlantique (not a jury member's organisation), coached by the
    demo accompagnateur (Institut 4.10), whose Livret 2 is complete and free of personal data,
    with a favourable admissibility valid 18 months."""
    from tests.accounts.factories import UserFactory
    from vaecos.accounts.models import Organisation, Role
    from vaecos.cases.models import Coaching

    candidate = UserFactory(
        email=CANDIDATE_EMAIL,
        first_name=FIRST,
        last_name=LAST,
        organisation=Organisation.objects.get(name="CAF de Loire-Atlantique"),
        password=DEMO_PASSWORD,
    )
    dossier = complete_dossier(referentiel, candidate=candidate)
    case = dossier.case
    case.coaching = Coaching.INSTITUT_410
    case.coaching_organisation = Organisation.objects.get(is_institut_410=True)
    case.coaching_declared_at = timezone.now()
    case.coach = demo["users"][Role.COACH]
    case.save()
    request = favourable_for(case, organisation="CAF de Loire-Atlantique")
    assert request.decision_due is not None
    return dossier


# --- The flow -----------------------------------------------------------------------------------


def test_a_candidate_goes_from_coaching_to_a_signed_partial_validation(
    live_server, new_context, demo, referentiel, monkeypatch
):
    from vaecos.accounts.models import Role, User
    from vaecos.admissibility.letters import date_fr
    from vaecos.dossiers.models import DossierStatus
    from vaecos.evaluation.models import Registration, RegistrationStatus
    from vaecos.evaluation.transmission import transmission_refusals
    from vaecos.jury.models import AcquiredBloc, Deliberation, Outcome

    base = live_server.url
    session = demo["session"]
    coach = User.objects.get(email=COACH)
    assert coach.role == Role.COACH
    assert demo["users"][Role.COACH] == coach
    dossier = _new_candidate(demo, referentiel)
    assert dossier.referentiel_version == session.referentiel_version
    # A known start: only the finalisation is missing for the transmission.
    refusals = transmission_refusals(dossier, session, coach)
    assert len(refusals) == 1 and refusals[0].startswith("Le dossier n'est pas finalisé"), refusals
    session_day = _long_date(session.date)
    session_link = f"Session du {session_day} à {session.start_time:%H}h{session.start_time:%M}"

    # 1. The coach finds the candidate and comments on the motivation --------------------------
    coach_page = new_context().new_page()
    login(coach_page, base, COACH)
    row = coach_page.get_by_role("row").filter(has_text=NAME)
    expect(row).to_contain_text("En cours de rédaction")
    _shot(coach_page, "01-accompagnateur-accueil")
    row.get_by_role("link", name=f"Relire et commenter le Livret 2 de {NAME}").click()
    expect(coach_page.get_by_role("heading", level=1)).to_have_text(f"Livret 2 de {NAME}")
    sent_before = len(mail.outbox)
    motivation = coach_page.locator("#partie-motivation")
    motivation.get_by_text("Commenter cette partie").click()
    motivation.get_by_label("Votre commentaire sur « Motivation »").fill(COMMENT)
    motivation.get_by_role("button", name="Publier le commentaire").click()
    motivation = coach_page.locator("#partie-motivation")
    thread = motivation.locator("article")
    expect(thread).to_have_count(1)
    expect(thread).to_contain_text(COMMENT)
    expect(thread).to_contain_text("Ouvert")
    assert any(CANDIDATE_EMAIL in m.to for m in mail.outbox[sent_before:]), (
        "Le candidat n'est pas prévenu du commentaire."
    )
    _no_axe_problems(coach_page, "relecture de l'accompagnateur")
    _shot(coach_page, "02-accompagnateur-commentaire")

    # 2. The candidate answers, resolves, then declares the Livret 2 final ---------------------
    candidate_page = new_context().new_page()
    candidate_page.on("dialog", lambda dialog: dialog.accept())
    login(candidate_page, base, CANDIDATE_EMAIL)
    threads_link = candidate_page.get_by_role(
        "link", name="Commentaires de mon accompagnateur (1 ouvert)"
    )
    expect(threads_link).to_be_visible()
    _shot(candidate_page, "03-candidat-accueil-commentaire")
    threads_link.click()
    sent_before = len(mail.outbox)
    thread = candidate_page.locator("#partie-motivation article")
    expect(thread).to_contain_text(COMMENT)
    thread.get_by_label("Répondre").fill(REPLY)
    thread.get_by_role("button", name="Envoyer la réponse").click()
    thread = candidate_page.locator("#partie-motivation article")
    expect(thread).to_contain_text(REPLY)
    thread.get_by_role("button", name=re.compile(r"^Marquer comme traité")).click()
    thread = candidate_page.locator("#partie-motivation article")
    expect(thread).to_contain_text("Traité")
    expect(thread).to_contain_text(f"Marqué comme traité par {NAME}")
    _shot(candidate_page, "04-candidat-commentaire-traite")
    assert any(COACH in m.to for m in mail.outbox[sent_before:]), (
        "L'accompagnateur n'est pas prévenu de la réponse."
    )

    _nav(candidate_page, "Accueil")
    expect(
        candidate_page.get_by_role("link", name="Commentaires de mon accompagnateur (0 ouvert)")
    ).to_be_visible()
    candidate_page.get_by_role("link", name="Continuer mon Livret 2").click()
    candidate_page.get_by_role("button", name="Déclarer mon dossier finalisé").click()
    expect(candidate_page.locator("[data-vaecos-final]")).to_contain_text(
        "il n'est plus modifiable"
    )
    _shot(candidate_page, "05-candidat-livret-finalise")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.FINAL
    # Frozen: the fields are read-only and the home page offers to read it, not to continue.
    candidate_page.get_by_role("link", name="Motivation").first.click()
    inputs = candidate_page.locator("[data-vaecos-input]")
    expect(inputs.first).to_be_visible()
    for i in range(inputs.count()):
        expect(inputs.nth(i)).to_have_attribute("readonly", "")
    _nav(candidate_page, "Accueil")
    expect(candidate_page.get_by_role("link", name="Voir mon Livret 2")).to_be_visible()

    # 3. The coach transmits the dossier to the demo session -----------------------------------
    _nav(coach_page, "Accueil")
    row = coach_page.get_by_role("row").filter(has_text=NAME)
    expect(row).to_contain_text("Finalisé")
    row.get_by_role("link", name=f"Transmettre au jury le Livret 2 de {NAME}").click()
    expect(coach_page.get_by_role("heading", level=1)).to_have_text(
        f"Transmettre le dossier de {NAME} au jury"
    )
    choice = coach_page.get_by_label(re.compile(rf"^{session.date:%d/%m/%Y} à"))
    choice.check()
    coach_page.get_by_role("button", name="Vérifier pour cette session").click()
    conditions = coach_page.locator("section[aria-labelledby=conditions] li.card")
    expect(conditions).to_have_count(7)
    expect(conditions.filter(has_text="Non respectée")).to_have_count(0)
    expect(conditions.filter(has_text="Respectée")).to_have_count(7)
    _no_axe_problems(coach_page, "transmission")
    _shot(coach_page, "06-accompagnateur-transmission")
    with translation.override("fr"):
        date_short = formats.date_format(session.date, "j F Y")
    coach_page.get_by_role(
        "button", name=f"Transmettre le dossier au jury de la session du {date_short}"
    ).click()
    _message(
        coach_page, f"Le dossier est transmis au jury de la session du {session.date:%d/%m/%Y}"
    )
    expect(coach_page.locator("main .alert-success").last).to_contain_text(
        "Ce dossier a été transmis au jury le"
    )
    _shot(coach_page, "07-accompagnateur-transmis")
    registration = Registration.objects.get(case=dossier.case, session=session)
    assert registration.transmitted_at is not None and registration.transmitted_by == coach

    # 4. The instructeur convenes the candidate -------------------------------------------------
    staff_page = new_context().new_page()
    login(staff_page, base, INSTRUCTOR)
    _nav(staff_page, "Sessions")
    staff_page.get_by_role("link", name=session_day).click()
    expect(staff_page.get_by_role("heading", level=1)).to_contain_text(session_day)
    registered = staff_page.locator("section[aria-labelledby=inscrits] tbody tr").filter(
        has_text=NAME
    )
    expect(registered).to_contain_text("transmis le")
    _no_axe_problems(staff_page, "détail de la session (instructeur)")
    _shot(staff_page, "08-instructeur-session")
    sent_before = len(mail.outbox)
    registered.get_by_role("button", name=re.compile(rf"^Convoquer\s+{NAME}$")).click()
    _message(staff_page, f"{NAME} est convoqué(e)")
    registered = staff_page.locator("section[aria-labelledby=inscrits] tbody tr").filter(
        has_text=NAME
    )
    expect(registered).to_contain_text("Convoqué")
    expect(registered).to_contain_text("envoyée le")
    _shot(staff_page, "09-instructeur-convocation-envoyee")
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONVENED

    convocations = [m for m in mail.outbox[sent_before:] if CANDIDATE_EMAIL in m.to]
    assert len(convocations) == 1, [(m.to, m.subject) for m in mail.outbox[sent_before:]]
    message = convocations[0]
    kinds = {name: (content, mimetype) for name, content, mimetype in message.attachments}
    pdfs = [c for c, t in kinds.values() if t == "application/pdf"]
    calendars = [(n, c) for n, (c, t) in kinds.items() if t.startswith("text/calendar")]
    assert len(pdfs) == 1 and pdfs[0].startswith(b"%PDF-"), kinds.keys()
    assert len(calendars) == 1 and calendars[0][0].endswith(".ics"), kinds.keys()
    calendar = calendars[0][1]
    calendar = calendar.decode() if isinstance(calendar, bytes) else calendar
    start = timezone.make_aware(session.starts_at).astimezone(datetime.UTC)  # Paris time
    assert f"DTSTART:{start:%Y%m%dT%H%M%SZ}" in calendar, calendar
    assert "BEGIN:VEVENT" in calendar
    convocation = _pdf_text(pdfs[0])
    assert NAME in convocation and date_fr(session.date) in convocation, convocation

    # 5. Two months later, the day of the oral (the jury votes and decides on that day, not
    # before): the server's clock moves to 8:30 that morning and goes on from there. Sessions
    # opened before have expired by then, as they would.
    real_now = timezone.now
    oral_morning = timezone.make_aware(
        datetime.datetime.combine(session.date, datetime.time(8, 30))
    )
    offset = oral_morning - real_now()
    monkeypatch.setattr(timezone, "now", lambda: real_now() + offset)

    # The jury: each member in their own browser, the grid, the votes ----------------------------
    president_context = new_context()
    president = president_context.new_page()
    member_context = new_context()
    member = member_context.new_page()
    for page, email in ((president, PRESIDENT), (member, MEMBER)):
        login(page, base, email)
        page.get_by_role("link", name=session_link).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(session_day)
        page.get_by_role("link", name=NAME).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Évaluation de {NAME}")
    _shot(president, "10-jury-candidat")
    bundle = _pdf_text(
        _keep(
            _download(president_context, president, "Télécharger le dossier transmis (PDF)"),
            "dossier-transmis",
        )
    )
    assert "Livret 2" in bundle and f"NOM : {LAST.upper()}" in bundle, bundle[:500]
    _download(member_context, member, "Télécharger le dossier transmis (PDF)")

    # Activity II's competences the dossier does not cover are assessed at the oral.
    uncovered = president.get_by_role("group", name=re.compile(r"^II-5 –"))
    expect(uncovered).to_contain_text("Compétence non couverte par le dossier")
    covered = president.get_by_role("group", name=re.compile(r"^II-1 –"))
    expect(covered).to_contain_text("Compétence couverte par une situation du dossier")

    # Both pages are open; each member saves their own lines: nothing is lost.
    _grid_line(
        president,
        re.compile(r"^Bloc RNCP35543BC01 –"),
        "Acquis",
        "Accueil et conseil précis, bonne reformulation des besoins.",
    )
    _grid_line(
        president,
        re.compile(r"^Bloc RNCP35543BC04 –"),
        "Non acquis",
        "Aucune saisie de masse décrite ; contrôles non expliqués.",
    )
    president.get_by_role("button", name="Enregistrer la grille").click()
    _message(president, "Grille enregistrée.")
    _grid_line(
        member,
        re.compile(r"^II-5 –"),
        "Acquis",
        "À l'oral : a décrit le signalement d'une suspicion de fraude au service compétent.",
    )
    _grid_line(member, re.compile(r"^Bloc RNCP35543BC03 –"), "Acquis", "Accompagnement numérique.")
    member.get_by_role("button", name="Enregistrer la grille").click()
    _message(member, "Grille enregistrée.")
    for page in (president, member):
        page.reload()
        expect(
            page.get_by_role("group", name=re.compile(r"^Bloc RNCP35543BC01 –")).get_by_label(
                "Observations"
            )
        ).to_have_value("Accueil et conseil précis, bonne reformulation des besoins.")
        expect(
            page.get_by_role("group", name=re.compile(r"^II-5 –")).get_by_label("Appréciation")
        ).to_have_value("acquis")
    _no_axe_problems(member, "page du candidat (jury)")
    _shot(member, "11-jury-grille")

    votes = {code: code in VALIDATED for code in BLOCS}
    _vote(president, votes)
    _vote(member, votes)

    # 6. The president deliberates: a partial validation --------------------------------------
    president.reload()
    decide = president.locator("section[aria-labelledby=deliberer-titre]")
    expect(decide).to_contain_text("Selon les votes : Validation partielle")
    expect(decide.get_by_label(re.compile("^Selon les votes du jury"))).to_be_checked()
    prove = decide.get_by_label("Compétences restant à démontrer (validation partielle)")
    expect(prove).to_have_value(re.compile(NOT_VALIDATED))  # prefilled from the grid
    prove.fill(TO_PROVE)
    decide.get_by_label("Motifs (validation partielle ou aucune validation)").fill(REASONS)
    _shot(president, "12-jury-president-decision")
    decide.get_by_role("button", name="Prononcer la décision").click()
    _message(president, "Décision enregistrée : Validation partielle.")
    expect(president.get_by_role("heading", name="Décision : Validation partielle")).to_be_visible()

    # 7. Each member confirms ------------------------------------------------------------------
    sign = "Je confirme cette décision et signe le procès-verbal"
    president.get_by_role("button", name=sign).click()
    _message(president, "Votre confirmation du procès-verbal est enregistrée.")
    member.reload()
    member.get_by_role("button", name=sign).click()
    _message(member, "Tout le jury a signé")
    expect(member.get_by_role("button", name=sign)).to_have_count(0)
    _no_axe_problems(member, "page du candidat après signature (jury)")
    _shot(member, "13-jury-proces-verbal-signe")

    deliberation = Deliberation.objects.get(registration=registration)
    assert deliberation.status == Deliberation.Status.NOTIFIED
    assert deliberation.outcome == Outcome.PARTIAL
    signatures = {
        s.member.email: s.signed_at for s in deliberation.signatures.select_related("member")
    }
    assert set(signatures) == {PRESIDENT, MEMBER}

    # 8. The procès-verbal, from the jury page --------------------------------------------------
    president.reload()
    minutes = _pdf_text(
        _keep(
            _download(president_context, president, "Télécharger le procès-verbal (PDF)"),
            "proces-verbal",
        )
    )
    for expected in (
        "Procès-verbal",
        "CQP Conseiller offres de services",
        "RNCP35543",
        date_fr(session.date),
        NAME,
        "Nadia Petit",
        "Présidente",
        "Marc Leroy",
        "Membre",
        "Validation partielle",
        *VALIDATED,
        NOT_VALIDATED,
        "Non validé",
        TO_PROVE,
        REASONS,
        *(_signed(signed_at) for signed_at in signatures.values()),
    ):
        assert expected in minutes, f"Absent du procès-verbal : {expected!r}\n{minutes}"

    # 9. The candidate: home page, results, result letter -------------------------------------
    login(candidate_page, base, CANDIDATE_EMAIL)  # their session from two months ago has expired
    _nav(candidate_page, "Accueil")
    acquired = candidate_page.get_by_role("heading", name="Blocs de compétences validés")
    expect(acquired).to_be_visible()
    listed = candidate_page.locator("main li").filter(has_text=re.compile(r"RNCP35543BC0\d"))
    expect(listed).to_have_count(3)
    for code in VALIDATED:
        expect(listed.filter(has_text=code)).to_have_count(1)
    expect(candidate_page.locator("main")).not_to_contain_text(NOT_VALIDATED)
    expect(candidate_page.locator("main")).to_contain_text(
        "Décision du jury : Validation partielle"
    )
    _shot(candidate_page, "14-candidat-accueil-blocs")
    assert set(
        AcquiredBloc.objects.filter(candidate=dossier.case.candidate).values_list(
            "bloc_code", flat=True
        )
    ) == set(VALIDATED)

    _nav(candidate_page, "Mes résultats")
    expect(candidate_page.get_by_role("heading", level=1)).to_have_text("Mes résultats")
    expect(candidate_page.locator("main")).to_contain_text("Validation partielle")
    _no_axe_problems(candidate_page, "mes résultats (candidat)")
    _shot(candidate_page, "15-candidat-resultats")
    with candidate_page.expect_download() as download:
        candidate_page.get_by_role(
            "link", name=re.compile(r"^Télécharger la lettre de résultat")
        ).click()
    with open(download.value.path(), "rb") as handle:
        letter = _pdf_text(_keep(handle.read(), "lettre-resultat"))

    for expected in (
        NAME,
        "Validation partielle",
        "CQP Conseiller offres de services",
        date_fr(session.date),
        "Attestation de blocs de compétences validés",
        *VALIDATED,
        NOT_VALIDATED,
        TO_PROVE,
    ):
        assert expected in letter, f"Absent de la lettre de résultat : {expected!r}\n{letter}"
    attestation = letter[letter.index("Attestation de blocs de compétences validés") :]
    for code in VALIDATED:
        assert code in attestation
    assert NOT_VALIDATED not in attestation.split("Compétences restant à démontrer")[0]
