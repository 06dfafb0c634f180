"""`make bench`: the Livret 2 autosave under gunicorn, against a bare Django view served the same way.

One run: a throwaway database (SQLite file in a temporary folder, or the PostgreSQL database named
by BENCH_DATABASE_URL, created and dropped here), migrated and filled by bench/steps.py; gunicorn
with 2 sync workers on 127.0.0.1; 16 concurrent writers, each logged in with its own session and
writing its own Livret 2. Short rounds alternate between the bare view and the autosave
(A B A B …) so that both kinds share the machine, and whatever else runs on it, alike. Afterwards,
with the server stopped, every acknowledged save is looked for in the database.

Environment: BENCH_SECONDS (measured seconds per kind, default 15), BENCH_ROUNDS (rounds per kind,
5), BENCH_WARMUP (2), BENCH_WRITERS (16), BENCH_WORKERS (2), BENCH_DATABASE_URL (unset or
`sqlite`, or postgres://user@127.0.0.1:5432/name), BENCH_TRACE=1 (server-side breakdown, bench/trace.py),
BENCH_TEXT_KB (size of the text each writer starts from, 1.5), BENCH_CONN_MAX_AGE
(investigation: overrides the database connection lifetime).
Goals: throughput ratio >= 0.5, p95 latency ratio <= 2, 0 lost, 0 errors. Exit status 1 if one
fails. Figures go to bench/results/last.json (and last-sqlite.json / last-postgresql.json).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
HOST = "127.0.0.1"
FIELD_KEY = "dossier.context"

SECONDS = float(os.environ.get("BENCH_SECONDS", "15"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "2"))
WRITERS = int(os.environ.get("BENCH_WRITERS", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))  # per kind, interleaved: A B A B A B…
BUSY_MACHINE = 0.25  # cores used by other processes above which the figures are flagged
TRACE = os.environ.get("BENCH_TRACE") == "1"  # server-side breakdown, see bench/trace.py

GOAL_THROUGHPUT_RATIO = 0.5
GOAL_P95_RATIO = 2.0

PARAGRAPH = (
    "Je travaille depuis six ans à l'accueil d'une caisse d'allocations familiales de taille "
    "moyenne, au sein d'un service qui reçoit chaque jour entre quatre-vingts et cent vingt "
    "personnes, sur rendez-vous ou sans. Le public est varié : familles, étudiants, personnes "
    "âgées, allocataires en situation de handicap ou en grande précarité. "
)
# The text each writer starts from (then one sentence more per request): 1.5 kB by default.
TEXT_KB = float(os.environ.get("BENCH_TEXT_KB", "1.5"))
OPENING = (PARAGRAPH * (int(TEXT_KB * 1000 / len(PARAGRAPH)) + 1))[: int(TEXT_KB * 1000)]


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- the load -------------------------------------------------------------------------------


@dataclass
class Tally:
    """What one kind of request did during the measured rounds."""

    latencies: list[float] = field(default_factory=list)  # seconds, 2xx answers only
    ok: int = 0  # 2xx answers received before the end of their round
    completed: int = 0  # every answer or failure, the rounds' tails included
    deadline: float = 0.0  # end of the current round (perf_counter)
    errors: dict[str, int] = field(default_factory=dict)  # "409", "500", "ConnectError"...
    seconds: float = 0.0
    server_cpu: float = 0.0  # seconds of CPU used by the gunicorn workers
    client_cpu: float = 0.0  # seconds of CPU used by this load generator
    database_cpu: float = 0.0  # seconds of CPU used by PostgreSQL's processes (0 with SQLite)
    machine_cpu: float = 0.0  # seconds of CPU used by every process of the machine

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1

    def figures(self) -> dict[str, Any]:
        lat = sorted(self.latencies)
        done = self.completed
        cuts = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else lat * 99
        return {
            "requests_ok": self.ok,
            "errors": sum(self.errors.values()),
            "errors_by_kind": self.errors,
            "seconds": round(self.seconds, 3),
            "throughput_rps": round(self.ok / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(cuts[49] * 1000, 1) if lat else None,
            "p95_ms": round(cuts[94] * 1000, 1) if lat else None,
            "p99_ms": round(cuts[98] * 1000, 1) if lat else None,
            "max_ms": round(lat[-1] * 1000, 1) if lat else None,
            # Where the machine's time went: CPU per request, and how busy the two sides were.
            "server_cpu_ms_per_request": round(self.server_cpu / done * 1000, 2) if done else None,
            "client_cpu_ms_per_request": round(self.client_cpu / done * 1000, 2) if done else None,
            "server_cpu_cores": round(self.server_cpu / self.seconds, 2) if self.seconds else None,
            "client_cpu_cores": round(self.client_cpu / self.seconds, 2) if self.seconds else None,
            "database_cpu_ms_per_request": (
                round(self.database_cpu / done * 1000, 2) if done else None
            ),
            "database_cpu_cores": (
                round(self.database_cpu / self.seconds, 2) if self.seconds else None
            ),
            # Anything else running on the machine competes with both sides: shown, not hidden.
            "other_cpu_cores": (
                round(
                    max(
                        0.0,
                        self.machine_cpu - self.server_cpu - self.client_cpu - self.database_cpu,
                    )
                    / self.seconds,
                    2,
                )
                if self.seconds
                else None
            ),
        }


class Writer:
    """One candidate in one browser tab: its own session, its own Livret 2, a growing text."""

    def __init__(self, base_url: str, email: str, dossier: int, timeout: float = 60.0) -> None:
        self.email = email
        self.dossier = dossier
        self.client = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=1),
            follow_redirects=False,
        )
        self.save_url = f"/livret2/{dossier}/champ/{FIELD_KEY}/"
        self.text = OPENING
        self.sentences = 0
        self.revision = 0
        self.acks: list[tuple[str, int, str]] = []  # save_id, revision, sha256 of the text

    async def login(self, password: str) -> None:
        page = await self.client.get("/comptes/connexion/")
        page.raise_for_status()
        answer = await self.client.post(
            "/comptes/connexion/",
            data={
                "csrfmiddlewaretoken": self.client.cookies["csrftoken"],
                "username": self.email,
                "password": password,
            },
        )
        if answer.status_code != 302 or "sessionid" not in self.client.cookies:
            raise RuntimeError(f"login of {self.email} failed: HTTP {answer.status_code}")

    def grow(self) -> str:
        # What a person types between two autosaves: a sentence more.
        self.sentences += 1
        self.text += (
            f"Phrase {self.sentences} : j'ai reformulé la demande de l'allocataire avant de "
            "vérifier ses droits. "
        )
        return self.text

    async def post(self, url: str, data: dict[str, str], tally: Tally) -> httpx.Response | None:
        headers = {"X-CSRFToken": self.client.cookies["csrftoken"], "Accept": "application/json"}
        start = time.perf_counter()
        try:
            response = await self.client.post(url, data=data, headers=headers)
        except httpx.HTTPError as exc:
            tally.completed += 1
            tally.error(type(exc).__name__)
            return None
        end = time.perf_counter()
        tally.completed += 1
        if not 200 <= response.status_code < 300:
            tally.error(str(response.status_code))
        elif end <= tally.deadline:
            # Answers arriving after the round's end are checked (acks) but not timed: a round
            # is exactly `seconds` long for both kinds, whatever their latency.
            tally.ok += 1
            tally.latencies.append(end - start)
        return response

    async def bare(self, tally: Tally) -> None:
        await self.post("/bench/bare/", {"text": self.grow()}, tally)

    async def autosave(self, tally: Tally) -> None:
        text, save_id = self.grow(), str(uuid.uuid4())
        data = {"text": text, "base_revision": str(self.revision), "save_id": save_id}
        response = await self.post(self.save_url, data, tally)
        if response is None:
            return  # unknown outcome: the next save tells (a conflict if this one was stored)
        try:
            body = response.json()
        except ValueError:
            return
        if response.status_code == 200 and body.get("outcome") == "saved":
            self.acks.append((save_id, body["revision"], digest(text)))
        if isinstance(body.get("revision"), int):
            self.revision = body["revision"]  # as the page does, also after a conflict

    async def close(self) -> None:
        await self.client.aclose()


def processes_cpu(master: int) -> tuple[float, float]:
    """CPU seconds (user + system) used so far by gunicorn's workers and by PostgreSQL."""
    workers = database = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime
        if int(fields[1]) == master:  # fields[1] is the parent's pid
            workers += ticks
        elif name == "postgres":
            database += ticks
    tick = os.sysconf("SC_CLK_TCK")
    return workers / tick, database / tick


