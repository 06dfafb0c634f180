"""On SQLite the live server and the test share the in-memory database through two connections:
each waits for the other's table locks (tests/browser/conftest.py) instead of failing."""

import threading
import urllib.request

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.db.models import F

pytestmark = pytest.mark.browser


def test_a_request_waits_for_the_tests_write_lock(live_server):
    store = SessionStore()
    store["vu"] = True
    store.create()
    answers: list[int] = []

    def ask() -> None:
        request = urllib.request.Request(
            f"{live_server.url}/", headers={"Cookie": f"sessionid={store.session_key}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            answers.append(response.status)

    with transaction.atomic():
        # Until this transaction ends, the sessions table is locked for the server's connection.
        Session.objects.filter(pk=store.session_key).update(expire_date=F("expire_date"))
        asking = threading.Thread(target=ask)
        asking.start()
        asking.join(timeout=1)
        if connection.vendor == "sqlite":  # PostgreSQL's readers do not wait for writers
            assert asking.is_alive(), "the request should wait for the lock"
    asking.join(timeout=30)
    assert answers == [200]
