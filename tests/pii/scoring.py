"""Recall and precision of a personal-data detector against the evaluation set.

A prediction is a true positive when it has the same label as a gold span and overlaps it (any
overlap). Each gold span is matched at most once and each prediction at most once: the matching is
a maximum one (augmenting paths), so that a detector is never penalised for the order in which its
spans come. An unmatched prediction is a false positive, an unmatched gold span a false negative.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from tests.pii.evaluation_set import LABELS, Sample, gold_spans

Span = tuple[str, int, int]  # (label, start, end)
Predict = Callable[[str], list[Span]]


def _overlaps(a: Span, b: Span) -> bool:
    return a[1] < b[2] and b[1] < a[2]


def match(gold: list[Span], predicted: list[Span]) -> tuple[list[Span], list[Span], list[Span]]:
    """(matched gold, missed gold, unmatched predictions) for one text."""
    edges = [
        [p for p, pred in enumerate(predicted) if pred[0] == g[0] and _overlaps(g, pred)]
        for g in gold
    ]
    owner: dict[int, int] = {}  # prediction index -> gold index

    def augment(g: int, seen: set[int]) -> bool:
        for p in edges[g]:
            if p in seen:
                continue
            seen.add(p)
            if p not in owner or augment(owner[p], seen):
                owner[p] = g
                return True
        return False

    for g in range(len(gold)):
        augment(g, set())
    matched = set(owner.values())
    return (
        [span for g, span in enumerate(gold) if g in matched],
        [span for g, span in enumerate(gold) if g not in matched],
        [span for p, span in enumerate(predicted) if p not in owner],
    )


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _f1(recall: float | None, precision: float | None) -> float | None:
    if not recall or not precision:
        return 0.0 if recall is not None and precision is not None else None
    return round(2 * recall * precision / (recall + precision), 4)


def _figures(tp: int, fp: int, fn: int) -> dict[str, Any]:
    recall, precision = _ratio(tp, tp + fn), _ratio(tp, tp + fp)
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "recall": recall,
        "precision": precision,
        "f1": _f1(recall, precision),
    }


def score(predict: Predict, samples: Iterable[Sample], *, details: bool = False) -> dict[str, Any]:
    """{label: {"tp", "fp", "fn", "recall", "precision", "f1"}} for every label, plus "overall".

    A ratio whose denominator is 0 (no gold span, no prediction) is None. With details=True, the
    result also holds "misses" and "false_positives": lists of (sample index, label, text).
    """
    counts = {label: [0, 0, 0] for label in LABELS}
    misses: list[tuple[int, str, str]] = []
    false_positives: list[tuple[int, str, str]] = []
    for index, sample in enumerate(samples):
        gold = gold_spans(sample)
        predicted = [tuple(span) for span in predict(sample.text) if span[0] in counts]
        found, missed, extra = match(gold, predicted)  # type: ignore[arg-type]
        for label, _, _ in found:
            counts[label][0] += 1
        for label, start, end in extra:
            counts[label][1] += 1
            false_positives.append((index, label, sample.text[start:end]))
        for label, start, end in missed:
            counts[label][2] += 1
            misses.append((index, label, sample.text[start:end]))
    result: dict[str, Any] = {label: _figures(*counts[label]) for label in LABELS}
    result["overall"] = _figures(*(sum(c[i] for c in counts.values()) for i in range(3)))
    if details:
        result["misses"] = misses
        result["false_positives"] = false_positives
    return result


def table(*columns: tuple[str, dict[str, Any]]) -> str:
    """The figures of one or more detectors side by side, one row per label, as text."""

    def pct(value: float | None) -> str:
        return "-" if value is None else f"{value:.0%}" if value in (0, 1) else f"{value:.1%}"

    head = ["label"]
    for name, _ in columns:
        head += [f"{name} R", f"{name} P", f"{name} F1", f"{name} tp/fp/fn"]
    rows = [head]
    for label in (*LABELS, "overall"):
        row = [label]
        for _, result in columns:
            f = result[label]
            row += [
                pct(f["recall"]), pct(f["precision"]), pct(f["f1"]),
                f"{f['tp']}/{f['fp']}/{f['fn']}",
            ]  # fmt: skip
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows
    )


def listing(result: dict[str, Any], limit: int = 200) -> str:
    """The misses and false positives of a `score(..., details=True)` result, as text."""
    lines = []
    for title, key in (("missed (FN)", "misses"), ("false positives (FP)", "false_positives")):
        items = result.get(key, [])
        lines.append(f"{title}: {len(items)}")
        lines += [f"  #{i:<3} {label:<11} {text!r}" for i, label, text in items[:limit]]
        if len(items) > limit:
            lines.append(f"  … {len(items) - limit} more")
    return "\n".join(lines)


# --- the two detectors compared ---------------------------------------------------------------

BASELINE_LABELS = {
    "PERSON": "PERSON",
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "IBAN_CODE": "IBAN",
}  # Presidio's entity types that have a label of ours; its others (LOCATION, DATE_TIME…) are left out


def predict_ours(text: str) -> list[Span]:
    """`vaecos.pii.detection.scan_text`, as (label, start, end)."""
    from vaecos.pii.detection import scan_text

    return [(f.label, f.start, f.end) for f in scan_text(text)]


def predict_baseline(text: str) -> list[Span]:
    """Presidio's default French setup (same spaCy model, built-in recognizers only)."""
    from vaecos.pii.detection import baseline_analyzer

    return [
        (BASELINE_LABELS[r.entity_type], r.start, r.end)
        for r in baseline_analyzer().analyze(text, language="fr")
        if r.entity_type in BASELINE_LABELS
    ]
