"""Each member confirms the decision once; the last confirmation signs the PV, writes the
documents and notifies the candidate."""

import io
import re

import pytest
from django.db import IntegrityError
from django.urls import reverse
from pypdf import PdfReader

from tests.jury.conftest import signed_in, text
from tests.jury.factories import vote
from vaecos.jury import services
from vaecos.jury.models import AcquiredBloc, Deliberation, Outcome, Signature
from vaecos.utils.errors import ActionRefused


def pdf_text(field) -> str:
    with field.open("rb") as stream:
        reader = PdfReader(io.BytesIO(stream.read()))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def decide_partial(registration, president, member):
    vote(registration, president, True, True, False, True)
    vote(registration, member, True, False, False, False)
    return services.deliberation_decide(
        registration=registration,
        by=president.user,
        mode="votes",
        competences_to_prove="- III : l'accompagnement aux outils numériques\n- IV : les saisies de masse",
        reasons="Les situations des activités III et IV manquent d'analyse.",
    )


def test_a_decision_confirmed_twice_creates_nothing_and_says_when(registration, president, member):
    decide_partial(registration, president, member)
    client = signed_in(member.user)
    url = reverse("jury:sign", args=[registration.pk])

    client.post(url)
    again = client.post(url, follow=True)

    assert Signature.objects.filter(member=member.user).count() == 1
    assert re.search(
        r"Vous avez déjà confirmé ce procès-verbal le \d{1,2}(er)? \w+ \d{4} à \d\d h \d\d\.",
        text(again),
    )
    assert Deliberation.objects.get().status == Deliberation.Status.DELIBERATED


def test_a_confirmation_racing_past_the_check_still_creates_nothing(
    registration, president, member, monkeypatch
):
    """Two clicks that both passed the check: the unique constraint stops the second."""
    decide_partial(registration, president, member)
    services.deliberation_sign(registration=registration, by=member.user)
    real = Signature.objects.filter

    class Blind:
        def first(self):
            return None

    def filter_blind(*args, **kwargs):
        if kwargs.get("member") == member.user:
            return Blind()
        return real(*args, **kwargs)

    monkeypatch.setattr(Signature.objects, "filter", filter_blind)

    with pytest.raises(services.AlreadySigned, match="Vous avez déjà confirmé"):
        services.deliberation_sign(registration=registration, by=member.user)
    monkeypatch.undo()
    assert Signature.objects.filter(member=member.user).count() == 1
    with pytest.raises(IntegrityError):
        Signature.objects.create(deliberation=Deliberation.objects.get(), member=member.user)


def test_nothing_to_confirm_before_the_decision(registration, member):
    with pytest.raises(ActionRefused, match="pas encore prononcé"):
        services.deliberation_sign(registration=registration, by=member.user)
    assert not Signature.objects.exists()


def test_the_last_signature_notifies_with_the_documents(
    registration, president, member, mailoutbox, django_capture_on_commit_callbacks
):
    decide_partial(registration, president, member)
    services.deliberation_sign(registration=registration, by=president.user)
    assert Deliberation.objects.get().status == Deliberation.Status.DELIBERATED

    with django_capture_on_commit_callbacks(execute=True):
        services.deliberation_sign(registration=registration, by=member.user)

    deliberation = Deliberation.objects.get()
    assert deliberation.status == Deliberation.Status.NOTIFIED
    assert deliberation.signed_at and deliberation.notified_at
    assert list(deliberation.transitions.values_list("transition", flat=True)) == [
        "deliberate",
        "sign",
        "notify",
    ]
    assert deliberation.minutes and deliberation.result_letter
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [registration.case.candidate.email]
    assert "validation partielle" in mail.subject
    assert "RNCP35543BC01" in mail.body and "les saisies de masse" in mail.body
    name, content, kind = mail.attachments[0]
    assert kind == "application/pdf" and content.startswith(b"%PDF")
    # The validated blocs are kept for good.
    assert set(AcquiredBloc.objects.values_list("bloc_code", flat=True)) == {
        "RNCP35543BC01",
        "RNCP35543BC02",
        "RNCP35543BC04",
    }


