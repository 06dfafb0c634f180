"""Référentiel YAML files for tests: the real one, or a changed copy written to a folder."""

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import REFERENTIEL_FILE


def real_data() -> dict[str, Any]:
    return yaml.safe_load(REFERENTIEL_FILE.read_text(encoding="utf-8"))


def write_version(
    folder: Path,
    *,
    version: str = "2027",
    change: Callable[[dict[str, Any]], None] | None = None,
    name: str | None = None,
) -> Path:
    """A copy of the real file with another version label, changed by `change(data)`."""
    data = copy.deepcopy(real_data())
    data["version"] = version
    if change is not None:
        change(data)
    path = folder / (name or f"cqp-cos-{version}.yaml")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def activity(data: dict[str, Any], number: int) -> dict[str, Any]:
    return next(a for a in data["activities"] if a["number"] == number)
