"""Files written by an action that may still fail: written last, removed if it fails.

A stored file is not part of the database transaction: if the action fails after writing it,
the rows roll back but the file would stay, referenced by nothing. Actions write their files
through `written_files()`: when an exception leaves the block, every file written inside it is
deleted before the exception goes on (and the transaction rolls back).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile

logger = logging.getLogger(__name__)


class Written:
    """The files saved so far by one action."""

    def __init__(self) -> None:
        self.files: list[tuple[FieldFile, str]] = []

    def save(self, field_file: FieldFile, name: str, content: bytes) -> None:
        """Store `content` in the file field (the row itself is saved by the caller)."""
        field_file.save(name, ContentFile(content), save=False)
        if field_file.name:
            self.files.append((field_file, field_file.name))

    def discard(self) -> None:
        for field_file, name in self.files:
            try:
                field_file.storage.delete(name)
            except Exception:  # noqa: BLE001 — the original failure matters more
                logger.exception("could not remove the stray file %s", name)
        self.files.clear()


@contextmanager
def written_files() -> Iterator[Written]:
    written = Written()
    try:
        yield written
    except BaseException:
        written.discard()
        raise
