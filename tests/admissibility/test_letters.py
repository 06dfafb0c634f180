"""Letters and e-mails of the admissibility: what they say, when they go, and only once."""

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from pypdf import PdfReader

from tests.admissibility.factories import ready_request
from vaecos.admissibility import letters, services
from vaecos.admissibility.letters import date_fr, write_letter
from vaecos.admissibility.models import (
    AdmissibilityRequest,
    Coverage,
    Letter,
    LetterKind,
    Status,
)
from vaecos.documents.engine import RenderError

RECEIVED = timezone.make_aware(datetime.datetime(2026, 9, 8, 10, 0))
COMPLETE_ON = datetime.date(2026, 9, 10)  # decision due on 10 November 2026
DECIDED_ON = datetime.date(2026, 11, 26)  # valid until 26 May 2028
# A refusal must come before the deadline (after it, silence has made the request admissible).
REFUSED_ON = datetime.date(2026, 11, 5)


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("serveur de messagerie injoignable")


@pytest.fixture
def request_(referentiel, candidate):
    return ready_request(
        referentiel, candidate=candidate, address="12 rue des Lilas\n44600 Saint-Nazaire"
    )


def pdf_text(letter: Letter) -> str:
    with letter.file.open("rb") as stream:
        content = stream.read()
    assert b"<pdfaid:part>3</pdfaid:part>" in content  # PDF/A-3 XMP metadata
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"\s+", " ", text)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def attachment_of(message) -> tuple[str, bytes, str]:
    [(name, content, mimetype)] = message.attachments
    assert content.startswith(b"%PDF") and mimetype == "application/pdf"
    return name, content, mimetype


def submit_and_complete(request, candidate, instructor, callbacks):
    services.request_submit(request=request, by=candidate, now=RECEIVED)
    with callbacks(execute=True):
        services.request_declare_complete(request=request, by=instructor, on=COMPLETE_ON)
    request.refresh_from_db()
    return request


def gaps_for(request, coverage=Coverage.COVERED):
    return {
        a.pk: (coverage, f"Commentaire sur l'activité {a.roman}.")
        for a in request.case.referentiel_version.activities.all()
    }


def test_french_dates_and_the_first_of_the_month():
    assert date_fr(datetime.date(2026, 11, 26)) == "26 novembre 2026"
    assert date_fr(datetime.date(2027, 3, 1)) == "1er mars 2027"


def test_the_acknowledgement_is_mailed_after_the_commit_only(
    request_, candidate, instructor, django_capture_on_commit_callbacks
):
    services.request_submit(request=request_, by=candidate, now=RECEIVED)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.request_declare_complete(request=request_, by=instructor, on=COMPLETE_ON)
        assert mail.outbox == []  # still inside the transaction

    assert len(callbacks) == 1
    letter = Letter.objects.get(request=request_, kind=LetterKind.ACKNOWLEDGEMENT)
    text = pdf_text(letter)
    assert "Ucanss — Certification CQP Conseiller offres de services" in text
    assert "Madame Camille Anne MARTIN 12 rue des Lilas 44600 Saint-Nazaire" in text
    assert "Paris, le 10 septembre 2026" in text
    assert "Demande reçue le : 8 septembre 2026" in text
    assert "Demande complète le : 10 septembre 2026" in text
    assert "Décision au plus tard le : 10 novembre 2026" in text
    assert "réputée recevable" in text and "Le service certification de l'Ucanss" in text
    [message] = mail.outbox
    assert message.to == ["camille.martin@exemple.test"]
    body = flat(message.body)
    assert "Décision au plus tard le : 10 novembre 2026" in body
    assert "le silence gardé par le certificateur vaut décision de recevabilité" in body
    assert attachment_of(message)[0] == f"accuse-de-reception-{request_.pk}.pdf"
    letter.refresh_from_db()
    assert letter.emailed_at is not None


def test_an_incomplete_request_gets_the_list_of_what_is_missing(
    request_, candidate, instructor, django_capture_on_commit_callbacks
):
    services.request_submit(request=request_, by=candidate, now=RECEIVED)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_declare_incomplete(
            request=request_,
            by=instructor,
            missing_items="- L'attestation de votre employeur\n- Votre CV à jour",
        )

    letter = Letter.objects.get(request=request_, kind=LetterKind.INCOMPLETE)
    text = pdf_text(letter)
    assert "Éléments manquants" in text
    assert "L'attestation de votre employeur" in text and "Votre CV à jour" in text
    [message] = mail.outbox
    assert "- L'attestation de votre employeur\n- Votre CV à jour" in message.body
    assert "Nous avons bien reçu, le 8 septembre 2026" in flat(message.body)
    attachment_of(message)


