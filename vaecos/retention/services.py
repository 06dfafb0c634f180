"""Applying the retention rules (vaecos.retention.rules), or only reporting what they would do.

Each identity proof and each draft is deleted in its own transaction, with its `Deletion`
record; its stored files are removed once that transaction has committed (a rollback keeps
them). One object failing is logged and the run goes on; it is tried again at the next run.
A dry run reads the same selection and writes nothing.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.files.storage import Storage
from django.db import models, transaction
from django.utils import timezone

from vaecos.admissibility.models import SupportingDocument
from vaecos.coaching.models import CommentThread
from vaecos.documents.models import Livret2Import, UnplacedFragment
from vaecos.dossiers.models import Attachment, Dossier, FieldRevision, Situation
from vaecos.dossiers.uploads import delete_after_commit
from vaecos.pii.models import Dismissal, FileReview, TextScan
from vaecos.retention import rules
from vaecos.retention.models import Deletion, Rule

logger = logging.getLogger(__name__)


@dataclass
class Item:
    """One object a rule deletes (or would delete), described without personal data."""

    label: str
    subject_type: str
    subject_id: str = ""
    count: int = 1
    case_id: int | None = None
    request_id: int | None = None
    details: dict[str, int] = field(default_factory=dict)


@dataclass
class RuleReport:
    rule: Rule
    items: list[Item] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(item.count for item in self.items)


@dataclass
class Report:
    date: datetime.date
    dry_run: bool
    run: uuid.UUID
    rules: dict[Rule, RuleReport]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (a task's return value)."""
        return {
            "date": self.date.isoformat(),
            "dry_run": self.dry_run,
            "run": str(self.run),
            "rules": {
                str(rule): {
                    "label": rule.label,
                    "count": part.count,
                    "items": [asdict(item) for item in part.items],
                    "failed": part.failed,
                }
                for rule, part in self.rules.items()
            },
        }

    def ids(self, rule: Rule) -> list[int]:
        return [int(item.subject_id) for item in self.rules[rule].items]


def _label(model: type[models.Model]) -> str:
    return model._meta.label  # "admissibility.SupportingDocument"


def _record(run: uuid.UUID, rule: Rule, item: Item) -> None:
    Deletion.objects.create(
        run=run,
        rule=rule,
        label=item.label[:300],
        subject_type=item.subject_type,
        subject_id=item.subject_id,
        count=item.count,
        details=item.details,
        case_id=item.case_id,
        admissibility_request_id=item.request_id,
    )


# --- Identity proofs ---------------------------------------------------------------------------


def _identity_item(document: SupportingDocument) -> Item:
    notified = timezone.localdate(document.notified_at)  # type: ignore[attr-defined]
    return Item(
        label=(
            f"Pièce d'identité n° {document.pk} de la demande de recevabilité "
            f"n° {document.request_id} (décision notifiée le {notified:%d/%m/%Y})"
        ),
        subject_type=_label(SupportingDocument),
        subject_id=str(document.pk),
        case_id=document.request.case_id,
        request_id=document.request_id,
    )


def identity_document_delete(*, pk: int, today: datetime.date, run: uuid.UUID) -> Item | None:
    """Delete one identity proof still due on `today`: row, file (after commit), record."""
    with transaction.atomic():
        locked = SupportingDocument.objects.select_for_update().filter(pk=pk).first()
        document = rules.identity_documents(today).filter(pk=pk).first() if locked else None
        if document is None:
            return None  # deleted meanwhile
        item = _identity_item(document)
        storage, name = document.file.storage, document.file.name
        document.delete()
        _record(run, Rule.IDENTITY, item)
        delete_after_commit(storage, name)
    return item


# --- Drafts of abandoned cases -----------------------------------------------------------------


def _draft_item(dossier: Dossier, details: dict[str, int]) -> Item:
    since = timezone.localdate(dossier.last_activity)  # type: ignore[attr-defined]
    return Item(
        label=(
            f"Brouillon du Livret 2 n° {dossier.pk} (tentative {dossier.attempt}), sans "
            f"modification depuis le {since:%d/%m/%Y}"
        ),
        subject_type=_label(Dossier),
        subject_id=str(dossier.pk),
        case_id=dossier.case_id,
        details=details,
    )


def _draft_parts(dossier: Dossier) -> dict[str, models.QuerySet]:
    """What the draft holds, in the order it can be deleted (PROTECT foreign keys first)."""
    return {
        "fichiers_analyses": FileReview.objects.filter(attachment__dossier=dossier),
        "pieces_jointes": Attachment.objects.filter(dossier=dossier),
        "revisions": FieldRevision.objects.filter(dossier=dossier),
        "textes_a_placer": UnplacedFragment.objects.filter(dossier=dossier),
        "imports_word": Livret2Import.objects.filter(dossier=dossier),
        "fils_de_commentaires": CommentThread.objects.filter(dossier=dossier),
        "analyses_de_textes": TextScan.objects.filter(dossier=dossier),
        "pas_une_donnee_personnelle": Dismissal.objects.filter(dossier=dossier),
        "situations": Situation.objects.filter(dossier=dossier),
    }


def _draft_files(dossier: Dossier) -> list[tuple[Storage, str]]:
    fields = [row.file for row in Attachment.objects.filter(dossier=dossier).only("file")]
    fields += [
        row.redacted_file
        for row in FileReview.objects.filter(attachment__dossier=dossier).only("redacted_file")
    ]
    return [(f.storage, f.name) for f in fields if f.name]


