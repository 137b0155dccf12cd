"""Upload bombs benchmark: how fast and in how little memory each generated hostile file is refused.

Run ``python -m bench.uploads``. The files are those of ``tests/hostile_files.py`` (a two-million-row xlsx,
ten million empty cells, a million shared texts, 10,000 zip parts, ten million blank lines, 100,001 care
homes, an ODS row repeated 300,000 times), read in a fresh process through the app's upload functions. Ends
with ``RESULT slowest_s=<s> peak_mb=<MB> reading_mb=<MB>``: the slowest refusal (target < 20 s), the process's
peak memory (target < 500 MB) and how much of it reading added above the council data loaded first.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import print_table

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="caremap-bombs-") as folder:
        subprocess.run([sys.executable, "-m", "tests.hostile_files", "make", folder], cwd=ROOT, check=True)
        measured = subprocess.run([sys.executable, "-m", "tests.hostile_files", "measure", folder], cwd=ROOT,
                                  check=True, capture_output=True, text=True)
    loaded, *results = json.loads(measured.stdout)
    print_table([(r["name"], f"{r['bytes']:,}", f"{r['seconds']:.2f}", f"{r['peak_rss_mb']:.0f}",
                  r["outcome"].split(": ", 1)[0][:70]) for r in results],
                ("file", "bytes", "seconds", "peak MB", "outcome"))
    peak = max(r["peak_rss_mb"] for r in results)
    print(f"Council data loaded first: {loaded['peak_rss_mb']:.0f} MB.")
    print(f"RESULT slowest_s={max(r['seconds'] for r in results):.2f} peak_mb={peak:.0f} "
          f"reading_mb={peak - loaded['peak_rss_mb']:.0f}")


if __name__ == "__main__":
    main()
