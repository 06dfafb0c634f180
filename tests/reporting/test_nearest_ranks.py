"""The nearest-rank percentiles read from counts by value (figures.nearest_ranks), against the
definition applied to the sorted list of values."""

import math
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from vaecos.reporting.figures import nearest_ranks


def by_definition(values: list[int]) -> tuple[int, int | None, int | None]:
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return 0, None, None
    return n, ordered[math.ceil(n / 2) - 1], ordered[math.ceil(0.9 * n) - 1]


@given(st.lists(st.integers(min_value=-5, max_value=800), max_size=300))
def test_counts_by_value_give_the_values_of_rank_ceil_pn(values):
    counts = sorted(Counter(values).items())
    assert nearest_ranks(counts) == by_definition(values)


def test_known_answers():
    assert nearest_ranks([]) == (0, None, None)
    assert nearest_ranks([(7, 1)]) == (1, 7, 7)
    # 10 values 1..10: median rank 5, 90th percentile rank 9.
    assert nearest_ranks([(v, 1) for v in range(1, 11)]) == (10, 5, 9)
    # 11 values: ranks 6 and 10.
    assert nearest_ranks([(v, 1) for v in range(1, 12)]) == (11, 6, 10)
    assert nearest_ranks([(3, 4), (9, 1)]) == (5, 3, 9)
