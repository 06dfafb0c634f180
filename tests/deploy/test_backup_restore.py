"""The documented backup (ops/backup.sh) really restores (ops/restore.sh), on PostgreSQL.

A scratch database on the local PostgreSQL is migrated and filled with the demo data by the
real commands, with its files in a scratch folder; it is backed up, lost (database dropped,
files deleted), restored into a new database, and compared: the row count of every table,
the sequences, the demo accounts, the dossiers' text and every file's SHA-256. Then the same
with the files in an S3 bucket (the local S3 server), restored into a new bucket.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from tests.deploy.conftest import Bucket, new_bucket

ROOT = Path(__file__).resolve().parents[2]
BACKUP = ROOT / "ops" / "backup.sh"
RESTORE = ROOT / "ops" / "restore.sh"
COMMAND_TIMEOUT = 300
DEMO_ACCOUNTS = {"candidat@demo.test", "instructeur@demo.test", "admin@demo.test"}


def server_url(database: str) -> str:
    """A database of the PostgreSQL the suite runs on, else of the local one (always there)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


def admin(statement: sql.Composable) -> None:
    with psycopg.connect(server_url("postgres"), autocommit=True) as connection:
        connection.execute(statement)


def create_database(name: str, template: str | None = None) -> None:
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    admin(statement)


def drop_database(name: str) -> None:
    admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def scratch_name(what: str) -> str:
    return f"vaecos_{what}_{uuid.uuid4().hex[:12]}"


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        args,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, f"{' '.join(args)} :\n{result.stdout}\n{result.stderr}"
    return result


def environment(database: str, **variables: str) -> dict[str, str]:
    """What an operator's shell would hold: the application's variables and nothing of the
    test run (its settings module, its database, any S3 configuration)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "DJANGO_", "MEDIA_ROOT", "DATABASE_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.django.local",
        DATABASE_URL=server_url(database),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        PYTHON=sys.executable,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    env.update(variables)
    return env


@dataclass
class Demo:
    database: str
    media: Path


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[Demo]:
    """A database filled as `make run` fills it, and its files; each test works on a copy."""
    source = Demo(scratch_name("demo"), tmp_path_factory.mktemp("demo") / "media")
    create_database(source.database)
    try:
        env = environment(source.database, MEDIA_ROOT=str(source.media))
        manage = [sys.executable, "manage.py"]
        run([*manage, "migrate", "--noinput", "-v", "0"], env)
        run([*manage, "load_referentiel"], env)
        run([*manage, "load_demo"], env)
        yield source
    finally:
        drop_database(source.database)


@pytest.fixture
def scratch_databases() -> Iterator[list[str]]:
    """Names of the test's databases, all dropped at the end whatever happened."""
    names: list[str] = []
    try:
        yield names
    finally:
        for name in names:
            drop_database(name)


def copy_of(demo: Demo, databases: list[str], media: Path) -> str:
    name = scratch_name("sauvegardee")
    databases.append(name)
    create_database(name, template=demo.database)
    shutil.copytree(demo.media, media)
    return name


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def snapshot(database: str) -> dict[str, Any]:
    """Everything compared before and after: counts of every table, sequences, and facts."""
    with psycopg.connect(server_url(database)) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]

        def rows(query: str, *params: object) -> list[tuple[Any, ...]]:
            return connection.execute(query, params or None).fetchall()

        return {
            "counts": {
                table: connection.execute(
                    sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
                ).fetchone()[0]  # type: ignore[index]
                for table in tables
            },
            "sequences": rows(
                "SELECT sequencename, last_value FROM pg_sequences "
                "WHERE schemaname = 'public' ORDER BY 1"
            ),
            "accounts": rows(
                "SELECT email, password, role FROM accounts_user WHERE email LIKE %s ORDER BY 1",
                "%@demo.test",
            ),
            "dossiers": rows(
                "SELECT id, motivation_reasons, motivation_strengths, context "
                "FROM dossiers_dossier ORDER BY id"
            ),
            "situations": rows(
                "SELECT id, title, description, rationale FROM dossiers_situation ORDER BY id"
            ),
            "attachments": rows(
                "SELECT file, sha256 FROM dossiers_attachment "
                "UNION ALL SELECT file, sha256 FROM admissibility_supportingdocument ORDER BY 1"
            ),
            "stored_files": sorted(
                name
                for (name,) in rows(
                    "SELECT file FROM dossiers_attachment "
                    "UNION ALL SELECT file FROM admissibility_letter "
                    "UNION ALL SELECT bundle FROM evaluation_registration WHERE bundle <> ''"
                )
            ),
        }


def tables(database: str) -> list[str]:
    with psycopg.connect(server_url(database)) as connection:
        query = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        return [row[0] for row in connection.execute(query)]


def folder_sha256s(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): sha256(path.read_bytes())
        for path in folder.rglob("*")
        if path.is_file()
    }


