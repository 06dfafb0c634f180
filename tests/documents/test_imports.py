"""Import from Word, end to end: read, report, confirm, place what is left; and the commands."""

import html
import io
import json

import docx
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.documents.builders import written_dossier
from tests.dossiers.factories import dossier_for
from tests.files import upload
from vaecos.documents import imports
from vaecos.documents.exports import livret2_docx
from vaecos.documents.livret2 import livret2_data
from vaecos.documents.models import ImportStatus, Livret2Import, UnplacedFragment
from vaecos.dossiers.models import FieldRevision

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def comparable(data: dict) -> dict:
    """What must survive a trip through Word: every text, in its place, and the structure."""
    return {
        "last_name": data["last_name"],
        "first_name": data["first_name"],
        "branch": data["branch"],
        "motivation": [(p["key"], p["text"]) for p in data["motivation"]],
        "context": data["context"]["text"],
        "activities": [
            [
                (
                    s["heading"],
                    s["title"],
                    s["when"],
                    s["context_mode"],
                    [c["code"] for c in s["competences"]],
                    [(p["key"], p["text"]) for p in s["parts"]],
                )
                for s in activity["situations"]
            ]
            for activity in data["activities"]
        ],
    }


def small_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Une note en tête du fichier, hors de toute section.")
    document.add_heading("Votre motivation", level=1)
    document.add_paragraph("Je veux faire reconnaître mon expérience.")
    document.add_heading("Livret 2 : Analyse de l'expérience", level=1)
    document.add_heading("Le contexte de votre organisme", level=2)
    document.add_paragraph("Une caisse d'allocations familiales.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def written(dossier, candidate):
    return written_dossier(dossier, candidate)


def test_export_then_import_gives_back_the_same_dossier(referentiel, dossier, candidate, written):
    from tests.accounts.factories import UserFactory

    content = livret2_docx(dossier)
    other = UserFactory()
    fresh = dossier_for(referentiel, candidate=other)

    source = imports.import_read(dossier=fresh, content=content, name="livret2.docx", by=other)
    result = imports.import_apply(source=source, by=other)

    fresh.refresh_from_db()
    assert result.unplaced == 0
    assert comparable(livret2_data(fresh)) == comparable(livret2_data(dossier))


def test_importing_a_dossier_into_itself_changes_nothing(dossier, candidate, written):
    before = FieldRevision.objects.filter(dossier=dossier).count()
    source = imports.import_read(
        dossier=dossier, content=livret2_docx(dossier), name="x.docx", by=candidate
    )
    summary = imports.import_summary(source)
    assert summary and {part.change for part in summary} == {"identique"}

    result = imports.import_apply(source=source, by=candidate)

    assert result.saved == 0 and result.created_situations == 0
    assert FieldRevision.objects.filter(dossier=dossier).count() == before


def test_imported_text_replaces_as_a_new_revision_and_the_old_one_stays(dossier, candidate):
    from tests.documents.builders import write

    write(dossier, "dossier.context", "Mon ancien contexte.", candidate)
    source = imports.import_read(dossier=dossier, content=small_docx(), name="x.docx", by=candidate)
    dossier.refresh_from_db()
    assert dossier.context == "Mon ancien contexte."  # reading changes nothing
    changes = {part.key: part.change for part in imports.import_summary(source)}
    assert changes == {"dossier.context": "remplace", "dossier.motivation_reasons": "nouveau"}

    imports.import_apply(source=source, by=candidate)

    dossier.refresh_from_db()
    assert dossier.context == "Une caisse d'allocations familiales."
    history = list(
        FieldRevision.objects.filter(dossier=dossier, field_key="dossier.context")
        .order_by("number")
        .values_list("text", flat=True)
    )
    assert history == ["Mon ancien contexte.", "Une caisse d'allocations familiales."]


def test_the_web_import_reports_then_applies_then_leaves_the_rest_to_place(owner, dossier):
    url = reverse("documents:import_upload", args=[dossier.pk])

    response = owner.post(url, {"fichier": upload("mon-livret.docx", small_docx(), DOCX)})

    source = Livret2Import.objects.get(dossier=dossier)
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:import_report", args=[dossier.pk, source.pk])
    report = html.unescape(owner.get(response["Location"]).content.decode())
    assert "Je veux faire reconnaître mon expérience." in report
    assert "Une note en tête du fichier, hors de toute section." in report
    assert "Confirmer l'import" in report
    dossier.refresh_from_db()
    assert dossier.motivation_reasons == ""

    confirmed = owner.post(reverse("documents:import_confirm", args=[dossier.pk, source.pk]))

    assert confirmed["Location"] == reverse("documents:unplaced", args=[dossier.pk])
    dossier.refresh_from_db()
    assert dossier.motivation_reasons == "Je veux faire reconnaître mon expérience."
    fragment = UnplacedFragment.objects.get(dossier=dossier)
    assert fragment.text == "Une note en tête du fichier, hors de toute section."
    overview = html.unescape(
        owner.get(reverse("dossiers:overview", args=[dossier.pk])).content.decode()
    )
    assert "1 passage de votre fichier Word reste à placer." in overview

    owner.post(
        reverse("documents:place", args=[dossier.pk, fragment.pk]),
        {"cible": "dossier.motivation_strengths"},
    )

    dossier.refresh_from_db()
    fragment.refresh_from_db()
    assert dossier.motivation_strengths == "Une note en tête du fichier, hors de toute section."
    assert fragment.placed_in == "dossier.motivation_strengths"
    again = owner.post(
        reverse("documents:import_confirm", args=[dossier.pk, source.pk]), follow=True
    )
    assert "Cet import a déjà été confirmé ou annulé." in html.unescape(again.content.decode())


def test_placing_appends_to_what_the_part_already_holds(owner, dossier, candidate):
    from tests.documents.builders import write

    write(dossier, "dossier.context", "Début.", candidate)
    source = imports.import_read(dossier=dossier, content=small_docx(), name="x.docx", by=candidate)
    source.report["unplaced"].append({"where": "paragraphe 9", "text": "Suite."})
    source.save()
    imports.import_apply(source=source, by=candidate)
    fragment = UnplacedFragment.objects.get(dossier=dossier, text="Suite.")

    imports.fragment_place(fragment=fragment, field_key="dossier.context", by=candidate)

    dossier.refresh_from_db()
    assert dossier.context == "Une caisse d'allocations familiales.\n\nSuite."


def test_a_forged_target_is_refused(owner, dossier, candidate, other_candidate):
    other = dossier_for(dossier.referentiel_version, candidate=other_candidate)
    source = imports.import_read(dossier=dossier, content=small_docx(), name="x.docx", by=candidate)
    imports.import_apply(source=source, by=candidate)
    fragment = UnplacedFragment.objects.get(dossier=dossier)

    response = owner.post(
        reverse("documents:place", args=[dossier.pk, fragment.pk]),
        {"cible": f"dossier.context' OR 1=1; situation.{other.pk}.title"},
        follow=True,
    )

    assert "Choisissez une partie du dossier dans la liste." in html.unescape(
        response.content.decode()
    )
    fragment.refresh_from_db()
    assert fragment.is_open


def test_setting_aside_keeps_the_text_visible(owner, dossier, candidate):
    source = imports.import_read(dossier=dossier, content=small_docx(), name="x.docx", by=candidate)
    imports.import_apply(source=source, by=candidate)
    fragment = UnplacedFragment.objects.get(dossier=dossier)

    owner.post(reverse("documents:set_aside", args=[dossier.pk, fragment.pk]))

    page = html.unescape(
        owner.get(reverse("documents:unplaced", args=[dossier.pk])).content.decode()
    )
    assert "Il n'y a plus rien à placer." in page
    assert "Une note en tête du fichier" in page and "mis de côté" in page


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Le fichier est vide."),
        (b"%PDF-1.7 not a word file", "document Word (.docx) valide"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, ".docx"),
    ],
)
def test_a_bad_file_gets_a_french_message_and_changes_nothing(owner, dossier, content, message):
    response = owner.post(
        reverse("documents:import_upload", args=[dossier.pk]),
        {"fichier": upload("livret.docx", content, DOCX)},
    )

    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert not Livret2Import.objects.exists()