def machine_cpu() -> float:
    """CPU seconds used so far by the whole machine (every core, every process)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


async def run_round(
    writers: list[Writer], kind: str, seconds: float, tally: Tally, master: int
) -> None:
    """Every writer sends one request after the other until the time is up."""
    (server_cpu, database_cpu), client_cpu = processes_cpu(master), time.process_time()
    all_cpu = machine_cpu()
    start = time.perf_counter()
    deadline = tally.deadline = start + seconds

    async def loop(writer: Writer) -> None:
        while time.perf_counter() < deadline:
            await getattr(writer, kind)(tally)

    await asyncio.gather(*(loop(w) for w in writers))
    tally.seconds += seconds
    server_after, database_after = processes_cpu(master)
    tally.server_cpu += server_after - server_cpu
    tally.database_cpu += database_after - database_cpu
    tally.client_cpu += time.process_time() - client_cpu
    tally.machine_cpu += machine_cpu() - all_cpu


async def load(
    base_url: str, accounts: list[dict[str, Any]], password: str, master: int
) -> dict[str, Any]:
    writers = [Writer(base_url, a["email"], a["dossier"]) for a in accounts]
    try:
        for writer in writers:
            await writer.login(password)
        warm = Tally()
        await run_round(writers, "bare", WARMUP / 2, warm, master)
        await run_round(writers, "autosave", WARMUP / 2, warm, master)
        tallies = {"bare": Tally(), "autosave": Tally()}
        for _ in range(ROUNDS):
            for kind in ("bare", "autosave"):
                await run_round(writers, kind, SECONDS / ROUNDS, tallies[kind], master)
        return {
            "bare": tallies["bare"].figures(),
            "autosave": tallies["autosave"].figures(),
            "warmup_errors": sum(warm.errors.values()),
            "writers": [{"email": w.email, "dossier": w.dossier, "acks": w.acks} for w in writers],
        }
    finally:
        for writer in writers:
            await writer.close()


# --- the server and the database ------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def django_step(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "bench.steps", *args], cwd=ROOT, env=env, check=True)


def start_gunicorn(
    env: dict[str, str], port: int, log: Path, workers: int = WORKERS
) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "gunicorn",
        "--workers", str(workers),
        "--bind", f"{HOST}:{port}",
        "--chdir", str(ROOT),
        "--timeout", "60",
        "--graceful-timeout", "5",
        "--no-control-socket",
        "--log-level", "warning",
        "--error-logfile", str(log),
        "config.wsgi:application",
    ]  # fmt: skip
    # Own process group, so that the finally block can stop the master and its workers.
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def wait_ready(server: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped (status {server.returncode}):\n{tail(log)}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz within 60 s:\n{tail(log)}")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError):  # a worker that outlived its master
        os.killpg(server.pid, signal.SIGKILL)


def tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def postgres(url: str, action: str, variable: str = "BENCH_DATABASE_URL") -> None:
    """Create (dropping any leftover) or drop the benchmark's own PostgreSQL database.
    `variable` names the setting to mention when the address is unusable."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        raise SystemExit(f"{variable} must name a database")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    try:
        conn = psycopg.connect(admin_url, autocommit=True)
    except psycopg.OperationalError as exc:
        raise SystemExit(
            f"PostgreSQL is not reachable at {parts.hostname}:{parts.port or 5432} ({exc}). Start "
            f"it, or measure on SQLite: {variable}=sqlite"
        ) from exc
    with conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if action == "create":
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def local_database_url(url: str) -> str:
    """The PostgreSQL address given to a benchmark, refused unless it is on this machine."""
    if url and urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("BENCH_DATABASE_URL must point to 127.0.0.1")
    return url


