"""Which data each retention rule selects, on a given day. Nothing here writes.

1. Identity proofs (`SupportingDocument.kind == "identite"`) of an admissibility request, once
   the decision is notified: the request is decided (favourable, unfavourable, or favourable then
   expired) and its decision letter (explicit or implicit) has been written, which puts it in the
   candidate's space in the same transaction as the decision and e-mails it after. They go
   RETENTION_IDENTITY_DAYS days after that letter (0: at the first run). France VAE does the
   same: the identity proof only serves to instruct the request.

2. The Livret 2 draft of an abandoned case. The platform has no "withdrawn" state for a case, so
   abandoned is read from what the case shows, all of these at once:
   - the dossier is still "en cours de rédaction": never finalised, or reopened and left; a
     finalised or transmitted dossier is not a draft and is kept;
   - it was never transmitted (no session registration points to it): the jury's copy stays whole;
   - the case's admissibility has expired: it had a favourable decision whose validity ended
     before the day, no favourable decision is still valid, and no newer request (extension,
     renewal) is being filled in or instructed;
   - the case has no registration to a session still to come;
   - nothing has moved for RETENTION_DRAFT_DAYS days: no save, revision, file, situation, Word
     import, status change, coach comment or "not personal data" mark since then;
   - there is something left to erase (a draft erased once is not selected again).
   The case, the dossier row (emptied) and their logs stay: the audit trail (transition logs,
   `vaecos.audit.ReadEvent`, which protects the case and the dossier) keeps pointing somewhere.

3. The login journal of django-axes (AccessLog, AccessFailureLog, AccessAttempt): entries whose
   attempt is older than RETENTION_LOGIN_LOG_DAYS days.

Day boundaries are midnights in TIME_ZONE, as for every date of the platform.
"""

from __future__ import annotations

import datetime

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

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
from vaecos.dossiers.models import (
    Attachment,
    Dossier,
    DossierStatus,
    DossierTransitionLog,
    FieldRevision,
    Situation,
)
from vaecos.evaluation.models import EvaluationSession, Registration
from vaecos.pii.models import Dismissal, TextScan

# A decision exists and its letter says so.
DECIDED = (Status.FAVOURABLE, Status.UNFAVOURABLE, Status.EXPIRED)
DECISION_LETTERS = (LetterKind.DECISION, LetterKind.IMPLICIT)
# A request the candidate or the certifier is still working on: the case is alive.
PENDING = (Status.DRAFT, Status.SUBMITTED, Status.INCOMPLETE, Status.COMPLETE)
# The login journal's models, in the order they are reported.
LOGIN_LOG_MODELS: tuple[type[models.Model], ...] = (AccessLog, AccessFailureLog, AccessAttempt)


# The dossier's own text columns: what the candidate wrote (the header is prefilled from the
# account, and personal data all the same).
ERASED_FIELDS = (
    "last_name",
    "first_name",
    "motivation_reasons",
    "motivation_strengths",
    "context",
)