def test_a_favourable_decision_carries_the_gap_analysis_and_the_validity(
    request_, candidate, instructor, django_capture_on_commit_callbacks
):
    submit_and_complete(request_, candidate, instructor, django_capture_on_commit_callbacks)
    gaps = gaps_for(request_)
    first = request_.case.referentiel_version.activities.get(number=1)
    gaps[first.pk] = (Coverage.PARTLY, "Peu d'accueil téléphonique.")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.request_decide(
            request=request_,
            by=instructor,
            favourable=True,
            gaps=gaps,
            recommendations="Un module sur les outils numériques.",
            on=DECIDED_ON,
        )

    text = pdf_text(Letter.objects.get(request=request_, kind=LetterKind.DECISION))
    assert "Paris, le 26 novembre 2026" in text
    assert "Décision : Recevable" in text
    assert "Recevabilité valable jusqu'au : 26 mai 2028" in text
    assert "Activité du référentiel Couverture Commentaire" in text  # the header row
    assert "I – Accueille, informe, oriente et conseille l'utilisateur" in text
    assert "Partiellement couverte Peu d'accueil téléphonique." in text
    assert "IV – Réalise des activités de saisies spécifiques" in text
    assert "Un module sur les outils numériques." in text
    assert "La recevabilité ne préjuge pas de la décision du jury." in text
    [message] = mail.outbox
    body = flat(message.body)
    assert "Décision : recevable, le 26 novembre 2026." in body
    assert "valable jusqu'au 26 mai 2028" in body
    assert "Couverture : Partiellement couverte Commentaire : Peu d'accueil téléphonique." in body
    assert "Un module sur les outils numériques." in body
    assert "La recevabilité ne préjuge pas de la décision du jury." in body
    assert attachment_of(message)[0] == f"decision-de-recevabilite-{request_.pk}.pdf"


