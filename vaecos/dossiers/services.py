"""Actions on a Livret 2 that touch several rows: each one is a single transaction."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction

from vaecos.accounts.models import User
from vaecos.cases.models import VaeCase
from vaecos.dossiers import fields as dossier_fields
from vaecos.dossiers.models import (
    Attachment,
    AttachmentKind,
    ContextMode,
    Dossier,
    DossierTransitionLog,
    FieldRevision,
    RevisionKind,
    Situation,
)
from vaecos.dossiers.uploads import (
    UploadRejected,
    check_upload,
    delete_with_file,
    file_fields,
    save_with_file,
)
from vaecos.referentiels.models import Activity, Branch
from vaecos.utils.errors import ActionRefused


class DossierError(ActionRefused):
    """A refused action on a Livret 2."""


def _lock(dossier: Dossier, *, light: bool = False) -> Dossier:
    # One writer per dossier at a time: revision numbers and conflict checks stay exact.
    rows = Dossier.objects.select_for_update()
    if light:  # autosave: skip the big text columns
        rows = rows.only("pk", "status", "case_id")
    locked = rows.get(pk=dossier.pk)
    if not locked.is_editable:
        raise DossierError(
            f"Le dossier est « {locked.get_status_display()} » : il n'est plus modifiable."
        )
    return locked


@transaction.atomic
def dossier_open(*, case: VaeCase, by: User | None = None) -> Dossier:
    candidate = case.candidate
    attempt = (case.dossiers.aggregate(m=models.Max("attempt"))["m"] or 0) + 1
    dossier = Dossier.objects.create(
        case=case,
        attempt=attempt,
        last_name=candidate.last_name.upper(),
        first_name=candidate.first_name,
        branch=case.branch,
    )
    DossierTransitionLog.objects.create(
        subject=dossier,
        transition="open",
        from_state="",
        to_state=dossier.status,
        by=by,
        reason="Ouverture de l'espace de rédaction",
    )
    return dossier


def current_revisions(dossier: Dossier) -> dict[str, int]:
    """Field key → number of its current revision (one query for the whole dossier)."""
    rows = (
        FieldRevision.objects.filter(dossier=dossier)
        .exclude(kind=RevisionKind.CONFLICT)
        .values("field_key")
        .annotate(current=models.Max("number"))
    )
    return {row["field_key"]: row["current"] for row in rows}


def _current(dossier: Dossier, key: str) -> FieldRevision | None:
    return (
        FieldRevision.objects.filter(dossier=dossier, field_key=key)
        .exclude(kind=RevisionKind.CONFLICT)
        .order_by("-number")
        .first()
    )


def _next_number(dossier: Dossier, key: str) -> int:
    last = FieldRevision.objects.filter(dossier=dossier, field_key=key).aggregate(
        m=models.Max("number")
    )["m"]
    return (last or 0) + 1


@dataclass(frozen=True)
class SaveResult:
    outcome: str  # "saved", "unchanged" or "conflict"
    revision: int  # the field's current revision after the call
    saved_at: datetime | None
    current_text: str
    conflict_revision: int | None = None


def _field_ref(dossier: Dossier, key: str) -> dossier_fields.FieldRef:
    """The field a key names, provided it belongs to this dossier."""
    try:
        ref = dossier_fields.parse_key(key)
    except dossier_fields.UnknownField as exc:
        raise DossierError("Ce champ n'existe pas dans ce dossier.") from exc
    if (
        ref.situation_id is not None
        and not Situation.objects.filter(dossier_id=dossier.pk, pk=ref.situation_id).exists()
    ):
        raise DossierError("Ce champ n'existe pas dans ce dossier.")
    return ref


def _write_field(dossier: Dossier, ref: dossier_fields.FieldRef, revision: FieldRevision) -> None:
    """Make a new revision's text the field's value (UPDATEs only: no row is read back)."""
    if ref.situation_id is None:
        Dossier.objects.filter(pk=dossier.pk).update(
            **{ref.name: revision.text, "updated_at": revision.created_at}
        )
    else:
        Situation.objects.filter(pk=ref.situation_id).update(**{ref.name: revision.text})
        Dossier.objects.filter(pk=dossier.pk).update(updated_at=revision.created_at)


def _normalise(text: str) -> str:
    # Browsers send CRLF from textareas; store one form so that "unchanged" is recognised.
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


@transaction.atomic
def field_save(
    *,
    dossier: Dossier,
    field_key: str,
    text: str,
    base_revision: int,
    by: User,
    client_save_id: uuid.UUID | None = None,
    previous_save_ids: tuple[uuid.UUID, ...] = (),
) -> SaveResult:
    """Save one field's text as a new revision, unless it is based on a stale revision.

    A save based on the current revision wins. A save based on an older one never overwrites the
    newer text: it is kept in the history as a conflict copy and both texts go back to the user.
    Re-sending the same save (same client_save_id) is acknowledged again without a new row.
    `previous_save_ids` are the client's saves whose answer it never got: when the current
    revision is one of them, the client was in fact up to date and this is no conflict.

    This is the hot path of the platform (every pause in typing), so it reads only what it
    needs: the lock row, the field's latest revisions, then one insert and one update (two
    for a situation's field, which also dates the dossier).
    """
    dossier = _lock(dossier, light=True)
    ref = _field_ref(dossier, field_key)
    text = _normalise(text)
    if len(text) > ref.max_length:
        raise DossierError(
            f"« {ref.label} » : {len(text)} caractères, la limite est de {ref.max_length}."
        )

    recent = list(
        FieldRevision.objects.filter(dossier_id=dossier.pk, field_key=field_key)
        .order_by("-number")
        .only("number", "kind", "text", "client_save_id", "created_at")[:5]
    )
    next_number = recent[0].number + 1 if recent else 1
    current = next((r for r in recent if r.kind != RevisionKind.CONFLICT), None)
    if current is None and len(recent) == 5:
        current = _current(dossier, field_key)  # only after a run of conflict copies
    if current is not None:
        current_number, current_text = current.number, current.text
    else:
        current_number, current_text = 0, _stored_text(dossier, ref)

    if (
        client_save_id is not None
        and current is not None
        and current.client_save_id == client_save_id
    ):
        return SaveResult("saved", current_number, current.created_at, current_text)
    if text == current_text:
        # A re-sent save is answered as the first time, even if the text has come back since.
        resent = _resent(dossier, client_save_id, current_number, current_text)
        if resent is not None:
            return resent
        return SaveResult(
            "unchanged", current_number, current.created_at if current else None, current_text
        )
    if (
        base_revision != current_number
        and current is not None
        and current.client_save_id is not None
        and current.client_save_id in previous_save_ids
    ):
        base_revision = current_number  # the current revision is this client's own lost save
    common = {
        "dossier_id": dossier.pk,
        "situation_id": ref.situation_id,
        "field_key": field_key,
        "text": text,
        "based_on": base_revision,
        "client_save_id": client_save_id,
        "author": by,
    }
    if base_revision != current_number:
        resent = _resent(dossier, client_save_id, current_number, current_text)
        if resent is not None:
            return resent
        copy = FieldRevision.objects.create(
            number=next_number, kind=RevisionKind.CONFLICT, **common
        )
        return SaveResult("conflict", current_number, None, current_text, copy.number)

    revision = FieldRevision.objects.create(number=next_number, kind=RevisionKind.EDIT, **common)
    _write_field(dossier, ref, revision)
    return SaveResult("saved", revision.number, revision.created_at, text)


def _resent(
    dossier: Dossier, client_save_id: uuid.UUID | None, current_number: int, current_text: str
) -> SaveResult | None:
    """The answer to a save already recorded under this id (a re-sent request), if any."""
    if client_save_id is None:
        return None
    already = (
        FieldRevision.objects.filter(dossier_id=dossier.pk, client_save_id=client_save_id)
        .only("kind", "number", "created_at")
        .first()
    )
    if already is None:
        return None
    if already.kind == RevisionKind.CONFLICT:
        return SaveResult("conflict", current_number, None, current_text, already.number)
    return SaveResult("saved", current_number, already.created_at, current_text)


def _stored_text(dossier: Dossier, ref: dossier_fields.FieldRef) -> str:
    """The field's text before its first revision (e.g. the header prefilled at opening)."""
    if ref.situation_id is None:
        value = Dossier.objects.filter(pk=dossier.pk).values_list(ref.name, flat=True).first()
    else:
        value = (
            Situation.objects.filter(pk=ref.situation_id).values_list(ref.name, flat=True).first()
        )
    return value or ""


