"""Rule 1: identity proofs go once the admissibility decision is notified (and the delay spent)."""

import datetime

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from tests.admissibility.factories import ready_request
from tests.retention.factories import days_ago, decided_request, supporting_document
from vaecos.admissibility import services as admissibility_services
from vaecos.admissibility.models import (
    Coverage,
    LetterKind,
    Status,
    SupportingDocument,
    SupportingKind,
)
from vaecos.retention.models import Deletion, Rule
from vaecos.retention.services import retention_run


def test_an_identity_proof_is_deleted_with_its_file_once_the_decision_is_notified(
    referentiel, django_capture_on_commit_callbacks
):
    request = decided_request(referentiel, notified_on=timezone.localdate())
    identity = supporting_document(request)
    name = identity.file.name

    with django_capture_on_commit_callbacks(execute=True):
        report = retention_run()

    assert not SupportingDocument.objects.filter(pk=identity.pk).exists()
    assert not default_storage.exists(name)
    assert report.ids(Rule.IDENTITY) == [identity.pk]
    record = Deletion.objects.get()
    assert record.rule == Rule.IDENTITY
    assert record.admissibility_request == request and record.case == request.case
    assert record.subject_type == "admissibility.SupportingDocument"
    assert record.subject_id == str(identity.pk)
    assert record.label == (
        f"Pièce d'identité n° {identity.pk} de la demande de recevabilité n° {request.pk} "
        f"(décision notifiée le {timezone.localdate():%d/%m/%Y})"
    )
    assert "cni" not in record.label  # the file's name may hold the person's name


def test_the_other_kinds_of_the_same_request_are_kept(
    referentiel, django_capture_on_commit_callbacks
):
    request = decided_request(referentiel, notified_on=days_ago(3))
    supporting_document(request)
    kept = [
        supporting_document(request, kind, f"{kind}.pdf")
        for kind in (SupportingKind.EMPLOYMENT, SupportingKind.DIPLOMA, SupportingKind.OTHER)
    ]

    with django_capture_on_commit_callbacks(execute=True):
        retention_run()

    assert list(request.documents.order_by("pk")) == kept
    assert all(default_storage.exists(document.file.name) for document in kept)


@pytest.mark.parametrize(
    "status",
    [Status.SUBMITTED, Status.INCOMPLETE, Status.COMPLETE],
)
def test_an_identity_proof_stays_while_the_request_is_not_decided(referentiel, status):
    request = ready_request(referentiel)
    request.status = status
    request.submitted_at = timezone.now()
    request.complete_on = request.decision_due = timezone.localdate()
    request.save()
    identity = supporting_document(request)

    report = retention_run()

    assert SupportingDocument.objects.filter(pk=identity.pk).exists()
    assert report.rules[Rule.IDENTITY].count == 0 and not Deletion.objects.exists()


def test_a_decision_without_its_letter_is_not_notified_yet(referentiel):
    identity = supporting_document(decided_request(referentiel, notified_on=None))

    retention_run()

    assert SupportingDocument.objects.filter(pk=identity.pk).exists()


@pytest.mark.parametrize(
    ("status", "letter_kind"),
    [
        (Status.UNFAVOURABLE, LetterKind.DECISION),
        (Status.FAVOURABLE, LetterKind.IMPLICIT),
        (Status.EXPIRED, LetterKind.DECISION),
    ],
)
def test_every_kind_of_decision_counts(referentiel, status, letter_kind):
    request = decided_request(
        referentiel, notified_on=days_ago(1), status=status, letter_kind=letter_kind
    )
    identity = supporting_document(request)

    retention_run()

    assert not SupportingDocument.objects.filter(pk=identity.pk).exists()


def test_only_the_decision_letters_count_as_notification(referentiel):
    # The acknowledgement of a complete request is a letter too, but no decision.
    request = decided_request(
        referentiel, notified_on=days_ago(1), letter_kind=LetterKind.ACKNOWLEDGEMENT
    )
    identity = supporting_document(request)

    retention_run()

    assert SupportingDocument.objects.filter(pk=identity.pk).exists()


def test_the_configured_delay_is_counted_from_the_letter(referentiel, settings):
    settings.RETENTION_IDENTITY_DAYS = 30
    due = supporting_document(decided_request(referentiel, notified_on=days_ago(30)))
    early = supporting_document(decided_request(referentiel, notified_on=days_ago(29)))

    report = retention_run()

    assert report.ids(Rule.IDENTITY) == [due.pk]
    assert list(SupportingDocument.objects.all()) == [early]
    # A date ahead of today is brought back to today: no retention period is cut short.
    ahead = retention_run(today=timezone.localdate() + datetime.timedelta(days=1))
    assert ahead.date == timezone.localdate()
    assert SupportingDocument.objects.filter(pk=early.pk).exists()


def test_a_catch_up_date_in_the_past_keeps_what_was_not_due_then(referentiel, settings):
    settings.RETENTION_IDENTITY_DAYS = 10
    identity = supporting_document(decided_request(referentiel, notified_on=days_ago(12)))

    retention_run(today=days_ago(5))
    assert SupportingDocument.objects.filter(pk=identity.pk).exists()

    retention_run(today=days_ago(2))
    assert not SupportingDocument.objects.filter(pk=identity.pk).exists()


def test_the_real_decision_path_leads_to_the_deletion(
    referentiel, candidate, instructor, django_capture_on_commit_callbacks
):
    request = ready_request(referentiel, candidate=candidate)
    identity = supporting_document(request, name="piece-identite.pdf")
    admissibility_services.request_submit(request=request, by=candidate)
    admissibility_services.request_declare_complete(request=request, by=instructor)
    assert retention_run().rules[Rule.IDENTITY].count == 0  # complete, not decided

    with django_capture_on_commit_callbacks(execute=True):
        admissibility_services.request_decide(
            request=request,
            by=instructor,
            favourable=False,
            gaps={a.pk: (Coverage.NOT_COVERED, "") for a in referentiel.activities.all()},
            reasons="Expérience sans rapport avec la certification.",
        )
        retention_run()

    assert not SupportingDocument.objects.filter(pk=identity.pk).exists()
    assert request.letters.filter(kind=LetterKind.DECISION).exists()  # the letter stays


def test_a_second_run_deletes_and_records_nothing_more(referentiel):
    supporting_document(decided_request(referentiel, notified_on=days_ago(1)))

    retention_run()
    again = retention_run()

    assert again.rules[Rule.IDENTITY].count == 0
    assert Deletion.objects.count() == 1
