"""Rule 3: django-axes' login journal is kept RETENTION_LOGIN_LOG_DAYS days."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.utils import timezone

from tests.retention.factories import login_entry
from vaecos.retention.models import Deletion, Rule
from vaecos.retention.services import retention_run


@pytest.mark.parametrize("model", [AccessLog, AccessFailureLog, AccessAttempt])
def test_entries_older_than_the_period_are_deleted_and_recent_ones_kept(db, model, settings):
    settings.RETENTION_LOGIN_LOG_DAYS = 365
    old = login_entry(model, days=366, username="ancien@exemple.test")
    recent = login_entry(model, days=364, username="recent@exemple.test")

    report = retention_run()

    assert list(model.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not model.objects.filter(pk=old.pk).exists()
    assert report.rules[Rule.LOGIN_LOG].count == 1
    record = Deletion.objects.get()
    assert record.rule == Rule.LOGIN_LOG and record.count == 1
    assert record.subject_type == f"axes.{model.__name__}"
    assert "ancien@exemple.test" not in record.label


def test_one_record_per_kind_of_entry_with_the_count_and_the_cutoff(db, settings):
    settings.RETENTION_LOGIN_LOG_DAYS = 30
    for n in range(3):
        login_entry(AccessLog, days=40 + n, username=f"p{n}@exemple.test")
    login_entry(AccessFailureLog, days=31)
    login_entry(AccessLog, days=29)

    report = retention_run()

    cutoff = timezone.localdate() - timezone.timedelta(days=30)
    assert report.rules[Rule.LOGIN_LOG].count == 4
    assert sorted(Deletion.objects.values_list("subject_type", "count")) == [
        ("axes.AccessFailureLog", 1),
        ("axes.AccessLog", 3),
    ]
    assert Deletion.objects.get(subject_type="axes.AccessLog").label == (
        f"Journal des connexions : 3 connexions antérieures au {cutoff:%d/%m/%Y}"
    )
    assert AccessLog.objects.count() == 1


def test_an_empty_journal_records_nothing(db):
    login_entry(AccessLog, days=3)

    report = retention_run()

    assert report.rules[Rule.LOGIN_LOG].count == 0 and not Deletion.objects.exists()
    assert AccessLog.objects.count() == 1


def test_a_real_login_is_journaled_then_deleted_a_year_later(client, candidate, settings):
    from django.urls import reverse

    client.post(
        reverse("accounts:login"),
        {"username": candidate.email, "password": "motdepasse-test"},
        REMOTE_ADDR="192.0.2.7",
    )
    assert AccessLog.objects.filter(username=candidate.email).count() == 1

    retention_run()
    assert AccessLog.objects.count() == 1  # today's login stays

    AccessLog.objects.update(attempt_time=timezone.now() - timezone.timedelta(days=400))
    retention_run()
    assert not AccessLog.objects.exists()
