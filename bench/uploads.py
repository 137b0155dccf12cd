"""Upload bombs benchmark: how fast, in how little memory and after reading how many bytes each generated hostile file
is refused.

Run ``python -m bench.uploads``. The files are those of ``tests/hostile_files.py`` (a two-million-row xlsx, ten
million empty cells, a million shared texts, 10,000 zip parts, ten million blank lines, 100,001 care homes, an ODS
row repeated 300,000 times, a sparse gigabyte, ``/dev/zero`` and a named pipe nobody writes to), read in a fresh
process as the command line reads them: the reader entry (:func:`layers.user_files.read_user_file`) and then the
app's upload function. Bytes read are every read call the process made meanwhile (``rchar``), so a file read past
its limit shows here whoever read it.

Ends with ``RESULT slowest_s=<s> peak_mb=<MB> reading_mb=<MB> most_read_mb=<MB> read_past_limit=<n>``: the slowest
refusal (target < 20 s), the process's peak memory (target < 500 MB), how much of it reading added above the council
data loaded first, the most bytes read for one file, and how many files were read beyond their limit and one byte
(target 0).
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
                                  check=True, capture_output=True, text=True, timeout=600)
    loaded, *results = json.loads(measured.stdout)
    past_limit = [r for r in results if r["bytes_read"] is not None and r["bytes_read"] > r["limit_bytes"] + 1]
    print_table([(r["name"], f"{r['bytes']:,}", f"{r['limit_bytes']:,}",
                  "?" if r["bytes_read"] is None else f"{r['bytes_read']:,}", f"{r['seconds']:.2f}",
                  f"{r['peak_rss_mb']:.0f}", r["outcome"].replace(f"{folder}/", "")[:60]) for r in results],
                ("file", "bytes", "limit", "bytes read", "seconds", "peak MB", "outcome"))
    peak = max(r["peak_rss_mb"] for r in results)
    most_read = max((r["bytes_read"] or 0) for r in results)
    print(f"Council data loaded first: {loaded['peak_rss_mb']:.0f} MB.")
    print(f"Read beyond the limit and one byte: {', '.join(r['name'] for r in past_limit) or 'none'}.")
    print(f"RESULT slowest_s={max(r['seconds'] for r in results):.2f} peak_mb={peak:.0f} "
          f"reading_mb={peak - loaded['peak_rss_mb']:.0f} most_read_mb={most_read / 2**20:.1f} "
          f"read_past_limit={len(past_limit)}")


if __name__ == "__main__":
    main()
