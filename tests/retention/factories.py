"""Data for the retention rules: decided requests with their letter, supporting documents of
each kind, Livret 2 drafts full of content and aged, login-journal entries. Needs a loaded
référentiel (the `referentiel` fixture)."""

import datetime

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from tests.admissibility.factories import AdmissibilityRequestFactory
from tests.cases.factories import VaeCaseFactory
from tests.dossiers.factories import dossier_for
from tests.files import pdf_bytes, png_bytes, upload
from vaecos.admissibility.models import (
    AdmissibilityRequest,
    Letter,
    LetterKind,
    Status,
    SupportingDocument,
    SupportingKind,
)
from vaecos.coaching.models import Comment, CommentThread
from vaecos.documents.models import Livret2Import, UnplacedFragment
from vaecos.dossiers import services as dossier_services
from vaecos.dossiers.models import (
    Attachment,
    Dossier,
    DossierTransitionLog,
    FieldRevision,
    Situation,
)
from vaecos.pii.models import Dismissal, FileReview, TextScan


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def decided_request(
    referentiel,
    *,
    notified_on: datetime.date | None,
    status: str = Status.FAVOURABLE,
    letter_kind: str = LetterKind.DECISION,
    case=None,
) -> AdmissibilityRequest:
    """A decided request; with `notified_on`, its decision letter written that day."""
    decided_on = notified_on or timezone.localdate()
    request = AdmissibilityRequestFactory(
        case=case or VaeCaseFactory(referentiel_version=referentiel),
        filled=True,
        status=status,
        submitted_at=at(decided_on - datetime.timedelta(days=70)),
        complete_on=decided_on - datetime.timedelta(days=60),
        decision_due=decided_on,
        decided_on=decided_on,
        validity_end=None
        if status == Status.UNFAVOURABLE
        else decided_on + datetime.timedelta(days=540),
    )
    if notified_on is not None:
        letter = Letter(request=request, kind=letter_kind)
        letter.file.save("lettre.pdf", ContentFile(pdf_bytes()), save=False)
        letter.save()
        Letter.objects.filter(pk=letter.pk).update(created_at=at(notified_on))
    return request


def supporting_document(
    request: AdmissibilityRequest, kind: str = SupportingKind.IDENTITY, name: str = "cni.pdf"
) -> SupportingDocument:
    """A stored supporting document of `request` (made directly: a decided request no longer
    takes documents through the service)."""
    content = pdf_bytes()
    document = SupportingDocument(
        request=request,
        kind=kind,
        original_name=name,
        content_type="application/pdf",
        size=len(content),
        sha256="0" * 64,
        uploaded_by=request.case.candidate,
    )
    document.file.save("piece.pdf", ContentFile(content), save=False)
    document.save()
    return document


def expired_admissibility(case, *, validity_end: datetime.date | None = None):
    """The case's favourable admissibility, expired (validity ended a year ago unless told)."""
    end = validity_end or days_ago(365)
    decided_on = end - datetime.timedelta(days=540)
    return AdmissibilityRequestFactory(
        case=case,
        filled=True,
        status=Status.EXPIRED,
        submitted_at=at(decided_on - datetime.timedelta(days=70)),
        complete_on=decided_on - datetime.timedelta(days=60),
        decision_due=decided_on,
        decided_on=decided_on,
        validity_end=end,
    )


