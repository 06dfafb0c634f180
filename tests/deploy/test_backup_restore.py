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
from urllib.parse import quote, urlsplit, urlunsplit

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


# --- The scripts' own safeguards, on a small database ------------------------------------------

# File names a careless script would break: a newline, spaces and accents, a backslash.
ODD_FILES = {
    "pieces/ligne\nnouvelle.txt": b"un nom sur deux lignes",
    "pieces/espace et accent é.pdf": b"%PDF-1.4 accent",
    "pieces/barre\\oblique.txt": b"barre oblique inverse",
    "courriers/2026/simple.pdf": b"%PDF-1.4 simple",
}
# Percent-encoded in the URL; what libpq must receive, decoded, through PGPASSWORD.
SECRET = "s3crét@vae/cos"


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Iterator[Demo]:
    """A database of one table and a few files with awkward names: quick to back up."""
    source = Demo(scratch_name("petite"), tmp_path_factory.mktemp("petite") / "media")
    create_database(source.database)
    try:
        with psycopg.connect(server_url(source.database)) as connection:
            connection.execute("CREATE TABLE note (id serial PRIMARY KEY, body text)")
            connection.execute("INSERT INTO note (body) VALUES ('première'), ('seconde')")
        for name, data in ODD_FILES.items():
            (source.media / name).parent.mkdir(parents=True, exist_ok=True)
            (source.media / name).write_bytes(data)
        yield source
    finally:
        drop_database(source.database)


