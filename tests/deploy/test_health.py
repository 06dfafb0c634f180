"""/healthz tells the load balancer whether this server can work: database and file storage."""

import time

import pytest
from botocore.client import BaseClient

from tests.deploy.conftest import MotoServer, new_bucket, use_bucket
from vaecos.www import views


def test_healthz_is_ok_when_the_bucket_answers(client, db, s3):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_is_503_when_the_bucket_does_not_exist(client, db, settings, s3):
    s3.client.delete_bucket(Bucket=s3.name)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "storage": "indisponible"}


@pytest.fixture
def own_moto_server(tmp_path):
    """A server of this test's own, that it may stop."""
    server = MotoServer(tmp_path)
    try:
        yield server.start()
    finally:
        server.stop()


def test_healthz_is_503_at_once_when_the_storage_server_is_down(
    client, db, settings, own_moto_server
):
    use_bucket(settings, new_bucket(own_moto_server.endpoint))
    assert client.get("/healthz").status_code == 200

    own_moto_server.stop()
    views._storage_check = None  # the answer above is kept 5 s; the load balancer asks later
    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.json() == {"status": "error", "storage": "indisponible"}
    assert "no-cache" in response["Cache-Control"]
    assert elapsed < 3, f"{elapsed:.1f} s : le contrôle de santé ne doit pas attendre"


@pytest.fixture
def head_bucket_calls(monkeypatch) -> list[str]:
    """The bucket names of the HeadBucket requests this process sends to S3."""
    calls: list[str] = []
    make_api_call = BaseClient._make_api_call

    def counting(client, operation_name, api_params):
        if operation_name == "HeadBucket":
            calls.append(api_params["Bucket"])
        return make_api_call(client, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", counting)
    return calls


def test_healthz_asks_s3_at_most_once_every_five_seconds(
    client, db, s3, monkeypatch, head_bucket_calls
):
    now = time.monotonic()
    monkeypatch.setattr(views, "monotonic", lambda: now)

    first, second = client.get("/healthz"), client.get("/healthz")

    assert first.status_code == second.status_code == 200
    assert head_bucket_calls == [s3.name]

    now += 4.9
    assert client.get("/healthz").status_code == 200
    assert head_bucket_calls == [s3.name]

    # Once the result is 5 s old, a missing bucket is seen at the next hit.
    s3.client.delete_bucket(Bucket=s3.name)
    now += 0.2
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "storage": "indisponible"}
    assert head_bucket_calls == [s3.name, s3.name]