def bench_env(tmp: Path, database_url: str, password: str, writers: int) -> dict[str, str]:
    """The environment of bench/steps.py and gunicorn: bench.settings on the throwaway database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "BENCH_MEDIA_ROOT": str(tmp / "media"),
        "BENCH_PASSWORD": password,
        "BENCH_WRITERS": str(writers),
        "PYTHONDONTWRITEBYTECODE": "1",
        "BENCH_TRACE_DIR": str(tmp / "trace"),
    }
    (tmp / "trace").mkdir(exist_ok=True)
    for name in ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "SECURE_COOKIES"):
        env.pop(name, None)  # the bench settings decide
    return env


def read_trace(folder: Path) -> dict[str, dict[str, float]]:
    """Milliseconds per request, per kind, added up over the workers' files (bench/trace.py)."""
    totals: dict[str, dict[str, float]] = {}
    for path in folder.glob("*.json"):
        for kind, values in json.loads(path.read_text()).items():
            into = totals.setdefault(kind, dict.fromkeys(values, 0.0))
            for name, value in values.items():
                into[name] += value
    per_request = {}
    for kind, t in totals.items():
        n = t["requests"] or 1
        per_request[kind] = {
            "requests": int(t["requests"]),
            "wall_ms": round(t["wall"] / n * 1000, 2),
            "cpu_ms": round(t["cpu"] / n * 1000, 2),
            "off_cpu_ms": round((t["wall"] - t["cpu"]) / n * 1000, 2),
            "sql_ms": round(t["sql"] / n * 1000, 2),
            "begin_immediate_ms": round(t["begin"] / n * 1000, 2),
        }
    return per_request