def check_plausible(before: dict[str, Any], files: dict[str, str]) -> None:
    """The comparison compares something: the demo really wrote rows, text and files."""
    assert {email for email, *_ in before["accounts"]} >= DEMO_ACCOUNTS
    assert any(reasons for _, reasons, *_ in before["dossiers"])
    assert any(description for _, _, description, _ in before["situations"])
    assert before["attachments"] and before["stored_files"]
    assert set(before["stored_files"]) <= set(files)
    for name, digest in before["attachments"]:
        assert files[name] == digest, name
    assert sum(before["counts"].values()) > 100


def backups_in(folder: Path) -> list[Path]:
    """The complete backups of the folder, oldest first (none left "in progress")."""
    assert not [path for path in folder.iterdir() if path.name.startswith(".")]
    return sorted(path for path in folder.iterdir() if path.name.startswith("vaecos-"))


def back_up_again(args: list[str], env: dict[str, str]) -> None:
    time.sleep(1.1)  # backups are named to the second
    run(args, env)


def shared_files(first: Path, second: Path) -> int:
    """How many files of `second` are the very same inode as in `first` (hard links)."""
    return sum(
        1
        for path in (second / "fichiers").rglob("*")
        if path.is_file() and path.stat().st_ino == (first / path.relative_to(second)).stat().st_ino
    )


def test_a_backup_restores_the_database_and_the_local_files_identically(
    demo, scratch_databases, tmp_path
):
    media = tmp_path / "media"
    original = copy_of(demo, scratch_databases, media)
    before, files = snapshot(original), folder_sha256s(media)
    check_plausible(before, files)
    backups = tmp_path / "sauvegardes"

    done = run(["bash", str(BACKUP), str(backups)], environment(original, MEDIA_ROOT=str(media)))
    (backup,) = backups_in(backups)
    assert "Sauvegarde terminée" in done.stdout
    assert (backup / "base.dump").stat().st_size > 0

    # The disaster: the database and the files are gone.
    drop_database(original)
    shutil.rmtree(media)

    restored = scratch_name("restauree")
    scratch_databases.append(restored)
    create_database(restored)
    done = run(["bash", str(RESTORE), str(backup)], environment(restored, MEDIA_ROOT=str(media)))

    assert "Restauration terminée" in done.stdout
    assert snapshot(restored) == before
    assert folder_sha256s(media) == files

    # Restoring again would overwrite: refused, and nothing changes.
    again = subprocess.run(
        ["bash", str(RESTORE), str(backup)],
        env=environment(restored, MEDIA_ROOT=str(tmp_path / "autre")),
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )
    assert again.returncode != 0
    assert "la base cible n'est pas vide" in again.stderr
    assert snapshot(restored) == before


def test_a_damaged_backup_is_refused_before_anything_is_written(demo, scratch_databases, tmp_path):
    media = tmp_path / "media"
    original = copy_of(demo, scratch_databases, media)
    backups = tmp_path / "sauvegardes"
    backup_command = ["bash", str(BACKUP), str(backups)]
    env = environment(original, MEDIA_ROOT=str(media))
    run(backup_command, env)
    back_up_again(backup_command, env)
    first, backup = backups_in(backups)
    # The second backup is complete, its unchanged files hard links to the first's.
    assert folder_sha256s(backup / "fichiers") == folder_sha256s(media)
    assert shared_files(first, backup) == len(folder_sha256s(media)) > 0
    some_file = next(path for path in (backup / "fichiers").rglob("*") if path.is_file())
    some_file.write_bytes(some_file.read_bytes() + b"!")

    target = scratch_name("restauree")
    scratch_databases.append(target)
    create_database(target)
    refused = subprocess.run(
        ["bash", str(RESTORE), str(backup)],
        env=environment(target, MEDIA_ROOT=str(tmp_path / "restaure")),
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )

    assert refused.returncode != 0
    assert "la sauvegarde est abîmée" in refused.stderr
    assert tables(target) == []
    assert not (tmp_path / "restaure").exists()


def test_a_backup_restores_the_files_of_an_s3_bucket_into_a_new_bucket(
    demo, scratch_databases, tmp_path, moto_server
):
    media = tmp_path / "media"
    original = copy_of(demo, scratch_databases, media)
    # The same files, in the bucket the platform would use in production.
    source = new_bucket(moto_server.endpoint)
    files = folder_sha256s(media)
    for key in files:
        source.client.upload_file(str(media / key), source.name, key)
    before = snapshot(original)
    check_plausible(before, source.sha256s())
    backups = tmp_path / "sauvegardes"

    backup_command = ["bash", str(BACKUP), str(backups)]
    run(backup_command, environment(original, **source.environment()))
    back_up_again(backup_command, environment(original, **source.environment()))
    first, backup = backups_in(backups)
    assert folder_sha256s(backup / "fichiers") == files
    assert shared_files(first, backup) == len(files)

    drop_database(original)
    restored = scratch_name("restauree")
    scratch_databases.append(restored)
    create_database(restored)
    target: Bucket = new_bucket(moto_server.endpoint)
    run(["bash", str(RESTORE), str(backup)], environment(restored, **target.environment()))

    assert snapshot(restored) == before
    assert target.sha256s() == files
