"""Personal data in a Livret 2: findings per text part and per file, and what the candidate does
about them (replace by a placeholder, mark as not personal, redact a PDF, check an image by eye).

Scans are remembered (`TextScan`, `FileReview`) and redone only when the text or file changed, so
showing a page scans only what was written since the last look.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from vaecos.accounts.models import User
from vaecos.dossiers import fields as dossier_fields
from vaecos.dossiers import services as dossier_services
from vaecos.dossiers.models import Attachment, Dossier, Situation
from vaecos.dossiers.services import DossierError
from vaecos.dossiers.uploads import delete_after_commit
from vaecos.pii import detection, pdf
from vaecos.pii.detection import Finding
from vaecos.pii.models import Dismissal, FileReview, TextScan

# The header holds the candidate's own name: it is not scanned.
SKIPPED_DOSSIER_FIELDS = {"last_name", "first_name"}
SECTION_NAMES = {
    "motivation_reasons": "Motivation",
    "motivation_strengths": "Motivation",
    "context": "Contexte de l'organisme",
}


def clean_text(text: str) -> str:
    """A text as the candidate sent it, without the NUL character: no one types it, and
    PostgreSQL refuses it in text columns."""
    return text.replace("\x00", "")


def _dismissal_value(text: str) -> str:
    """How a dismissed text is remembered: case, accents and spacing ignored."""
    return re.sub(r"\s+", " ", detection.fold(text)).strip()[:300]


def own_names(dossier: Dossier) -> list[str]:
    candidate = dossier.case.candidate
    return [dossier.first_name, dossier.last_name, candidate.first_name, candidate.last_name]


# --- Text parts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    key: str
    label: str
    where: str
    url: str
    text: str


def page_url(dossier: Dossier, key: str) -> str:
    """The editor page where a text part is written, with the field's anchor."""
    ref = dossier_fields.parse_key(key)
    anchor = "#" + dossier_fields.dom_id(key)
    if ref.situation_id is not None:
        return reverse("dossiers:situation", args=[dossier.pk, ref.situation_id]) + anchor
    if ref.name == "context":
        return reverse("dossiers:context", args=[dossier.pk]) + anchor
    return reverse("dossiers:motivation", args=[dossier.pk]) + anchor


def text_parts(dossier: Dossier) -> list[Part]:
    """Every text part that goes to the jury: the dossier's own parts, then each included
    situation's parts."""
    names = [n for n in dossier_fields.DOSSIER_FIELDS if n not in SKIPPED_DOSSIER_FIELDS]
    stored = Dossier.objects.filter(pk=dossier.pk).values(*names).get()  # the saved text, fresh
    parts = [
        Part(
            key=dossier_fields.dossier_key(name),
            label=dossier_fields.DOSSIER_FIELDS[name][0],
            where=SECTION_NAMES[name],
            url=page_url(dossier, dossier_fields.dossier_key(name)),
            text=stored[name] or "",
        )
        for name in names
    ]
    situations = dossier.situations.filter(included=True).select_related("activity")
    for situation in situations:
        where = f"Activité {situation.activity.roman} — {_situation_name(situation)}"
        for name, (label, _) in dossier_fields.SITUATION_FIELDS.items():
            key = dossier_fields.situation_key(situation.pk, name)
            parts.append(
                Part(key, label, where, page_url(dossier, key), getattr(situation, name) or "")
            )
    return parts


def _situation_name(situation: Situation) -> str:
    title = (situation.title or "").strip()
    return f"situation « {title[:60]} »" if title else "situation sans titre"


# --- Scanning with memory --------------------------------------------------------------------


def _digest(text: str, names: Sequence[str]) -> str:
    material = "\x1f".join([detection.VERSION, *names, text])
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()


