"""The runs: dry run, `manage.py retention`, the task, the periodic checks, failures, settings,
and what the administrator sees."""

import importlib
import io
import logging
from pathlib import Path

import pytest
from axes.models import AccessLog
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tests.retention.factories import (
    abandoned_draft,
    days_ago,
    decided_request,
    login_entry,
    supporting_document,
)
from vaecos.admissibility.models import SupportingDocument, SupportingKind
from vaecos.admissibility.tasks import run_admissibility_checks
from vaecos.dossiers.models import Attachment, FieldRevision
from vaecos.retention import services
from vaecos.retention.models import Deletion, Rule
from vaecos.retention.services import retention_run
from vaecos.retention.tasks import run_retention


@pytest.fixture
def world(referentiel):
    """One object due under each rule, and one kept beside it."""
    request = decided_request(referentiel, notified_on=days_ago(2))
    return {
        "identity": supporting_document(request),
        "diploma": supporting_document(request, SupportingKind.DIPLOMA, "diplome.pdf"),
        "draft": abandoned_draft(referentiel),
        "login": login_entry(AccessLog, days=400, username="vieux@exemple.test"),
        "recent_login": login_entry(AccessLog, days=2, username="recent@exemple.test"),
    }


def media_files() -> list[str]:
    root = Path(django_settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def snapshot():
    return (
        list(SupportingDocument.objects.values_list("pk", flat=True)),
        FieldRevision.objects.count(),
        Attachment.objects.count(),
        list(AccessLog.objects.values_list("pk", flat=True)),
        Deletion.objects.count(),
        media_files(),
    )


def test_the_dry_run_changes_nothing_and_reports_what_the_run_then_does(
    world, django_capture_on_commit_callbacks
):
    before = snapshot()

    with django_capture_on_commit_callbacks(execute=True):
        dry = retention_run(dry_run=True)
    assert snapshot() == before

    with django_capture_on_commit_callbacks(execute=True):
        done = retention_run()

    summary = {rule: [item.label for item in part.items] for rule, part in dry.rules.items()}
    assert summary == {
        rule: [item.label for item in part.items] for rule, part in done.rules.items()
    }
    assert dry.ids(Rule.IDENTITY) == [world["identity"].pk]
    assert dry.ids(Rule.DRAFT) == [world["draft"].pk]
    assert dry.rules[Rule.LOGIN_LOG].count == 1
    assert snapshot() != before
    assert list(SupportingDocument.objects.all()) == [world["diploma"]]
    assert list(AccessLog.objects.all()) == [world["recent_login"]]
    assert Deletion.objects.count() == 3 and Deletion.objects.filter(run=done.run).count() == 3


def test_the_command_prints_the_report_and_its_dry_run_deletes_nothing(world):
    out = io.StringIO()
    call_command("retention", "--dry-run", stdout=out)

    today = timezone.localdate()
    draft = world["draft"]
    assert out.getvalue().splitlines()[:4] == [
        f"Conservation des données au {today:%d/%m/%Y} — simulation : rien n'est supprimé.",
        "Pièces d'identité après la décision de recevabilité : 1 à supprimer",
        f"  - Pièce d'identité n° {world['identity'].pk} de la demande de recevabilité "
        f"n° {world['identity'].request_id} (décision notifiée le {days_ago(2):%d/%m/%Y})",
        "Brouillons de Livret 2 des parcours abandonnés : 1 à supprimer",
    ]
    assert f"  - Brouillon du Livret 2 n° {draft.pk} (tentative 1)" in out.getvalue()
    assert "Journal des connexions : 1 à supprimer" in out.getvalue()
    assert SupportingDocument.objects.filter(pk=world["identity"].pk).exists()
    assert not Deletion.objects.exists()

    out = io.StringIO()
    call_command("retention", stdout=out)

    assert out.getvalue().startswith(
        f"Conservation des données au {today:%d/%m/%Y} — suppressions effectuées.\n"
        "Pièces d'identité après la décision de recevabilité : 1 suppression\n"
    )
    assert not SupportingDocument.objects.filter(pk=world["identity"].pk).exists()


def test_the_task_runs_through_the_tasks_backend(world):
    dry = run_retention.enqueue(dry_run=True)
    assert dry.status == TaskResultStatus.SUCCESSFUL
    assert dry.return_value["dry_run"] is True
    assert dry.return_value["rules"]["piece_identite"]["count"] == 1
    assert SupportingDocument.objects.filter(pk=world["identity"].pk).exists()

    result = run_retention.enqueue()

    assert result.return_value["rules"]["piece_identite"]["items"][0]["subject_id"] == str(
        world["identity"].pk
    )
    assert result.return_value["rules"]["brouillon_abandonne"]["count"] == 1
    assert not SupportingDocument.objects.filter(pk=world["identity"].pk).exists()


def test_the_periodic_checks_apply_the_retention_and_say_so(world):
    out = io.StringIO()
    call_command("admissibility_checks", stdout=out)

    assert out.getvalue().endswith(
        ", 1 pièce d'identité supprimée, 1 brouillon de Livret 2 effacé, "
        "1 entrée du journal des connexions supprimée.\n"
    )
    assert list(SupportingDocument.objects.all()) == [world["diploma"]]
    assert Deletion.objects.count() == 3


def test_the_periodic_task_returns_the_retention_figures(world):
    result = run_admissibility_checks.enqueue()

    assert result.return_value["identity_documents_deleted"] == [world["identity"].pk]
    assert result.return_value["drafts_erased"] == [world["draft"].pk]
    assert result.return_value["login_entries_deleted"] == 1


def test_one_failing_object_is_logged_the_rest_goes_on_and_the_command_fails(
    referentiel, monkeypatch, caplog
):
    first = supporting_document(decided_request(referentiel, notified_on=days_ago(1)))
    second = supporting_document(decided_request(referentiel, notified_on=days_ago(1)))
    real = services.identity_document_delete

    def flaky(*, pk, **kwargs):
        if pk == first.pk:
            raise RuntimeError("stockage indisponible")
        return real(pk=pk, **kwargs)

    monkeypatch.setattr(services, "identity_document_delete", flaky)
    caplog.set_level(logging.ERROR, logger="vaecos.retention.services")
    out = io.StringIO()

    with pytest.raises(CommandError, match="1 suppression\\(s\\) en échec"):
        call_command("retention", stdout=out)

    assert list(SupportingDocument.objects.all()) == [first]
    assert not SupportingDocument.objects.filter(pk=second.pk).exists()
    assert f"1 échec(s), réessayé(s) au prochain passage : {first.pk}" in out.getvalue()
    assert "stockage indisponible" in caplog.text
    assert Deletion.objects.get().subject_id == str(second.pk)


def test_a_failed_deletion_rolls_back_and_keeps_the_file(
    referentiel, monkeypatch, django_capture_on_commit_callbacks
):
    identity = supporting_document(decided_request(referentiel, notified_on=days_ago(1)))

    def broken(*args, **kwargs):
        raise RuntimeError("base indisponible")

    monkeypatch.setattr(services, "_record", broken)
    with django_capture_on_commit_callbacks(execute=True):
        report = retention_run()

    assert report.rules[Rule.IDENTITY].failed == [str(identity.pk)]
    assert SupportingDocument.objects.filter(pk=identity.pk).exists()
    assert identity.file.storage.exists(identity.file.name)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("RETENTION_IDENTITY_DAYS", "-1"),
        ("RETENTION_DRAFT_DAYS", "0"),
        ("RETENTION_LOGIN_LOG_DAYS", "-30"),
    ],
)
def test_a_retention_period_below_its_minimum_is_refused_at_start(monkeypatch, name, value):
    import config.settings.retention as module

    monkeypatch.setenv(name, value)
    try:
        with pytest.raises(ImproperlyConfigured, match=f"{name} doit valoir au moins"):
            importlib.reload(module)
    finally:
        monkeypatch.delenv(name)
        importlib.reload(module)


