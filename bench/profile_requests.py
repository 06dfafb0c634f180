"""Where an autosave's time goes, in one process, without gunicorn or concurrency.

    .venv/bin/python -m bench.profile_requests [N]

Builds a throwaway SQLite database like `make bench` (or uses BENCH_DATABASE_URL's database,
created and dropped), then sends N bare requests and N autosaves through Django's test client
(the same middleware stack) and prints, per kind: time per request, SQL statements per request,
time spent inside the database driver, and the statements of one autosave with their durations.
Add `--cprofile` to also print the top functions of the autosave by cumulative time, and
`--steps` to time, one by one, the queries an autosave is made of (and alternatives).
"""

import cProfile
import io
import json
import os
import pstats
import shutil
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 300
    tmp = Path(tempfile.mkdtemp(prefix="vaecos-bench-profile-"))
    pg_url = os.environ.get("BENCH_DATABASE_URL", "")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=pg_url or f"sqlite:///{tmp / 'profile.sqlite3'}",
        BENCH_MEDIA_ROOT=str(tmp / "media"),
        BENCH_PASSWORD="profile-password",
        BENCH_WRITERS="1",
    )
    from bench.autosave import postgres

    if pg_url:
        postgres(pg_url, "create")
    try:
        run(tmp, n, "--cprofile" in sys.argv, "--steps" in sys.argv)
    finally:
        from django.db import connections

        connections.close_all()
        if pg_url:
            postgres(pg_url, "drop")
        shutil.rmtree(tmp, ignore_errors=True)


def run(tmp: Path, n: int, with_cprofile: bool, with_steps: bool) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from bench import steps

    steps.setup(tmp / "accounts.json")
    writer = json.loads((tmp / "accounts.json").read_text())["writers"][0]
    client = Client(HTTP_HOST="127.0.0.1")
    # force_login: the login throttle (django-axes) needs the request that Client.login lacks.
    from vaecos.accounts.models import User

    client.force_login(User.objects.get(email=writer["email"]))

    sql: list[tuple[str, float]] = []

    def timed(execute, statement, params, many, context):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            sql.append((statement, time.perf_counter() - start))

    text = "Texte de départ. " * 200
    revision = 0
    url = f"/livret2/{writer['dossier']}/champ/dossier.context/"

    def bare() -> None:
        nonlocal text
        text += "Une phrase de plus. "
        assert client.post("/bench/bare/", {"text": text}).status_code == 200

    def autosave() -> None:
        nonlocal text, revision
        text += "Une phrase de plus. "
        data = {"text": text, "base_revision": revision, "save_id": str(uuid.uuid4())}
        response = client.post(url, data)
        assert response.status_code == 200, response.content
        revision = response.json()["revision"]

    print(f"{connection.vendor}, {n} requests of each kind, one process, no concurrency")
    modes = (
        ("connection kept between requests", False),
        ("connection closed after each request, as CONN_MAX_AGE=0 does", True),
    )
    with connection.execute_wrapper(timed):
        for label, close in modes:
            print(f"- {label}:")
            for kind, call in (("bare", bare), ("autosave", autosave)):
                for _ in range(20):
                    call()  # warm-up
                    if close:
                        connection.close()
                sql.clear()
                start, cpu = time.perf_counter(), time.process_time()
                for _ in range(n):
                    call()
                    if close:
                        connection.close()
                elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
                print(
                    f"  {kind:9} {elapsed / n * 1000:6.2f} ms/request ({cpu / n * 1000:5.2f} ms CPU), "
                    f"{len(sql) / n:4.1f} SQL statements, {sum(t for _, t in sql) / n * 1000:5.2f} "
                    "ms inside execute()"
                )
        sql.clear()
        autosave()
        one = list(sql)
    print("\nStatements of one autosave (ms):")
    totals: dict[str, float] = defaultdict(float)
    for statement, seconds in one:
        print(f"  {seconds * 1000:6.3f}  {statement[:150]}")
        totals[statement.split()[0].upper()] += seconds
    print("  by verb: " + ", ".join(f"{k} {v * 1000:.2f} ms" for k, v in totals.items()))

    if with_steps:
        steps_timing(writer["dossier"], n)

    if with_cprofile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(n):
            autosave()
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(
            os.environ.get("BENCH_PROFILE_SORT", "cumulative")
        ).print_stats(35)
        print(out.getvalue())


