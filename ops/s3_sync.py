#!/usr/bin/env python3
"""Copy the platform's S3 bucket to a folder and back (what `aws s3 sync` does, with boto3 only).

Used by ops/backup.sh and ops/restore.sh when AWS_STORAGE_BUCKET_NAME is set; reads the same
variables as config/settings/storage.py (AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL,
AWS_S3_REGION_NAME, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).

    python ops/s3_sync.py download DOSSIER [--reference SAUVEGARDE_PRECEDENTE/fichiers]
    python ops/s3_sync.py upload DOSSIER
    python ops/s3_sync.py count

A key becomes the same relative path in the folder and back. With --reference, an object whose
copy in the previous backup has the same size and MD5 is hard-linked instead of downloaded.
An object deleted between the listing and its download is skipped and counted.
"""

import argparse
import hashlib
import mimetypes
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

CHUNK = 1024 * 1024
# What S3 answers for a missing object: "404" to the HEAD, NoSuchKey to the GET.
MISSING_OBJECT = {"404", "NoSuchKey", "NotFound"}


def fail(message: str) -> NoReturn:
    print(f"ERREUR : {message}", file=sys.stderr)
    sys.exit(1)


def bucket_from_environment() -> tuple[Any, str]:
    name = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
    if not name:
        fail("AWS_STORAGE_BUCKET_NAME n'est pas défini.")
    client = boto3.client(
        "s3",
        endpoint_url=os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        region_name=os.environ.get("AWS_S3_REGION_NAME") or None,
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID") or None,
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
        config=Config(retries={"mode": "standard", "max_attempts": 5}),
    )
    return client, name


def objects(client: Any, bucket: str) -> list[dict[str, Any]]:
    found = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        found.extend(page.get("Contents", []))
    return found


def md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def same_content(path: Path, item: dict[str, Any]) -> bool:
    """The local copy is the object: same size and, for a single-part upload, same MD5 (the
    ETag of a multipart upload is no MD5 of the content; such an object is downloaded again)."""
    etag = item.get("ETag", "").strip('"')
    if not path.is_file() or path.stat().st_size != item["Size"] or "-" in etag:
        return False
    return md5(path) == etag


def inside(folder: Path, key: str) -> Path:
    """The local path of a key, refusing any key that would lead outside the folder."""
    target = (folder / key).resolve()
    if key.endswith("/") or not target.is_relative_to(folder):
        fail(f"clé refusée : « {key} »")
    return target


def deleted_since_listing(client: Any, bucket: str, exc: ClientError) -> bool:
    """Whether a failed download is an object deleted after the listing (the platform deletes
    files while a backup runs: skipped). Anything else fails the backup, a bucket gone too."""
    if exc.response.get("Error", {}).get("Code") not in MISSING_OBJECT:
        return False
    # A HEAD says only "404": the bucket must still be there for the object alone to be gone.
    client.head_bucket(Bucket=bucket)
    return True


def download(folder: Path, reference: Path | None) -> None:
    client, bucket = bucket_from_environment()
    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    copied = linked = gone = 0
    for item in objects(client, bucket):
        key = item["Key"]
        if key.endswith("/"):
            continue  # a "folder" marker some tools create; no content
        target = inside(folder, key)
        target.parent.mkdir(parents=True, exist_ok=True)
        if same_content(target, item):
            continue
        if reference is not None:
            previous = reference / key
            if same_content(previous, item):
                target.unlink(missing_ok=True)
                os.link(previous, target)
                linked += 1
                continue
        partial = target.with_name(target.name + ".partiel")
        try:
            client.download_file(bucket, key, str(partial))
        except ClientError as exc:
            partial.unlink(missing_ok=True)
            if not deleted_since_listing(client, bucket, exc):
                raise
            print(
                f"Attention : « {key} » a été supprimé du bucket pendant la copie.", file=sys.stderr
            )
            gone += 1
            continue
        partial.replace(target)
        copied += 1
    summary = f"{copied} fichier(s) téléchargé(s), {linked} repris de la sauvegarde précédente"
    if gone:
        summary += f", {gone} supprimé(s) du bucket pendant la copie (ignoré(s))"
    print(f"{summary}.")


def upload(folder: Path) -> None:
    client, bucket = bucket_from_environment()
    if not folder.is_dir():
        fail(f"{folder} n'est pas un dossier.")
    sent = 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        key = path.relative_to(folder).as_posix()
        # As django-storages does when it saves a file: the type guessed from the name.
        content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
        client.upload_file(str(path), bucket, key, ExtraArgs={"ContentType": content_type})
        sent += 1
    print(f"{sent} fichier(s) envoyé(s) dans le bucket « {bucket} ».")


def count() -> None:
    client, bucket = bucket_from_environment()
    print(len(objects(client, bucket)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    down = commands.add_parser("download", help="copier le bucket dans un dossier")
    down.add_argument("folder", type=Path)
    down.add_argument("--reference", type=Path, help="fichiers de la sauvegarde précédente")
    up = commands.add_parser("upload", help="copier un dossier dans le bucket")
    up.add_argument("folder", type=Path)
    commands.add_parser("count", help="nombre d'objets du bucket")
    args = parser.parse_args()
    try:
        if args.command == "download":
            download(args.folder, args.reference)
        elif args.command == "upload":
            upload(args.folder)
        else:
            count()
    except (BotoCoreError, ClientError) as exc:
        fail(f"le stockage S3 a refusé ou n'a pas répondu : {exc}")


if __name__ == "__main__":
    main()