def test_cancelling_leaves_the_dossier_untouched(owner, dossier):
    owner.post(
        reverse("documents:import_upload", args=[dossier.pk]),
        {"fichier": upload("l.docx", small_docx(), DOCX)},
    )
    source = Livret2Import.objects.get()

    owner.post(reverse("documents:import_cancel", args=[dossier.pk, source.pk]))

    source.refresh_from_db()
    dossier.refresh_from_db()
    assert source.status == ImportStatus.CANCELLED
    assert dossier.motivation_reasons == "" and not UnplacedFragment.objects.exists()


def test_a_final_dossier_cannot_be_imported_into(owner, dossier):
    dossier.status = "finalise"
    dossier.save()

    response = owner.post(
        reverse("documents:import_upload", args=[dossier.pk]),
        {"fichier": upload("l.docx", small_docx(), DOCX)},
    )

    assert response.status_code == 302  # told it is frozen, nothing imported
    assert not Livret2Import.objects.exists()


# --- Commands -----------------------------------------------------------------------------------


def test_export_command_writes_each_format(dossier, candidate, written, tmp_path):
    for kind, magic in (("pdf", b"%PDF"), ("docx", b"PK"), ("bundle", b"%PDF")):
        target = tmp_path / f"out.{kind}"
        out = io.StringIO()
        call_command(
            "export_livret2", str(dossier.pk), "--format", kind, "--output", str(target), stdout=out
        )
        assert target.read_bytes().startswith(magic)
        assert str(target) in out.getvalue()