class Scanner:
    """Findings of one dossier's text parts, with what is remembered loaded once."""

    def __init__(self, dossier: Dossier) -> None:
        self.dossier = dossier
        self.names = own_names(dossier)
        self.scans = {s.field_key: s for s in TextScan.objects.filter(dossier=dossier)}
        self.dismissed = set(
            Dismissal.objects.filter(dossier=dossier).values_list("label", "value")
        )

    def is_dismissed(self, label: str, text: str) -> bool:
        return (label, _dismissal_value(text)) in self.dismissed

    def findings(self, key: str, text: str) -> list[Finding]:
        """The findings of a text part still to resolve (the dismissed ones left out), from the
        remembered scan while the text is unchanged."""
        digest = _digest(text, self.names)
        scan = self.scans.get(key)
        if scan is not None and scan.digest == digest:
            found = [Finding(*row) for row in scan.findings]
        else:
            found = detection.scan_text(text, own_names=self.names)
            self._remember(key, digest, found)
        return [f for f in found if not self.is_dismissed(f.label, f.text)]

    def _remember(self, key: str, digest: str, found: list[Finding]) -> None:
        rows = [[f.label, f.start, f.end, f.text, f.score] for f in found]
        try:
            with transaction.atomic():
                scan, _ = TextScan.objects.update_or_create(
                    dossier=self.dossier,
                    field_key=key,
                    defaults={"digest": digest, "findings": rows},
                )
            self.scans[key] = scan
        except IntegrityError:
            pass  # another request stored the same scan at the same moment


# --- Highlights ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Excerpt:
    """A finding in its surrounding words, for the highlighted view."""

    finding: Finding
    before: str
    after: str


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def excerpts(text: str, findings: Sequence[Finding], width: int = 60) -> list[Excerpt]:
    result = []
    for f in findings:
        before = text[max(0, f.start - width) : f.start]
        after = text[f.end : f.end + width]
        if f.start > width:
            before = "…" + before.split(" ", 1)[-1] if " " in before else "…" + before
        if f.end + width < len(text):
            after = (after.rsplit(" ", 1)[0] if " " in after else after) + "…"
        result.append(Excerpt(f, _flat(before), _flat(after)))
    return result


@dataclass(frozen=True)
class KindCount:
    label: str
    name: str
    placeholder: str
    count: int


def kinds(findings: Iterable[Finding]) -> list[KindCount]:
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.label] = counts.get(f.label, 0) + 1
    return [
        KindCount(label, detection.LABEL_NAMES[label], detection.PLACEHOLDERS[label], count)
        for label, count in sorted(counts.items(), key=lambda item: detection.LABELS.index(item[0]))
    ]


# --- Actions on text -------------------------------------------------------------------------


def _replace(text: str, findings: Sequence[Finding]) -> str:
    for finding in sorted(findings, key=lambda f: f.start, reverse=True):
        text = text[: finding.start] + finding.placeholder + text[finding.end :]
    return text


def _check_label(label: str) -> None:
    if label not in detection.LABELS:
        raise DossierError("Type de donnée inconnu.")


def finding_replace(
    *, dossier: Dossier, field_key: str, label: str, start: int, text: str, by: User
) -> Finding:
    """Replace one finding by its placeholder, as a new revision of the field."""
    _check_label(label)
    scanner = Scanner(dossier)
    replaced: list[Finding] = []

    def change(current: str) -> str:
        matches = [
            f for f in scanner.findings(field_key, current) if f.label == label and f.text == text
        ]
        if not matches:
            raise DossierError(
                f"« {text} » n'est plus dans ce texte : il a peut-être déjà été remplacé."
            )
        finding = min(matches, key=lambda f: abs(f.start - start))
        replaced.append(finding)
        return _replace(current, [finding])

    dossier_services.field_rewrite(dossier=dossier, field_key=field_key, change=change, by=by)
    return replaced[0]


def kind_replace_all(*, dossier: Dossier, label: str, by: User) -> int:
    """Replace every unresolved finding of one kind, in every text part: one revision per part.
    Returns how many were replaced."""
    _check_label(label)
    scanner = Scanner(dossier)
    total = 0
    with transaction.atomic():
        for part in text_parts(dossier):
            if not any(f.label == label for f in scanner.findings(part.key, part.text)):
                continue

            def change(current: str, key: str = part.key) -> str:
                nonlocal total
                found = [f for f in scanner.findings(key, current) if f.label == label]
                total += len(found)
                return _replace(current, found)

            dossier_services.field_rewrite(
                dossier=dossier, field_key=part.key, change=change, by=by
            )
    return total


