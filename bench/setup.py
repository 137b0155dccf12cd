"""Setting councils up from the national pack: the pack's size and load time, one council, and all 153.

Run ``python -m bench.setup`` (one council, a few seconds) or ``python -m bench.setup --all`` (every council, minutes:
never in the test suite). Each setup runs as ``python -m caremap setup`` in a fresh process with a user's folder of
its own, so its wall time includes starting Python and reading the pack, and its peak memory is the child's maximum
resident set. Ends with ``RESULT pack_mb=… pack_load_s=… one_council_s=… one_council_peak_mb=…`` (and
``all_s=… all_peak_mb=…``) and the ratios to the targets: one council < 30 s, all 153 < 20 min, peak < 4 GB.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import print_table
from layers.national import PACK_TABLES, read_pack_table, table_path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"one": 30.0, "all": 20 * 60.0, "peak_mb": 4096.0}


def run_setup(arguments: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak resident MB of a ``caremap setup`` child process, and its last output line."""
    with tempfile.TemporaryDirectory(prefix="caremap-bench-home-") as home:
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "caremap", "setup", *arguments], cwd=ROOT, capture_output=True,
                              text=True, env={**os.environ, "CAREMAP_HOME": home}, check=True)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss is the largest child so far (kilobytes on Linux): the bench runs its biggest job last.
    return seconds, max(peak, before) / 1024, done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--council", default="Shropshire", help="the council of the one-council run")
    parser.add_argument("--all", action="store_true", help="also set up all 153 (minutes)")
    arguments = parser.parse_args()
    size = sum(table_path(name).stat().st_size for name in PACK_TABLES) / 2**20
    start = time.perf_counter()
    for name in PACK_TABLES:
        read_pack_table(name)
    load = time.perf_counter() - start
    one_s, one_mb, line = run_setup(["--council", arguments.council])
    rows = [("national pack", f"{size:.1f} MB on disk", f"{load:.1f} s to read every table", "", ""),
            (f"one council ({arguments.council})", f"{one_s:.1f} s", f"{one_mb:,.0f} MB peak",
             f"{one_s / TARGETS['one']:.2f} of 30 s", line[:60])]
    result = f"RESULT pack_mb={size:.1f} pack_load_s={load:.2f} one_council_s={one_s:.1f} one_council_peak_mb={one_mb:.0f}"
    if arguments.all:
        all_s, all_mb, line = run_setup(["--all"])
        rows.append(("all 153 councils", f"{all_s:.0f} s", f"{all_mb:,.0f} MB peak",
                     f"{all_s / TARGETS['all']:.2f} of 20 min; {all_mb / TARGETS['peak_mb']:.2f} of 4 GB", line[:60]))
        result += f" all_s={all_s:.0f} all_peak_mb={all_mb:.0f}"
    print_table(rows, ("what", "time", "memory", "against the target", "last line"))
    print(result)


if __name__ == "__main__":
    main()
