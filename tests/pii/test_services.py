"""Findings in a Livret 2, replacing and dismissing them, redacting a PDF and the gate."""

import io
import json

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from tests.files import png_bytes, upload
from tests.pii.pdfs import text_pdf
from vaecos.dossiers import services as dossier_services
from vaecos.dossiers.models import FieldRevision
from vaecos.pii import gate, services
from vaecos.pii.models import TextScan

TEXT = (
    "J'ai reçu Mme Martine Dupont à l'accueil de la CAF du Rhône.\n"
    "Je l'ai rappelée au 06 12 34 56 78 ; son conseiller M. Karim Benali était absent."
)


@pytest.fixture
def written(dossier, candidate):
    dossier_services.field_save(
        dossier=dossier, field_key="dossier.context", text=TEXT, base_revision=0, by=candidate
    )
    dossier.refresh_from_db()
    return dossier


def findings(dossier, key="dossier.context"):
    dossier.refresh_from_db()
    return {(f.label, f.text) for f in services.Scanner(dossier).findings(key, dossier.context)}


def test_findings_are_remembered_until_the_text_changes(written, django_assert_num_queries):
    assert findings(written) == {
        ("PERSON", "Martine Dupont"),
        ("PHONE", "06 12 34 56 78"),
        ("PERSON", "Karim Benali"),
    }
    scan = TextScan.objects.get(dossier=written, field_key="dossier.context")
    scanner = services.Scanner(written)
    with django_assert_num_queries(0):
        assert len(scanner.findings("dossier.context", written.context)) == 3
    assert TextScan.objects.get(pk=scan.pk).digest == scan.digest


def test_replace_one_finding_makes_a_new_revision(written, candidate):
    before = FieldRevision.objects.filter(dossier=written).count()
    services.finding_replace(
        dossier=written,
        field_key="dossier.context",
        label="PHONE",
        start=TEXT.index("06"),
        text="06 12 34 56 78",
        by=candidate,
    )
    written.refresh_from_db()
    assert "06 12 34 56 78" not in written.context
    assert "rappelée au [TÉLÉPHONE] ;" in written.context
    assert FieldRevision.objects.filter(dossier=written).count() == before + 1
    assert ("PHONE", "06 12 34 56 78") not in findings(written)


def test_replacing_a_finding_already_gone_is_refused(written, candidate):
    with pytest.raises(dossier_services.DossierError, match="n'est plus dans ce texte"):
        services.finding_replace(
            dossier=written,
            field_key="dossier.context",
            label="PERSON",
            start=0,
            text="Personne Inconnue",
            by=candidate,
        )


def test_replace_all_of_one_kind_across_the_dossier(written, candidate, situation):
    dossier_services.field_save(
        dossier=written,
        field_key=f"situation.{situation.pk}.description",
        text="Mme Lucie Garnier m'a appelée.",
        base_revision=0,
        by=candidate,
    )
    count = services.kind_replace_all(dossier=written, label="PERSON", by=candidate)
    assert count == 3
    written.refresh_from_db()
    situation.refresh_from_db()
    assert written.context.count("[NOM]") == 2
    assert situation.description == "Mme [NOM] m'a appelée."
    assert ("PHONE", "06 12 34 56 78") in findings(written)  # other kinds untouched


def test_dismissed_finding_is_remembered_for_the_dossier(written, candidate):
    services.finding_dismiss(dossier=written, label="PERSON", text="Karim Benali", by=candidate)
    services.finding_dismiss(dossier=written, label="PERSON", text="karim  benali", by=candidate)
    assert ("PERSON", "Karim Benali") not in findings(written)
    assert written.pii_dismissals.count() == 1


def test_gate_blocks_until_everything_is_resolved(written, candidate):
    blockers = gate.transmission_blockers(written)
    assert [b.where for b in blockers] == ["Contexte de l'organisme — Contexte de l'organisme"]
    assert "3 données personnelles à traiter" in blockers[0].what
    with pytest.raises(gate.PersonalDataLeft, match="Contexte de l'organisme"):
        gate.check_transmission(written)
    services.kind_replace_all(dossier=written, label="PERSON", by=candidate)
    services.finding_dismiss(dossier=written, label="PHONE", text="06 12 34 56 78", by=candidate)
    assert gate.transmission_blockers(written) == []
    gate.check_transmission(written)


