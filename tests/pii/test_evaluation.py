"""The detector against the hand-labelled evaluation set, and against Presidio's default setup.

Goals: overall recall >= 0.95, recall 1.0 on NIR, IBAN, EMAIL and PHONE, overall precision >= 0.85,
and a higher overall recall and F1 than Presidio's default French setup. A failure prints the
table of both, with every miss and false positive.
"""

import os

import pytest

from tests.pii.evaluation_set import SAMPLES
from tests.pii.scoring import listing, predict_baseline, predict_ours, score, table

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")  # no network, ever

GOAL_RECALL = 0.95
GOAL_PRECISION = 0.85
FULL_RECALL = ("NIR", "IBAN", "EMAIL", "PHONE")


@pytest.fixture(scope="module")
def ours():
    return score(predict_ours, SAMPLES, details=True)


@pytest.fixture(scope="module")
def baseline():
    return score(predict_baseline, SAMPLES, details=True)


def report(ours, baseline=None):
    columns = [("ours", ours)] + ([("presidio", baseline)] if baseline else [])
    return "\n" + table(*columns) + "\n\nours, " + listing(ours)


def test_recall_and_precision_meet_the_goals(ours):
    overall = ours["overall"]
    failures = []
    if overall["recall"] is None or overall["recall"] < GOAL_RECALL:
        failures.append(f"overall recall {overall['recall']} < {GOAL_RECALL}")
    failures += [
        f"{label} recall {ours[label]['recall']} != 1.0"
        for label in FULL_RECALL
        if ours[label]["recall"] != 1.0
    ]
    if overall["precision"] is None or overall["precision"] < GOAL_PRECISION:
        failures.append(f"overall precision {overall['precision']} < {GOAL_PRECISION}")
    assert not failures, "; ".join(failures) + report(ours)


def test_ours_beats_presidio_default_setup(ours, baseline):
    a, b = ours["overall"], baseline["overall"]
    assert a["recall"] > b["recall"] and a["f1"] > (b["f1"] or 0), report(ours, baseline)
