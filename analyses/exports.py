"""Export tables and layers as CSV, XLSX and GeoPackage bytes (for download buttons and the CLI).

Text cells that a spreadsheet would run as a formula (starting with =, +, -, @) are prefixed with an
apostrophe, so a client name cannot become a formula in someone's Excel.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Mapping, Sequence

import geopandas as gpd
import pandas as pd

from geo.units import WGS84

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _defuse(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        try:
            float(value)
            return value  # a negative number written as text stays as it is
        except ValueError:
            return "'" + value
    return value


def plain_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A table safe for CSV/XLSX: geometry replaced by longitude/latitude (points) or dropped, text defused."""
    table = pd.DataFrame(frame).copy()
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in table.columns:
        geometry = frame.geometry
        if len(geometry) and (geometry.geom_type == "Point").all():
            lonlat = geometry.to_crs(WGS84)
            table["longitude"] = lonlat.x.round(6)
            table["latitude"] = lonlat.y.round(6)
        table = table.drop(columns=[frame.geometry.name])
    for column in table.columns:
        if table[column].dtype == object or pd.api.types.is_string_dtype(table[column]):
            table[column] = table[column].map(_defuse)
    return table


def csv_bytes(frame: pd.DataFrame, header_lines: Sequence[str] = ()) -> bytes:
    """CSV (UTF-8 with BOM so Excel reads accents) with optional ``# `` comment lines first."""
    text = "".join(f"# {line}\n" for line in header_lines) + plain_table(frame).to_csv(index=False)
    return text.encode("utf-8-sig")


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame], about: Sequence[str]) -> bytes:
    """An Excel workbook: an "About" sheet (method, assumptions, labels) then one sheet per table."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        pd.DataFrame({"About this export": list(about)}).to_excel(writer, sheet_name="About", index=False)
        for name, frame in sheets.items():
            plain_table(frame).to_excel(writer, sheet_name=name[:31], index=False)
    return buffer.getvalue()


def gpkg_bytes(layers: Mapping[str, gpd.GeoDataFrame]) -> bytes:
    """A GeoPackage with one layer per GeoDataFrame (British National Grid)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.gpkg"
        for name, frame in layers.items():
            clean = gpd.GeoDataFrame(plain_table(frame.drop(columns=frame.geometry.name)).assign(
                geometry=frame.geometry.to_numpy()), geometry="geometry", crs=frame.crs)
            clean.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
        return path.read_bytes()
