"""ops/s3_sync.py, the bucket copy of the backups: files the platform deletes while a backup
runs are skipped; anything else fails the backup."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from botocore.exceptions import ClientError

from tests.deploy.conftest import Bucket

S3_SYNC = Path(__file__).resolve().parents[2] / "ops" / "s3_sync.py"


@pytest.fixture
def s3_sync(monkeypatch, bucket) -> ModuleType:
    """The script as a module, reading the bucket's variables as the backup script gives them."""
    for name, value in bucket.environment().items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("s3_sync", S3_SYNC)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "s3_sync", module)
    spec.loader.exec_module(module)
    return module


def fill(bucket: Bucket, contents: dict[str, bytes]) -> None:
    for key, data in contents.items():
        bucket.client.put_object(Bucket=bucket.name, Key=key, Body=data)


def after_listing(monkeypatch, s3_sync: ModuleType, action) -> None:
    """Run `action` once the script has listed the bucket, before its first download."""
    listing = s3_sync.objects

    def listed_then_changed(client, name):
        found = listing(client, name)
        action()
        return found

    monkeypatch.setattr(s3_sync, "objects", listed_then_changed)


def files_in(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file()
    }


def test_an_object_deleted_during_the_backup_is_skipped_and_reported(
    monkeypatch, s3_sync, bucket, tmp_path, capsys
):
    fill(bucket, {"a/garde.pdf": b"garde", "b/supprime.pdf": b"supprime", "c/aussi.pdf": b"aussi"})
    after_listing(
        monkeypatch,
        s3_sync,
        lambda: bucket.client.delete_object(Bucket=bucket.name, Key="b/supprime.pdf"),
    )

    s3_sync.download(tmp_path / "fichiers", None)

    assert files_in(tmp_path / "fichiers") == {"a/garde.pdf": b"garde", "c/aussi.pdf": b"aussi"}
    out, err = capsys.readouterr()
    assert "2 fichier(s) téléchargé(s)" in out
    assert "1 supprimé(s) du bucket pendant la copie" in out
    assert "b/supprime.pdf" in err


def test_a_bucket_gone_during_the_backup_fails_it(monkeypatch, s3_sync, bucket, tmp_path):
    fill(bucket, {"a/un.pdf": b"un", "b/deux.pdf": b"deux"})

    def delete_bucket() -> None:
        stored = bucket.keys()  # the Bucket helper's listing, not a dict
        for key in stored:
            bucket.client.delete_object(Bucket=bucket.name, Key=key)
        bucket.client.delete_bucket(Bucket=bucket.name)

    after_listing(monkeypatch, s3_sync, delete_bucket)

    with pytest.raises(ClientError):
        s3_sync.download(tmp_path / "fichiers", None)
    assert files_in(tmp_path / "fichiers") == {}