def written_draft(referentiel, candidate=None) -> Dossier:
    """A Livret 2 in progress with something in every part that holds the candidate's words:
    texts, a situation with revisions, an attachment scanned and redacted, a Word import with a
    passage to place, a coach's comment, personal-data scans."""
    dossier = dossier_for(referentiel, candidate=candidate)
    owner = dossier.case.candidate
    dossier_services.field_save(
        dossier=dossier,
        field_key="dossier.context",
        text="Ma caisse, mon équipe.",
        base_revision=0,
        by=owner,
    )
    dossier.refresh_from_db()
    Dossier.objects.filter(pk=dossier.pk).update(motivation_reasons="Pour être reconnue.")
    activity = referentiel.activities.get(number=1)
    situation = dossier_services.situation_add(dossier=dossier, activity=activity, by=owner)
    dossier_services.field_save(
        dossier=dossier,
        field_key=f"situation.{situation.pk}.title",
        text="Une allocataire en difficulté",
        base_revision=0,
        by=owner,
    )
    evidence = dossier_services.attachment_add(
        dossier=dossier,
        upload=upload("preuve.png", png_bytes(), "image/png"),
        kind="evidence",
        by=owner,
        situation=situation,
    )
    review = FileReview(attachment=evidence, sha256=evidence.sha256, findings=[])
    review.redacted_file.save("copie.pdf", ContentFile(pdf_bytes()), save=False)
    review.save()
    dossier_services.attachment_add(
        dossier=dossier,
        upload=upload("cv.pdf", pdf_bytes(), "application/pdf"),
        kind="cv",
        by=owner,
    )
    source = Livret2Import.objects.create(
        dossier=dossier,
        uploaded_by=owner,
        original_name="livret2.docx",
        sha256="0" * 64,
        plan={"fields": {"context": "Texte venu de Word."}},
        report={},
    )
    UnplacedFragment.objects.create(
        dossier=dossier, source=source, position=0, where="paragraphe 2", text="À placer"
    )
    thread = CommentThread.objects.create(dossier=dossier, section="context", opened_by=owner)
    Comment.objects.create(thread=thread, author=owner, body="Précisez le contexte.")
    TextScan.objects.create(
        dossier=dossier, field_key="dossier.context", digest="0" * 64, findings=[]
    )
    Dismissal.objects.create(dossier=dossier, label="PERSON", value="caf", text="CAF", by=owner)
    dossier.refresh_from_db()
    return dossier


def age(dossier: Dossier, days: int) -> None:
    """Make every trace of activity in the dossier `days` old."""
    moment = timezone.now() - datetime.timedelta(days=days)
    Dossier.objects.filter(pk=dossier.pk).update(updated_at=moment, created_at=moment)
    FieldRevision.objects.filter(dossier=dossier).update(created_at=moment)
    Attachment.objects.filter(dossier=dossier).update(uploaded_at=moment)
    Situation.objects.filter(dossier=dossier).update(created_at=moment)
    Livret2Import.objects.filter(dossier=dossier).update(created_at=moment)
    DossierTransitionLog.objects.filter(subject=dossier).update(at=moment)
    Comment.objects.filter(thread__dossier=dossier).update(created_at=moment)
    Dismissal.objects.filter(dossier=dossier).update(at=moment)


def abandoned_draft(referentiel, candidate=None, *, idle_days: int = 800) -> Dossier:
    """A written draft untouched for `idle_days`, on a case whose admissibility expired."""
    dossier = written_draft(referentiel, candidate=candidate)
    expired_admissibility(dossier.case)
    age(dossier, idle_days)
    return dossier


def stored_names(dossier: Dossier) -> list[str]:
    names = [a.file.name for a in Attachment.objects.filter(dossier=dossier)]
    names += [
        r.redacted_file.name
        for r in FileReview.objects.filter(attachment__dossier=dossier)
        if r.redacted_file
    ]
    assert names and all(default_storage.exists(name) for name in names)
    return names


def login_entry(model=AccessLog, *, days: int, username: str = "personne@exemple.test"):
    extra = {"get_data": "", "post_data": "", "failures_since_start": 1}
    row = model.objects.create(
        user_agent="Firefox",
        ip_address="192.0.2.1",
        username=username,
        http_accept="text/html",
        path_info="/connexion/",
        **(extra if model is AccessAttempt else {}),
    )
    model.objects.filter(pk=row.pk).update(
        attempt_time=timezone.now() - datetime.timedelta(days=days)
    )
    return row


LOGIN_MODELS = (AccessLog, AccessFailureLog, AccessAttempt)