def start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day`, in TIME_ZONE."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def identity_cutoff(today: datetime.date) -> datetime.datetime:
    """Decision letters written before this moment have had their RETENTION_IDENTITY_DAYS:
    with 0 days, every letter written up to the end of `today`."""
    days = settings.RETENTION_IDENTITY_DAYS
    return start_of(today - datetime.timedelta(days=days) + datetime.timedelta(days=1))


def draft_cutoff(today: datetime.date) -> datetime.datetime:
    return start_of(today - datetime.timedelta(days=settings.RETENTION_DRAFT_DAYS))


def login_log_cutoff(today: datetime.date) -> datetime.datetime:
    return start_of(today - datetime.timedelta(days=settings.RETENTION_LOGIN_LOG_DAYS))


def identity_documents(today: datetime.date) -> models.QuerySet[SupportingDocument]:
    """Identity proofs whose request's decision was notified long enough ago; annotated with
    `notified_at`, the moment the first decision letter was written."""
    letters = Letter.objects.filter(request=OuterRef("request"), kind__in=DECISION_LETTERS)
    return (
        SupportingDocument.objects.filter(kind=SupportingKind.IDENTITY, request__status__in=DECIDED)
        .annotate(notified_at=Subquery(letters.order_by("created_at").values("created_at")[:1]))
        .filter(notified_at__lt=identity_cutoff(today))
        .select_related("request")
        .order_by("pk")
    )


def _latest(queryset: models.QuerySet, field: str) -> Subquery:
    return Subquery(queryset.order_by(f"-{field}").values(field)[:1])


def last_activity() -> Greatest:
    """The last moment anything moved in the dossier (its own `updated_at` does not move on an
    autosave, which writes revisions)."""
    dossier = OuterRef("pk")
    moments = [
        _latest(FieldRevision.objects.filter(dossier=dossier), "created_at"),
        _latest(Attachment.objects.filter(dossier=dossier), "uploaded_at"),
        _latest(Situation.objects.filter(dossier=dossier), "created_at"),
        _latest(Livret2Import.objects.filter(dossier=dossier), "created_at"),
        _latest(DossierTransitionLog.objects.filter(subject=dossier), "at"),
        _latest(Comment.objects.filter(thread__dossier=dossier), "created_at"),
        _latest(Dismissal.objects.filter(dossier=dossier), "at"),
    ]
    # SQLite's MAX() of several values is NULL when one is: a missing moment counts as the
    # dossier's own last change.
    return Greatest(
        models.F("updated_at"),
        *(Coalesce(moment, models.F("updated_at")) for moment in moments),
        output_field=models.DateTimeField(),
    )


def _has_content() -> Q:
    dossier = OuterRef("pk")
    texts = Q()
    for field in ERASED_FIELDS:
        texts |= ~Q(**{field: ""})
    return (
        texts
        | Exists(Situation.objects.filter(dossier=dossier))
        | Exists(FieldRevision.objects.filter(dossier=dossier))
        | Exists(Attachment.objects.filter(dossier=dossier))
        | Exists(Livret2Import.objects.filter(dossier=dossier))
        | Exists(UnplacedFragment.objects.filter(dossier=dossier))
        | Exists(CommentThread.objects.filter(dossier=dossier))
        | Exists(TextScan.objects.filter(dossier=dossier))
        | Exists(Dismissal.objects.filter(dossier=dossier))
    )


def abandoned_drafts(today: datetime.date) -> models.QuerySet[Dossier]:
    """Drafts of abandoned cases (see the module's docstring); annotated with `last_activity`."""
    case = OuterRef("case")
    requests = AdmissibilityRequest.objects.filter(case=case)
    expired = requests.filter(
        status__in=(Status.FAVOURABLE, Status.EXPIRED), validity_end__lt=today
    )
    still_valid = requests.filter(status=Status.FAVOURABLE, validity_end__gte=today)
    pending = requests.filter(status__in=PENDING)
    upcoming = Registration.objects.filter(
        case=case,
        session__in=EvaluationSession.objects.filter(date__gte=today),
    )
    return (
        Dossier.objects.filter(status=DossierStatus.IN_PROGRESS)
        .filter(Exists(expired), ~Exists(still_valid), ~Exists(pending), ~Exists(upcoming))
        .filter(~Exists(Registration.objects.filter(dossier=OuterRef("pk"))))
        .annotate(last_activity=last_activity())
        .filter(last_activity__lt=draft_cutoff(today))
        .filter(_has_content())
        .order_by("pk")
    )


def login_log_counts(today: datetime.date) -> list[tuple[type[models.Model], int]]:
    cutoff = login_log_cutoff(today)
    return [
        (model, model._default_manager.filter(attempt_time__lt=cutoff).count())
        for model in LOGIN_LOG_MODELS
    ]
