"""Resilience of the Livret 2 autosave: gunicorn killed with SIGKILL in the middle of the load.

One run, on 127.0.0.1 only: a throwaway PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/bench_resilience, created and dropped here; `sqlite` for a
SQLite file in a temporary folder), migrated and filled by bench/steps.py; gunicorn with
BENCH_WORKERS (2) sync workers; BENCH_RESILIENCE_WRITERS (32) candidates, each logged in with its
own session and writing its own Livret 2 in a closed loop for BENCH_RESILIENCE_SECONDS (60).
Halfway, the gunicorn master and its workers are killed with SIGKILL (the whole process group);
BENCH_RESILIENCE_PAUSE (1) seconds later gunicorn starts again on the same port.

The writers do what the page's script does (static/js/vaecos.js): a save that got no answer is
kept and sent again after 1.5, 3, 5, then every 8 s, with the same save id and base revision; a
save typed meanwhile gets a new id and names the unanswered ones (`previous_save_id`); a conflict
whose newer text is one of the writer's own unanswered saves is taken silently, any other is
"shown" (counted) and the writer keeps its version. Even-numbered writers stop typing until their
save is acknowledged; odd-numbered ones keep typing (a sentence a second). At the end they stop
typing and have BENCH_RESILIENCE_DRAIN (30) seconds to get their last text acknowledged.

Afterwards, with the server stopped, bench/steps.py verify looks in the database for every
acknowledged save. Goals: 0 acknowledged saves lost or altered, 0 duplicates (save ids or revision
numbers), every writer recovered (a save acknowledged after the restart and its last text
acknowledged and stored), 0 conflicts shown, 0 server errors, first acknowledgement within 10 s of
the kill and every writer's within 20 s. Exit status 1 if one fails. Figures go to
bench/results/resilience.json.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import autosave as bench  # noqa: E402  (the load, the server and the database)

RESULTS = ROOT / "bench" / "results"
RESULT_FILE = RESULTS / "resilience.json"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_resilience"

SECONDS = float(os.environ.get("BENCH_RESILIENCE_SECONDS", "60"))
WRITERS = int(os.environ.get("BENCH_RESILIENCE_WRITERS", "32"))
PAUSE = float(os.environ.get("BENCH_RESILIENCE_PAUSE", "1"))  # between the kill and the restart
DRAIN = float(os.environ.get("BENCH_RESILIENCE_DRAIN", "30"))  # for the last texts, at the end
WORKERS = bench.WORKERS  # BENCH_WORKERS, 2
REQUEST_TIMEOUT = 15.0  # an answer later than this counts as none: the save is sent again
KILL_GRACE = 10.0  # seconds for the killed processes to be gone

# The page's timings (static/js/vaecos.js): RETRY_MS, and DEBOUNCE_MS for a person still typing.
RETRY_S = (1.5, 3.0, 5.0, 8.0)
DEBOUNCE_S = 1.0

GOAL_FIRST_ACK_S = 10.0
GOAL_ALL_RECOVERED_S = 20.0


# --- the writers ----------------------------------------------------------------------------


@dataclass
class Clock:
    """perf_counter() marks of the run (None until reached)."""

    start: float = 0.0
    kill: float | None = None
    kill_epoch: float | None = None  # the same moment, wall clock, to compare with created_at
    dead: float | None = None  # every process of the group gone
    restart: float | None = None
    ready: float | None = None  # the new gunicorn answers /healthz
    end: float = 0.0


@dataclass
class Counts:
    """What all the writers saw."""

    requests: int = 0
    acknowledged: int = 0  # 200 "saved"
    unchanged: int = 0  # 200 "unchanged"
    resent_requests: int = 0  # requests carrying a save id already sent
    with_previous: int = 0  # requests naming unanswered saves (previous_save_id)
    unanswered: dict[str, int] = field(default_factory=dict)  # ConnectError, ReadError…
    statuses: dict[str, int] = field(default_factory=dict)  # non-2xx answers
    own_conflicts: int = 0  # a 409 whose text was the writer's own unanswered save
    conflicts_shown: int = 0  # a 409 the page would show the candidate
    ack_times: list[float] = field(default_factory=list)

    @staticmethod
    def bump(into: dict[str, int], key: str) -> None:
        into[key] = into.get(key, 0) + 1


class PageWriter(bench.Writer):
    """A candidate's tab, doing what static/js/vaecos.js does with its autosave requests."""

    def __init__(self, base_url: str, email: str, dossier: int, keeps_typing: bool) -> None:
        super().__init__(base_url, email, dossier, timeout=REQUEST_TIMEOUT)
        self.keeps_typing = keeps_typing
        self.saved_text = ""  # the last acknowledged text (the field is empty at first)
        self.attempt: tuple[str, str] | None = None  # text being sent and its save id
        self.unacked: list[tuple[str, str]] = []  # sent, never answered: the server may have them
        self.retries = 0
        self.sent: set[str] = set()
        self.unanswered: dict[str, None] = {}  # save ids that got no answer at least once
        self.resent: dict[str, None] = {}  # …and were sent again with the same id
        self.hit = False  # a request of this writer failed after the kill
        self.recovered_at: float | None = None  # first ack of a request sent after the kill
        self.stuck: str | None = None  # an answer the page gives up on (it shows the error)

    def dirty(self) -> bool:
        return self.text != self.saved_text

    def backoff(self, typing: bool) -> float:
        # The page's retry timer; typing triggers a save sooner (debounce), as in the page.
        delay = RETRY_S[min(self.retries, len(RETRY_S) - 1)]
        self.retries += 1
        return min(delay, DEBOUNCE_S) if typing else delay

    async def save(self, clock: Clock, counts: Counts, typing: bool) -> float:
        """One autosave request as the page sends it; returns how long to wait before the next."""
        if self.attempt is None or self.attempt[0] != self.text:
            self.attempt = (self.text, str(uuid.uuid4()))
        text, save_id = self.attempt
        previous = [sid for _, sid in self.unacked if sid != save_id]
        data: dict[str, Any] = {"text": text, "base_revision": str(self.revision)}
        data["save_id"] = save_id
        if previous:
            data["previous_save_id"] = previous
            counts.with_previous += 1
        if save_id in self.sent:
            counts.resent_requests += 1
            self.resent[save_id] = None
        self.sent.add(save_id)
        counts.requests += 1
        headers = {"X-CSRFToken": self.client.cookies["csrftoken"], "Accept": "application/json"}
        sent_at = time.perf_counter()
        try:
            response = await self.client.post(self.save_url, data=data, headers=headers)
        except httpx.HTTPError as exc:  # no answer: refused, reset, cut short or too late
            counts.bump(counts.unanswered, type(exc).__name__)
            self.unanswered[save_id] = None
            self.unacked.append((text, save_id))
            if clock.kill is not None:
                self.hit = True
            return self.backoff(typing)
        answered_at = time.perf_counter()
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            body = None

        if response.is_success and body and isinstance(body.get("revision"), int):
            self.revision = body["revision"]
            self.saved_text = text
            self.unacked = []
            self.retries = 0
            if body.get("outcome") == "saved":
                self.acks.append((save_id, body["revision"], bench.digest(text)))
                counts.acknowledged += 1
                counts.ack_times.append(answered_at)
            else:
                counts.unchanged += 1
            if self.text == text:
                self.attempt = None
            if clock.kill is not None and sent_at > clock.kill and self.recovered_at is None:
                self.recovered_at = answered_at
            return 0.0

        counts.bump(counts.statuses, str(response.status_code))
        if response.status_code == 409 and body and body.get("outcome") == "conflict":
            self.revision = body["revision"]
            self.attempt = None
            if any(t == body.get("text") for t, _ in self.unacked):
                # The newer text on the server is one this page sent before losing the answer.
                counts.own_conflicts += 1
                self.saved_text = body.get("text", "")
            else:
                # The page shows both versions; the candidate keeps theirs ("Garder ma version"),
                # which is sent again on the server's revision.
                counts.conflicts_shown += 1
            self.unacked = []
            return 0.0
        if body and body.get("error"):
            if response.status_code >= 500:
                return self.backoff(typing)
            self.stuck = f"HTTP {response.status_code}: {body['error']}"  # the page stops here
            return 0.0
        if response.status_code == 403 or (response.is_success and body is None):
            return self.backoff(typing)
        self.unacked.append((text, save_id))
        return self.backoff(typing)

    async def run(self, clock: Clock, counts: Counts, until: float, drain_until: float) -> None:
        # Closed loop: type a sentence, save, and again as soon as the save is acknowledged.
        while time.perf_counter() < until and self.stuck is None:
            if not self.dirty() or self.keeps_typing:
                self.grow()
            wait = await self.save(clock, counts, typing=self.keeps_typing)
            if wait:
                await asyncio.sleep(min(wait, max(0.0, until - time.perf_counter())))
        # The session ends: no more typing, the last text must still reach the server.
        while self.dirty() and self.stuck is None and time.perf_counter() < drain_until:
            wait = await self.save(clock, counts, typing=False)
            if wait:
                await asyncio.sleep(min(wait, max(0.0, drain_until - time.perf_counter())))