def test_an_unfavourable_decision_gives_its_reasons(
    request_, candidate, instructor, django_capture_on_commit_callbacks
):
    submit_and_complete(request_, candidate, instructor, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.request_decide(
            request=request_,
            by=instructor,
            favourable=False,
            gaps=gaps_for(request_, Coverage.NOT_COVERED),
            reasons="Expérience sans rapport direct avec l'accueil des usagers.",
            on=REFUSED_ON,
        )

    text = pdf_text(Letter.objects.get(request=request_, kind=LetterKind.DECISION))
    assert "Décision : Non recevable" in text
    assert "Motifs de la décision" in text
    assert "Expérience sans rapport direct avec l'accueil des usagers." in text
    assert "Non couverte Commentaire sur l'activité II." in text
    assert "Aucune formation complémentaire n'est préconisée." in text
    assert "valable jusqu'au" not in text
    [message] = mail.outbox
    assert "Décision : non recevable, le 5 novembre 2026." in flat(message.body)
    assert "Expérience sans rapport direct" in message.body


def test_silence_means_yes_writes_one_letter_and_mails_candidate_and_certifier_once(
    request_, candidate, instructor, settings, django_capture_on_commit_callbacks
):
    settings.ADMISSIBILITY_CERTIFIER_EMAIL = "recevabilite@certificateur.test"
    submit_and_complete(request_, candidate, instructor, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    for day in (11, 12):
        with django_capture_on_commit_callbacks(execute=True):
            services.requests_decide_implicitly(datetime.date(2026, 11, day))

    letter = Letter.objects.get(request=request_, kind=LetterKind.IMPLICIT)
    text = pdf_text(letter)
    assert "Paris, le 11 novembre 2026" in text
    assert "réputée recevable depuis le 10 novembre 2026" in text
    assert "Recevabilité valable jusqu'au : 10 mai 2028" in text
    assert "La recevabilité ne préjuge pas de la décision du jury." in text
    assert [m.to for m in mail.outbox] == [
        ["camille.martin@exemple.test"],
        ["recevabilite@certificateur.test"],
    ]
    with letter.file.open("rb") as stream:
        pdf = stream.read()
    for message in mail.outbox:
        body = flat(message.body)
        assert "10 novembre 2026" in body and "10 mai 2028" in body
        assert attachment_of(message)[1] == pdf
    assert "Camille Anne MARTIN" in mail.outbox[1].subject
    letter.refresh_from_db()
    assert letter.emailed_at is not None
    # Asked again, the letter is the one already written.
    assert write_letter(request_, LetterKind.IMPLICIT) == letter


def test_a_failing_mail_server_keeps_the_decision_and_leaves_the_letter_unsent(
    request_, candidate, instructor, settings, caplog, django_capture_on_commit_callbacks
):
    submit_and_complete(request_, candidate, instructor, django_capture_on_commit_callbacks)
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FailingBackend"}}

    with django_capture_on_commit_callbacks(execute=True):
        services.request_decide(
            request=request_, by=instructor, favourable=True, gaps=gaps_for(request_)
        )

    request_.refresh_from_db()
    assert request_.status == Status.FAVOURABLE
    letter = Letter.objects.get(request=request_, kind=LetterKind.DECISION)
    assert letter.emailed_at is None
    assert "l'envoi par courriel a échoué" in caplog.text
    assert "serveur de messagerie injoignable" in caplog.text


def test_reminders_go_60_and_14_days_before_the_end_once_each(
    request_, candidate, instructor, django_capture_on_commit_callbacks
):
    submit_and_complete(request_, candidate, instructor, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_decide(
            request=request_, by=instructor, favourable=True, gaps=gaps_for(request_), on=DECIDED_ON
        )
    end = datetime.date(2028, 5, 26)
    mail.outbox.clear()

    def run(day: datetime.date) -> list[int]:
        with django_capture_on_commit_callbacks(execute=True):
            return [r.pk for r in services.requests_send_reminders(day)]

    assert run(end - datetime.timedelta(days=61)) == []
    assert run(end - datetime.timedelta(days=60)) == [request_.pk]
    assert run(end - datetime.timedelta(days=59)) == []
    assert run(end - datetime.timedelta(days=15)) == []
    # The checks did not run on the 14th day before: the first run after it sends it.
    assert run(end - datetime.timedelta(days=13)) == [request_.pk]
    assert run(end - datetime.timedelta(days=12)) == []
    assert run(end) == []

    assert [m.subject for m in mail.outbox] == [
        "Votre recevabilité VAE est valable jusqu'au 26 mai 2028"
    ] * 2
    assert "encore 60 jours" in mail.outbox[0].body
    assert "encore 13 jours" in mail.outbox[1].body
    request_.refresh_from_db()
    assert request_.reminded_60_on == end - datetime.timedelta(days=60)
    assert request_.reminded_14_on == end - datetime.timedelta(days=13)


def test_a_late_favourable_decision_gets_one_reminder_not_two(
    request_, candidate, instructor, django_capture_on_commit_callbacks
):
    submit_and_complete(request_, candidate, instructor, django_capture_on_commit_callbacks)
    services.request_decide(
        request=request_, by=instructor, favourable=True, gaps=gaps_for(request_), on=DECIDED_ON
    )
    AdmissibilityRequest.objects.filter(pk=request_.pk).update(
        validity_end=DECIDED_ON + datetime.timedelta(days=10)
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        reminded = services.requests_send_reminders(DECIDED_ON)

    assert len(reminded) == 1 and len(mail.outbox) == 1
    request_.refresh_from_db()
    assert request_.reminded_60_on is None and request_.reminded_14_on == DECIDED_ON


def test_only_favourable_requests_are_reminded(
    request_, candidate, instructor, django_capture_on_commit_callbacks
):
    submit_and_complete(request_, candidate, instructor, django_capture_on_commit_callbacks)
    services.request_decide(
        request=request_,
        by=instructor,
        favourable=False,
        gaps=gaps_for(request_),
        reasons="Non.",
        on=REFUSED_ON,
    )

    assert services.requests_send_reminders(datetime.date(2028, 5, 1)) == []


def test_the_expiry_is_mailed_once(
    request_, candidate, instructor, django_capture_on_commit_callbacks
):
    submit_and_complete(request_, candidate, instructor, django_capture_on_commit_callbacks)
    services.request_decide(
        request=request_, by=instructor, favourable=True, gaps=gaps_for(request_), on=DECIDED_ON
    )
    mail.outbox.clear()

    for day in (27, 28):
        with django_capture_on_commit_callbacks(execute=True):
            services.requests_expire(datetime.date(2028, 5, day))

    [message] = mail.outbox
    assert message.subject == "Votre recevabilité VAE a pris fin"
    body = flat(message.body)
    assert "était valable jusqu'au 26 mai 2028" in body
    assert "il s'agit d'une prolongation" in body


def test_a_letter_that_cannot_be_written_undoes_the_transition_and_mails_nothing(
    request_, candidate, instructor, monkeypatch, django_capture_on_commit_callbacks
):
    services.request_submit(request=request_, by=candidate, now=RECEIVED)

    def broken(template, data):
        raise RenderError("gabarit cassé")

    monkeypatch.setattr(letters, "render_pdf", broken)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RenderError),
    ):
        services.request_declare_complete(request=request_, by=instructor, on=COMPLETE_ON)

    assert callbacks == [] and mail.outbox == []
    request_.refresh_from_db()
    assert request_.status == Status.SUBMITTED and request_.complete_on is None
    assert not Letter.objects.filter(request=request_).exists()
