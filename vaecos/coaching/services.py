"""Coaching: the candidate's declaration, the coach's assignment, the review's comment threads,
and the Livret 2's finalisation and reopening (lifecycle: "in progress → final", "final → in
progress").

Each action is one transaction; its e-mails go out once it has committed (`notifications`).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from vaecos.accounts.models import Organisation, Role, User
from vaecos.cases.models import Coaching, VaeCase
from vaecos.coaching import notifications, permissions
from vaecos.coaching.models import Comment, CommentThread
from vaecos.coaching.sections import GENERAL, section_label
from vaecos.dossiers.models import Dossier, DossierStatus
from vaecos.dossiers.workflow import DOSSIER_WORKFLOW
from vaecos.utils.errors import ActionRefused

MAX_COMMENT = 10_000
MAX_REASON = 2_000


class CoachingError(ActionRefused):
    """A refused coaching action."""


# --- Declaration and assignment --------------------------------------------------------------


def institut_410() -> Organisation | None:
    return Organisation.objects.filter(is_institut_410=True).order_by("pk").first()


def other_organisations() -> QuerySet[Organisation]:
    """The coaching organisations a candidate may name besides Institut 4.10."""
    return Organisation.objects.filter(coaches=True, is_institut_410=False).order_by("name")


def eligible_coaches(case: VaeCase) -> QuerySet[User]:
    """The active coaches of the case's coaching organisation (none when there is none)."""
    if case.coaching_organisation_id is None:
        return User.objects.none()
    return User.objects.filter(
        role=Role.COACH, is_active=True, organisation_id=case.coaching_organisation_id
    ).order_by("last_name", "first_name", "email")


def _latest_dossier(case: VaeCase) -> Dossier | None:
    return case.dossiers.order_by("-attempt").first()  # type: ignore[attr-defined]


def _lock_case(case: VaeCase) -> VaeCase:
    return VaeCase.objects.select_for_update(of=("self",)).select_related("coach").get(pk=case.pk)


@transaction.atomic
def coaching_declare(
    *, case: VaeCase, coaching: str, by: User, organisation: Organisation | None = None
) -> VaeCase:
    """The candidate says who coaches them: Institut 4.10, another organisation, or nobody.

    A coach already assigned stays only if they belong to the organisation now declared."""
    case = _lock_case(case)
    latest = _latest_dossier(case)
    if latest is not None and latest.status == DossierStatus.TRANSMITTED:
        raise CoachingError(
            "Votre dossier est transmis au jury : l'accompagnement ne peut plus être modifié."
        )
    if coaching == Coaching.INSTITUT_410:
        organisation = institut_410()
        if organisation is None:
            raise CoachingError(
                "L'Institut 4.10 n'est pas encore enregistré sur la plateforme : "
                "contactez l'Ucanss."
            )
    elif coaching == Coaching.OTHER:
        if organisation is None or not other_organisations().filter(pk=organisation.pk).exists():
            raise CoachingError("Choisissez votre organisme d'accompagnement dans la liste.")
    elif coaching == Coaching.NONE:
        organisation = None
    else:
        raise CoachingError("Choisissez l'une des possibilités proposées.")
    case.coaching = coaching
    case.coaching_organisation = organisation
    case.coaching_declared_at = timezone.now()
    fields = ["coaching", "coaching_organisation", "coaching_declared_at"]
    if case.coach is not None and (
        organisation is None or case.coach.organisation_id != organisation.pk
    ):
        case.coach = None
        fields.append("coach")
    case.save(update_fields=fields)
    return case


@transaction.atomic
def coach_assign(*, case: VaeCase, coach: User, by: User) -> VaeCase:
    """Staff give the case a coach of the organisation the candidate declared."""
    if not permissions.is_staff(by):
        raise CoachingError("Seul le personnel de l'Ucanss attribue un accompagnateur.")
    case = _lock_case(case)
    if case.coaching not in (Coaching.INSTITUT_410, Coaching.OTHER):
        raise CoachingError(
            "Le candidat n'a pas déclaré d'accompagnement par un organisme : "
            "aucun accompagnateur ne peut lui être attribué."
        )
    if coach.role != Role.COACH or not coach.is_active:
        raise CoachingError(f"{coach.display_name} n'est pas un accompagnateur actif.")
    if coach.organisation_id != case.coaching_organisation_id:
        raise CoachingError(
            f"{coach.display_name} n'appartient pas à l'organisme d'accompagnement du candidat "
            f"({case.coaching_organisation})."
        )
    if case.coach_id == coach.pk:
        raise CoachingError(f"{coach.display_name} accompagne déjà ce candidat.")
    case.coach = coach
    case.save(update_fields=["coach"])
    notifications.assigned(case)
    return case


# --- Comment threads -------------------------------------------------------------------------


def open_thread_count(dossier: Dossier) -> int:
    """Threads of the dossier not resolved yet (for the candidate's link to the review)."""
    return CommentThread.objects.filter(dossier=dossier, resolved_at__isnull=True).count()


def _clean_body(body: str, limit: int = MAX_COMMENT) -> str:
    body = body.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    if not body:
        raise CoachingError("Écrivez votre commentaire avant de l'envoyer.")
    if len(body) > limit:
        raise CoachingError(f"Le texte fait {len(body)} caractères, la limite est de {limit}.")
    return body


def _check_open_for_comments(dossier: Dossier) -> None:
    if dossier.status == DossierStatus.TRANSMITTED:
        raise CoachingError("Le dossier est transmis au jury : les commentaires sont clos.")