def test_the_minutes_say_everything(registration, president, member):
    decide_partial(registration, president, member)
    services.deliberation_sign(registration=registration, by=president.user)
    services.deliberation_sign(registration=registration, by=member.user)
    deliberation = Deliberation.objects.get()
    session = registration.session

    minutes = pdf_text(deliberation.minutes)

    for expected in [
        "Procès-verbal de délibération du jury",
        "CQP Conseiller offres de services",
        "RNCP35543",
        "Version du référentiel : 2021",
        "09 h 30",
        session.place[:20],
        f"{president.user.display_name} Présidente Oui",
        f"{member.user.display_name} Membre Non",
        "Au moins deux membres Oui",
        "Au moins un membre qualifié pour la certification Oui",
        "Représentation équilibrée des femmes et des hommes Oui 1 femme, 1 homme",
        "Aucun membre lié au candidat ou l'ayant accompagné Oui aucun lien constaté",
        registration.case.candidate.display_name,
        "Décision : Validation partielle",
        "RNCP35543BC01",
        "Validé 2 0 Non",
        "Non validé 0 2 Non",
        "Validé 1 1 Oui",  # bloc II: a tie, the president's vote
        "la voix du président du jury est prépondérante",
        "Les situations des activités III et IV manquent d'analyse.",
        "les saisies de masse",
        "Signatures",
    ]:
        assert expected in minutes, expected
    assert minutes.count(" à ") >= 3  # the time of each signature
    assert re.search(
        rf"{president.user.display_name} Présidente \d+ \w+ \d{{4}} à \d\d h \d\d", minutes
    )


def test_the_partial_result_letter_has_the_attestation(registration, president, member):
    decide_partial(registration, president, member)
    services.deliberation_sign(registration=registration, by=president.user)
    services.deliberation_sign(registration=registration, by=member.user)

    letter = pdf_text(Deliberation.objects.get().result_letter)

    assert "Validation partielle de votre VAE" in letter
    assert "Attestation de blocs de compétences validés" in letter
    attestation = letter[letter.index("Attestation de blocs de compétences validés") :]
    assert "RNCP35543BC01" in attestation and "RNCP35543BC02" in attestation
    assert "RNCP35543BC03" not in attestation
    assert "acquis définitivement" in attestation
    assert "les saisies de masse" in attestation
    assert "Blocs restant à valider" in letter


@pytest.mark.parametrize(
    ("mode", "votes", "expected", "absent"),
    [
        ("votes", (True, True, True, True), "vous a accordé la validation totale", "Attestation"),
        ("votes", (False, False, False, False), "n'a validé aucun des blocs", "Attestation"),
        ("absent", None, "a constaté votre absence", "Motifs"),
        ("excuse", None, "que vous aviez excusée", "Motifs"),
    ],
)
def test_each_outcome_has_its_letter(
    registration, president, member, mode, votes, expected, absent
):
    if votes:
        vote(registration, president, *votes)
        vote(registration, member, *votes)
    services.deliberation_decide(
        registration=registration, by=president.user, mode=mode, reasons="Motifs du jury."
    )
    services.deliberation_sign(registration=registration, by=president.user)
    services.deliberation_sign(registration=registration, by=member.user)

    deliberation = Deliberation.objects.get()
    letter = pdf_text(deliberation.result_letter)

    assert expected in letter
    assert absent not in letter
    if deliberation.outcome == Outcome.NONE:
        assert "Motifs du jury." in letter
    if mode != "votes":
        assert "prochaine session" in letter
        assert not AcquiredBloc.objects.exists()