def notes(database: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(server_url(database)) as connection:
        return connection.execute("SELECT id, body FROM note ORDER BY id").fetchall()


@pytest.fixture(scope="module")
def small_backup(small, tmp_path_factory) -> Path:
    backups = tmp_path_factory.mktemp("petite-sauvegarde")
    run(
        ["bash", str(BACKUP), str(backups)],
        environment(small.database, MEDIA_ROOT=str(small.media)),
    )
    (backup,) = backups_in(backups)
    return backup


def refused(args: list[str], env: dict[str, str]) -> str:
    """Run a command that must fail; its error output."""
    result = subprocess.run(
        args,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode != 0, f"{' '.join(args)} aurait dû échouer :\n{result.stdout}"
    return result.stderr


def with_password(url: str, where: str) -> str:
    """The URL with SECRET as its password, in the user part or as ?password=."""
    parts = urlsplit(url)
    if where == "user":
        user, _, host = parts.netloc.rpartition("@")
        return urlunsplit(parts._replace(netloc=f"{user}:{quote(SECRET, safe='')}@{host}"))
    return urlunsplit(
        parts._replace(query=f"password={quote(SECRET, safe='')}&application_name=vaecos")
    )


@dataclass
class Spy:
    """pg_dump, psql and pg_restore wrapped: each call's arguments and PGPASSWORD are logged,
    then the real tool runs."""

    folder: Path
    log: Path

    def calls(self) -> list[tuple[list[str], str | None]]:
        found = []
        for record in self.log.read_text().split("CALL\0")[1:]:
            fields = record.split("\0")[:-1]
            password = fields[-1].removeprefix("PGPASSWORD=") if fields[-1] != "-" else None
            found.append((fields[:-1], password))
        return found


@pytest.fixture
def spy(tmp_path) -> Spy:
    folder = tmp_path / "pg-espion"
    folder.mkdir()
    log = tmp_path / "pg-espion.log"
    log.touch()
    for tool in ("pg_dump", "psql", "pg_restore"):
        real = shutil.which(tool)
        assert real is not None, tool
        wrapper = folder / tool
        wrapper.write_text(
            "#!/usr/bin/env bash\n"
            f"{{ printf 'CALL\\0'; printf '%s\\0' {tool} \"$@\"; "
            'if [ -n "${PGPASSWORD+x}" ]; then printf \'PGPASSWORD=%s\\0\' "$PGPASSWORD"; '
            f"else printf -- '-\\0'; fi; }} >> {log}\n"
            f'exec {real} "$@"\n'
        )
        wrapper.chmod(0o755)
    return Spy(folder, log)


@pytest.mark.parametrize("where", ["user", "query"])
def test_the_database_password_never_shows_on_a_command_line(
    small, scratch_databases, spy, tmp_path, where
):
    backups, media = tmp_path / "sauvegardes", tmp_path / "media"
    path = f"{spy.folder}{os.pathsep}{os.environ['PATH']}"
    source_url = with_password(server_url(small.database), where)
    env = environment(small.database, DATABASE_URL=source_url, MEDIA_ROOT=str(small.media))
    run(["bash", str(BACKUP), str(backups)], {**env, "PATH": path})
    (backup,) = backups_in(backups)

    target = scratch_name("restauree")
    scratch_databases.append(target)
    create_database(target)
    target_url = with_password(server_url(target), where)
    env = environment(target, DATABASE_URL=target_url, MEDIA_ROOT=str(media))
    run(["bash", str(RESTORE), str(backup)], {**env, "PATH": path})

    calls = spy.calls()
    assert {args[0] for args, _ in calls} == {"pg_dump", "psql", "pg_restore"}
    for args, password in calls:
        assert not [arg for arg in args if "s3cr" in arg], args
        assert password == SECRET, args
    databases = [arg for args, _ in calls for arg in args if arg.startswith("--dbname=")]
    assert databases and all(urlsplit(arg).password is None for arg in databases)
    assert "s3cr" not in (backup / "INFOS.txt").read_text()
    # The round trip works through PGPASSWORD, names with a newline included.
    assert notes(target) == notes(small.database)
    assert folder_sha256s(media) == folder_sha256s(small.media)
    assert set(folder_sha256s(media)) == set(ODD_FILES)


def age(path: Path, days: float) -> None:
    """Set the modification time of the folder and all it holds to `days` ago."""
    moment = time.time() - days * 86400
    for item in [*path.rglob("*"), path]:
        os.utime(item, (moment, moment))


def fake_backup(backups: Path, name: str, days: float) -> Path:
    folder = backups / name
    (folder / "fichiers").mkdir(parents=True)
    (folder / "base.dump").write_bytes(b"ancienne")
    age(folder, days)
    return folder


@pytest.mark.parametrize(
    ("keep_days", "old_kept"), [(None, True), ("", True), ("0", True), ("30", False)]
)
def test_backup_keep_days_zero_or_unset_keeps_every_backup(small, tmp_path, keep_days, old_kept):
    backups = tmp_path / "sauvegardes"
    old = fake_backup(backups, "vaecos-20200101-000000", days=40)
    recent = fake_backup(backups, "vaecos-20200102-000000", days=10)
    env = environment(small.database, MEDIA_ROOT=str(small.media))
    if keep_days is not None:
        env["BACKUP_KEEP_DAYS"] = keep_days

    done = run(["bash", str(BACKUP), str(backups)], env)

    assert old.exists() is old_kept
    assert ("Ancienne sauvegarde supprimée" in done.stdout) is not old_kept
    assert recent.exists()
    assert len(backups_in(backups)) == (3 if old_kept else 2)


def test_backup_keep_days_must_be_a_number(small, tmp_path):
    env = environment(small.database, MEDIA_ROOT=str(small.media), BACKUP_KEEP_DAYS="-1")

    error = refused(["bash", str(BACKUP), str(tmp_path / "sauvegardes")], env)

    assert "BACKUP_KEEP_DAYS doit être un nombre de jours" in error
    assert not (tmp_path / "sauvegardes").exists()


def test_a_backup_removes_what_a_killed_backup_left_a_day_ago(small, tmp_path):
    backups = tmp_path / "sauvegardes"
    killed = backups / ".vaecos-20200101-000000.en-cours"
    (killed / "fichiers" / "pieces").mkdir(parents=True)
    (killed / "fichiers" / "pieces" / "a.pdf").write_bytes(b"a")
    age(killed, days=2)
    # Another backup, running right now: its folder is old but it has just written a file.
    running = backups / ".vaecos-20200102-000000.en-cours"
    (running / "fichiers").mkdir(parents=True)
    age(running, days=2)
    (running / "base.dump").write_bytes(b"en cours")

    done = run(
        ["bash", str(BACKUP), str(backups)],
        environment(small.database, MEDIA_ROOT=str(small.media)),
    )

    assert not killed.exists()
    assert f"Sauvegarde interrompue supprimée : {killed}" in done.stdout
    assert running.exists()
    assert len([path for path in backups.iterdir() if path.name.startswith("vaecos-")]) == 1


def test_restore_refuses_a_media_root_that_is_not_empty(small_backup, scratch_databases, tmp_path):
    target = scratch_name("restauree")
    scratch_databases.append(target)
    create_database(target)
    media = tmp_path / "media"
    media.mkdir()
    (media / "deja-la.txt").write_bytes(b"ne pas ecraser")

    error = refused(
        ["bash", str(RESTORE), str(small_backup)], environment(target, MEDIA_ROOT=str(media))
    )

    assert f"{media} n'est pas vide : restaurez dans un dossier vide ou absent" in error
    assert tables(target) == []
    assert folder_sha256s(media) == {"deja-la.txt": sha256(b"ne pas ecraser")}


def test_restore_refuses_a_bucket_that_is_not_empty(small_backup, scratch_databases, moto_server):
    target = scratch_name("restauree")
    scratch_databases.append(target)
    create_database(target)
    bucket: Bucket = new_bucket(moto_server.endpoint)
    bucket.client.put_object(Bucket=bucket.name, Key="deja/la.pdf", Body=b"ne pas ecraser")

    error = refused(
        ["bash", str(RESTORE), str(small_backup)], environment(target, **bucket.environment())
    )

    assert f"le bucket « {bucket.name} » n'est pas vide (1 objets)" in error
    assert tables(target) == []
    assert bucket.sha256s() == {"deja/la.pdf": sha256(b"ne pas ecraser")}
