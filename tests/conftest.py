"""Safety nets and shared fixtures for the whole suite."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be usable.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REFERENTIEL_FILE = Path(__file__).resolve().parent.parent / "referentiels" / "cqp-cos-2021.yaml"


@pytest.fixture
def referentiel(db):
    """The real référentiel file, loaded as `make run` loads it."""
    from vaecos.referentiels.loader import load_file

    return load_file(REFERENTIEL_FILE).version


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