def _draft_details(dossier: Dossier) -> dict[str, int]:
    details = {name: rows.count() for name, rows in _draft_parts(dossier).items()}
    details["fichiers"] = len(_draft_files(dossier))
    details["textes_du_dossier"] = sum(1 for name in rules.ERASED_FIELDS if getattr(dossier, name))
    return {name: n for name, n in details.items() if n}


def draft_erase(*, pk: int, today: datetime.date, run: uuid.UUID) -> Item | None:
    """Erase one abandoned draft still due on `today`: its texts, situations, revisions,
    attachments (files after commit), imports, comments and scans. The dossier row, the case
    and their logs stay."""
    with transaction.atomic():
        # The dossier's lock is the one every save of the Livret 2 takes: a save that came
        # in first is seen by the check below, a later one waits and finds the draft empty.
        locked = Dossier.objects.select_for_update().filter(pk=pk).first()
        dossier = rules.abandoned_drafts(today).filter(pk=pk).first() if locked else None
        if dossier is None:
            return None  # touched or erased meanwhile
        item = _draft_item(dossier, _draft_details(dossier))
        files = _draft_files(dossier)
        for rows in _draft_parts(dossier).values():
            rows.delete()
        # update(): the dossier's `updated_at` keeps the candidate's last change.
        Dossier.objects.filter(pk=pk).update(**dict.fromkeys(rules.ERASED_FIELDS, ""))
        _record(run, Rule.DRAFT, item)
        for storage, name in files:
            delete_after_commit(storage, name)
    return item


# --- Login journal -----------------------------------------------------------------------------

# Singular, plural, and the agreement of "antérieur" (French: 0 and 1 take the singular).
LOGIN_LOG_NAMES = {
    "AccessLog": ("connexion", "connexions", "antérieure"),
    "AccessFailureLog": ("échec de connexion", "échecs de connexion", "antérieur"),
    "AccessAttempt": ("compteur d'échecs", "compteurs d'échecs", "antérieur"),
}


def _login_item(model: type[models.Model], count: int, today: datetime.date) -> Item:
    one, many, earlier = LOGIN_LOG_NAMES[model.__name__]
    cutoff = timezone.localdate(rules.login_log_cutoff(today))
    return Item(
        label=f"Journal des connexions : {count} {one if count <= 1 else many} "
        f"{earlier if count <= 1 else earlier + 's'} au {cutoff:%d/%m/%Y}",
        subject_type=_label(model),
        count=count,
    )


def login_logs_delete(*, today: datetime.date, run: uuid.UUID) -> list[Item]:
    items = []
    cutoff = rules.login_log_cutoff(today)
    with transaction.atomic():
        for model in rules.LOGIN_LOG_MODELS:
            # Only the model's own rows: AccessAttemptExpiration goes with its attempt.
            count = (
                model._default_manager.filter(attempt_time__lt=cutoff)
                .delete()[1]
                .get(_label(model), 0)
            )
            if count:
                item = _login_item(model, count, today)
                _record(run, Rule.LOGIN_LOG, item)
                items.append(item)
    return items


# --- The run -----------------------------------------------------------------------------------


def retention_run(*, today: datetime.date | None = None, dry_run: bool = False) -> Report:
    """Apply every rule for `today` (never a day after the real today: a catch-up date in
    the future must not shorten a retention period), or only report with `dry_run`."""
    real_today = timezone.localdate()
    today = min(today or real_today, real_today)
    report = Report(
        date=today,
        dry_run=dry_run,
        run=uuid.uuid4(),
        rules={rule: RuleReport(rule) for rule in Rule},
    )
    _run_identity(report)
    _run_drafts(report)
    _run_login_logs(report)
    logger.info(
        "Conservation des données du %s%s : %d pièce(s) d'identité, %d brouillon(s), "
        "%d entrée(s) du journal des connexions",
        today.isoformat(),
        " (simulation)" if dry_run else "",
        report.rules[Rule.IDENTITY].count,
        report.rules[Rule.DRAFT].count,
        report.rules[Rule.LOGIN_LOG].count,
    )
    return report


def _each(part: RuleReport, pk: object, step: Any) -> None:
    try:
        if item := step():
            part.items.append(item)
    except Exception:
        logger.exception("retention %s failed for %s", part.rule, pk)
        part.failed.append(str(pk))


def _run_identity(report: Report) -> None:
    part = report.rules[Rule.IDENTITY]
    due = rules.identity_documents(report.date)
    if report.dry_run:
        part.items = [_identity_item(document) for document in due]
        return
    for pk in list(due.values_list("pk", flat=True)):
        _each(
            part,
            pk,
            lambda pk=pk: identity_document_delete(pk=pk, today=report.date, run=report.run),
        )


def _run_drafts(report: Report) -> None:
    part = report.rules[Rule.DRAFT]
    due = rules.abandoned_drafts(report.date)
    if report.dry_run:
        part.items = [_draft_item(dossier, _draft_details(dossier)) for dossier in due]
        return
    for pk in list(due.values_list("pk", flat=True)):
        _each(part, pk, lambda pk=pk: draft_erase(pk=pk, today=report.date, run=report.run))


def _run_login_logs(report: Report) -> None:
    part = report.rules[Rule.LOGIN_LOG]
    if report.dry_run:
        part.items = [
            _login_item(model, count, report.date)
            for model, count in rules.login_log_counts(report.date)
            if count
        ]
        return
    try:
        part.items = login_logs_delete(today=report.date, run=report.run)
    except Exception:
        logger.exception("retention %s failed", part.rule)
        part.failed.append("journal")
