"""Helpers shared by the benchmark scripts (run as ``python -m bench.<name>`` from the project folder): timing and
table printing."""

from __future__ import annotations

import time
from typing import Callable


def best_of(function: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    """Fastest wall-clock time (seconds) of ``repeat`` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def print_table(rows: list[tuple], headers: tuple[str, ...]) -> None:
    """Print rows as an aligned text table."""
    text = [tuple(str(cell) for cell in row) for row in rows]
    widths = [max(len(headers[i]), *(len(row[i]) for row in text)) for i in range(len(headers))]
    print("  ".join(header.ljust(width) for header, width in zip(headers, widths)))
    print("  ".join("-" * width for width in widths))
    for row in text:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)))
