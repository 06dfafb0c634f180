"""Safety nets and shared fixtures for the whole suite."""

import copy
import functools
import hashlib
import os
import tempfile
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be usable.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Hypothesis keeps its caches in the system's temporary folder, not in the working tree.
os.environ.setdefault(
    "HYPOTHESIS_STORAGE_DIRECTORY", str(Path(tempfile.gettempdir()) / "vaecos-hypothesis")
)

REFERENTIEL_FILE = Path(__file__).resolve().parent.parent / "referentiels" / "cqp-cos-2021.yaml"


@functools.cache
def _referentiel_file() -> tuple[dict, str]:
    """The real file, read and checked once for the whole run (parsing YAML is slow)."""
    import yaml

    from vaecos.referentiels.loader import validate

    raw = REFERENTIEL_FILE.read_bytes()
    data = yaml.safe_load(raw)
    validate(data, REFERENTIEL_FILE.name)
    return data, hashlib.sha256(raw).hexdigest()


@pytest.fixture
def referentiel(db):
    """The real référentiel file, loaded as `make run` loads it (what load_file does)."""
    from vaecos.referentiels.loader import load_data

    data, digest = _referentiel_file()
    return load_data(copy.deepcopy(data), source_file=REFERENTIEL_FILE.name, digest=digest).version


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _test_client_host(settings):
    # Django's test client sends "testserver" as its host name.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


# One person per role. Candidates own dossiers; the other roles have no access to them yet.


@pytest.fixture
def candidate(db):
    from tests.accounts.factories import UserFactory

    return UserFactory(first_name="Camille", last_name="Martin")


@pytest.fixture
def other_candidate(db):
    from tests.accounts.factories import UserFactory

    return UserFactory()


@pytest.fixture
def coach(db):
    from tests.accounts.factories import UserFactory

    return UserFactory(coach=True)


@pytest.fixture
def instructor(db):
    from tests.accounts.factories import UserFactory

    return UserFactory(instructor=True)


@pytest.fixture
def jury_member(db):
    from tests.accounts.factories import UserFactory

    return UserFactory(jury=True)


@pytest.fixture
def administrator(db):
    from tests.accounts.factories import UserFactory

    return UserFactory(admin=True)


@pytest.fixture
def dossier(referentiel, candidate):
    """The candidate's Livret 2, opened on the real référentiel."""
    from tests.dossiers.factories import dossier_for

    return dossier_for(referentiel, candidate=candidate)


@pytest.fixture
def situation(dossier, candidate):
    """An empty situation of activity I in the candidate's dossier."""
    from vaecos.dossiers import services

    activity = dossier.referentiel_version.activities.get(number=1)
    return services.situation_add(dossier=dossier, activity=activity, by=candidate)


@pytest.fixture(autouse=True)
def _stages_kept(request):
    """After every test that used the database, each case's stored stage still equals the stage
    computed from its parts (vaecos.cases.stages): whatever the test did through the services,
    views, API or factories kept it. The database fixture is set up first so that it is torn
    down after this check, not before it."""
    if "_django_db_helper" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("_django_db_helper")
    yield
    from django.db import DatabaseError
    from django.db.models import F

    from vaecos.cases.models import VaeCase
    from vaecos.cases.stages import stage_expression

    try:
        drifted = list(
            VaeCase.objects.annotate(expected=stage_expression())
            .exclude(stage=F("expected"))
            .values_list("pk", "stage", "expected")
        )
    except DatabaseError:
        return  # The test broke its transaction: its own failure says why.
    assert not drifted, (
        f"Stored stage differs from the computed one (pk, stored, computed): {drifted}"
    )


@pytest.fixture(scope="session", autouse=True)
def _drop_stray_postgresql_sessions(django_db_setup, django_db_blocker):
    """Let the test database be dropped at the end on PostgreSQL.

    After the browser tests (live server threads, Playwright's greenlets) a connection of the
    test process can be left open without any Django object still pointing at it, and
    PostgreSQL refuses to drop a database in use. This runs just before the database is dropped
    and ends those sessions; it changes nothing on SQLite.
    """
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture
def owner(candidate):
    """A browser session of the dossier's owner."""
    from django.test import Client

    client = Client()
    client.force_login(candidate)
    return client