# --- the report -----------------------------------------------------------------------------


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def judge(run: dict[str, Any], check: dict[str, Any]) -> dict[str, Any]:
    bare, save = run["bare"], run["autosave"]
    throughput = ratio(save["throughput_rps"], bare["throughput_rps"])
    p95 = ratio(save["p95_ms"], bare["p95_ms"])
    errors = bare["errors"] + save["errors"] + run["warmup_errors"]
    damaged = (
        check["wrong_number"] + check["wrong_text"] + check["duplicate_save_ids"]
        + check["duplicate_numbers"] + check["final_text_mismatch"]
    )  # fmt: skip
    cost = {
        kind: sum(
            run[kind][f"{side}_cpu_ms_per_request"] or 0
            for side in ("server", "client", "database")
        )
        for kind in ("bare", "autosave")
    }
    others = max(bare["other_cpu_cores"] or 0, save["other_cpu_cores"] or 0)
    return {
        # If the machine is the bottleneck, the throughput ratio tends to the ratio of CPU costs.
        "cpu_cost_ratio": ratio(cost["bare"], cost["autosave"]),
        "machine_busy_elsewhere": others > BUSY_MACHINE,
        "throughput_ratio": throughput,
        "p95_ratio": p95,
        "throughput_ok": throughput is not None and throughput >= GOAL_THROUGHPUT_RATIO,
        "p95_ok": p95 is not None and p95 <= GOAL_P95_RATIO,
        "lost_ok": check["lost"] == 0 and damaged == 0 and check["acknowledged"] > 0,
        "errors_ok": errors == 0,
        "errors": errors,
        "damaged": damaged,
    }


