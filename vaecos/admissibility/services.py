"""Actions on an admissibility request: each one a transaction, a transition and its log.

Dates come from the deadline module. The letter of a transition is written in its transaction
(`letters`); its e-mail goes out only once the transaction has committed (`notifications`), so a
refused or rolled-back transition sends nothing and a failed e-mail never undoes a decision.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
from collections.abc import Iterable, Iterator, Mapping

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from vaecos.accounts.models import User
from vaecos.admissibility import notifications
from vaecos.admissibility.letters import write_letter
from vaecos.admissibility.models import (
    EDITABLE,
    AdmissibilityRequest,
    Coverage,
    Experience,
    GapAnalysis,
    LetterKind,
    Nature,
    Status,
    SupportingDocument,
    SupportingKind,
)
from vaecos.admissibility.prechecks import precheck
from vaecos.admissibility.workflow import ADMISSIBILITY_WORKFLOW
from vaecos.cases.models import VaeCase
from vaecos.cases.services import case_open
from vaecos.deadlines import get_rule
from vaecos.dossiers.uploads import (
    UploadRejected,
    check_upload,
    delete_with_file,
    file_fields,
    save_with_file,
)
from vaecos.referentiels.models import Activity, Branch, Certification
from vaecos.utils.errors import ActionRefused

logger = logging.getLogger(__name__)


class AdmissibilityError(ActionRefused):
    pass


def _notify(request: AdmissibilityRequest, kind: str, *, on: datetime.date | None = None) -> None:
    """Write the transition's letter now; e-mail it once the transaction has committed."""
    letter = write_letter(request, kind, on=on)
    notifications.send_letter_after_commit(letter)


def _open_workspace(request: AdmissibilityRequest, by: User | None) -> None:
    """A favourable admissibility opens the Livret 2 workspace (lifecycle: dossier, "— → in
    progress"), unless the case already has one."""
    from vaecos.dossiers.services import dossier_open

    if not request.case.dossiers.exists():  # type: ignore[attr-defined]
        dossier_open(case=request.case, by=by)


def _lock(request: AdmissibilityRequest) -> AdmissibilityRequest:
    # One writer at a time: a double click or two instructeurs deciding at once meet here, and
    # the second finds the new state and is refused by the workflow.
    return (
        AdmissibilityRequest.objects.select_for_update()
        .select_related("case__referentiel_version")
        .get(pk=request.pk)
    )


STALE = "La demande a été déposée entre-temps : rien n'a été modifié."


def _lock_editable(request: AdmissibilityRequest, message: str = STALE) -> AdmissibilityRequest:
    """The request locked, if the candidate may still change it: a page opened before a
    submission (another tab, a double click) must not change what was submitted."""
    locked = _lock(request)
    if locked.status not in EDITABLE:
        raise AdmissibilityError(message)
    return locked