def test_the_settings_come_from_the_environment(monkeypatch):
    import config.settings.retention as module

    monkeypatch.setenv("RETENTION_IDENTITY_DAYS", "15")
    monkeypatch.setenv("RETENTION_DRAFT_DAYS", "365")
    monkeypatch.setenv("RETENTION_LOGIN_LOG_DAYS", "90")
    try:
        importlib.reload(module)
        assert (
            module.RETENTION_IDENTITY_DAYS,
            module.RETENTION_DRAFT_DAYS,
            module.RETENTION_LOGIN_LOG_DAYS,
        ) == (15, 365, 90)
    finally:
        for name in ("RETENTION_IDENTITY_DAYS", "RETENTION_DRAFT_DAYS", "RETENTION_LOGIN_LOG_DAYS"):
            monkeypatch.delenv(name)
        importlib.reload(module)
    assert (module.RETENTION_IDENTITY_DAYS, module.RETENTION_DRAFT_DAYS) == (0, 730)
    assert module.RETENTION_LOGIN_LOG_DAYS == 365


def test_the_administrator_reads_the_deletions_and_cannot_change_them(world, administrator):
    from django.test import Client

    retention_run()
    client = Client()
    client.force_login(administrator)
    record = Deletion.objects.get(rule=Rule.IDENTITY)

    listing = client.get(reverse("admin:retention_deletion_changelist"))
    page = client.get(reverse("admin:retention_deletion_change", args=[record.pk]))

    assert listing.status_code == 200 and escape(record.label) in listing.content.decode()
    assert page.status_code == 200
    assert client.get(reverse("admin:retention_deletion_add")).status_code == 403
    assert (
        client.post(reverse("admin:retention_deletion_delete", args=[record.pk])).status_code == 403
    )
    assert Deletion.objects.count() == 3
