"""The kind of a supporting document on the Livret 1's pages, and the identity proof's
tombstone once the retention deleted it."""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from tests.admissibility.factories import ready_request
from tests.files import pdf_bytes, upload
from tests.retention.factories import days_ago, decided_request, supporting_document
from vaecos.admissibility import services as admissibility_services
from vaecos.admissibility.models import SupportingDocument, SupportingKind
from vaecos.retention.services import retention_run


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def draft(referentiel, candidate):
    return ready_request(referentiel, candidate=candidate)


def add(client, request, **data):
    return client.post(
        reverse("admissibility:document_add", args=[request.pk]),
        {"fichier": upload("piece.pdf", pdf_bytes(), "application/pdf"), **data},
        follow=True,
    )


def test_the_candidate_chooses_the_kind_and_sees_it_in_the_list(draft, candidate):
    client = signed_in(candidate)

    response = add(client, draft, type=SupportingKind.IDENTITY)

    assert SupportingDocument.objects.get().kind == SupportingKind.IDENTITY
    assert "Pièce d'identité : piece.pdf" in text(response)
    assert "« piece.pdf » est joint à la demande." in text(response)


def test_the_form_has_a_labelled_required_kind_with_every_choice(draft, candidate):
    page = signed_in(candidate).get(reverse("admissibility:detail", args=[draft.pk]))
    source = page.content.decode()

    assert '<label for="piece-type" class="form-label">Type de pièce</label>' in source
    select = re.search(r'<select[^>]*id="piece-type"[^>]*>(.*?)</select>', source, re.S)
    assert select and 'name="type"' in select.group(0) and "required" in select.group(0)
    assert 'aria-describedby="piece-type-aide"' in select.group(0)
    assert re.findall(r'<option value="([^"]*)"', select.group(1)) == ["", *SupportingKind.values]
    assert "elle est supprimée une fois la décision notifiée" in text(page)
    assert "<legend" in source and "Ajouter une pièce" in text(page)


@pytest.mark.parametrize("value", ["", "passeport", "identite\x00"])
def test_an_empty_or_unknown_kind_is_refused_in_french(draft, candidate, value):
    response = add(signed_in(candidate), draft, type=value)

    assert "Indiquez le type de la pièce" in text(response)
    assert not SupportingDocument.objects.exists()


def test_a_post_without_the_kind_files_the_document_as_other(draft, candidate):
    # A client that predates the field (the page always sends one).
    add(signed_in(candidate), draft)

    assert SupportingDocument.objects.get().kind == SupportingKind.OTHER


def test_a_refused_file_keeps_its_message_whatever_the_kind(draft, candidate):
    response = signed_in(candidate).post(
        reverse("admissibility:document_add", args=[draft.pk]),
        {"fichier": upload("photo.png", b"pas une image", "image/png"), "type": "diplome"},
        follow=True,
    )

    assert "n'est pas un fichier PDF, JPEG ou PNG valide" in text(response)
    assert not SupportingDocument.objects.exists()


def test_the_instructeur_sees_the_kinds_while_instructing(draft, candidate, instructor):
    add(signed_in(candidate), draft, type=SupportingKind.EMPLOYMENT)
    add(signed_in(candidate), draft, type=SupportingKind.DIPLOMA)
    admissibility_services.request_submit(request=draft, by=candidate)

    page = signed_in(instructor).get(reverse("admissibility:instruct", args=[draft.pk]))

    assert "Attestation d'employeur ou justificatif d'activité : piece.pdf" in text(page)
    assert "Diplôme ou certificat : piece.pdf" in text(page)


def test_a_deleted_identity_proof_leaves_a_tombstone_for_the_candidate_and_the_instructeur(
    referentiel, candidate, instructor
):
    request = decided_request(referentiel, notified_on=days_ago(1))
    request.case.candidate = candidate
    request.case.save()
    supporting_document(request)
    supporting_document(request, SupportingKind.DIPLOMA, "diplome.pdf")
    retention_run()

    with translation.override("fr"):
        deleted_on = date_format(timezone.localdate(), "j F Y")
    tombstone = f"Pièce d'identité supprimée le {deleted_on} (durée de conservation écoulée)"
    for client, name in (
        (signed_in(candidate), "admissibility:detail"),
        (signed_in(instructor), "admissibility:detail"),
        (signed_in(instructor), "admissibility:instruct"),
    ):
        page = text(client.get(reverse(name, args=[request.pk])))
        assert tombstone in page
        assert "Diplôme ou certificat : diplome.pdf" in page
        assert "cni.pdf" not in page