def test_export_command_refuses_an_unknown_dossier(db, tmp_path):
    with pytest.raises(CommandError, match="Aucun Livret 2 n'a le numéro 999"):
        call_command("export_livret2", "999", "--output", str(tmp_path / "x.pdf"))


def test_import_command_prints_the_json_report_and_dry_run_writes_nothing(
    dossier, candidate, tmp_path
):
    path = tmp_path / "livret.docx"
    path.write_bytes(small_docx())
    out = io.StringIO()

    call_command(
        "import_livret2", str(path), "--candidate", candidate.email, "--dry-run", stdout=out
    )

    report = json.loads(out.getvalue())
    assert report["dossier"] == dossier.pk
    assert [u["text"] for u in report["unplaced"]] == [
        "Une note en tête du fichier, hors de toute section."
    ]
    assert any(p["text"] == "Une caisse d'allocations familiales." for p in report["placed"])
    assert not Livret2Import.objects.exists()
    dossier.refresh_from_db()
    assert dossier.context == ""

    out = io.StringIO()
    call_command("import_livret2", str(path), "--candidate", candidate.email, stdout=out)

    assert json.loads(out.getvalue())["dossier"] == dossier.pk
    dossier.refresh_from_db()
    assert dossier.context == "Une caisse d'allocations familiales."
    assert UnplacedFragment.objects.filter(dossier=dossier).count() == 1


def test_import_command_explains_a_bad_file(dossier, candidate, tmp_path):
    path = tmp_path / "faux.docx"
    path.write_bytes(b"ceci n'est pas un docx")

    with pytest.raises(CommandError, match="document Word"):
        call_command("import_livret2", str(path), "--candidate", candidate.email)


def test_a_value_too_long_for_its_part_goes_to_place_by_hand(owner, dossier, candidate):
    document = docx.Document()
    document.add_heading("Votre motivation", level=1)
    document.add_paragraph("Je veux faire reconnaître mon expérience.")
    document.add_heading("Livret 2 : Analyse de l'expérience", level=1)
    activity = dossier.referentiel_version.activities.get(number=1)
    document.add_heading(f"I – {activity.title}", level=2)
    long_title = "Un titre beaucoup trop long " * 12  # 336: over the 300 characters of a title
    document.add_heading(f"Situation N°1 : {long_title.strip()}", level=3)
    document.add_paragraph("Une allocataire vient me voir à l'accueil.")
    buffer = io.BytesIO()
    document.save(buffer)

    source = imports.import_read(
        dossier=dossier, content=buffer.getvalue(), name="x.docx", by=candidate
    )
    response = owner.post(reverse("documents:import_confirm", args=[dossier.pk, source.pk]))

    assert response.status_code == 302
    situation = dossier.situations.get()
    assert situation.title == ""
    assert situation.description == "Une allocataire vient me voir à l'accueil."
    fragment = UnplacedFragment.objects.get(dossier=dossier)
    assert long_title.strip() in fragment.text
    owner.post(
        reverse("documents:place", args=[dossier.pk, fragment.pk]),
        {"cible": f"situation.{situation.pk}.description"},
    )
    situation.refresh_from_db()
    assert situation.description.endswith(long_title.strip())


def test_placing_text_that_would_overflow_a_part_is_refused_with_a_message(
    owner, dossier, candidate
):
    from tests.documents.builders import write

    write(dossier, "dossier.context", "x" * 199_990, candidate)
    source = imports.import_read(dossier=dossier, content=small_docx(), name="x.docx", by=candidate)
    source.plan["fields"] = {}
    source.save()
    imports.import_apply(source=source, by=candidate)
    fragment = UnplacedFragment.objects.get(dossier=dossier)

    response = owner.post(
        reverse("documents:place", args=[dossier.pk, fragment.pk]),
        {"cible": "dossier.context"},
        follow=True,
    )

    assert response.status_code == 200
    assert "la limite est de 200000" in html.unescape(response.content.decode())
    fragment.refresh_from_db()
    assert fragment.is_open