@transaction.atomic
def field_restore(*, dossier: Dossier, field_key: str, number: int, by: User) -> FieldRevision:
    """Make an old revision's text current again, as a new revision (history is never rewritten)."""
    dossier = _lock(dossier, light=True)
    ref = _field_ref(dossier, field_key)
    source = FieldRevision.objects.filter(
        dossier=dossier, field_key=field_key, number=number
    ).first()
    if source is None:
        raise DossierError("Cette version n'existe pas.")
    current = _current(dossier, field_key)
    revision = FieldRevision.objects.create(
        dossier=dossier,
        situation_id=ref.situation_id,
        field_key=field_key,
        number=_next_number(dossier, field_key),
        kind=RevisionKind.RESTORE,
        text=source.text,
        based_on=current.number if current else 0,
        restored_from=source.number,
        author=by,
    )
    _write_field(dossier, ref, revision)
    return revision


@transaction.atomic
def field_rewrite(
    *, dossier: Dossier, field_key: str, change: Callable[[str], str], by: User
) -> FieldRevision | None:
    """Rewrite a field's current text with `change` (under the dossier's lock) as a new revision;
    None when `change` leaves the text as it is. `change` may raise DossierError to refuse."""
    dossier = _lock(dossier, light=True)
    ref = _field_ref(dossier, field_key)
    current = _current(dossier, field_key)
    text = current.text if current is not None else _stored_text(dossier, ref)
    new_text = change(text)
    if new_text == text:
        return None
    if len(new_text) > ref.max_length:
        raise DossierError(
            f"« {ref.label} » : {len(new_text)} caractères, la limite est de {ref.max_length}."
        )
    revision = FieldRevision.objects.create(
        dossier_id=dossier.pk,
        situation_id=ref.situation_id,
        field_key=field_key,
        number=_next_number(dossier, field_key),
        kind=RevisionKind.EDIT,
        text=new_text,
        based_on=current.number if current else 0,
        author=by,
    )
    _write_field(dossier, ref, revision)
    return revision


