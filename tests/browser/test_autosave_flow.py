"""The issue's acceptance scenario, end to end, against a real server that really stops.

"Log in as candidat@demo.test, write in a situation, reload: the text is there; stop the server,
keep typing, start it again: the text is saved; the history shows revisions and restore works;
the completeness panel follows the writing."

pytest-django's live_server cannot be stopped and started again, so this test runs its own
`manage.py runserver` in a subprocess, on its own SQLite file (whatever DATABASE_URL the suite
uses), set up as `make run` sets it up: migrate, load_referentiel, load_demo.
"""

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    ROOT,
    expect_saved,
    field,
    field_input,
    login,
    problems,
    save_delay,
    screenshot,
    type_at_end,
    watch_saves,
)
from vaecos.pii.detection import LOADED

pytestmark = pytest.mark.browser

PYTHON = sys.executable
LABEL = "La situation"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """`manage.py runserver` on a fixed port, that can be killed and started again."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.db_path = workdir / "db.sqlite3"
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None
        # A clean environment: nothing of the suite's (DATABASE_URL, S3, e-mail…) leaks in.
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
        env.update(
            DJANGO_SETTINGS_MODULE="config.django.local",
            DATABASE_URL=f"sqlite:///{self.db_path}",
            MEDIA_ROOT=str(workdir / "media"),
            # DEBUG (local's default): WhiteNoise serves static files straight from the finders,
            # no collectstatic needed. STATIC_ROOT only has to exist.
            DEBUG="true",
            STATIC_ROOT=str(workdir / "static"),
            DEMO_PASSWORD="demo",
            # INFO: the server says when its personal-data scanner is loaded (see start()).
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
        )
        (workdir / "static").mkdir()
        self.env = env

    def prepare(self) -> None:
        """What `make setup` runs: migrate, load_referentiel, load_demo (one process, faster)."""
        script = (
            "from django.core.management import call_command\n"
            "call_command('migrate', interactive=False, verbosity=0)\n"
            "call_command('load_referentiel')\n"
            "call_command('load_demo')\n"
        )
        result = subprocess.run(
            [PYTHON, "manage.py", "shell", "--no-imports", "-c", script],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, f"Préparation de la base échouée :\n{result.stderr}"

    def start(self) -> None:
        """Start the server and wait until /healthz answers and the server has loaded its
        personal-data scanner, as config.wsgi has it do in the background from the start (the
        situation page scans its texts: on a busy machine the model takes over 10 s to load)."""
        assert self.process is None
        loaded_before = self.log(whole=True).count(LOADED)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [PYTHON, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"Le serveur s'est arrêté au démarrage :\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:  # refused, reset, timed out: not up yet
                pass
            time.sleep(0.1)
        else:
            pytest.fail(f"Le serveur ne répond pas sur /healthz après 30 s :\n{self.log()}")
        deadline = time.monotonic() + 60
        while self.log(whole=True).count(LOADED) == loaded_before:
            if time.monotonic() > deadline:
                pytest.fail(
                    f"Détection des données personnelles pas prête après 60 s :\n{self.log()}"
                )
            time.sleep(0.1)

    def kill(self) -> None:
        """Stop dead, as a crash or a power cut would: no chance to finish anything."""
        if self.process is None:
            return
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def log(self, whole: bool = False) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return text if whole else text[-5000:]

    def query(self, sql: str, *params: object) -> list[tuple]:
        with closing(sqlite3.connect(self.db_path)) as db:
            return db.execute(sql, params).fetchall()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    server = ServerProcess(tmp_path)
    server.prepare()
    try:
        server.start()
        yield server
    finally:
        server.kill()
        print(f"Journal du serveur de test :\n{server.log()}")  # shown when the test fails


def test_acceptance_scenario(server: ServerProcess, page) -> None:
    # Log in as candidat@demo.test and open the Livret 2.
    login(page, server.url)
    page.get_by_role("link", name="Continuer mon Livret 2").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Livret 2")
    screenshot(page, "apercu")
    problems_at_start = problems(page)

    # Go to activity II and its situation (rationale and outcome not written yet).
    page.get_by_role("link", name="Activité II", exact=True).click()
    page.get_by_role("link", name=re.compile("Demande d’informations d’une partenaire")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Situation — activité II")
    key = field(page, LABEL).get_attribute("data-vaecos-key")
    situation_id = int(key.split(".")[1])
    original = field_input(page, LABEL).input_value()

    # Write in the situation, wait for the save, reload: the text is there.
    first = " J'ai ensuite rappelé la partenaire pour lui confirmer la marche à suivre."
    watch_saves(page)
    type_at_end(page, LABEL, first)
    expect(field(page, LABEL)).to_have_attribute("data-vaecos-state", "pending")
    expect_saved(page, LABEL)
    delay = save_delay(page, "input")
    assert delay <= 2000, f"Enregistré {delay:.0f} ms après la dernière frappe (2 s au plus)."
    page.reload()
    expect(field_input(page, LABEL)).to_have_value(original + first)
    screenshot(page, "situation")

    # Stop the server (SIGKILL) and keep typing: the failure is visible, the text is kept.
    server.kill()
    second = " Elle m'a remerciée et a prévenu l'allocataire."
    type_at_end(page, LABEL, second)
    expect(field(page, LABEL)).to_have_attribute("data-vaecos-state", "error")
    expect(field(page, LABEL).locator("[data-vaecos-status]")).to_contain_text("Non enregistré")
    expect(field_input(page, LABEL)).to_have_value(original + first + second)
    draft = page.evaluate(
        """() => Object.keys(localStorage).filter(k => k.startsWith('vaecos:draft:'))
                 .map(k => JSON.parse(localStorage.getItem(k)).text)"""
    )
    assert draft == [original + first + second]
    screenshot(field(page, LABEL), "champ-non-enregistre")

    # Start it again on the same port: the page sends the text by itself, within 30 s.
    server.start()
    expect_saved(page, LABEL, timeout=30_000)
    rows = server.query("SELECT description FROM dossiers_situation WHERE id = ?", situation_id)
    assert rows == [(original + first + second,)]
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('vaecos:'))") == []

    # The history shows the revisions; restoring version 2 brings back the text before the cut.
    field(page, LABEL).get_by_role("link", name=re.compile("^Historique")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Historique : La situation")
    versions = page.get_by_role("heading", level=2, name=re.compile(r"^Version \d+"))
    expect(versions).to_have_count(3)
    expect(versions.first).to_contain_text("Version actuelle")
    screenshot(page, "historique")
    page.get_by_role("button", name="Restaurer la version 2").click()
    expect(page.get_by_role("status").filter(has_text="restaurée")).to_have_text(
        "La version 2 a été restaurée : elle devient la version 4."
    )
    expect(versions).to_have_count(4)
    expect(versions.first).to_contain_text("Restauration de la version 2")
    page.get_by_role("navigation", name="Fil d'Ariane").get_by_role("link").last.click()
    expect(field_input(page, LABEL)).to_have_value(original + first)
    rows = server.query("SELECT description FROM dossiers_situation WHERE id = ?", situation_id)
    assert rows == [(original + first,)]

    # The completeness panel follows the writing: fill the empty "Pourquoi j'ai agi ainsi".
    before = problems(page)
    assert before == problems_at_start
    mine = [p for p in before if p.startswith("Activité II, situation 1")]
    assert len(mine) == 1 and "Pourquoi j'ai agi ainsi" in mine[0], before
    type_at_end(
        page,
        "Pourquoi j'ai agi ainsi",
        "J'ai refusé de répondre par téléphone parce que le secret professionnel protège "
        "l'allocataire et que je ne pouvais pas vérifier qui appelait.",
    )
    expect_saved(page, "Pourquoi j'ai agi ainsi")
    panel_items = page.locator("#completude [data-vaecos-problems] li")
    expect(panel_items.filter(has_text="Activité II, situation 1")).not_to_contain_text(
        "Pourquoi j'ai agi ainsi"
    )
    type_at_end(
        page,
        "Le résultat et ce que j'en ai retenu",
        "La partenaire a consulté le dossier avec son accès ; j'ai appris à séparer les deux "
        "questions.",
    )
    expect_saved(page, "Le résultat et ce que j'en ai retenu")
    expect(panel_items.filter(has_text="Activité II, situation 1")).to_have_count(0)
    expect(panel_items).to_have_count(len(before) - 1)
    expect(page.locator("#completude h3")).to_have_text(f"À faire ({len(before) - 1})")
