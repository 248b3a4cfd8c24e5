"""The fast unit tier: `pytest tests/unit` leaves out the tests marked `slow` (building the
reduced PDF face takes most of a minute). The full suite (`make test`, `pytest` without a path)
runs them, and so does `pytest tests/unit -m slow`."""
from __future__ import annotations

from pathlib import Path

UNIT = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    if config.option.markexpr:  # the caller chose by marker: keep what was chosen
        return
    if any(UNIT not in Path(str(item.path)).parents for item in items):
        return  # more than the unit tier: the full suite keeps its slow tests
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]
