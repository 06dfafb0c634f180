"""Downloads and preview of a Livret 2, per role."""

import html
import io

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from tests.accounts.factories import UserFactory
from tests.documents.builders import written_dossier


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def written(dossier, candidate):
    return written_dossier(dossier, candidate)


def download(client, dossier, kind):
    return client.get(reverse("documents:download", args=[dossier.pk, kind]))


def test_the_candidate_downloads_the_pdf_under_a_readable_name(owner, dossier, written):
    response = download(owner, dossier, "pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Livret2_lefevre_anais.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert len(PdfReader(io.BytesIO(response.content)).pages) > 5


def test_the_candidate_downloads_the_bundle(owner, dossier, written):
    response = download(owner, dossier, "bundle")

    assert response.status_code == 200
    assert 'filename="Dossier_jury_lefevre_anais.pdf"' in response["Content-Disposition"]


def test_an_unknown_document_kind_is_404(owner, dossier):
    assert download(owner, dossier, "odt").status_code == 404


def test_the_coach_of_the_case_reads_the_livret_but_not_the_bundle(dossier, written):
    coach = UserFactory(coach=True)
    dossier.case.coach = coach
    dossier.case.save()
    client = signed_in(coach)

    assert download(client, dossier, "pdf").status_code == 200
    assert download(client, dossier, "bundle").status_code == 404
    assert client.get(reverse("documents:preview", args=[dossier.pk])).status_code == 200
    home = html.unescape(client.get("/").content.decode())
    assert reverse("documents:download", args=[dossier.pk, "pdf"]) in home
    assert reverse("documents:download", args=[dossier.pk, "bundle"]) not in home


def test_another_coach_gets_nothing(dossier, written, coach):
    client = signed_in(coach)

    for kind in ("pdf", "docx", "bundle"):
        assert download(client, dossier, kind).status_code == 404
    assert "Aucun candidat ne vous est confié" in html.unescape(client.get("/").content.decode())


def test_the_instructor_finds_every_document_from_the_case_list(instructor, dossier, written):
    client = signed_in(instructor)
    home = client.get("/").content.decode()

    for kind in ("pdf", "docx", "bundle"):
        url = reverse("documents:download", args=[dossier.pk, kind])
        assert url in home
        assert client.get(url).status_code == 200


def test_the_preview_shows_every_page_as_an_image(owner, dossier, written):
    page = owner.get(reverse("documents:preview", args=[dossier.pk]))
    content = html.unescape(page.content.decode())
    count = len(PdfReader(io.BytesIO(download(owner, dossier, "pdf").content)).pages)

    assert page.status_code == 200
    assert content.count('<img src="') == count
    assert f'alt="Page {count} sur {count} du Livret 2"' in content
    image = owner.get(reverse("documents:preview_page", args=[dossier.pk, count]))
    assert image["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(image.content)) as png:
        assert png.width > 500 and png.height > png.width
    missing = owner.get(reverse("documents:preview_page", args=[dossier.pk, count + 1]))
    assert missing.status_code == 404


def test_the_overview_offers_the_documents(owner, dossier):
    content = html.unescape(
        owner.get(reverse("dossiers:overview", args=[dossier.pk])).content.decode()
    )

    assert "Télécharger en PDF" in content
    assert "Télécharger en Word" in content
    assert reverse("documents:preview", args=[dossier.pk]) in content
    assert reverse("documents:import_upload", args=[dossier.pk]) in content


def test_a_document_that_cannot_be_produced_gets_a_french_page_not_a_500(
    owner, dossier, monkeypatch
):
    from vaecos.documents import exports
    from vaecos.documents.engine import RenderError

    def broken(*args, **kwargs):
        raise RenderError("livret2.typ: boom")

    monkeypatch.setattr(exports, "document", broken)
    monkeypatch.setattr(exports, "preview_pages", broken)

    for url in (
        reverse("documents:download", args=[dossier.pk, "pdf"]),
        reverse("documents:preview", args=[dossier.pk]),
    ):
        response = owner.get(url)
        assert response.status_code == 503
        assert "votre dossier, lui, est intact" in html.unescape(response.content.decode())
    assert owner.get(reverse("documents:preview_page", args=[dossier.pk, 1])).status_code == 404