def finding_dismiss(*, dossier: Dossier, label: str, text: str, by: User) -> Dismissal:
    """Mark a finding as not personal data, for every place it appears in this dossier."""
    _check_label(label)
    text = clean_text(text)
    value = _dismissal_value(text)
    if not value:
        raise DossierError("Rien à marquer.")
    with transaction.atomic():
        dossier_services._lock(dossier, light=True)
        dismissal, _ = Dismissal.objects.get_or_create(
            dossier=dossier, label=label, value=value, defaults={"text": text[:300], "by": by}
        )
    return dismissal


def dismissal_cancel(*, dossier: Dossier, dismissal_id: int, by: User) -> None:
    with transaction.atomic():
        dossier_services._lock(dossier, light=True)
        deleted, _ = Dismissal.objects.filter(dossier=dossier, pk=dismissal_id).delete()
    if not deleted:
        raise DossierError("Cette décision n'existe plus.")


# --- Files -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileFinding:
    page: int
    finding: Finding


@dataclass
class FileStatus:
    attachment: Attachment
    review: FileReview
    findings: list[FileFinding] = field(default_factory=list)  # unresolved

    @property
    def unreadable(self) -> bool:
        """Part of the file (or all of it) the scan cannot read: to check by eye."""
        return bool(self.review.unreadable_pages)

    @property
    def needs_eye_check(self) -> bool:
        return self.unreadable and self.review.eye_checked_at is None

    @property
    def resolved(self) -> bool:
        return not self.findings and not self.needs_eye_check

    @property
    def is_pdf(self) -> bool:
        return self.attachment.content_type == "application/pdf"


def _read(attachment: Attachment) -> bytes:
    with attachment.file.open("rb") as handle:
        return handle.read()


def _scan_file(attachment: Attachment, data: bytes, names: Sequence[str]) -> tuple[list, list]:
    if attachment.content_type != "application/pdf":
        return [], [0]  # an image: the scan reads no text in it
    rows: list[list] = []
    unreadable: list[int] = []
    for page in pdf.pages_text(data):
        if not page.readable:
            unreadable.append(page.number)
        for f in detection.scan_text(page.text, own_names=names):
            rows.append([page.number, f.label, f.start, f.end, f.text, f.score])
    return rows, unreadable


def file_review(attachment: Attachment, names: Sequence[str]) -> FileReview:
    """The attachment's scan, redone if the file changed."""
    review = FileReview.objects.filter(attachment=attachment).first()
    if (
        review is not None
        and review.sha256 == attachment.sha256
        and review.detector_version == detection.VERSION
    ):
        return review
    try:
        rows, unreadable = _scan_file(attachment, _read(attachment), names)
    except Exception:  # a file pdfium cannot open, or gone from storage: checked by eye
        rows, unreadable = [], [0]
    with transaction.atomic():
        review, _ = FileReview.objects.update_or_create(
            attachment=attachment,
            defaults={
                "sha256": attachment.sha256,
                "detector_version": detection.VERSION,
                "findings": rows,
                "unreadable_pages": unreadable,
                "eye_checked_by": None,
                "eye_checked_at": None,
            },
        )
    return review


def file_status(attachment: Attachment, scanner: Scanner) -> FileStatus:
    review = file_review(attachment, scanner.names)
    return FileStatus(
        attachment,
        review,
        [
            FileFinding(page, Finding(label, start, end, text, score))
            for page, label, start, end, text, score in review.findings
            if not scanner.is_dismissed(label, text)
        ],
    )


@dataclass(frozen=True)
class DossierReview:
    """Everything the scan says of one dossier: the text parts with findings, every file."""

    parts: list[tuple[Part, list[Finding]]]
    files: list[FileStatus]

    @property
    def findings(self) -> list[Finding]:
        return [f for _, found in self.parts for f in found]


def dossier_review(dossier: Dossier) -> DossierReview:
    scanner = Scanner(dossier)
    parts = [(part, scanner.findings(part.key, part.text)) for part in text_parts(dossier)]
    return DossierReview(
        parts=[(part, found) for part, found in parts if found],
        files=[file_status(a, scanner) for a in dossier.attachments.all()],
    )


