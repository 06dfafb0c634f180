"""Rule 2: the Livret 2 draft of an abandoned case is erased; the case and its trail stay."""

import datetime

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from tests.accounts.factories import UserFactory
from tests.admissibility.factories import AdmissibilityRequestFactory
from tests.evaluation.factories import EvaluationSessionFactory, RegistrationFactory
from tests.retention.factories import (
    abandoned_draft,
    age,
    at,
    days_ago,
    expired_admissibility,
    stored_names,
    written_draft,
)
from vaecos.admissibility.models import Status
from vaecos.audit.models import ReadEvent
from vaecos.audit.services import record_read
from vaecos.coaching.models import Comment, CommentThread
from vaecos.documents.models import Livret2Import, UnplacedFragment
from vaecos.dossiers import services as dossier_services
from vaecos.dossiers.models import (
    Attachment,
    Dossier,
    DossierStatus,
    DossierTransitionLog,
    FieldRevision,
    Situation,
)
from vaecos.pii.models import Dismissal, FileReview, TextScan
from vaecos.retention.models import Deletion, Rule
from vaecos.retention.services import retention_run

PARTS = (
    Situation,
    FieldRevision,
    Attachment,
    FileReview,
    Livret2Import,
    UnplacedFragment,
    CommentThread,
    Comment,
    TextScan,
    Dismissal,
)


def content(dossier):
    """How many rows of each part of the draft exist, and its texts."""
    counts = {}
    for model in PARTS:
        if model is FileReview:
            rows = model.objects.filter(attachment__dossier=dossier)
        elif model is Comment:
            rows = model.objects.filter(thread__dossier=dossier)
        else:
            rows = model.objects.filter(dossier=dossier)
        counts[model.__name__] = rows.count()
    dossier = Dossier.objects.get(pk=dossier.pk)
    texts = (dossier.last_name, dossier.first_name, dossier.context, dossier.motivation_reasons)
    return counts, texts


def test_an_abandoned_draft_is_erased_with_its_files_and_the_case_stays(
    referentiel, instructor, django_capture_on_commit_callbacks
):
    dossier = abandoned_draft(referentiel)
    files = stored_names(dossier)
    record_read(instructor, case=dossier.case, what="dossier", label="Livret 2", dossier=dossier)
    transitions = DossierTransitionLog.objects.filter(subject=dossier).count()
    updated_at = Dossier.objects.get(pk=dossier.pk).updated_at

    with django_capture_on_commit_callbacks(execute=True):
        report = retention_run()

    assert report.ids(Rule.DRAFT) == [dossier.pk]
    counts, texts = content(dossier)
    assert counts == dict.fromkeys(counts, 0)
    assert texts == ("", "", "", "")
    assert not any(default_storage.exists(name) for name in files)
    # What the audit trail points to is still there.
    kept = Dossier.objects.get(pk=dossier.pk)
    assert kept.case == dossier.case and kept.status == DossierStatus.IN_PROGRESS
    assert kept.updated_at == updated_at  # still the candidate's last change
    assert DossierTransitionLog.objects.filter(subject=dossier).count() == transitions
    assert ReadEvent.objects.filter(dossier=dossier).count() == 1
    record = Deletion.objects.get()
    assert record.rule == Rule.DRAFT and record.case == dossier.case
    assert record.subject_type == "dossiers.Dossier" and record.subject_id == str(dossier.pk)
    assert record.label.startswith(f"Brouillon du Livret 2 n° {dossier.pk} (tentative 1)")
    assert record.details == {
        "fichiers_analyses": 1,
        "pieces_jointes": 2,
        "revisions": 2,
        "textes_a_placer": 1,
        "imports_word": 1,
        "fils_de_commentaires": 1,
        "analyses_de_textes": 1,
        "pas_une_donnee_personnelle": 1,
        "situations": 1,
        "fichiers": 3,
        "textes_du_dossier": 4,
    }


def test_a_draft_erased_once_is_not_selected_again(referentiel):
    dossier = abandoned_draft(referentiel)

    retention_run()
    again = retention_run()

    assert again.rules[Rule.DRAFT].count == 0
    assert Deletion.objects.filter(subject_id=str(dossier.pk)).count() == 1


def test_the_candidate_can_write_again_in_an_erased_draft(referentiel):
    dossier = abandoned_draft(referentiel)
    retention_run()

    result = dossier_services.field_save(
        dossier=dossier,
        field_key="dossier.context",
        text="Je reprends.",
        base_revision=0,
        by=dossier.case.candidate,
    )

    assert result.outcome == "saved"


def test_a_draft_touched_within_the_period_is_kept(referentiel, settings):
    settings.RETENTION_DRAFT_DAYS = 730
    dossier = abandoned_draft(referentiel, idle_days=729)

    assert retention_run().rules[Rule.DRAFT].count == 0
    assert content(dossier)[0]["FieldRevision"] == 2