@transaction.atomic
def thread_open(*, dossier: Dossier, section: str, body: str, by: User) -> CommentThread:
    """The coach opens a thread on a section with a first comment; the candidate is told."""
    if not permissions.can_open_thread(by, dossier):
        raise CoachingError("Seul l'accompagnateur du candidat ouvre un fil de commentaires.")
    _check_open_for_comments(dossier)
    if section_label(dossier, section) is None:
        raise CoachingError("Cette partie du dossier n'existe pas.")
    body = _clean_body(body)
    thread = CommentThread.objects.create(dossier=dossier, section=section, opened_by=by)
    comment = Comment.objects.create(thread=thread, author=by, body=body)
    notifications.commented(comment, opened=True)
    return thread


def _lock_thread(thread: CommentThread) -> CommentThread:
    return (
        CommentThread.objects.select_for_update().select_related("dossier__case").get(pk=thread.pk)
    )


@transaction.atomic
def thread_reply(*, thread: CommentThread, body: str, by: User) -> Comment:
    """The coach or the candidate answers; an answer reopens a resolved thread."""
    thread = _lock_thread(thread)
    if not permissions.can_reply(by, thread.dossier):
        raise CoachingError("Seuls le candidat et son accompagnateur répondent aux commentaires.")
    _check_open_for_comments(thread.dossier)
    body = _clean_body(body)
    if thread.resolved_at is not None:
        thread.resolved_at = None
        thread.resolved_by = None
        thread.save(update_fields=["resolved_at", "resolved_by"])
    comment = Comment.objects.create(thread=thread, author=by, body=body)
    notifications.commented(comment, opened=False)
    return comment


@transaction.atomic
def thread_resolve(*, thread: CommentThread, by: User) -> CommentThread:
    """The candidate marks the thread as dealt with; the coach is told."""
    thread = _lock_thread(thread)
    if not permissions.can_resolve(by, thread.dossier):
        raise CoachingError("Seul le candidat marque un commentaire comme traité.")
    if thread.resolved_at is not None:
        raise CoachingError("Ce fil de commentaires est déjà marqué comme traité.")
    thread.resolved_at = timezone.now()
    thread.resolved_by = by
    thread.save(update_fields=["resolved_at", "resolved_by"])
    notifications.resolved(thread)
    return thread


# --- Finalising and reopening the Livret 2 ---------------------------------------------------


def _lock_dossier(dossier: Dossier) -> Dossier:
    # The same row lock as the editor's (vaecos.dossiers.services._lock), without its "must be
    # editable" check: the workflow says why a transition is refused.
    return Dossier.objects.select_for_update().select_related("case").get(pk=dossier.pk)


def finalized_at(dossier: Dossier):  # type: ignore[no-untyped-def]
    """When the dossier was last declared final (None if it is not final)."""
    if dossier.status != DossierStatus.FINAL:
        return None
    return (
        dossier.transitions.filter(transition="finalize")  # type: ignore[attr-defined]
        .order_by("-at", "-pk")
        .values_list("at", flat=True)
        .first()
    )


@transaction.atomic
def dossier_finalize(*, dossier: Dossier, by: User) -> Dossier:
    """The candidate declares the Livret 2 final: it is frozen and the coach is told.
    Refused, with the reason, while the template's rules are not met."""
    dossier = _lock_dossier(dossier)
    if not permissions.is_owner(by, dossier.case):
        raise CoachingError("Seul le candidat déclare son dossier finalisé.")
    DOSSIER_WORKFLOW.apply(dossier, "finalize", by=by)
    notifications.finalized(dossier)
    return dossier


def _clean_reason(reason: str) -> str:
    reason = reason.replace("\x00", "").strip()
    if not reason:
        raise CoachingError("Indiquez le motif de la réouverture.")
    if len(reason) > MAX_REASON:
        raise CoachingError(
            f"Le motif fait {len(reason)} caractères, la limite est de {MAX_REASON}."
        )
    return reason


@transaction.atomic
def dossier_reopen(*, dossier: Dossier, reason: str, by: User) -> Dossier:
    """Staff unfreeze a final Livret 2; the reason stays in the transition log."""
    if not permissions.can_reopen(by):
        raise CoachingError("Seul le personnel de l'Ucanss rouvre un dossier finalisé.")
    reason = _clean_reason(reason)
    dossier = _lock_dossier(dossier)
    DOSSIER_WORKFLOW.apply(dossier, "reopen", by=by, reason=reason)
    notifications.reopened(dossier, reason=reason, by=by)
    return dossier


@transaction.atomic
def dossier_reopen_request(*, dossier: Dossier, reason: str, by: User) -> CommentThread:
    """The coach asks the Ucanss to reopen a final Livret 2: the instructeurs get an e-mail, and
    the request stays on the review as a thread of the "general" section."""
    if not permissions.can_request_reopening(by, dossier):
        raise CoachingError("Seul l'accompagnateur du candidat demande la réouverture.")
    reason = _clean_reason(reason)
    dossier = _lock_dossier(dossier)
    if dossier.status != DossierStatus.FINAL:
        raise CoachingError(
            f"Le dossier est « {dossier.get_status_display()} » : "
            "seul un dossier finalisé peut être rouvert."
        )
    thread = CommentThread.objects.create(dossier=dossier, section=GENERAL, opened_by=by)
    comment = Comment.objects.create(
        thread=thread, author=by, body=f"Demande de réouverture du dossier : {reason}"
    )
    notifications.reopen_requested(dossier, reason=reason, by=by)
    notifications.commented(comment, opened=True)
    return thread
