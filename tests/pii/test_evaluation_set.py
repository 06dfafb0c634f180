"""The evaluation set itself: gold spans found, valid where a checksum exists, none overlapping."""

import collections
import re

from stdnum import iban
from stdnum.fr import nir, siren, siret

from tests.pii.evaluation_set import LABELS, SAMPLES, Sample, gold_spans

MIN_PER_LABEL = dict.fromkeys(LABELS, 12) | {"PERSON": 80}


def test_gold_is_consistent():
    counts: collections.Counter[str] = collections.Counter()
    without = 0
    for index, sample in enumerate(SAMPLES):
        spans = gold_spans(sample)  # raises if a substring is absent
        where = f"sample {index}: {sample.text[:60]!r}"
        without += not spans
        for (_, _, end), (_, start, _) in zip(spans, spans[1:], strict=False):
            assert end <= start, f"overlapping gold spans in {where}: {spans}"
        for label, start, end in spans:
            counts[label] += 1
            value = sample.text[start:end]
            # A substring sits on word boundaries: « Marc » must not be found inside « Marcel ».
            before = sample.text[start - 1] if start else " "
            after = sample.text[end] if end < len(sample.text) else " "
            assert not before.isalnum() and not after.isalnum(), (
                f"{label} {value!r} is part of a longer word in {where}"
            )
            assert value == value.strip(), f"{label} {value!r} has surrounding spaces ({where})"
            if label == "NIR":
                assert nir.is_valid(value), f"invalid NIR {value!r} ({where})"
            elif label == "IBAN":
                assert iban.is_valid(value), f"invalid IBAN {value!r} ({where})"
                assert value.startswith("FR"), value
            elif label == "SIRET":
                digits = value.replace(" ", "")
                assert siret.is_valid(digits) or siren.is_valid(digits), (
                    f"invalid SIRET/SIREN {value!r} ({where})"
                )
            elif label == "CAF_NUMBER":
                assert re.fullmatch(r"\d{6,8}", value), value
            elif label == "EMAIL":
                assert re.fullmatch(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", value), value
    for label, minimum in MIN_PER_LABEL.items():
        assert counts[label] >= minimum, f"only {counts[label]} {label} in the set"
    assert len(SAMPLES) >= 45
    assert without >= 8, "a set with texts holding no personal data at all"


def test_gold_spans_places_nested_names_once_and_raises_on_absent_text():
    sample = Sample(
        "Mme Martine Dupont est venue. Mme Dupont est repartie.",
        (("PERSON", "Martine Dupont"), ("PERSON", "Dupont")),
    )
    assert gold_spans(sample) == [("PERSON", 4, 18), ("PERSON", 34, 40)]
    try:
        gold_spans(Sample("Rien ici.", (("PERSON", "Martine"),)))
    except ValueError:
        pass
    else:
        raise AssertionError("an absent substring must raise")
