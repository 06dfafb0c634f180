"""The benchmark's steps that need Django, run by bench/autosave.py in a subprocess.

    DJANGO_SETTINGS_MODULE=bench.settings DATABASE_URL=... python -m bench.steps setup OUT.json
    DJANGO_SETTINGS_MODULE=bench.settings DATABASE_URL=... python -m bench.steps verify IN.json OUT.json

`setup` migrates the empty database, loads the référentiel and creates the writers (one candidate,
one VAE case and one Livret 2 each) through the project's services. `verify` reads back every
acknowledged save from the database once the server is stopped; for bench/resilience.py it also
compares the field with each writer's last local text and tells which of the saves that got no
answer were stored, and when (before the server was killed, or after its restart).
"""

import hashlib
import io
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import django


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def setup(out: Path) -> None:
    from django.core.management import call_command

    from vaecos.accounts.models import Role, User
    from vaecos.cases.services import case_open
    from vaecos.dossiers.services import dossier_open
    from vaecos.referentiels.models import Certification

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_referentiel", verbosity=0, stdout=io.StringIO())
    certification = Certification.objects.get(code="cqp-cos")
    version = certification.current_version()
    assert version is not None
    password = os.environ["BENCH_PASSWORD"]
    writers = []
    for i in range(int(os.environ["BENCH_WRITERS"])):
        user = User.objects.create_user(
            f"redacteur-{i:02d}@bench.test",
            password,
            first_name=f"Rédacteur {i:02d}",
            last_name="Banc",
            role=Role.CANDIDATE,
        )
        case = case_open(candidate=user, referentiel_version=version)
        dossier = dossier_open(case=case, by=user)
        writers.append({"email": user.email, "dossier": dossier.pk})
    out.write_text(json.dumps({"writers": writers}))


def verify(source: Path, out: Path) -> None:
    """Every acknowledged save must be one row with the acknowledged number and text.

    Optional input (bench/resilience.py): `kill_at` (epoch seconds of the SIGKILL) and, per
    writer, `final_hash` (its last local text), `unanswered` (save ids sent at least once
    without an answer) and `resent` (those of them sent again with the same id).
    """
    from vaecos.dossiers.models import Dossier, FieldRevision, RevisionKind

    data = json.loads(source.read_text())
    field_key, name = data["field_key"], data["field_key"].split(".", 1)[1]
    kill_at = data.get("kill_at")
    report: dict[str, Any] = {
        "acknowledged": 0,
        "found": 0,
        "lost": 0,
        "wrong_number": 0,
        "wrong_text": 0,
        "duplicate_save_ids": 0,
        "duplicate_numbers": 0,
        "final_text_mismatch": 0,
        "rows_not_acknowledged": 0,
        "conflict_rows": 0,
        "final_local_mismatch": 0,
        "unanswered": 0,
        "unanswered_stored_before_kill": 0,  # committed, answer lost: the re-send must not copy it
        "unanswered_stored_later": 0,  # stored by a re-send once the server was back
        "unanswered_not_stored": 0,  # replaced by a newer text before it could be re-sent
        "resent_stored_before_kill": 0,  # of the first kind, sent again: deduplicated by save id
        "problems": [],
    }
    for writer in data["writers"]:
        dossier_id = writer["dossier"]
        rows: list[Any] = list(
            FieldRevision.objects.filter(dossier_id=dossier_id, field_key=field_key).values(
                "client_save_id", "number", "kind", "text", "created_at"
            )
        )
        by_save_id: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            if row["client_save_id"] is not None:
                by_save_id.setdefault(str(row["client_save_id"]), []).append(row)
        numbers = Counter(row["number"] for row in rows)
        report["duplicate_numbers"] += sum(n - 1 for n in numbers.values() if n > 1)
        report["duplicate_save_ids"] += sum(len(v) - 1 for v in by_save_id.values() if len(v) > 1)
        acked = set()
        for save_id, number, text_hash in writer["acks"]:
            report["acknowledged"] += 1
            acked.add(save_id)
            found = by_save_id.get(save_id, [])
            if not found:
                report["lost"] += 1
                report["problems"].append(f"dossier {dossier_id}: save {save_id} (v{number}) lost")
                continue
            report["found"] += 1
            stored = found[0]
            if stored["number"] != number or stored["kind"] != RevisionKind.EDIT:
                report["wrong_number"] += 1
                report["problems"].append(
                    f"dossier {dossier_id}: save {save_id} acknowledged as v{number}, "
                    f"stored as v{stored['number']} ({stored['kind']})"
                )
            if digest(stored["text"]) != text_hash:
                report["wrong_text"] += 1
                report["problems"].append(f"dossier {dossier_id}: save {save_id} text differs")
        report["rows_not_acknowledged"] += sum(1 for s in by_save_id if s not in acked)
        report["conflict_rows"] += sum(1 for row in rows if row["kind"] == RevisionKind.CONFLICT)
        current = getattr(Dossier.objects.get(pk=dossier_id), name)
        if writer["acks"] and digest(current) != writer["acks"][-1][2]:
            report["final_text_mismatch"] += 1
            report["problems"].append(
                f"dossier {dossier_id}: the field is not the last acknowledged text"
            )
        if "final_hash" in writer and digest(current) != writer["final_hash"]:
            report["final_local_mismatch"] += 1
            report["problems"].append(
                f"dossier {dossier_id}: the field is not the writer's last local text"
            )
        resent = set(writer.get("resent", []))
        for save_id in writer.get("unanswered", []):
            report["unanswered"] += 1
            stored_rows = by_save_id.get(save_id)
            if not stored_rows:
                report["unanswered_not_stored"] += 1
            elif kill_at is not None and stored_rows[0]["created_at"].timestamp() < kill_at:
                report["unanswered_stored_before_kill"] += 1
                report["resent_stored_before_kill"] += save_id in resent
            else:
                report["unanswered_stored_later"] += 1
    report["problems"] = report["problems"][:20]
    out.write_text(json.dumps(report))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    command, *args = sys.argv[1:]
    if command == "setup":
        setup(Path(args[0]))
    elif command == "verify":
        verify(Path(args[0]), Path(args[1]))
    else:
        raise SystemExit(f"unknown step: {command}")


if __name__ == "__main__":
    main()
