"""Optional server-side trace of `make bench` (BENCH_TRACE=1): where a request's time goes.

Each gunicorn worker adds up, per kind of request (bare view or autosave): wall time from
request_started to request_finished (the connection is closed by then, as CONN_MAX_AGE=0 does),
the worker's CPU time over the same span, the time spent inside SQL statements, and the part of it
spent in BEGIN IMMEDIATE, which is where SQLite makes a writer wait for the other worker's write
lock. The totals go to BENCH_TRACE_DIR/<pid>.json; bench/autosave.py reads them after the run.
Off by default: the measured run must be the application, untouched.
"""

import atexit
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.signals import request_finished, request_started
from django.db import connection

_totals: dict[str, dict[str, float]] = {}
_current: dict[str, Any] = {}
_last_dump = 0.0


def _kind(path: str) -> str:
    return "bare" if path.startswith("/bench/bare/") else "autosave" if "/champ/" in path else ""


def _sql(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
    start = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        if _current:
            elapsed = time.perf_counter() - start
            _current["sql"] += elapsed
            if sql.startswith("BEGIN"):
                _current["begin"] += elapsed


def _started(sender: Any, environ: dict[str, Any], **kwargs: Any) -> None:
    _current.clear()
    kind = _kind(environ.get("PATH_INFO", ""))
    if not kind:
        return
    if _sql not in connection.execute_wrappers:
        connection.execute_wrappers.append(_sql)
    _current.update(kind=kind, wall=time.perf_counter(), cpu=time.thread_time(), sql=0.0, begin=0.0)


def _finished(sender: Any, **kwargs: Any) -> None:
    global _last_dump
    if not _current:
        return
    totals = _totals.setdefault(
        _current["kind"], {"requests": 0, "wall": 0.0, "cpu": 0.0, "sql": 0.0, "begin": 0.0}
    )
    totals["requests"] += 1
    totals["wall"] += time.perf_counter() - _current["wall"]
    totals["cpu"] += time.thread_time() - _current["cpu"]
    totals["sql"] += _current["sql"]
    totals["begin"] += _current["begin"]
    _current.clear()
    now = time.monotonic()
    if now - _last_dump > 0.5:
        _last_dump = now
        _dump()


def _dump() -> None:
    if _totals:
        Path(os.environ["BENCH_TRACE_DIR"], f"{os.getpid()}.json").write_text(json.dumps(_totals))


def install() -> None:
    # Connected after Django's close_old_connections: the closing of the connection is counted.
    request_started.connect(_started, dispatch_uid="bench-trace-start")
    request_finished.connect(_finished, dispatch_uid="bench-trace-finish")
    atexit.register(_dump)
