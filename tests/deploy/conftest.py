"""A local S3-compatible server (moto's server mode) and the project switched onto it.

The storage settings are not written here: the fixture sets the environment variables an
operator would set and reloads `config.settings.storage`, so the tests prove that S3 is
configuration only, with no code change.
"""

import hashlib
import importlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

MOTO_SERVER = Path(sys.executable).with_name("moto_server")
REGION = "eu-west-3"
# Fake credentials: moto accepts any; they only prove they reach the storage's options.
ACCESS_KEY = "vaecos-test-access"
SECRET_KEY = "vaecos-test-secret"
START_TIMEOUT = 30
STOP_TIMEOUT = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MotoServer:
    """`moto_server` in a subprocess on a free 127.0.0.1 port; `stop()` always ends it."""

    def __init__(self, log_dir: Path) -> None:
        self.log_path = log_dir / f"moto-{uuid.uuid4().hex[:8]}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self) -> "MotoServer":
        # Another process may take the free port between the probe and moto's bind: retry.
        for _ in range(3):
            self.port = free_port()
            with self.log_path.open("ab") as log:
                self.process = subprocess.Popen(
                    [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(self.port)],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                )
            if self._wait_until_ready():
                return self
            self.stop()
        pytest.fail(f"moto_server ne répond pas après {START_TIMEOUT} s :\n{self.log()}")

    def _wait_until_ready(self) -> bool:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=1):
                    return True
            except urllib.error.HTTPError:
                return True  # it answers, even if not with 200
            except OSError:
                time.sleep(0.1)
        return False

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT)
        self.process = None


def s3_client(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(retries={"mode": "standard", "total_max_attempts": 2}),
    )


@dataclass
class Bucket:
    """One bucket of the server, seen from outside the application (as an operator would)."""

    name: str
    endpoint: str
    client: Any

    def keys(self) -> set[str]:
        found: set[str] = set()
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name):
            found.update(item["Key"] for item in page.get("Contents", []))
        return found

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def sha256s(self) -> dict[str, str]:
        return {key: hashlib.sha256(self.read(key)).hexdigest() for key in self.keys()}

    def environment(self) -> dict[str, str]:
        """The variables an operator sets to put the platform's files in this bucket."""
        return {
            "AWS_STORAGE_BUCKET_NAME": self.name,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_S3_REGION_NAME": REGION,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        }


def new_bucket(endpoint: str) -> Bucket:
    client = s3_client(endpoint)
    name = f"vaecos-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return Bucket(name=name, endpoint=endpoint, client=client)


@pytest.fixture(autouse=True)
def _no_aws_files(monkeypatch, tmp_path):
    # No ~/.aws configuration of the machine may change what the tests talk to.
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config-absent"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials-absent"))


@pytest.fixture(autouse=True)
def _fresh_storage_check(monkeypatch):
    # /healthz keeps its S3 check a few seconds: no test sees another's result.
    from vaecos.www import views

    monkeypatch.setattr(views, "_storage_check", None)


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory) -> Iterator[MotoServer]:
    server = MotoServer(tmp_path_factory.mktemp("moto"))
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def bucket(moto_server) -> Bucket:
    """A new, empty bucket for the test."""
    return new_bucket(moto_server.endpoint)


def storages_from_environment(variables: dict[str, str]) -> dict[str, Any]:
    """The STORAGES setting `config/settings/storage.py` builds with these variables set."""
    import config.settings.storage as storage_settings

    with pytest.MonkeyPatch.context() as patch:
        for name, value in variables.items():
            patch.setenv(name, value)
        built = importlib.reload(storage_settings).STORAGES
    importlib.reload(storage_settings)  # the module as the real environment makes it
    return built


def use_bucket(settings, bucket: Bucket) -> None:
    settings.STORAGES = storages_from_environment(bucket.environment())


@pytest.fixture
def s3(settings, bucket) -> Bucket:
    """The platform's files in a bucket of the local S3 server, configured from the
    environment exactly as in production."""
    use_bucket(settings, bucket)
    return bucket