def steps_timing(dossier_id: int, n: int) -> None:
    """Each query alone, in a loop: CPU per call on this machine, SQL and ORM included."""
    from django.db import connection, models, transaction

    from vaecos.dossiers.models import Dossier, FieldRevision, RevisionKind

    key, save_id = "dossier.context", uuid.uuid4()
    dossier = Dossier.objects.get(pk=dossier_id)
    last = FieldRevision.objects.filter(dossier=dossier, field_key=key).order_by("-number").first()
    assert last is not None
    # The queries an autosave can be built from, old and new, so that their costs can be compared.
    calls: dict[str, Any] = {
        "dossier with case, candidate, référentiel, branch (views._dossier)": lambda: (
            Dossier.objects.select_related(
                "case__candidate", "case__referentiel_version__certification", "branch"
            ).get(pk=dossier_id)
        ),
        "dossier with case, only the permission columns": lambda: (
            Dossier.objects.select_related("case")
            .only("pk", "status", "case__id", "case__candidate_id")
            .get(pk=dossier_id)
        ),
        "lock: whole dossier row, select_for_update()": lambda: (
            Dossier.objects.select_for_update().get(pk=dossier_id)
        ),
        "lock: light row, select_for_update().only(pk, status, case)": lambda: (
            Dossier.objects.select_for_update().only("pk", "status", "case_id").get(pk=dossier_id)
        ),
        "current revision, whole row (services._current)": lambda: (
            FieldRevision.objects.filter(dossier=dossier, field_key=key)
            .exclude(kind=RevisionKind.CONFLICT)
            .order_by("-number")
            .first()
        ),
        "5 latest revisions with their text": lambda: list(
            FieldRevision.objects.filter(dossier_id=dossier_id, field_key=key)
            .order_by("-number")
            .only("number", "kind", "text", "client_save_id", "created_at")[:5]
        ),
        "latest revision without its text": lambda: (
            FieldRevision.objects.filter(dossier_id=dossier_id, field_key=key)
            .order_by("-number")
            .only("number", "kind", "client_save_id", "created_at")
            .first()
        ),
        "client_save_id lookup": lambda: FieldRevision.objects.filter(
            dossier=dossier, client_save_id=save_id
        ).first(),
        "max(number) (services._next_number)": lambda: FieldRevision.objects.filter(
            dossier=dossier, field_key=key
        ).aggregate(m=models.Max("number")),
        "update one column: instance.save(update_fields=[...])": lambda: dossier.save(
            update_fields=["context"]
        ),
        "update one column: filter().update()": lambda: Dossier.objects.filter(
            pk=dossier_id
        ).update(updated_at=last.created_at),
        "update two columns: filter().update()": lambda: Dossier.objects.filter(
            pk=dossier_id
        ).update(context=dossier.context, updated_at=last.created_at),
    }
    print(f"\nEach ORM call alone ({connection.vendor}, {n} times, ms of CPU per call):")
    for label, call in calls.items():
        with transaction.atomic():
            for _ in range(20):
                call()
            cpu = time.process_time()
            for _ in range(n):
                call()
            cpu = time.process_time() - cpu
            transaction.set_rollback(True)
        print(f"  {cpu / n * 1000:6.3f}  {label}")
    revision_kwargs = {
        "dossier": dossier,
        "field_key": "dossier.motivation_reasons",
        "kind": RevisionKind.EDIT,
        "text": last.text,
        "author_id": last.author_id,
    }
    with transaction.atomic():
        cpu = time.process_time()
        for i in range(n):
            FieldRevision.objects.create(
                number=i + 1, client_save_id=uuid.uuid4(), **revision_kwargs
            )
        cpu = time.process_time() - cpu
        transaction.set_rollback(True)
    print(f"  {cpu / n * 1000:6.3f}  insert: FieldRevision.objects.create()")
    cpu = time.process_time()
    for _ in range(n):
        with transaction.atomic():
            Dossier.objects.filter(pk=dossier_id).update(updated_at=last.created_at)
    cpu = time.process_time() - cpu
    print(f"  {cpu / n * 1000:6.3f}  a write transaction of one update (BEGIN, UPDATE, COMMIT)")


if __name__ == "__main__":
    main()
