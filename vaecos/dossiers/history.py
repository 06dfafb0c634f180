"""A field's history as people read it: every revision, what it changed, which one is current."""

from dataclasses import dataclass

from vaecos.dossiers.diff import word_diff
from vaecos.dossiers.models import Dossier, FieldRevision, RevisionKind


@dataclass(frozen=True)
class HistoryEntry:
    revision: FieldRevision
    diff: list[tuple[str, str]]  # against the text that was current before it
    is_current: bool


def field_history(dossier: Dossier, field_key: str) -> list[HistoryEntry]:
    """Newest first. A conflict copy is compared with the text it competed with, and never
    becomes the base of the next comparison: it was never the field's value."""
    revisions = list(
        dossier.revisions.filter(field_key=field_key).select_related("author").order_by("number")
    )
    current = max((r.number for r in revisions if r.kind != RevisionKind.CONFLICT), default=0)
    entries = []
    previous_text = ""
    for revision in revisions:
        entries.append(
            HistoryEntry(
                revision=revision,
                diff=word_diff(previous_text, revision.text),
                is_current=revision.number == current,
            )
        )
        if revision.kind != RevisionKind.CONFLICT:
            previous_text = revision.text
    entries.reverse()
    return entries
