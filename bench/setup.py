"""Setting councils up from the national pack: the pack's size and load time, one council, and all 153.

Run ``python -m bench.setup`` (one council, a few seconds) or ``python -m bench.setup --all`` (every council, minutes:
never in the test suite). Each setup runs as ``python -m caremap setup`` in a fresh process with a user's folder of
its own, so its wall time includes starting Python and reading the pack, and its peak memory is the child's maximum
resident set. Ends with ``RESULT pack_mib=… pack_load_s=… one_council_s=… one_council_peak_mib=…`` (and
``all_s=… all_peak_mib=…``) and the ratios to the targets: one council < 30 s, all 153 < 20 min, peak < 4 GB.
"""

from __future__ import annotations

import argparse
import os
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
    """Wall seconds, peak resident MiB of a ``caremap setup`` child process, and its last output line."""
    with tempfile.TemporaryDirectory(prefix="caremap-bench-home-") as home, tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "caremap", "setup", *arguments], cwd=ROOT, stdout=out,
                                 stderr=subprocess.STDOUT, env={**os.environ, "CAREMAP_HOME": home})
        _, status, usage = os.wait4(child.pid, 0)  # this child's own peak, not the largest child so far
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        lines = out.read().strip().splitlines()
        if child.returncode:
            raise RuntimeError("\n".join(lines[-20:]))
    return seconds, usage.ru_maxrss / 1024, lines[-1]  # ru_maxrss: kilobytes on Linux


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
    rows = [("national pack", f"{size:.1f} MiB on disk", f"{load:.1f} s to read every table", "", ""),
            (f"one council ({arguments.council})", f"{one_s:.1f} s", f"{one_mb:,.0f} MiB peak",
             f"{one_s / TARGETS['one']:.2f} of 30 s", line[:60])]
    result = f"RESULT pack_mib={size:.1f} pack_load_s={load:.2f} one_council_s={one_s:.1f} one_council_peak_mib={one_mb:.0f}"
    if arguments.all:
        all_s, all_mb, line = run_setup(["--all"])
        rows.append(("all 153 councils", f"{all_s:.0f} s", f"{all_mb:,.0f} MiB peak",
                     f"{all_s / TARGETS['all']:.2f} of 20 min; {all_mb / TARGETS['peak_mb']:.2f} of 4 GB", line[:60]))
        result += f" all_s={all_s:.0f} all_peak_mib={all_mb:.0f}"
    print_table(rows, ("what", "time", "memory", "against the target", "last line"))
    print(result)


if __name__ == "__main__":
    main()
