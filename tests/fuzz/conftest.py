"""What every fuzz test shares beyond tests/fuzz/helpers.py."""

from pathlib import Path

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A failing example holding a long text or a file is long to print: hypothesis warns, and
    # the warning (an error in this suite) would hide the failure it reports.
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.filterwarnings("ignore:Generating overly large repr"))
