"""The analyzer is built once per process, and servers build it as they start."""

import importlib
import logging
import os
import threading
import time
import warnings

import pytest
from django.test import override_settings

from vaecos.pii import detection


@pytest.fixture
def counted_build(monkeypatch):
    """A slow stand-in for the analyzer's build that counts its calls (the real one takes
    seconds and is shared by the whole suite)."""
    calls: list[int] = []
    built = object()

    def build():
        calls.append(1)
        time.sleep(0.2)  # long enough for every caller to arrive while the first builds
        return built

    cache: list[object] = []

    def cached_build():
        if not cache:
            cache.append(build())
        return cache[0]

    monkeypatch.setattr(detection, "_built_analyzer", cached_build)
    return calls, built


def test_callers_arriving_together_share_one_build(counted_build):
    calls, built = counted_build
    results: list[object] = []
    threads = [
        threading.Thread(target=lambda: results.append(detection.analyzer())) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(calls) == 1
    assert results == [built] * 4


def test_load_in_background_builds_it_and_says_so(counted_build, caplog):
    calls, built = counted_build
    with caplog.at_level(logging.INFO, logger="vaecos.pii.detection"):
        thread = detection.load_in_background()
        assert thread.daemon
        assert detection.analyzer() is built  # waits for the thread's build, not a second one
        thread.join(timeout=10)
    assert len(calls) == 1
    assert f"{detection.LOADED} en " in caplog.text


def test_a_failed_load_in_background_is_logged_not_raised(monkeypatch, caplog):
    def broken():
        raise OSError("modèle introuvable")

    monkeypatch.setattr(detection, "_built_analyzer", broken)
    with caplog.at_level(logging.ERROR, logger="vaecos.pii.detection"):
        detection.load_in_background().join(timeout=10)
    assert "Chargement anticipé de la détection des données personnelles échoué" in caplog.text
    assert "modèle introuvable" in caplog.text


@pytest.mark.parametrize("preload", [True, False])
def test_the_wsgi_application_starts_the_load_when_asked(monkeypatch, preload):
    started: list[bool] = []
    monkeypatch.setattr(detection, "load_in_background", lambda: started.append(True))
    import config.wsgi  # the first import in this process also runs the module

    started.clear()
    with override_settings(PII_PRELOAD=preload):
        importlib.reload(config.wsgi)
    assert started == ([True] if preload else [])


def test_a_process_forked_during_a_build_can_build_its_own():
    """gunicorn --preload forks its workers from a master whose warm-up may be building: the
    lock held there must not stay held in a worker, where no thread would ever release it."""
    with detection._building:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads: on purpose
            pid = os.fork()
        if pid == 0:  # the child: only tries the lock, then leaves at once
            os._exit(0 if detection._building.acquire(timeout=5) else 1)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