def _locked_attachment(dossier: Dossier, attachment_id: int) -> tuple[Dossier, Attachment]:
    dossier = dossier_services._lock(dossier)
    attachment = (
        Attachment.objects.select_for_update().filter(dossier=dossier, pk=attachment_id).first()
    )
    if attachment is None:
        raise DossierError("Cette pièce n'existe plus.")
    return dossier, attachment


def file_redact(*, dossier: Dossier, attachment_id: int, by: User) -> FileReview:
    """Prepare a redacted copy of a PDF, with every unresolved finding gone. The original stays
    until the candidate confirms."""
    with transaction.atomic():
        dossier, attachment = _locked_attachment(dossier, attachment_id)
        status = file_status(attachment, Scanner(dossier))
        if not status.is_pdf:
            raise DossierError("Seuls les PDF peuvent être masqués automatiquement.")
        if not status.findings:
            raise DossierError("Rien à masquer dans ce document.")
        spans: dict[int, list[tuple[int, int]]] = {}
        for item in status.findings:
            spans.setdefault(item.page, []).append((item.finding.start, item.finding.end))
        try:
            copy = pdf.redact(_read(attachment), spans)
        except Exception as exc:  # a PDF pdfium cannot redraw: say so, never a server error
            raise DossierError(
                "Ce PDF n'a pas pu être masqué automatiquement. Masquez-le avec votre logiciel "
                "(en supprimant vraiment le texte), puis remplacez la pièce."
            ) from exc
        review = status.review
        old = review.redacted_file.name if review.redacted_file else ""
        review.redacted_file.save("copie.pdf", ContentFile(copy), save=False)
        review.redacted_count = len(status.findings)
        review.save(update_fields=["redacted_file", "redacted_count"])
        delete_after_commit(review.redacted_file.storage, old)
    return review


def file_redaction_confirm(*, dossier: Dossier, attachment_id: int, by: User) -> Attachment:
    """Replace the original by its redacted copy: the original file is deleted."""
    with transaction.atomic():
        dossier, attachment = _locked_attachment(dossier, attachment_id)
        review = FileReview.objects.select_for_update().filter(attachment=attachment).first()
        if review is None or not review.redacted_file:
            raise DossierError("Aucune copie masquée n'attend votre confirmation.")
        with review.redacted_file.open("rb") as handle:
            data = handle.read()
        storage, original = attachment.file.storage, attachment.file.name
        redacted_name = review.redacted_file.name
        pages = {row[0] for row in review.findings}
        attachment.file.save(f"{attachment.pk}.pdf", ContentFile(data), save=False)
        attachment.size = len(data)
        attachment.sha256 = hashlib.sha256(data).hexdigest()
        if not attachment.original_name.lower().endswith(".pdf"):
            attachment.original_name = attachment.original_name[:240] + ".pdf"
        attachment.save(update_fields=["file", "size", "sha256", "original_name"])
        # The pages turned into pictures were looked at by the candidate when confirming.
        review.sha256 = attachment.sha256
        review.detector_version = detection.VERSION
        review.findings = []
        review.unreadable_pages = [p for p in review.unreadable_pages if p not in pages]
        review.redacted_file = ""
        review.replaced_at = timezone.now()
        review.save()
        delete_after_commit(storage, original, redacted_name)
    return attachment


def file_redaction_discard(*, dossier: Dossier, attachment_id: int, by: User) -> None:
    with transaction.atomic():
        dossier, attachment = _locked_attachment(dossier, attachment_id)
        review = FileReview.objects.select_for_update().filter(attachment=attachment).first()
        if review is None or not review.redacted_file:
            return
        storage, name = review.redacted_file.storage, review.redacted_file.name
        review.redacted_file = ""  # type: ignore[assignment]
        review.save(update_fields=["redacted_file"])
        delete_after_commit(storage, name)


def file_eye_check(*, dossier: Dossier, attachment_id: int, by: User) -> None:
    """The candidate looked at what the scan cannot read and found no personal data."""
    with transaction.atomic():
        dossier, attachment = _locked_attachment(dossier, attachment_id)
        review = file_review(attachment, own_names(dossier))
        review.eye_checked_by = by
        review.eye_checked_at = timezone.now()
        review.save(update_fields=["eye_checked_by", "eye_checked_at"])
