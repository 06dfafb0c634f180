"""`make bench`, personal data: how well and how fast `vaecos.pii.detection` finds it.

One run, in this process, on the hand-labelled evaluation set of tests/pii/evaluation_set.py
(Livret-2-style texts with every name, NIR, IBAN, SIRET, allocataire number, phone, e-mail, address
and birth date labelled, and look-alikes that are not personal data):

- quality: recall and precision per label of `scan_text`, and of Presidio's default French setup
  (`baseline_analyzer()`: the same spaCy model, Presidio's built-in recognizers only; its types
  PERSON, EMAIL_ADDRESS, PHONE_NUMBER and IBAN_CODE are mapped to ours, the others left out). A
  prediction is a true positive when it has the gold span's label and overlaps it, each gold span
  and each prediction matched once (tests/pii/scoring.py);
- time: the whole set through `scan_text`, against the whole set through the bare spaCy pipeline
  (`nlp()(text)`), the model loaded once: BENCH_PII_WARMUP (1) warm-up round each, then
  BENCH_PII_ROUNDS (7) timed rounds, interleaved (scan, spaCy, scan, spaCy…) so that both share
  the machine alike; the ratio is the median of the per-round ratios;
- memory: VmRSS of this process before the model is loaded, once it is loaded, after the timed
  scans and after Presidio's default setup is built; VmHWM (peak) at the end.

Goals: overall recall >= 0.95; recall 1.0 on NIR, IBAN, EMAIL and PHONE; overall precision >= 0.85;
higher overall recall and F1 than Presidio's default setup; scan_text / spaCy <= 1.5 (median of
the rounds). Exit status 1 if one fails. Figures go to bench/results/last-pii.json. Nothing here
reaches the network (TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS is emptied before Presidio is imported).
"""

from __future__ import annotations

import os

os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""  # before Presidio: no network

import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results"
RESULT_FILE = RESULTS / "last-pii.json"

WARMUP_ROUNDS = int(os.environ.get("BENCH_PII_WARMUP", "1"))
ROUNDS = int(os.environ.get("BENCH_PII_ROUNDS", "7"))
BUSY_MACHINE = 0.25  # cores used by other processes above which the figures are flagged

GOAL_RECALL = 0.95
GOAL_PRECISION = 0.85
FULL_RECALL = ("NIR", "IBAN", "EMAIL", "PHONE")
GOAL_TIME_RATIO = 1.5


# --- the measures -----------------------------------------------------------------------------


def memory() -> dict[str, int]:
    """VmRSS and VmHWM of this process, in kB (Linux)."""
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


