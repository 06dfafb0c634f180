"""Authorization rules of the jury pages (grid, notes, votes, decision, minutes), and the part of the
matrix's world they need. Imported by test_authorization_matrix.py."""

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

# Rules by URL key ("namespace:name"); build them with the helpers of test_authorization_matrix
# (import them inside functions or from .test_authorization_matrix lazily to avoid a cycle).
RULES: dict[str, Any] = {}

# Values for URL arguments this module's URLs use, by argument name, from the world.
URL_KWARGS: dict[str, Callable[[SimpleNamespace], Any]] = {}


def extend_world(world: SimpleNamespace) -> None:
    """Add the objects this module's rules need to the matrix's world (inside its transaction)."""