def test_an_image_blocks_until_checked_by_eye(dossier, candidate):
    image = dossier_services.attachment_add(
        dossier=dossier,
        upload=upload("scan.png", png_bytes(), "image/png"),
        kind="cv",
        by=candidate,
    )
    blockers = gate.transmission_blockers(dossier)
    assert len(blockers) == 1 and "à vérifier à l'œil" in blockers[0].what
    services.file_eye_check(dossier=dossier, attachment_id=image.pk, by=candidate)
    assert gate.transmission_blockers(dossier) == []


def test_pdf_redaction_removes_the_text_for_good(dossier, candidate, tmp_path):
    data = text_pdf(
        tmp_path,
        "Attestation pour Mme Martine Dupont, née le 12/03/1985, tél. 06 12 34 56 78.",
        "Cette page ne parle que de la CAF du Rhône et de ses services aux allocataires.",
    )
    piece = dossier_services.attachment_add(
        dossier=dossier,
        upload=upload("attestation.pdf", data, "application/pdf"),
        kind="cv",
        by=candidate,
    )
    status = services.file_status(piece, services.Scanner(dossier))
    assert {(i.page, i.finding.label) for i in status.findings} == {
        (1, "PERSON"),
        (1, "BIRTH_DATE"),
        (1, "PHONE"),
    }
    assert len(gate.transmission_blockers(dossier)) == 1

    review = services.file_redact(dossier=dossier, attachment_id=piece.pk, by=candidate)
    assert review.redacted_count == 3
    piece.refresh_from_db()
    with piece.file.open("rb") as handle:
        assert handle.read() == data  # the original stays until the candidate confirms

    services.file_redaction_confirm(dossier=dossier, attachment_id=piece.pk, by=candidate)
    piece.refresh_from_db()
    with piece.file.open("rb") as handle:
        redacted = handle.read()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(redacted)).pages)
    for secret in ("Martine", "Dupont", "12/03/1985", "06 12 34 56 78"):
        assert secret not in text
    assert "CAF du Rhône" in text  # a page with nothing to hide keeps its text
    assert gate.transmission_blockers(dossier) == []


def test_pii_scan_command_prints_json_offsets(tmp_path, capsys, db):
    txt = tmp_path / "note.txt"
    txt.write_text("Rendez-vous avec Mme Martine Dupont, courriel m.dupont@free.fr.", "utf-8")
    pdf = tmp_path / "piece.pdf"
    pdf.write_bytes(text_pdf(tmp_path, "Appeler M. Karim Benali au 06 12 34 56 78."))
    call_command("pii_scan", "--format", "json", str(txt), str(pdf))
    result = json.loads(capsys.readouterr().out)
    by_path = {f["path"]: f["findings"] for f in result["files"]}
    text = txt.read_text("utf-8")
    for finding in by_path[str(txt)]:
        assert text[finding["start"] : finding["end"]] == finding["text"]
    assert [(f["label"], f["text"]) for f in by_path[str(txt)]] == [
        ("PERSON", "Martine Dupont"),
        ("EMAIL", "m.dupont@free.fr"),
    ]
    assert {f["label"] for f in by_path[str(pdf)]} == {"PERSON", "PHONE"}


def test_a_file_the_scan_cannot_open_is_checked_by_eye(dossier, candidate, tmp_path):
    data = text_pdf(tmp_path, "Une attestation sans donnée personnelle, de la CAF du Rhône.")
    piece = dossier_services.attachment_add(
        dossier=dossier, upload=upload("a.pdf", data, "application/pdf"), kind="cv", by=candidate
    )
    piece.file.storage.delete(piece.file.name)  # gone from storage: nothing can be read
    assert [b.what for b in gate.transmission_blockers(dossier)] == [gate.UNREADABLE]
    services.file_eye_check(dossier=dossier, attachment_id=piece.pk, by=candidate)
    assert gate.transmission_blockers(dossier) == []