def machine_cpu() -> float:
    """CPU seconds used so far by the whole machine (every core, every process)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def timed(work: Callable[[], object]) -> tuple[float, float]:
    cpu, start = time.process_time(), time.perf_counter()
    work()
    return time.perf_counter() - start, time.process_time() - cpu


def measure_time(texts: list[str]) -> dict[str, Any]:
    from vaecos.pii.detection import nlp, scan_text

    pipeline = nlp()

    def scan_all() -> None:
        for text in texts:
            scan_text(text)

    def spacy_all() -> None:
        for text in texts:
            pipeline(text)

    first_scan, _ = timed(scan_all)  # builds the analyzer on first use
    for _ in range(WARMUP_ROUNDS - 1):
        timed(scan_all)
    for _ in range(WARMUP_ROUNDS):
        timed(spacy_all)
    series: dict[str, list[tuple[float, float]]] = {"scan": [], "spacy": []}
    machine, own, start = machine_cpu(), time.process_time(), time.perf_counter()
    for index in range(ROUNDS):
        series["scan"].append(timed(scan_all))
        series["spacy"].append(timed(spacy_all))
        print(
            f"  round {index + 1}: scan_text {series['scan'][-1][0]:.3f} s, "
            f"spaCy {series['spacy'][-1][0]:.3f} s",
            flush=True,
        )
    elapsed = time.perf_counter() - start
    other = max(0.0, (machine_cpu() - machine) - (time.process_time() - own)) / elapsed
    ratios = [s[0] / n[0] for s, n in zip(series["scan"], series["spacy"], strict=True)]

    def figures(values: list[tuple[float, float]]) -> dict[str, Any]:
        walls = [wall for wall, _ in values]
        return {
            "rounds": len(walls),
            "median_s": round(statistics.median(walls), 4),
            "min_s": round(min(walls), 4),
            "max_s": round(max(walls), 4),
            "cpu_median_s": round(statistics.median(cpu for _, cpu in values), 4),
            "per_text_ms": round(1000 * statistics.median(walls) / len(texts), 2),
        }

    return {
        "scan_text": figures(series["scan"]) | {"first_round_s": round(first_scan, 4)},
        "spacy": figures(series["spacy"]),
        "ratios": [round(r, 3) for r in ratios],
        "ratio_median": round(statistics.median(ratios), 3),
        "other_cpu_cores": round(other, 2),
    }


def measure_quality() -> tuple[dict[str, Any], dict[str, Any]]:
    from tests.pii.evaluation_set import SAMPLES
    from tests.pii.scoring import predict_baseline, predict_ours, score

    return score(predict_ours, SAMPLES, details=True), score(
        predict_baseline, SAMPLES, details=True
    )


def judge(ours: dict[str, Any], baseline: dict[str, Any], timing: dict[str, Any]) -> dict[str, Any]:
    overall, base = ours["overall"], baseline["overall"]
    return {
        "recall_ok": overall["recall"] is not None and overall["recall"] >= GOAL_RECALL,
        "full_recall_ok": {label: ours[label]["recall"] == 1.0 for label in FULL_RECALL},
        "precision_ok": overall["precision"] is not None and overall["precision"] >= GOAL_PRECISION,
        "beats_baseline_ok": (overall["recall"] or 0) > (base["recall"] or 0)
        and (overall["f1"] or 0) > (base["f1"] or 0),
        "time_ok": timing["ratio_median"] <= GOAL_TIME_RATIO,
        "machine_busy_elsewhere": timing["other_cpu_cores"] > BUSY_MACHINE,
    }


def passed(verdict: dict[str, Any]) -> bool:
    return (
        verdict["recall_ok"]
        and all(verdict["full_recall_ok"].values())
        and verdict["precision_ok"]
        and verdict["beats_baseline_ok"]
        and verdict["time_ok"]
    )


# --- the report -------------------------------------------------------------------------------


def show(result: dict[str, Any]) -> None:
    from tests.pii.evaluation_set import LABELS

    ours, base, timing, mem, verdict, data = (
        result["ours"], result["presidio_default"], result["time"], result["memory"],
        result["verdict"], result["evaluation_set"],
    )  # fmt: skip

    def pct(value: float | None) -> str:
        return "-" if value is None else f"{value:.1%}"

    def mark(ok: bool | None) -> str:
        return {True: "ok", False: "ÉCHEC / FAILED", None: ""}[ok]

    def goal(label: str) -> tuple[str, str]:
        if label in FULL_RECALL:
            return "R = 100%", mark(verdict["full_recall_ok"][label])
        if label == "overall":
            ok = verdict["recall_ok"] and verdict["precision_ok"]
            return f"R >= {GOAL_RECALL:.0%}, P >= {GOAL_PRECISION:.0%}", mark(ok)
        return "", ""

    rows = [
        ("", "gold", "ours R", "ours P", "ours F1", "tp/fp/fn", "Presidio R", "Presidio P",
         "Presidio F1", "objectif/goal", ""),
    ]  # fmt: skip
    for label in (*LABELS, "overall"):
        o, b = ours[label], base[label]
        rows.append(
            (
                label,
                str(o["tp"] + o["fn"]),
                pct(o["recall"]),
                pct(o["precision"]),
                pct(o["f1"]),
                f"{o['tp']}/{o['fp']}/{o['fn']}",
                pct(b["recall"]),
                pct(b["precision"]),
                pct(b["f1"]),
                *goal(label),
            )  # fmt: skip
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    conf = result["config"]
    print()
    print(
        f"Personal data benchmark / données personnelles — {data['samples']} texts "
        f"({data['without_personal_data']} without personal data), {data['words']} words, "
        f"{data['gold_spans']} gold spans; spaCy model {conf['spacy_model']}; "
        f"{conf['cpus']} CPUs, Python {conf['python']}"
    )
    for r in rows:
        print("  " + "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
    for title, key in (("missed", "misses"), ("false positives", "false_positives")):
        items = ours[key]
        print(f"  ours, {title} ({len(items)}):" + ("" if items else " none"))
        for index, label, text in items:
            print(f"    text #{index}: {label} {text!r}")
    print()
    s, n = timing["scan_text"], timing["spacy"]
    print(
        f"  time, whole set ({timing['scan_text']['rounds']} interleaved rounds after "
        f"{conf['warmup_rounds']} warm-up): scan_text median {s['median_s']:.3f} s "
        f"({s['per_text_ms']} ms a text, CPU {s['cpu_median_s']:.3f} s), spaCy alone "
        f"{n['median_s']:.3f} s ({n['per_text_ms']} ms a text, CPU {n['cpu_median_s']:.3f} s); "
        f"first scan_text round (analyzer built) {s['first_round_s']:.3f} s"
    )
    print(
        f"  memory (VmRSS): before the model {mem['before_model_kb'] // 1024} MB, model loaded "
        f"{mem['model_loaded_kb'] // 1024} MB (+{mem['model_cost_kb'] // 1024} MB; imports and "
        f"loading took {mem['model_load_s']:.2f} s), after the scans "
        f"{mem['after_scans_kb'] // 1024} MB, with "
        f"Presidio's default setup too {mem['after_baseline_kb'] // 1024} MB; peak (VmHWM) "
        f"{mem['peak_kb'] // 1024} MB"
    )
    if verdict["machine_busy_elsewhere"]:
        print(
            f"  ! other processes used {timing['other_cpu_cores']} cores during the timed rounds: "
            "the machine was shared, the time figures are less reliable."
        )
    o, b = ours["overall"], base["overall"]
    print()
    print("Objectifs / goals:")
    print(f"  overall recall {pct(o['recall'])} >= {GOAL_RECALL:.0%}: {mark(verdict['recall_ok'])}")
    for label in FULL_RECALL:
        print(
            f"  {label} recall {pct(ours[label]['recall'])} = 100%: "
            f"{mark(verdict['full_recall_ok'][label])}"
        )
    print(
        f"  overall precision {pct(o['precision'])} >= {GOAL_PRECISION:.0%}: "
        f"{mark(verdict['precision_ok'])}"
    )
    print(
        f"  better than Presidio's default setup (recall {pct(o['recall'])} vs "
        f"{pct(b['recall'])}, F1 {pct(o['f1'])} vs {pct(b['f1'])}): "
        f"{mark(verdict['beats_baseline_ok'])}"
    )
    print(
        f"  scan_text / spaCy alone = {timing['ratio_median']} (median of "
        f"{', '.join(str(r) for r in timing['ratios'])}) <= {GOAL_TIME_RATIO}: "
        f"{mark(verdict['time_ok'])}"
    )
    print(f"  figures: {RESULT_FILE.relative_to(ROOT)}")


# --- the run ----------------------------------------------------------------------------------


def main() -> int:
    RESULTS.mkdir(parents=True, exist_ok=True)
    from tests.pii.evaluation_set import SAMPLES, gold_spans

    texts = [sample.text for sample in SAMPLES]
    mem: dict[str, Any] = {"before_model_kb": memory()["VmRSS"]}

    print("Loading the spaCy model (once)…", flush=True)
    start = time.perf_counter()
    from vaecos.pii.detection import SPACY_MODEL, nlp

    nlp()
    mem["model_load_s"] = round(time.perf_counter() - start, 3)
    mem["model_loaded_kb"] = memory()["VmRSS"]
    mem["model_cost_kb"] = mem["model_loaded_kb"] - mem["before_model_kb"]

    print(
        f"Timing the whole set ({len(texts)} texts): {WARMUP_ROUNDS} warm-up round, {ROUNDS} "
        "rounds of scan_text and spaCy alone, interleaved…",
        flush=True,
    )
    timing = measure_time(texts)
    mem["after_scans_kb"] = memory()["VmRSS"]

    print("Scoring scan_text and Presidio's default setup on the evaluation set…", flush=True)
    ours, baseline = measure_quality()
    now = memory()
    mem["after_baseline_kb"], mem["peak_kb"] = now["VmRSS"], now["VmHWM"]

    gold = [gold_spans(sample) for sample in SAMPLES]
    result: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": {
            "warmup_rounds": WARMUP_ROUNDS,
            "rounds": ROUNDS,
            "spacy_model": SPACY_MODEL,
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        "evaluation_set": {
            "samples": len(SAMPLES),
            "without_personal_data": sum(not spans for spans in gold),
            "words": sum(len(text.split()) for text in texts),
            "characters": sum(len(text) for text in texts),
            "gold_spans": sum(len(spans) for spans in gold),
        },
        "ours": ours,
        "presidio_default": baseline,
        "time": timing,
        "memory": mem,
        "goals": {
            "overall_recall_min": GOAL_RECALL,
            "full_recall_labels": list(FULL_RECALL),
            "overall_precision_min": GOAL_PRECISION,
            "beats_presidio_default": "higher overall recall and F1",
            "scan_text_over_spacy_max": GOAL_TIME_RATIO,
        },
    }
    result["verdict"] = verdict = judge(ours, baseline, timing)
    RESULT_FILE.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    show(result)
    ok = passed(verdict)
    print("\nAll goals met." if ok else "\nA goal is not met.")
    if verdict["machine_busy_elsewhere"]:
        print("The machine was busy with other work: run again on a quiet machine to conclude.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