@pytest.mark.parametrize(
    "recent",
    ["revision", "attachment", "situation", "import", "transition", "comment", "dismissal"],
)
def test_any_recent_activity_keeps_the_draft(referentiel, recent):
    dossier = abandoned_draft(referentiel)
    now = timezone.now()
    rows = {
        "revision": FieldRevision.objects.filter(dossier=dossier),
        "attachment": Attachment.objects.filter(dossier=dossier),
        "situation": Situation.objects.filter(dossier=dossier),
        "import": Livret2Import.objects.filter(dossier=dossier),
        "transition": DossierTransitionLog.objects.filter(subject=dossier),
        "comment": Comment.objects.filter(thread__dossier=dossier),
        "dismissal": Dismissal.objects.filter(dossier=dossier),
    }[recent]
    field = {
        "revision": "created_at",
        "attachment": "uploaded_at",
        "situation": "created_at",
        "import": "created_at",
        "transition": "at",
        "comment": "created_at",
        "dismissal": "at",
    }[recent]
    rows.filter(pk=rows.order_by("pk").first().pk).update(**{field: now})

    assert retention_run().rules[Rule.DRAFT].count == 0


def test_the_delay_follows_the_setting(referentiel, settings):
    settings.RETENTION_DRAFT_DAYS = 100
    dossier = abandoned_draft(referentiel, idle_days=101)

    assert retention_run(dry_run=True).ids(Rule.DRAFT) == [dossier.pk]
    settings.RETENTION_DRAFT_DAYS = 102
    assert retention_run(dry_run=True).ids(Rule.DRAFT) == []


def test_a_draft_whose_admissibility_is_still_valid_is_kept(referentiel):
    dossier = written_draft(referentiel)
    AdmissibilityRequestFactory(
        case=dossier.case,
        filled=True,
        status=Status.FAVOURABLE,
        submitted_at=at(days_ago(900)),
        complete_on=days_ago(890),
        decision_due=days_ago(850),
        decided_on=days_ago(850),
        validity_end=timezone.localdate(),  # its last day
    )
    age(dossier, 800)

    assert retention_run().rules[Rule.DRAFT].count == 0


def test_a_case_with_an_extension_being_asked_for_is_not_abandoned(referentiel):
    dossier = abandoned_draft(referentiel)
    AdmissibilityRequestFactory(case=dossier.case, nature="prolongation", status=Status.DRAFT)

    assert retention_run().rules[Rule.DRAFT].count == 0


def test_a_renewed_admissibility_keeps_the_draft(referentiel):
    dossier = abandoned_draft(referentiel)
    today = timezone.localdate()
    AdmissibilityRequestFactory(
        case=dossier.case,
        filled=True,
        status=Status.FAVOURABLE,
        submitted_at=timezone.now(),
        complete_on=today,
        decision_due=today,
        decided_on=today,
        validity_end=today + datetime.timedelta(days=540),
    )

    assert retention_run().rules[Rule.DRAFT].count == 0


def test_a_case_that_never_had_a_favourable_admissibility_is_not_concerned(referentiel):
    dossier = written_draft(referentiel)
    age(dossier, 800)

    assert retention_run().rules[Rule.DRAFT].count == 0


def test_a_finalised_dossier_is_not_a_draft(referentiel):
    dossier = abandoned_draft(referentiel)
    dossier.status = DossierStatus.FINAL
    dossier.save(update_fields=["status"])  # its date of last change kept

    assert retention_run().rules[Rule.DRAFT].count == 0


def test_a_dossier_once_transmitted_is_kept_even_when_reopened(referentiel):
    dossier = abandoned_draft(referentiel)
    session = EvaluationSessionFactory(referentiel_version=referentiel, date=days_ago(600))
    RegistrationFactory(
        session=session, case=dossier.case, dossier=dossier, transmitted_at=at(days_ago(650))
    )

    assert retention_run().rules[Rule.DRAFT].count == 0


def test_a_case_registered_to_a_session_to_come_is_kept(referentiel):
    dossier = abandoned_draft(referentiel)
    session = EvaluationSessionFactory(referentiel_version=referentiel)
    RegistrationFactory(session=session, case=dossier.case)

    assert retention_run().rules[Rule.DRAFT].count == 0


def test_only_the_abandoned_case_is_touched(referentiel, django_capture_on_commit_callbacks):
    abandoned = abandoned_draft(referentiel)
    active = written_draft(referentiel, candidate=UserFactory())
    expired_admissibility(active.case)  # expired, but the candidate wrote last month
    age(active, 30)
    before = content(active)
    active_files = stored_names(active)

    with django_capture_on_commit_callbacks(execute=True):
        report = retention_run()

    assert report.ids(Rule.DRAFT) == [abandoned.pk]
    assert content(active) == before
    assert all(default_storage.exists(name) for name in active_files)