@transaction.atomic
def request_start(*, candidate: User) -> tuple[AdmissibilityRequest, bool, str]:
    """The candidate's request in progress for the CQP, or a new one: (request, created, why).

    A new request is a first request, or after an expired admissibility an extension or a
    renewal, `why` saying which and why; a renewal is examined on the référentiel in force, in
    a case of its own. The candidate is locked: a double click opens one case and one request.
    """
    certification = Certification.objects.filter(code="cqp-cos").first()
    version = certification.current_version() if certification else None
    if version is None:
        raise AdmissibilityError("Le référentiel de la certification n'est pas chargé.")
    User.objects.select_for_update().filter(pk=candidate.pk).first()
    case = (
        VaeCase.objects.filter(
            candidate=candidate, referentiel_version__certification=certification
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if case is None:
        case = case_open(candidate=candidate, referentiel_version=version)
    existing = case.admissibility_requests.exclude(  # type: ignore[attr-defined]
        status__in=[Status.UNFAVOURABLE, Status.EXPIRED]
    ).first()
    if existing is not None:
        return existing, False, ""
    nature: str = Nature.FIRST
    why = ""
    expired = case.admissibility_requests.filter(status=Status.EXPIRED).first()  # type: ignore[attr-defined]
    if expired is not None:
        nature, why = next_nature(expired)
        if nature == Nature.RENEWAL:
            case = case_open(candidate=candidate, referentiel_version=version, branch=case.branch)
    return request_open(case=case, by=candidate, nature=nature), True, why


@transaction.atomic
def request_update(
    *,
    request: AdmissibilityRequest,
    values: Mapping[str, object],
    by: User,
    branch: Branch | None = None,
) -> AdmissibilityRequest:
    """Write the given fields of the request (and the case's branch), only these."""
    request = _lock_editable(request)
    names = [f.name for f in request._meta.concrete_fields if f.name in values]
    for name in names:
        setattr(request, name, values[name])
    request.save(update_fields=names)
    if branch is not None and branch.pk != request.case.branch_id:
        if branch.referentiel_version_id != request.case.referentiel_version_id:
            raise AdmissibilityError("Cette branche n'appartient pas au référentiel du parcours.")
        request.case.branch = branch
        request.case.save(update_fields=["branch"])
    return request


@transaction.atomic
def experience_save(
    *,
    request: AdmissibilityRequest,
    experience: Experience,
    activities: Iterable[Activity],
    by: User,
) -> Experience:
    request = _lock_editable(request)
    if experience.pk is None:
        experience.position = request.experiences.count() + 1  # type: ignore[attr-defined]
    elif experience.request_id != request.pk:
        raise AdmissibilityError("Cette expérience n'appartient pas à la demande.")
    experience.request = request
    experience.save()
    experience.activities.set(
        [a for a in activities if a.referentiel_version_id == request.case.referentiel_version_id]
    )
    return experience


@transaction.atomic
def experience_delete(*, request: AdmissibilityRequest, experience: Experience, by: User) -> None:
    request = _lock_editable(request)
    request.experiences.filter(pk=experience.pk).delete()  # type: ignore[attr-defined]


@transaction.atomic
def request_open(
    *, case: VaeCase, by: User, nature: str = Nature.FIRST, blocs_only: bool = False
) -> AdmissibilityRequest:
    if case.admissibility_requests.filter(  # type: ignore[attr-defined]
        status__in=[Status.DRAFT, Status.SUBMITTED, Status.INCOMPLETE, Status.COMPLETE]
    ).exists():
        raise AdmissibilityError("Une demande de recevabilité est déjà en cours pour ce parcours.")
    candidate = case.candidate
    return AdmissibilityRequest.objects.create(
        case=case,
        nature=nature,
        blocs_only=blocs_only,
        birth_name=candidate.last_name,
        first_names=candidate.first_name,
        email=candidate.email,
    )


@transaction.atomic
def request_submit(
    *, request: AdmissibilityRequest, by: User, now: datetime.datetime | None = None
) -> AdmissibilityRequest:
    now = now or timezone.now()
    # The candidate's row first: two of their requests submitted at once are checked against
    # the yearly limits one after the other.
    User.objects.select_for_update().filter(pk=request.case.candidate_id).first()
    request = _lock(request)
    name = "resubmit" if request.status == Status.INCOMPLETE else "submit"
    ADMISSIBILITY_WORKFLOW.check(request, name)
    check = precheck(request, timezone.localdate(now))  # the workflow allowed draft/incomplete
    if not check.can_submit:
        raise AdmissibilityError(" ".join(check.missing + check.blocking))
    if request.submitted_at is None:
        request.submitted_at = now  # the receipt date; a resubmission keeps the first one
        request.save(update_fields=["submitted_at"])
    ADMISSIBILITY_WORKFLOW.apply(request, name, by=by)
    return request


@transaction.atomic
def request_declare_incomplete(
    *, request: AdmissibilityRequest, by: User, missing_items: str
) -> AdmissibilityRequest:
    missing_items = missing_items.strip()
    if not missing_items:
        raise AdmissibilityError("Indiquez ce qui manque à la demande.")
    request = _lock(request)
    ADMISSIBILITY_WORKFLOW.apply(request, "declare_incomplete", by=by, reason=missing_items)
    request.missing_items = missing_items
    request.save(update_fields=["missing_items"])
    _notify(request, LetterKind.INCOMPLETE)
    return request


@transaction.atomic
def request_declare_complete(
    *, request: AdmissibilityRequest, by: User, on: datetime.date | None = None
) -> AdmissibilityRequest:
    request = _lock(request)
    on = on or timezone.localdate()
    last = (
        request.transitions.filter(transition="resubmit")  # type: ignore[attr-defined]
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    received = last or request.submitted_at
    if received is not None and on < timezone.localdate(received):
        raise AdmissibilityError(
            "Une demande ne peut pas être complète avant son dernier dépôt, le "
            f"{timezone.localdate(received):%d/%m/%Y}."
        )
    ADMISSIBILITY_WORKFLOW.check(request, "declare_complete")
    request.complete_on = on
    request.decision_due = get_rule("ADMISSIBILITY_DECISION_DUE").apply(on)
    request.save(update_fields=["complete_on", "decision_due"])
    ADMISSIBILITY_WORKFLOW.apply(request, "declare_complete", by=by)
    _notify(request, LetterKind.ACKNOWLEDGEMENT)
    return request


@transaction.atomic
def request_decide(
    *,
    request: AdmissibilityRequest,
    by: User,
    favourable: bool,
    gaps: Mapping[int, tuple[str, str]],
    reasons: str = "",
    recommendations: str = "",
    on: datetime.date | None = None,
) -> AdmissibilityRequest:
    """Decide with the gap analysis: `gaps` maps every activity id to (coverage, comment)."""
    request = _lock(request)
    on = on or timezone.localdate()
    activities = {a.pk: a for a in request.case.referentiel_version.activities.all()}
    if set(gaps) != set(activities):
        raise AdmissibilityError(
            "L'analyse des écarts doit couvrir chaque activité du référentiel, et elles seules."
        )
    if any(coverage not in Coverage.values for coverage, _ in gaps.values()):
        raise AdmissibilityError("Couverture inconnue dans l'analyse des écarts.")
    if not favourable and not reasons.strip():
        raise AdmissibilityError("Une décision de non-recevabilité doit être motivée.")
    if not favourable and request.decision_due is not None and on > request.decision_due:
        # Silence for two months made the request admissible on that date: it cannot be
        # refused afterwards (the scheduled checks record the implicit decision).
        raise AdmissibilityError(
            f"Le délai de décision a expiré le {request.decision_due:%d/%m/%Y} : la demande est "
            "réputée recevable (décision implicite) et ne peut plus être refusée."
        )
    name = "decide_favourable" if favourable else "decide_unfavourable"
    ADMISSIBILITY_WORKFLOW.check(request, name)
    GapAnalysis.objects.filter(request=request).delete()
    GapAnalysis.objects.bulk_create(
        GapAnalysis(request=request, activity=activities[pk], coverage=c, comment=text.strip())
        for pk, (c, text) in gaps.items()
    )
    request.decided_on = on
    request.decided_by = by
    request.decision_reasons = reasons.strip()
    request.recommendations = recommendations.strip()
    request.validity_end = get_rule("ADMISSIBILITY_VALIDITY_END").apply(on) if favourable else None
    request.save(
        update_fields=[
            "decided_on",
            "decided_by",
            "decision_reasons",
            "recommendations",
            "validity_end",
        ]
    )
    ADMISSIBILITY_WORKFLOW.apply(request, name, by=by, reason=reasons.strip())
    if favourable:
        _open_workspace(request, by)
    _notify(request, LetterKind.DECISION)
    return request


@contextlib.contextmanager
def _each(step: str, pk: int) -> Iterator[None]:
    """One request of a scheduled check: a failure is logged and the next request goes on
    (that one is tried again at the next run, its transaction having rolled back)."""
    try:
        yield
    except Exception:
        logger.exception("admissibility check %s failed for request %s", step, pk)


def requests_decide_implicitly(today: datetime.date) -> list[AdmissibilityRequest]:
    """Silence means yes: every complete request whose decision date has passed becomes
    favourable, decided on that date. Idempotent: a second run finds nothing left to do."""
    decided = []
    overdue = AdmissibilityRequest.objects.filter(status=Status.COMPLETE, decision_due__lt=today)
    for pk in overdue.values_list("pk", flat=True):
        with _each("decide_implicitly", pk), transaction.atomic():
            request = AdmissibilityRequest.objects.select_for_update().get(pk=pk)
            if request.status != Status.COMPLETE or request.decision_due is None:
                continue  # decided meanwhile by an instructeur
            if request.decision_due >= today:
                continue
            request.implicit = True
            request.decided_on = request.decision_due
            request.validity_end = get_rule("ADMISSIBILITY_VALIDITY_END").apply(
                request.decision_due
            )
            request.save(update_fields=["implicit", "decided_on", "validity_end"])
            ADMISSIBILITY_WORKFLOW.apply(
                request,
                "decide_implicitly",
                by=None,
                reason=f"Pas de décision au {request.decision_due:%d/%m/%Y} : recevable.",
            )
            _open_workspace(request, None)
            _notify(request, LetterKind.IMPLICIT, on=today)
            decided.append(request)
    return decided


def requests_expire(today: datetime.date) -> list[AdmissibilityRequest]:
    """A favourable admissibility whose validity has ended expires. Idempotent."""
    expired = []
    ended = AdmissibilityRequest.objects.filter(status=Status.FAVOURABLE, validity_end__lt=today)
    for pk in ended.values_list("pk", flat=True):
        with _each("expire", pk), transaction.atomic():
            request = AdmissibilityRequest.objects.select_for_update().get(pk=pk)
            if request.status != Status.FAVOURABLE or request.validity_end is None:
                continue
            if request.validity_end >= today:
                continue
            ADMISSIBILITY_WORKFLOW.apply(
                request,
                "expire",
                by=None,
                reason=f"Validité terminée le {request.validity_end:%d/%m/%Y}.",
            )
            notifications.send_expiry_after_commit(request, next_step=next_nature(request)[1])
            expired.append(request)
    return expired


def _reminder_due(
    today: datetime.date,
    validity_end: datetime.date | None,
    reminded_60_on: datetime.date | None,
    reminded_14_on: datetime.date | None,
) -> str | None:
    """The reminder field to fill today, if any: the 14-day one wins, so a request that reaches
    both dates at once (a late decision, checks that did not run) gets one e-mail, not two."""
    if validity_end is None or validity_end < today or reminded_14_on is not None:
        return None
    if today >= get_rule("VALIDITY_REMINDER_14").apply(validity_end):
        return "reminded_14_on"
    if today >= get_rule("VALIDITY_REMINDER_60").apply(validity_end) and reminded_60_on is None:
        return "reminded_60_on"
    return None


def requests_send_reminders(today: datetime.date) -> list[AdmissibilityRequest]:
    """Remind the candidate of a favourable admissibility 60, then 14 days before its validity
    ends (on that day or the first run after it). Idempotent: each reminder goes once."""
    reminded = []
    favourable = AdmissibilityRequest.objects.filter(
        status=Status.FAVOURABLE, validity_end__gte=today, reminded_14_on__isnull=True
    ).values_list("pk", "validity_end", "reminded_60_on", "reminded_14_on")
    for pk, *dates in favourable:
        if _reminder_due(today, *dates) is None:
            continue
        with _each("remind", pk), transaction.atomic():
            request = AdmissibilityRequest.objects.select_for_update().get(pk=pk)
            if request.status != Status.FAVOURABLE:
                continue
            field = _reminder_due(
                today, request.validity_end, request.reminded_60_on, request.reminded_14_on
            )
            if field is None or request.validity_end is None:
                continue  # sent meanwhile by another run
            setattr(request, field, today)
            request.save(update_fields=[field])
            days = (request.validity_end - today).days
            notifications.send_reminder_after_commit(request, days=days)
            reminded.append(request)
    return reminded


def next_nature(request: AdmissibilityRequest) -> tuple[str, str]:
    """After expiry: renewal when the référentiel changed since the decision, else extension;
    with the French reason shown to the candidate."""
    version = request.case.referentiel_version
    current = version.certification.current_version()
    if current is not None and current.pk != version.pk:
        return (
            Nature.RENEWAL,
            f"Le référentiel a changé depuis la décision (version {version.version} → "
            f"{current.version}) : il s'agit d'un renouvellement.",
        )
    return (
        Nature.EXTENSION,
        f"Le référentiel est le même qu'à la décision (version {version.version}) : "
        "il s'agit d'une prolongation.",
    )


@transaction.atomic
def document_add(
    *,
    request: AdmissibilityRequest,
    upload: UploadedFile,
    by: User,
    kind: str = SupportingKind.OTHER,
) -> SupportingDocument:
    """Same rules as the Livret 2's files: PDF, JPEG or PNG, checked by content, size limits."""
    request = _lock_editable(request, "La demande n'est plus modifiable.")
    used = request.documents.aggregate(total=Sum("size"))["total"] or 0  # type: ignore[attr-defined]
    try:
        checked = check_upload(upload, dossier_used_bytes=used)
    except UploadRejected as exc:
        raise AdmissibilityError(exc.message) from exc
    document = SupportingDocument(
        request=request, uploaded_by=by, kind=kind, **file_fields(upload, checked)
    )
    save_with_file(document, upload, checked)
    return document


@transaction.atomic
def document_delete(
    *, request: AdmissibilityRequest, document: SupportingDocument, by: User
) -> None:
    _lock_editable(request, "La demande n'est plus modifiable.")
    delete_with_file(document)
