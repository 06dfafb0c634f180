"""The periodic admissibility checks: the task, the command for cron, its loop, the settings."""

import datetime
import importlib
import io
import logging
import types

import pytest
from django.core.management import CommandError, call_command
from django.tasks import TaskResultStatus, task_backends
from django.utils import timezone

from tests.admissibility.factories import ready_request
from vaecos.admissibility import services
from vaecos.admissibility.management.commands import admissibility_checks as command
from vaecos.admissibility.models import AdmissibilityRequest, Status
from vaecos.admissibility.tasks import run_admissibility_checks


def complete_on(referentiel, candidate, instructor, on):
    """A complete request whose decision is due two months after `on`."""
    request = ready_request(referentiel, candidate=candidate)
    received = timezone.make_aware(datetime.datetime.combine(on, datetime.time(9)))
    services.request_submit(request=request, by=candidate, now=received)
    return services.request_declare_complete(request=request, by=instructor, on=on)


def run(*args):
    out = io.StringIO()
    call_command("admissibility_checks", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def overdue(referentiel, candidate, instructor):
    """Complete on 10/09/2026, so due on 10/11/2026: silence means yes from the 11th."""
    return complete_on(referentiel, candidate, instructor, datetime.date(2026, 9, 10))


def test_the_command_decides_implicitly_on_the_given_date_and_only_once(overdue, caplog):
    caplog.set_level(logging.INFO, logger="vaecos.admissibility.tasks")

    assert run("--date", "2026-11-10") == (
        "Contrôles de recevabilité du 10/11/2026 : 0 décision implicite, 0 rappel, "
        "0 expiration, 0 rappel de session, 0 pièce d'identité supprimée, "
        "0 brouillon de Livret 2 effacé, "
        "0 entrée du journal des connexions supprimée.\n"
    )
    first = run("--date", "2026-11-11")
    again = run("--date", "2026-11-12")

    overdue.refresh_from_db()
    assert overdue.status == Status.FAVOURABLE and overdue.implicit
    assert overdue.decided_on == datetime.date(2026, 11, 10)
    assert first == (
        "Contrôles de recevabilité du 11/11/2026 : 1 décision implicite, 0 rappel, "
        "0 expiration, 0 rappel de session, 0 pièce d'identité supprimée, "
        "0 brouillon de Livret 2 effacé, "
        "0 entrée du journal des connexions supprimée.\n"
    )
    assert again.endswith(
        ": 0 décision implicite, 0 rappel, 0 expiration, 0 rappel de session, "
        "0 pièce d'identité supprimée, 0 brouillon de Livret 2 effacé, "
        "0 entrée du journal des connexions supprimée.\n"
    )
    assert overdue.transitions.filter(transition="decide_implicitly").count() == 1
    assert f"1 décision(s) implicite(s) [{overdue.pk}]" in caplog.text


def test_the_summary_speaks_french_plurals():
    summary = {
        "date": "2026-11-11",
        "implicit_decisions": [1, 2],
        "reminders": [3],
        "expired": [],
        "session_reminders": [4, 5],
        "identity_documents_deleted": [6, 7],
        "drafts_erased": [8],
        "login_entries_deleted": 0,
    }

    assert command.describe(summary) == (
        "2 décisions implicites, 1 rappel, 0 expiration, 2 rappels de session, "
        "2 pièces d'identité supprimées, 1 brouillon de Livret 2 effacé, "
        "0 entrée du journal des connexions supprimée"
    )


def test_the_task_runs_the_checks_for_today_through_the_backend(referentiel, candidate, instructor):
    # Complete 90 days ago: the decision was due about a month ago, the validity is far ahead.
    request = complete_on(
        referentiel, candidate, instructor, timezone.localdate() - datetime.timedelta(days=90)
    )

    result = run_admissibility_checks.enqueue()
    again = run_admissibility_checks.enqueue()

    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {
        "date": timezone.localdate().isoformat(),
        "implicit_decisions": [request.pk],
        "reminders": [],
        "expired": [],
        "session_reminders": [],
        "identity_documents_deleted": [],
        "drafts_erased": [],
        "login_entries_deleted": 0,
    }
    assert again.return_value["implicit_decisions"] == []
    request.refresh_from_db()
    assert request.status == Status.FAVOURABLE and request.implicit


def test_the_command_can_enqueue_the_task_for_a_date(overdue):
    out = run("--enqueue", "--date", "2026-11-11")

    assert out.startswith("Contrôles de recevabilité confiés au worker (tâche ")
    assert AdmissibilityRequest.objects.get(pk=overdue.pk).status == Status.FAVOURABLE


@pytest.mark.parametrize("value", ["11/11/2026", "2026-13-01", "demain"])
def test_a_bad_date_is_refused_in_french(db, value):
    with pytest.raises(CommandError, match=f"Date invalide : « {value} ». .*AAAA-MM-JJ"):
        run("--date", value)


class _FakeTask:
    def __init__(self):
        self.enqueued = []

    def enqueue(self, *args):
        self.enqueued.append(args)
        return types.SimpleNamespace(id="t1")


def test_the_loop_enqueues_at_once_then_every_interval_until_stopped(db, settings, monkeypatch):
    settings.ADMISSIBILITY_CHECK_INTERVAL = 5
    fake, slept = _FakeTask(), []
    monkeypatch.setattr(command, "run_admissibility_checks", fake)

    def sleep(seconds):
        slept.append(seconds)
        if len(slept) == 2:
            raise KeyboardInterrupt  # Ctrl+C, or SIGTERM through the command's handler

    monkeypatch.setattr(command.time, "sleep", sleep)

    out = run("--enqueue", "--every")

    assert fake.enqueued == [(None,), (None,)] and slept == [5, 5]
    assert out.startswith("Contrôles de recevabilité toutes les 5 s")
    assert out.endswith("Contrôles de recevabilité arrêtés.\n")


def test_a_failing_round_is_logged_and_the_loop_goes_on(db, settings, monkeypatch, caplog):
    settings.ADMISSIBILITY_CHECK_INTERVAL = 5
    fake, slept = _FakeTask(), []
    calls = iter([RuntimeError("base indisponible"), None])

    def enqueue(*args):
        if error := next(calls):
            raise error
        return fake.enqueue(*args)

    def sleep(seconds):
        slept.append(seconds)
        if len(slept) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(command, "run_admissibility_checks", types.SimpleNamespace(enqueue=enqueue))
    monkeypatch.setattr(command.time, "sleep", sleep)

    out = run("--enqueue", "--every", "5")

    assert fake.enqueued == [(None,)]
    assert "Contrôles de recevabilité : échec" in caplog.text and "base indisponible" in caplog.text
    assert out.endswith("arrêtés.\n")


def test_the_loop_does_not_take_a_date(db):
    with pytest.raises(CommandError, match="--date et --every"):
        run("--date", "2026-11-11", "--every", "60")


def test_outside_the_tests_tasks_go_to_the_database_and_its_worker():
    tasks_settings = importlib.import_module("config.settings.tasks")
    base = importlib.import_module("config.django.base")

    assert tasks_settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert base.TASKS == tasks_settings.TASKS
    assert "django_tasks_db" in base.INSTALLED_APPS
    assert tasks_settings.ADMISSIBILITY_CHECK_INTERVAL > 0
    # The tests themselves run tasks at once.
    assert type(task_backends["default"]).__name__ == "ImmediateBackend"
