"""Build the national pack shipped with the tool, ``data/national/<table>.parquet``, from the shared national files.

Run by a maintainer from the project folder: ``python -m scripts.build_national_pack ../shared/data/national``. Each
table of :data:`layers.national.PACK_TABLES` is read from its source, cut to the columns the tool uses (named as in
the source), typed (whole numbers as the smallest integers that hold them, codes dictionary-encoded) and written as
Parquet (GeoParquet for the boundaries, WKB geometry as the source's 6-decimal coordinates) with zstd. Rows keep the
source's order. Prints each file's size and sha256 as the table of ``data/SOURCES.md``. The tables are written by
:func:`layers.national.write_pack_table`, the writer a refresh from the publishers uses too.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd

from layers.national import PACK_FOLDER, PACK_TABLES, PackTable, write_pack_table

ROOT = Path(__file__).resolve().parent.parent


def read_source(table: PackTable, national: Path) -> pd.DataFrame:
    """A source file as text columns (or a GeoDataFrame), only the kept columns, in the source's row order."""
    path = national / table.source
    if path.suffix == ".geojson":
        frame = gpd.read_file(path)
        return frame[list(table.columns)]
    if path.suffix == ".xlsx":
        frame = pd.read_excel(path, sheet_name=table.sheet, dtype=str)
    else:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""],
                            header=None if table.header else "infer", names=list(table.header) if table.header else None)
    return frame[list(table.columns)]


def build(national: Path, out: Path) -> list[tuple[str, int, str, int]]:
    """Write every pack table under ``out``; returns (file, bytes, sha256, rows) of each."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in PACK_TABLES.items():
        if not table.shipped:
            continue  # made only by a refresh from its publisher
        start = time.perf_counter()
        frame = read_source(table, national)
        path = write_pack_table(name, frame, vintage=table.vintage, folder=out, source="shared national files",
                                release=table.source)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        written.append((path.name, path.stat().st_size, digest, len(frame)))
        print(f"{name}: {len(frame):,} rows, {path.stat().st_size:,} bytes ({time.perf_counter() - start:.1f} s)")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("national", type=Path, help="the shared national folder (../shared/data/national)")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / PACK_FOLDER)
    arguments = parser.parse_args()
    written = build(arguments.national, arguments.out)
    print("\n| file | rows | bytes | sha256 |\n|---|---:|---:|---|")
    for file, size, digest, rows in written:
        print(f"| `national/{file}` | {rows:,} | {size:,} | `{digest}` |")
    print(f"| total | | {sum(size for _, size, _, _ in written):,} | |")


if __name__ == "__main__":
    main()