@transaction.atomic
def situation_add(*, dossier: Dossier, activity: Activity, by: User) -> Situation:
    dossier = _lock(dossier)
    if activity.referentiel_version_id != dossier.case.referentiel_version_id:
        raise DossierError("Cette activité n'appartient pas au référentiel du dossier.")
    last = dossier.situations.filter(activity=activity).aggregate(m=models.Max("position"))["m"]
    return Situation.objects.create(dossier=dossier, activity=activity, position=(last or 0) + 1)


@transaction.atomic
def situation_update_options(
    *,
    dossier: Dossier,
    situation: Situation,
    by: User,
    included: bool | None = None,
    context_mode: str | None = None,
    competence_ids: list[int] | None = None,
) -> Situation:
    dossier = _lock(dossier)
    situation = dossier.situations.select_for_update().get(pk=situation.pk)
    changed = []
    if included is not None:
        situation.included = included
        changed.append("included")
    if context_mode is not None:
        if context_mode not in ContextMode.values:
            raise DossierError("Lieu de la situation inconnu.")
        situation.context_mode = context_mode
        changed.append("context_mode")
    if changed:
        situation.save(update_fields=changed)
    if competence_ids is not None:
        allowed = set(situation.activity.competences.values_list("pk", flat=True))
        if set(competence_ids) - allowed:
            raise DossierError("Ces compétences n'appartiennent pas à l'activité de la situation.")
        situation.competences.set(competence_ids)
    return situation


def situation_is_empty(situation: Situation) -> bool:
    """Nothing written now nor ever: deleting it cannot lose a line of text."""
    return (
        all(not (getattr(situation, n) or "").strip() for n in dossier_fields.SITUATION_FIELDS)
        and not situation.attachments.exists()
        and not situation.competences.exists()
        and not situation.revisions.exclude(text="").exists()
    )


@transaction.atomic
def situation_delete(*, dossier: Dossier, situation: Situation, by: User) -> None:
    """Only an empty situation can be deleted: written text is never thrown away."""
    dossier = _lock(dossier)
    situation = dossier.situations.select_for_update().get(pk=situation.pk)
    if not situation_is_empty(situation):
        raise DossierError(
            "Cette situation contient du texte ou des pièces : elle ne peut pas être supprimée. "
            "Décochez « retenue pour le dossier » pour l'écarter sans rien perdre."
        )
    situation.revisions.all().delete()
    situation.delete()


@transaction.atomic
def dossier_set_branch(*, dossier: Dossier, branch: Branch, by: User) -> Dossier:
    dossier = _lock(dossier)
    if branch.referentiel_version_id != dossier.case.referentiel_version_id:
        raise DossierError("Cette branche n'appartient pas au référentiel du dossier.")
    dossier.branch = branch
    dossier.save(update_fields=["branch", "updated_at"])
    return dossier


@transaction.atomic
def attachment_add(
    *,
    dossier: Dossier,
    upload: UploadedFile,
    kind: str,
    by: User,
    situation: Situation | None = None,
) -> Attachment:
    dossier = _lock(dossier)
    if kind not in AttachmentKind.values:
        raise DossierError("Type de pièce inconnu.")
    if kind == AttachmentKind.CV and situation is not None:
        raise DossierError("Le CV n'est pas rattaché à une situation.")
    used = dossier.attachments.aggregate(total=models.Sum("size"))["total"] or 0
    try:
        checked = check_upload(upload, dossier_used_bytes=used)
    except UploadRejected as exc:
        raise DossierError(exc.message) from exc
    attachment = Attachment(
        dossier=dossier,
        situation=situation,
        kind=kind,
        uploaded_by=by,
        **file_fields(upload, checked),
    )
    save_with_file(attachment, upload, checked)
    return attachment


@transaction.atomic
def attachment_delete(*, dossier: Dossier, attachment: Attachment, by: User) -> None:
    dossier = _lock(dossier)
    delete_with_file(attachment)
