"""Build the national pack shipped with the tool, ``data/national/<table>.parquet``, from the shared national files.

Run by a maintainer from the project folder: ``python -m scripts.build_national_pack ../shared/data/national``. Each
table of :data:`layers.national.PACK_TABLES` is read from its source, cut to the columns the tool uses (named as in
the source), typed (whole numbers as the smallest integers that hold them, codes dictionary-encoded) and written as
Parquet (GeoParquet for the boundaries, WKB geometry as the source's 6-decimal coordinates) with zstd. Rows keep the
source's order. Prints each file's size and sha256 as the table of ``data/SOURCES.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from layers.national import PACK_FOLDER, PACK_TABLES, PackTable

ROOT = Path(__file__).resolve().parent.parent
COMPRESSION = {"compression": "zstd", "compression_level": 19}
ENCODINGS = {
    # 1.49 M postcodes in postcode order: neighbours differ by a few characters and metres, so delta encodings
    # store them in 5.9 MB instead of 9.7 MB.
    "codepoint_open": {"use_dictionary": ["Positional_quality_indicator", "Admin_district_code", "Admin_ward_code"],
                       "column_encoding": {"Postcode": "DELTA_BYTE_ARRAY", "Eastings": "DELTA_BINARY_PACKED",
                                           "Northings": "DELTA_BINARY_PACKED"}},
}
"""Parquet encodings chosen per table where they beat the default (dictionary, then zstd)."""


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


def typed(frame: pd.DataFrame, table: PackTable) -> pd.DataFrame:
    """Columns in their storage types (:attr:`PackTable.types`); text stays text."""
    frame = frame.copy()
    for column, kind in table.types.items():
        if kind == "category":
            frame[column] = frame[column].astype("category")
        else:
            numbers = pd.to_numeric(frame[column])
            if kind[:1] in "iuI" and not numbers.dropna().eq(numbers.dropna().round()).all():
                raise ValueError(f"{table.source}: column {column!r} holds fractions, not whole numbers.")
            frame[column] = numbers.astype(kind)
    return frame


def build(national: Path, out: Path) -> list[tuple[str, int, str, int]]:
    """Write every pack table under ``out``; returns (file, bytes, sha256, rows) of each."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in PACK_TABLES.items():
        start = time.perf_counter()
        frame = typed(read_source(table, national), table)
        path = out / f"{name}.parquet"
        if table.geometry:
            frame.to_parquet(path, index=False, **COMPRESSION)
        else:
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, **COMPRESSION,
                           **ENCODINGS.get(name, {}))
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