def test_the_page_shows_the_signatures_and_the_documents(
    registration, president, member, instructor
):
    decide_partial(registration, president, member)
    client = signed_in(member.user)
    page = text(client.get(reverse("jury:candidate", args=[registration.pk])))
    assert "Je confirme cette décision et signe le procès-verbal" in page

    client.post(reverse("jury:sign", args=[registration.pk]))
    signed_in(president.user).post(reverse("jury:sign", args=[registration.pk]))

    page = text(client.get(reverse("jury:candidate", args=[registration.pk])))
    assert "Vous avez confirmé ce procès-verbal le" in page
    assert "Télécharger le procès-verbal (PDF)" in page
    for user in (member.user, instructor):
        minutes = signed_in(user).get(reverse("jury:minutes", args=[registration.pk]))
        assert minutes.status_code == 200
    owner = signed_in(registration.case.candidate)
    assert owner.get(reverse("jury:minutes", args=[registration.pk])).status_code == 404


@pytest.mark.parametrize(
    ("mode", "who"),
    [("absent", "le service certification"), ("excuse", "le service certification")],
)
def test_the_absence_letter_says_the_dossier_stays_final_for_another_session(
    registration, president, member, mode, who, mailoutbox, django_capture_on_commit_callbacks
):
    services.deliberation_decide(registration=registration, by=president.user, mode=mode)
    services.deliberation_sign(registration=registration, by=president.user)
    with django_capture_on_commit_callbacks(execute=True):
        services.deliberation_sign(registration=registration, by=member.user)

    letter = pdf_text(Deliberation.objects.get().result_letter)

    assert "Votre Livret 2 reste finalisé : vous n'avez pas à le refaire." in letter
    assert f"{who} le transmettra au jury de la nouvelle session" in letter
    assert "Livret 2 transmis reste valable" not in letter
    body = mailoutbox[0].body
    assert "Votre Livret 2 reste finalisé" in body
    assert f"{who} le transmettra au jury de la nouvelle session" in body


def test_the_coach_of_institut_410_transmits_again(registration, president, member):
    from vaecos.cases.models import Coaching

    registration.case.coaching = Coaching.INSTITUT_410
    registration.case.save(update_fields=["coaching"])
    services.deliberation_decide(registration=registration, by=president.user, mode="excuse")
    services.deliberation_sign(registration=registration, by=president.user)
    services.deliberation_sign(registration=registration, by=member.user)

    letter = pdf_text(Deliberation.objects.get().result_letter)

    assert "votre accompagnateur de l'Institut 4.10 le transmettra" in letter


# --- Who signs is fixed at the decision ----------------------------------------------------------


def test_a_member_added_after_the_decision_neither_signs_nor_appears(
    registration, president, member
):
    from tests.accounts.factories import UserFactory
    from vaecos.evaluation.models import JuryMember

    decide_partial(registration, president, member)
    late = JuryMember.objects.create(
        session=registration.session,
        user=UserFactory(jury=True, first_name="Tardif", last_name="Arrivé"),
    )
    assert set(Deliberation.objects.get().members.all()) == {president.user, member.user}
    client = signed_in(late.user)
    page = text(client.get(reverse("jury:candidate", args=[registration.pk])))
    assert "Vous avez rejoint le jury après cette décision" in page
    assert "Je confirme cette décision et signe le procès-verbal" not in page

    with pytest.raises(ActionRefused, match="Vous n'avez pas pris part à cette délibération"):
        services.deliberation_sign(registration=registration, by=late.user)
    services.deliberation_sign(registration=registration, by=president.user)
    services.deliberation_sign(registration=registration, by=member.user)

    deliberation = Deliberation.objects.get()
    assert deliberation.status == Deliberation.Status.NOTIFIED
    minutes = pdf_text(deliberation.minutes)
    assert member.user.display_name in minutes
    assert "Tardif" not in minutes and "Arrivé" not in minutes
    assert "Au moins deux membres Oui 2 membres" in minutes
    page = text(signed_in(president.user).get(reverse("jury:candidate", args=[registration.pk])))
    assert "Tardif" not in page.split("Confirmation du procès-verbal")[1]