# --- the server -----------------------------------------------------------------------------


def group_processes(pgid: int) -> dict[int, float]:
    """Live processes (zombies aside) of a process group, with the CPU seconds each used so far."""
    found = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] != "Z":  # state, ppid, pgrp…
            found[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return found


class Server:
    """gunicorn in its own process group, killed and started again on the same port."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log
        self.base_url = f"http://{bench.HOST}:{port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self.boot_s: list[float] = []  # from each start to its first answer to /healthz
        self.killed_cpu = 0.0  # CPU seconds used by the processes killed

    def start(self) -> None:
        self.process = bench.start_gunicorn(self.env, self.port, self.log, WORKERS)
        self.started_at = time.perf_counter()

    def wait_ready(self) -> None:
        assert self.process is not None
        bench.wait_ready(self.process, self.base_url, self.log)
        self.boot_s.append(round(time.perf_counter() - self.started_at, 2))

    def kill(self) -> int:
        """SIGKILL to the master and its workers at once; returns how many processes it hit."""
        assert self.process is not None
        pgid = self.process.pid
        processes = group_processes(pgid)
        os.killpg(pgid, signal.SIGKILL)
        self.killed_cpu += sum(processes.values())
        return len(processes)

    def cpu(self) -> float:
        """CPU seconds used by gunicorn so far: the killed processes and the running ones."""
        running = group_processes(self.process.pid) if self.process is not None else {}
        return self.killed_cpu + sum(running.values())

    def reap(self) -> None:
        """Wait (bounded) until every killed process is gone."""
        assert self.process is not None
        pgid = self.process.pid
        self.process.wait(timeout=KILL_GRACE)
        deadline = time.monotonic() + KILL_GRACE
        while group_processes(pgid):
            if time.monotonic() > deadline:
                raise RuntimeError(f"processes of group {pgid} survived SIGKILL")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None:
            bench.stop(self.process)


async def scenario(server: Server, accounts: list[dict[str, Any]], password: str) -> dict[str, Any]:
    counts, clock = Counts(), Clock()
    writers = [
        PageWriter(server.base_url, a["email"], a["dossier"], keeps_typing=i % 2 == 1)
        for i, a in enumerate(accounts)
    ]
    killed = 0
    try:
        for writer in writers:
            await writer.login(password)
        cpu = {
            "machine": bench.machine_cpu(),
            "load_generator": time.process_time(),
            "gunicorn": server.cpu(),
            "postgresql": bench.processes_cpu(0)[1],
        }
        clock.start = time.perf_counter()
        until = clock.start + SECONDS
        drain_until = until + DRAIN
        tasks = [asyncio.create_task(w.run(clock, counts, until, drain_until)) for w in writers]
        await asyncio.sleep(SECONDS / 2)
        killed = server.kill()  # in the event loop: no request leaves between the two lines
        clock.kill, clock.kill_epoch = time.perf_counter(), time.time()
        print(f"  {SECONDS / 2:g} s: SIGKILL to gunicorn ({killed} processes)…", flush=True)
        await asyncio.to_thread(server.reap)
        clock.dead = time.perf_counter()
        await asyncio.sleep(PAUSE)
        clock.restart = time.perf_counter()
        server.start()
        await asyncio.to_thread(server.wait_ready)
        clock.ready = time.perf_counter()
        print(
            f"  restarted; /healthz answered {clock.ready - clock.kill:.1f} s after the kill",
            flush=True,
        )
        bound = drain_until - time.perf_counter() + 2 * REQUEST_TIMEOUT
        done, late = await asyncio.wait(tasks, timeout=max(bound, 1.0))
        for task in late:  # bounded: a writer still busy then has not recovered
            task.cancel()
        for task in done:
            task.result()  # a writer that crashed is a fault of this script: shown, not counted
        clock.end = time.perf_counter()
        cpu = {
            "machine": bench.machine_cpu() - cpu["machine"],
            "load_generator": time.process_time() - cpu["load_generator"],
            "gunicorn": server.cpu() - cpu["gunicorn"],
            "postgresql": bench.processes_cpu(0)[1] - cpu["postgresql"],
        }
    finally:
        for writer in writers:
            await writer.close()
    run = summarise(writers, counts, clock, killed, cpu)
    run["gunicorn_boot_s"] = server.boot_s  # the first start, then the restart
    return run


def summarise(
    writers: list[PageWriter],
    counts: Counts,
    clock: Clock,
    killed: int,
    cpu: dict[str, float],
) -> dict[str, Any]:
    assert clock.kill is not None and clock.ready is not None and clock.restart is not None
    kill = clock.kill
    recovered = [w.recovered_at - kill for w in writers if w.recovered_at is not None]
    settled = [w for w in writers if not w.dirty() and w.stuck is None]
    load_end = clock.start + SECONDS
    run_seconds = clock.end - clock.start

    def rate(start: float, end: float) -> float | None:
        """Saves acknowledged per second between two moments of the load."""
        acks = sum(1 for t in counts.ack_times if start <= t < end)
        return round(acks / (end - start), 1) if end > start else None

    return {
        "kill_epoch": clock.kill_epoch,
        "timeline_s": {
            "kill": round(kill - clock.start, 2),
            "processes_gone": round((clock.dead or kill) - kill, 3),
            "restart": round(clock.restart - kill, 2),
            "server_ready": round(clock.ready - kill, 2),
            "end_of_load": SECONDS,
            "end_of_drain": round(clock.end - clock.start, 2),
        },
        "processes_killed": killed,
        "requests": counts.requests,
        "acknowledged": counts.acknowledged,
        "unchanged": counts.unchanged,
        "acks_per_s_before_kill": rate(clock.start, kill),
        "acks_per_s_after_recovery": rate(kill + min(recovered), load_end) if recovered else None,
        "unanswered_by_error": counts.unanswered,
        "non_2xx_by_status": counts.statuses,
        "resent_requests": counts.resent_requests,
        "resent_saves": sum(len(w.resent) for w in writers),
        "requests_with_previous_save_ids": counts.with_previous,
        "own_conflicts_taken_silently": counts.own_conflicts,
        "conflicts_shown": counts.conflicts_shown,
        "writers_hit_by_the_kill": sum(w.hit for w in writers),
        "writers_recovered": len(recovered),
        "writers_settled": len(settled),
        "writers_stuck": {w.email: w.stuck for w in writers if w.stuck},
        "first_ack_after_kill_s": round(min(recovered), 2) if recovered else None,
        "all_recovered_after_kill_s": (
            round(max(recovered), 2) if len(recovered) == len(writers) else None
        ),
        "recovery_s_by_writer": sorted(round(r, 2) for r in recovered),
        # Cores used during the run, the load and the drain; "others" is everything else running on
        # the machine (it slows gunicorn's restart, hence the recovery, down).
        "cores_busy": {
            **{k: round(v / run_seconds, 2) for k, v in cpu.items()},
            "others": round(
                max(
                    0.0,
                    cpu["machine"] - cpu["load_generator"] - cpu["gunicorn"] - cpu["postgresql"],
                )
                / run_seconds,
                2,
            ),
        },
        "writers": [
            {
                "email": w.email,
                "dossier": w.dossier,
                "acks": w.acks,
                "final_hash": bench.digest(w.text),
                "unanswered": list(w.unanswered),
                "resent": list(w.resent),
            }
            for w in writers
        ],
    }


# --- the report -----------------------------------------------------------------------------


def judge(run: dict[str, Any], check: dict[str, Any]) -> dict[str, Any]:
    damaged = check["wrong_number"] + check["wrong_text"]
    duplicates = check["duplicate_save_ids"] + check["duplicate_numbers"]
    server_errors = sum(n for code, n in run["non_2xx_by_status"].items() if int(code) >= 500)
    first, every = run["first_ack_after_kill_s"], run["all_recovered_after_kill_s"]
    field_wrong = check["final_text_mismatch"] + check["final_local_mismatch"]
    return {
        "lost_ok": check["lost"] == 0 and damaged == 0 and check["acknowledged"] > 0,
        "duplicates_ok": duplicates == 0,
        "recovered_ok": (
            run["writers_recovered"] == WRITERS
            and run["writers_settled"] == WRITERS
            and field_wrong == 0
        ),
        "conflicts_ok": run["conflicts_shown"] == 0,
        "server_errors_ok": server_errors == 0,
        "first_ack_ok": first is not None and first <= GOAL_FIRST_ACK_S,
        "all_recovered_ok": every is not None and every <= GOAL_ALL_RECOVERED_S,
        "killed_ok": run["processes_killed"] >= WORKERS + 1 and run["writers_hit_by_the_kill"] > 0,
        "damaged": damaged,
        "duplicates": duplicates,
        "server_errors": server_errors,
        "field_wrong": field_wrong,
    }


GOALS = (
    "lost_ok",
    "duplicates_ok",
    "recovered_ok",
    "conflicts_ok",
    "server_errors_ok",
    "first_ack_ok",
    "all_recovered_ok",
    "killed_ok",
)


def show(result: dict[str, Any]) -> None:
    conf, run, check, verdict = (
        result["config"], result["run"], result["database_check"], result["verdict"]
    )  # fmt: skip
    t = run["timeline_s"]

    def mark(ok: bool) -> str:
        return "ok" if ok else "ÉCHEC"

    def s(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f} s"

    rows = [
        ("", "measured", "goal", ""),
        ("acknowledged saves missing or altered",
         f"{check['lost']} + {verdict['damaged']} of {check['acknowledged']}", "0",
         mark(verdict["lost_ok"])),
        ("duplicate save ids / revision numbers",
         f"{check['duplicate_save_ids']} / {check['duplicate_numbers']}", "0",
         mark(verdict["duplicates_ok"])),
        ("writers recovered (ack after restart, last text stored)",
         f"{run['writers_recovered']} / {run['writers_settled']} of {conf['writers']}"
         + (f", field wrong: {verdict['field_wrong']}" if verdict["field_wrong"] else ""),
         f"{conf['writers']}", mark(verdict["recovered_ok"])),
        ("conflicts shown to a candidate", str(run["conflicts_shown"]), "0",
         mark(verdict["conflicts_ok"])),
        ("server errors (5xx)", str(verdict["server_errors"]), "0",
         mark(verdict["server_errors_ok"])),
        ("first ack after the kill", s(run["first_ack_after_kill_s"]),
         f"<= {GOAL_FIRST_ACK_S:g} s", mark(verdict["first_ack_ok"])),
        ("every writer acked again after the kill", s(run["all_recovered_after_kill_s"]),
         f"<= {GOAL_ALL_RECOVERED_S:g} s", mark(verdict["all_recovered_ok"])),
        ("processes killed / writers hit",
         f"{run['processes_killed']} / {run['writers_hit_by_the_kill']}",
         f">= {conf['workers'] + 1} / > 0", mark(verdict["killed_ok"])),
    ]  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    print()
    print(
        f"Autosave resilience — {conf['database']}, gunicorn {conf['workers']} workers, "
        f"{conf['writers']} writers, {conf['seconds']:g} s, SIGKILL at {t['kill']:g} s, "
        f"{conf['cpus']} CPUs"
    )
    for row in rows:
        print("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
    print(
        f"  timeline after the kill: processes gone {t['processes_gone']:.3f} s, restart "
        f"{t['restart']:.2f} s, /healthz answered {t['server_ready']:.2f} s (gunicorn boot: "
        f"{' then '.join(f'{b:g} s' for b in run['gunicorn_boot_s'])}); recovery by writer "
        f"(s): {', '.join(f'{r:g}' for r in run['recovery_s_by_writer'][:3])} … "
        f"{run['recovery_s_by_writer'][-1] if run['recovery_s_by_writer'] else '-'}"
    )
    print(
        f"  requests: {run['requests']}, saves acknowledged: {run['acknowledged']} "
        f"({run['acks_per_s_before_kill']}/s before the kill, "
        f"{run['acks_per_s_after_recovery']}/s after), unchanged: {run['unchanged']}"
    )
    print(
        f"  no answer: {run['unanswered_by_error'] or 0}; non-2xx answers: "
        f"{run['non_2xx_by_status'] or 0}"
    )
    print(
        f"  re-sent with the same save id: {run['resent_saves']} saves in "
        f"{run['resent_requests']} requests; requests naming unanswered saves: "
        f"{run['requests_with_previous_save_ids']}; own conflicts taken silently: "
        f"{run['own_conflicts_taken_silently']}"
    )
    print(
        f"  saves without an answer: {check['unanswered']} — stored before the kill (answer "
        f"lost): {check['unanswered_stored_before_kill']} (of which re-sent and deduplicated: "
        f"{check['resent_stored_before_kill']}), stored after the restart: "
        f"{check['unanswered_stored_later']}, never stored (replaced by a newer text): "
        f"{check['unanswered_not_stored']}"
    )
    print(
        f"  rows stored but never acknowledged: {check['rows_not_acknowledged']}, conflict "
        f"copies: {check['conflict_rows']}"
    )
    cores = run["cores_busy"]
    print(
        f"  cores busy: gunicorn {cores['gunicorn']}, load generator {cores['load_generator']}, "
        f"PostgreSQL {cores['postgresql']}, other processes {cores['others']} "
        f"(machine {cores['machine']} of {conf['cpus']})"
    )
    if cores["others"] > bench.BUSY_MACHINE:
        print(
            "  ! the machine was shared with other work: gunicorn's restart, hence the recovery "
            "times, were slowed down; run again on a quiet machine to conclude on them."
        )
    for email, why in run["writers_stuck"].items():
        print(f"  ! {email} stopped: {why}")
    for problem in check["problems"]:
        print(f"  ! {problem}")
    print(f"  figures: {RESULT_FILE.relative_to(ROOT)}")


# --- the run --------------------------------------------------------------------------------


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="vaecos-resilience-"))
    requested = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    pg_url = "" if requested == "sqlite" else bench.local_database_url(requested)
    database_url = pg_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    vendor = "postgresql" if pg_url else "sqlite"
    password = secrets.token_urlsafe(16)
    env = bench.bench_env(tmp, database_url, password, WRITERS)
    log = tmp / "gunicorn.log"
    RESULTS.mkdir(parents=True, exist_ok=True)
    server = Server(env, bench.free_port(), log)
    try:
        if pg_url:
            try:
                bench.postgres(pg_url, "create")
            except Exception as exc:  # psycopg's OperationalError, told plainly
                raise SystemExit(
                    f"PostgreSQL is not reachable at {pg_url} ({exc}); start it, or set "
                    "BENCH_DATABASE_URL (sqlite for a SQLite file)."
                ) from exc
        print(f"Preparing a {vendor} database and {WRITERS} writers…", flush=True)
        bench.django_step(env, "setup", str(tmp / "accounts.json"))
        accounts = json.loads((tmp / "accounts.json").read_text())["writers"]
        try:
            server.start()
            server.wait_ready()
            print(f"gunicorn on {server.base_url}; {SECONDS:g} s of autosaves…", flush=True)
            run = asyncio.run(scenario(server, accounts, password))
        finally:
            server.stop()  # whatever happened: no gunicorn left behind
            if log.exists():
                shutil.copyfile(log, RESULTS / "resilience-gunicorn.log")
        (tmp / "acks.json").write_text(
            json.dumps(
                {
                    "field_key": bench.FIELD_KEY,
                    "kill_at": run.pop("kill_epoch"),
                    "writers": run.pop("writers"),
                }
            )
        )
        bench.django_step(env, "verify", str(tmp / "acks.json"), str(tmp / "check.json"))
        check = json.loads((tmp / "check.json").read_text())
    finally:
        if pg_url:
            bench.postgres(pg_url, "drop")
        shutil.rmtree(tmp, ignore_errors=True)

    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": {
            "database": vendor,
            "workers": WORKERS,
            "writers": WRITERS,
            "seconds": SECONDS,
            "pause_s": PAUSE,
            "drain_s": DRAIN,
            "request_timeout_s": REQUEST_TIMEOUT,
            "retry_s": RETRY_S,
            "field": bench.FIELD_KEY,
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        "run": run,
        "database_check": check,
    }
    result["verdict"] = verdict = judge(run, check)
    RESULT_FILE.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    show(result)
    passed = all(verdict[k] for k in GOALS)
    gunicorn_log = RESULTS / "resilience-gunicorn.log"
    if not passed and gunicorn_log.exists() and gunicorn_log.stat().st_size:
        print("\nEnd of the gunicorn log:\n" + bench.tail(gunicorn_log))
    print("\nAll goals met." if passed else "\nA goal is not met.")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
