"""/healthz tells the load balancer whether this server can work: database and file storage."""

import time

import pytest

from tests.deploy.conftest import MotoServer, new_bucket, use_bucket


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
    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.json() == {"status": "error", "storage": "indisponible"}
    assert "no-cache" in response["Cache-Control"]
    assert elapsed < 3, f"{elapsed:.1f} s : le contrôle de santé ne doit pas attendre"