def test_the_minutes_keep_the_jury_as_it_sat_at_the_decision(registration, president, member):
    """The president steps down after the decision: the PV still names who presided."""
    decide_partial(registration, president, member)
    president.is_president = False
    president.save(update_fields=["is_president"])
    member.is_president = True
    member.save(update_fields=["is_president"])

    services.deliberation_sign(registration=registration, by=president.user)
    services.deliberation_sign(registration=registration, by=member.user)

    minutes = pdf_text(Deliberation.objects.get().minutes)
    assert f"{president.user.display_name} Présidente Oui" in minutes
    assert f"{member.user.display_name} Membre Non" in minutes


# --- Documents that fail to render ---------------------------------------------------------------


def _stored(settings) -> list[str]:
    """The PVs and result letters in storage."""
    import pathlib

    root = pathlib.Path(settings.MEDIA_ROOT) / "jury"
    found = [p for folder in ("pv", "resultats") for p in (root / folder).rglob("*")]
    return sorted(str(p) for p in found if p.is_file())


@pytest.mark.parametrize("failing", ["jury_minutes.typ", "jury_result.typ"])
def test_a_document_that_fails_to_render_rolls_the_signature_back(
    registration, president, member, monkeypatch, settings, mailoutbox, failing, caplog
):
    from vaecos.documents.engine import RenderError
    from vaecos.jury import documents

    real = documents.render_pdf

    def render_pdf(template, data):
        if template == failing:
            raise RenderError("boom")
        return real(template, data)

    decide_partial(registration, president, member)
    services.deliberation_sign(registration=registration, by=president.user)
    monkeypatch.setattr(documents, "render_pdf", render_pdf)

    with pytest.raises(services.DocumentsFailed) as refused:
        services.deliberation_sign(registration=registration, by=member.user)

    assert refused.value.message == (
        "Le procès-verbal n'a pas pu être produit : rien n'a été enregistré, réessayez ou "
        "prévenez l'équipe."
    )
    assert "les documents n'ont pas pu être produits" in caplog.text
    deliberation = Deliberation.objects.get()
    assert deliberation.status == Deliberation.Status.DELIBERATED
    assert not deliberation.minutes and not deliberation.result_letter
    assert list(deliberation.signatures.values_list("member", flat=True)) == [president.user.pk]
    assert not AcquiredBloc.objects.exists()
    assert _stored(settings) == []
    assert mailoutbox == []
    # Fixed: the same click works.
    monkeypatch.undo()
    services.deliberation_sign(registration=registration, by=member.user)
    assert Deliberation.objects.get().status == Deliberation.Status.NOTIFIED
    assert len(_stored(settings)) == 2


def test_a_document_that_cannot_be_written_leaves_no_file(
    registration, president, member, monkeypatch, settings
):
    from django.core.files.storage import FileSystemStorage

    real = FileSystemStorage._save

    def save(self, name, content):
        if "decision-" in name:
            raise OSError("disque plein")
        return real(self, name, content)

    decide_partial(registration, president, member)
    services.deliberation_sign(registration=registration, by=president.user)
    monkeypatch.setattr(FileSystemStorage, "_save", save)

    with pytest.raises(services.DocumentsFailed):
        services.deliberation_sign(registration=registration, by=member.user)

    assert Deliberation.objects.get().status == Deliberation.Status.DELIBERATED
    assert _stored(settings) == []  # the PV written first was removed


def test_the_page_says_the_documents_failed_without_an_error_500(
    registration, president, member, monkeypatch
):
    from django.test import Client

    from vaecos.documents.engine import RenderError
    from vaecos.jury import documents

    def render_pdf(template, data):
        raise RenderError("boom")

    decide_partial(registration, president, member)
    services.deliberation_sign(registration=registration, by=president.user)
    monkeypatch.setattr(documents, "render_pdf", render_pdf)
    client = Client(raise_request_exception=False)
    client.force_login(member.user)

    response = client.post(reverse("jury:sign", args=[registration.pk]), follow=True)

    assert response.status_code == 200
    assert "Le procès-verbal n'a pas pu être produit" in text(response)
    assert "Je confirme cette décision et signe le procès-verbal" in text(response)