def show(result: dict[str, Any]) -> None:
    bare, save, check, verdict = (
        result["bare"], result["autosave"], result["database_check"], result["verdict"]
    )  # fmt: skip

    def mark(ok: bool) -> str:
        return "ok" if ok else "ÉCHEC"

    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f} ms"

    rows = [
        ("", "bare view", "autosave", "ratio", "goal", ""),
        ("throughput", f"{bare['throughput_rps']:.1f}/s", f"{save['throughput_rps']:.1f}/s",
         f"{verdict['throughput_ratio']}", f">= {GOAL_THROUGHPUT_RATIO}",
         mark(verdict["throughput_ok"])),
        ("p50 latency", ms(bare["p50_ms"]), ms(save["p50_ms"]),
         f"{ratio(save['p50_ms'], bare['p50_ms'])}", "", ""),
        ("p95 latency", ms(bare["p95_ms"]), ms(save["p95_ms"]), f"{verdict['p95_ratio']}",
         f"<= {GOAL_P95_RATIO}", mark(verdict["p95_ok"])),
        ("p99 latency", ms(bare["p99_ms"]), ms(save["p99_ms"]),
         f"{ratio(save['p99_ms'], bare['p99_ms'])}", "", ""),
        ("requests ok", str(bare["requests_ok"]), str(save["requests_ok"]), "", "", ""),
        ("server CPU/request", ms(bare["server_cpu_ms_per_request"]),
         ms(save["server_cpu_ms_per_request"]),
         f"{ratio(save['server_cpu_ms_per_request'], bare['server_cpu_ms_per_request'])}", "", ""),
        ("client CPU/request", ms(bare["client_cpu_ms_per_request"]),
         ms(save["client_cpu_ms_per_request"]), "", "", ""),
        ("cores busy: server", str(bare["server_cpu_cores"]), str(save["server_cpu_cores"]),
         "", "", ""),
        ("cores busy: client", str(bare["client_cpu_cores"]), str(save["client_cpu_cores"]),
         "", "", ""),
        ("cores busy: database", str(bare["database_cpu_cores"]),
         str(save["database_cpu_cores"]), "", "", ""),
        ("cores busy: others", str(bare["other_cpu_cores"]), str(save["other_cpu_cores"]),
         "", "", ""),
        ("errors (non-2xx)", str(bare["errors"]), str(save["errors"]), "", "0",
         mark(verdict["errors_ok"])),
    ]  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    conf = result["config"]
    print()
    print(
        f"Autosave benchmark — {conf['database']}, gunicorn {conf['workers']} workers, "
        f"{conf['writers']} writers, {conf['seconds_per_kind']:g} s per kind "
        f"({ROUNDS} rounds each, alternating), {conf['cpus']} CPUs"
    )
    for row in rows:
        print("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
    print(
        f"  acknowledged saves: {check['acknowledged']}, found in the database: {check['found']}, "
        f"lost: {check['lost']} (goal 0) {mark(verdict['lost_ok'])}"
    )
    print(
        f"  wrong number/text: {check['wrong_number']}/{check['wrong_text']}, duplicates: "
        f"{check['duplicate_save_ids'] + check['duplicate_numbers']}, field not at last ack: "
        f"{check['final_text_mismatch']}, stored but unacknowledged: "
        f"{check['rows_not_acknowledged']}, warm-up errors: {result['warmup_errors']}"
    )
    print(
        f"  CPU cost per request (server + client + database): bare / autosave = "
        f"{verdict['cpu_cost_ratio']} (what the throughput ratio tends to when CPU-bound)"
    )
    if verdict["machine_busy_elsewhere"]:
        print(
            f"  ! other processes used up to {max(bare['other_cpu_cores'], save['other_cpu_cores'])} "
            "cores during the run: the machine was shared, the figures are less reliable."
        )
    for kind, t in result.get("server_trace", {}).items():
        print(
            f"  trace {kind}: {t['wall_ms']} ms in the worker per request, {t['cpu_ms']} on CPU, "
            f"{t['off_cpu_ms']} off CPU; {t['sql_ms']} in SQL, of which "
            f"{t['begin_immediate_ms']} waiting in BEGIN IMMEDIATE ({t['requests']} requests)"
        )
    for problem in check["problems"]:
        print(f"  ! {problem}")
    print(f"  figures: {RESULTS.relative_to(ROOT) / 'last.json'}")


# --- the run --------------------------------------------------------------------------------


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="vaecos-bench-"))
    requested = os.environ.get("BENCH_DATABASE_URL", "")
    pg_url = "" if requested == "sqlite" else local_database_url(requested)  # "sqlite": default
    database_url = pg_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    password = secrets.token_urlsafe(16)
    env = bench_env(tmp, database_url, password, WRITERS)
    log = tmp / "gunicorn.log"
    RESULTS.mkdir(parents=True, exist_ok=True)
    vendor = "postgresql" if pg_url else "sqlite"
    try:
        if pg_url:
            postgres(pg_url, "create")
        print(f"Preparing a {vendor} database and {WRITERS} writers…", flush=True)
        django_step(env, "setup", str(tmp / "accounts.json"))
        accounts = json.loads((tmp / "accounts.json").read_text())["writers"]

        port = free_port()
        base_url = f"http://{HOST}:{port}"
        server = start_gunicorn(env, port, log)
        try:
            wait_ready(server, base_url, log)
            total = WARMUP + 2 * SECONDS
            print(f"gunicorn on {base_url}; {total:g} s of load…", flush=True)
            run = asyncio.run(load(base_url, accounts, password, server.pid))
        finally:
            stop(server)
        if log.exists():
            shutil.copyfile(log, RESULTS / "gunicorn.log")

        (tmp / "acks.json").write_text(
            json.dumps({"field_key": FIELD_KEY, "writers": run.pop("writers")})
        )
        django_step(env, "verify", str(tmp / "acks.json"), str(tmp / "check.json"))
        check = json.loads((tmp / "check.json").read_text())
        if TRACE:
            run["server_trace"] = read_trace(tmp / "trace")
    finally:
        if pg_url:
            postgres(pg_url, "drop")
        shutil.rmtree(tmp, ignore_errors=True)

    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": {
            "database": vendor,
            "workers": WORKERS,
            "writers": WRITERS,
            "seconds_per_kind": SECONDS,
            "warmup_seconds": WARMUP,
            "rounds_per_kind": ROUNDS,
            "text_kb_at_start": TEXT_KB,
            "conn_max_age_override": os.environ.get("BENCH_CONN_MAX_AGE") or None,
            "server_trace": TRACE,
            "field": FIELD_KEY,
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        **run,
        "database_check": check,
    }
    result["verdict"] = judge(run, check)
    for name in ("last.json", f"last-{vendor}.json"):
        (RESULTS / name).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    show(result)
    if result["verdict"]["errors"] and (RESULTS / "gunicorn.log").exists():
        print("\nEnd of the gunicorn log:\n" + tail(RESULTS / "gunicorn.log"))
    verdict = result["verdict"]
    passed = all(verdict[k] for k in ("throughput_ok", "p95_ok", "lost_ok", "errors_ok"))
    print("\nAll goals met." if passed else "\nA goal is not met.")
    if verdict["machine_busy_elsewhere"]:
        print("The machine was busy with other work: run again on a quiet machine to conclude.")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
