"""Export tables and layers as XLSX, CSV and GeoPackage bytes (for download buttons and the command line).

Two audiences, two forms:

* **XLSX for council staff**: human column titles with units, numbers rounded for reading, yes/no for flags,
  and a first sheet "About" (source, date, method, assumptions) as a two-column table.
* **CSV and GeoPackage for analysts**: the machine column names at full precision (the CSV starts with ``# ``
  lines saying what it is).

Every text cell is made safe for a spreadsheet: control characters (which Excel files cannot hold) are removed,
and a cell a spreadsheet would run as a formula (starting with =, +, -, @) is stored as text in XLSX and gets an
apostrophe in CSV (which has no cell types). Text outside the data cells (the CSV's ``# `` lines, the About
sheet) follows :func:`geo.text.safe_line`: every control character, line breaks included, is shown escaped, so a
file name can never end a comment line and start a row.
"""

from __future__ import annotations

import io
import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.text import safe_line
from geo.units import WGS84

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

TITLES: dict[str, str] = {
    # Places and areas
    "postcode": "Postcode", "client_id": "Client id", "name": "Name", "area_name": "Area",
    "lsoa21_code": "LSOA code", "lsoa21_name": "LSOA name (ONS)", "msoa21_code": "MSOA code",
    "ward22_code": "Ward code", "ward22_name": "Ward", "ward24_name": "Ward", "lad_code": "District code",
    "lad_name": "District", "locality_name": "PCN locality", "place_name": "Nearest settlement",
    "longitude": "Longitude (degrees)", "latitude": "Latitude (degrees)", "located_by": "Located by",
    # People
    "pop_total": "Population (mid-2020)", "pop_65plus": "People aged 65+", "pop_75plus": "People aged 75+",
    "pop_85plus": "People aged 85+", "pop65": "People aged 65+", "pop65_est": "People aged 65+ (estimated at postcode)",
    "pct_65plus": "Aged 65+ (% of population)", "pct_85plus": "Aged 85+ (% of population)",
    # Fee zones
    "straight_miles": "Straight-line distance to nearest centre (miles)", "straight_centre": "Nearest centre (straight line)",
    "road_miles": "Road distance to nearest centre (miles)", "road_minutes": "Drive time along that road route (minutes)",
    "road_centre": "Nearest centre (by road)", "road_method": "Road distance from", "far_from_road":
    "Over 1 km from a road", "inside_straight": "Inside the zone (straight line)", "inside_road":
    "Inside the zone (by road)", "disagree": "Inside by straight line, outside by road",
    "hours_per_week": "Hours per week", "modelled_hours_per_week": "Modelled hours per week (SYNTHETIC)",
    "demand_source": "Demand", "postcodes": "Postcodes", "postcodes_outside_straight": "Postcodes outside (straight line)",
    "postcodes_outside_road": "Postcodes outside (by road)", "postcodes_disagree": "Postcodes where the readings disagree",
    "pop65_outside_straight": "People aged 65+ outside (straight line)",
    "pop65_outside_road": "People aged 65+ outside (by road)", "pct65_outside_straight": "Aged 65+ outside, straight (%)",
    "pct65_outside_road": "Aged 65+ outside, by road (%)", "radius_miles": "Radius (miles)", "reading": "Reading",
    "hours_inside": "Hours per week inside", "hours_outside": "Hours per week outside", "clients_inside":
    "Clients inside", "clients_outside": "Clients outside", "weekly_base": "Weekly cost at the base fee (£)",
    "weekly_uplift": "Weekly uplift (£)", "annual_uplift": "Annual uplift (£)", "annual_total": "Annual total (£)",
    "scheme": "Scheme", "bands": "Bands", "clients_uplifted": "Clients uplifted", "hours_uplifted":
    "Hours per week uplifted", "mean_uplift_pct": "Mean uplift (% of all hours)",
    # Coverage
    "homes": "Care homes", "beds": "Beds", "nursing_homes": "Homes with nursing", "minutes_mean":
    "Drive time to nearest home, 65+ average (minutes)", "access": "Access (E2SFCA beds per 1,000 aged 65+)",
    "bed_demand": "Bed need (65+)", "capacity": "Beds usable (less free share)", "shortfall":
    "Shortfall (+) or spare (−) beds", "minutes_nearest": "Drive time to nearest home (minutes)",
    "minutes_nursing": "Drive time to nearest nursing home (minutes)", "projected_65plus": "Projected people aged 65+",
    "gap_score": "Gap score", "home_id": "Home id", "beds_assumed": "Beds assumed", "nursing": "With nursing",
    "in_council": "In the council", "source": "Source", "kind": "Kind", "new_people_within":
    "People aged 65+ newly within reach",
    # Rounds
    "round": "Round", "base": "Base", "shift": "Shift", "calls": "Calls", "start": "Start", "end": "End",
    "contact_hours": "Contact (hours)", "travel_hours": "Travel (hours)", "idle_hours": "Waiting (hours)",
    "paid_hours": "Paid (hours)", "miles": "Miles", "travel_share": "Travel share of paid time (%)",
    "cost": "Pay and mileage (£)", "cost_per_contact_hour": "Cost per contact hour (£)", "verdict": "Verdict",
    "why": "Why", "order": "Stop", "call_id": "Call id", "window": "Call window", "window_text": "Window (clock)",
    "arrive": "Arrive", "finish": "Finish", "wait_min": "Wait (minutes)", "travel_min": "Travel from previous (minutes)",
    "reason": "Why not fitted", "demand": "Demand", "weekly_hours": "Hours per week", "rounds_per_day": "Rounds per day",
    "providers": "Providers", "hours_per_provider": "Hours per provider per week", "viable": "Viable",
    "most_viable_providers": "Most providers the hours keep viable",
}
"""Human column titles, with units, for the machine column names the analyses use."""

_PATTERN_TITLES = [
    (re.compile(r"^beds_per_1000_(\d\d)$"), r"Beds per 1,000 aged \1+"),
    (re.compile(r"^pct(\d\d)_within_([\d.]+)$"), r"Aged \1+ within \2 minutes (%)"),
]


def column_title(column: str, titles: Mapping[str, str] | None = None) -> str:
    """The title of a column: the caller's own, then :data:`TITLES`, then a pattern, else the name made readable."""
    if titles and column in titles:
        return titles[column]
    if column in TITLES:
        return TITLES[column]
    for pattern, replacement in _PATTERN_TITLES:
        if pattern.match(column):
            return pattern.sub(replacement, column)
    text = str(column).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def clean_text(value: object) -> object:
    """Text safe in a spreadsheet: control characters removed, formulas defused (numbers written as text kept)."""
    if not isinstance(value, str):
        return value
    value = _CONTROL.sub("", value)
    if value.startswith(_FORMULA_START):
        try:
            float(value)
            return value  # a negative number written as text stays as it is
        except ValueError:
            return "'" + value
    return value


def plain_table(frame: pd.DataFrame, *, defuse: bool = True) -> pd.DataFrame:
    """A table for CSV/XLSX at full precision: geometry replaced by longitude/latitude (points) or dropped, text
    made safe (:func:`clean_text`; with ``defuse`` False only control characters are removed, for a workbook that
    stores every text cell as text)."""
    clean = clean_text if defuse else _without_controls
    table = pd.DataFrame(frame).copy()
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in table.columns:
        geometry = frame.geometry
        if len(geometry) and (geometry.geom_type == "Point").all():
            lonlat = geometry.to_crs(WGS84)
            table["longitude"] = lonlat.x.round(6)
            table["latitude"] = lonlat.y.round(6)
        table = table.drop(columns=[frame.geometry.name])
    table.columns = [clean(str(column)) for column in table.columns]
    for column in table.columns:
        if table[column].dtype == object or pd.api.types.is_string_dtype(table[column]):
            table[column] = table[column].map(clean)
    return table


def _blank(value: object) -> bool:
    """True for an empty cell: None, NaN, NA or empty text (never for a list or other object)."""
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value) \
        or (isinstance(value, str) and value == "")


def _without_controls(value: object) -> object:
    return _CONTROL.sub("", value) if isinstance(value, str) else value


def round_half_up(values: pd.Series, places: int) -> pd.Series:
    """Values rounded as people round (4.5 -> 5, −4.5 -> −5), not to the nearest even digit as numpy does."""
    scale = 10.0 ** places
    # The small nudge keeps 2.675 (stored as 2.67499…) from rounding down; adding 0 turns −0 (a small negative
    # rounded) into 0, which spreadsheets and CSV readers would otherwise show as "-0".
    return np.sign(values) * np.floor(np.abs(values) * scale + 0.5 + 1e-9) / scale + 0.0


def _decimals(column: str, values: pd.Series) -> int:
    """Decimals a reader needs: whole numbers for counts, 1 for percentages and minutes, 2 for money and miles."""
    finite = values[np.isfinite(values)]
    if len(finite) and np.allclose(finite, np.round(finite)):
        return 0
    if column in ("longitude", "latitude"):
        return 5
    if "pct" in column or column.endswith("_share") or "minutes" in column or column.endswith("_min") \
            or "per_1000" in column or column in ("access", "minutes_mean"):
        return 1
    if column.startswith(("weekly_", "annual_")):  # weekly and yearly totals (pounds, hours): whole numbers
        return 0
    if column == "hours_per_week":  # one client's hours: 7.5 is not 8
        return 1
    if column.startswith(("pop", "projected", "bed_demand", "capacity", "shortfall", "gap_score", "beds",
                          "clients", "hours", "new_people")):
        return 0
    return 2


def readable_table(frame: pd.DataFrame, *, titles: Mapping[str, str] | None = None, defuse: bool = True
                   ) -> pd.DataFrame:
    """A table for people: titles with units, numbers rounded for reading (halves up), shares as percentages,
    yes/no flags, text columns that are empty throughout left out.

    ``titles`` adds or overrides column titles (see :data:`TITLES`); ``defuse`` as for :func:`plain_table`.
    """
    table = plain_table(frame, defuse=defuse)
    for column in list(table.columns):
        values = table[column]
        if pd.api.types.is_bool_dtype(values):
            table[column] = values.map({True: "yes", False: "no"})
        elif pd.api.types.is_float_dtype(values):
            numbers = values.astype(float)
            if column.endswith("_share"):
                numbers = numbers * 100.0
            places = _decimals(column, numbers)
            rounded = round_half_up(numbers, places).replace([np.inf, -np.inf], np.nan)
            table[column] = rounded.astype("Int64") if places == 0 and rounded.notna().any() else rounded
        elif (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)) and len(values) \
                and values.map(_blank).all():
            table = table.drop(columns=column)
    table.columns = [column_title(column, titles) for column in table.columns]
    return table


def about_table(rows: Sequence[tuple[str, str]] | Sequence[str], *, version: str | None = None,
                defuse: bool = True) -> pd.DataFrame:
    """The "About" sheet: a two-column table (item, detail), with the date it was produced and the tool version.

    ``rows`` are (item, detail) pairs; plain strings become rows titled "Note". Each is one line
    (:func:`geo.text.safe_line`); ``defuse`` as for :func:`plain_table`.
    """
    clean = clean_text if defuse else _without_controls
    pairs = [row if isinstance(row, tuple) else ("Note", row) for row in rows]
    if version is None:
        from geo.version import tool_version

        version = tool_version()
    pairs += [("Produced", f"{date.today():%d %B %Y}"), ("Tool", f"Rural care planner (caremap) {version}")]
    return pd.DataFrame({"Item": [clean(safe_line(item)) for item, _ in pairs],
                         "Detail": [clean(safe_line(detail)) for _, detail in pairs]})


def csv_bytes(frame: pd.DataFrame, header_lines: Sequence[str] = ()) -> bytes:
    """CSV at full precision (UTF-8 with BOM so Excel reads accents) with optional ``# `` comment lines first."""
    lines = "".join(f"{_comment_line(line)}\n" for line in header_lines)
    return (lines + plain_table(frame).to_csv(index=False)).encode("utf-8-sig")


def _comment_line(line: str) -> str:
    """A ``# `` line that readers skipping comments skip, and that a spreadsheet splitting it at its commas shows
    as text: one line (control characters and line breaks escaped, :func:`geo.text.safe_line`), no double quotes
    (which would open a quoted cell), no piece after a comma read as a formula."""
    pieces = safe_line(line).replace('"', "'").split(",")
    safe = [piece if clean_text(piece.lstrip()) == piece.lstrip() else "'" + piece for piece in pieces[1:]]
    return "# " + ",".join([pieces[0], *safe])


def _sheet_name(name: str, used: set[str]) -> str:
    """A valid, unique Excel sheet name (≤ 31 characters, none of []:*?/\\)."""
    base = re.sub(r"[\[\]:*?/\\]", " ", _CONTROL.sub("", str(name))).strip()[:31] or "Sheet"
    candidate, number = base, 2
    while candidate.lower() in used:
        candidate = f"{base[:28]} {number}"
        number += 1
    used.add(candidate.lower())
    return candidate


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame], about: Sequence[tuple[str, str]] | Sequence[str], *,
               titles: Mapping[str, str] | None = None) -> bytes:
    """An Excel workbook for people: a first sheet "About" (:func:`about_table`), then one readable sheet per table
    (:func:`readable_table`), columns sized to their content."""
    buffer = io.BytesIO()
    used: set[str] = {"about"}
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        about_table(about, defuse=False).to_excel(writer, sheet_name="About", index=False)
        writer.sheets["About"].column_dimensions["A"].width = 24
        writer.sheets["About"].column_dimensions["B"].width = 120
        _as_text(writer.sheets["About"])
        for name, frame in sheets.items():
            sheet = _sheet_name(name, used)
            table = readable_table(frame, titles=titles, defuse=False)
            table.to_excel(writer, sheet_name=sheet, index=False)
            worksheet = writer.sheets[sheet]
            for position, column in enumerate(table.columns):
                width = max([len(str(column))] + [len(f"{value:,}" if isinstance(value, int) else str(value))
                                                  for value in table[column].head(200)])
                letter = worksheet.cell(row=1, column=position + 1).column_letter
                worksheet.column_dimensions[letter].width = min(max(width + 2, 8), 60)
                number_format = _number_format(str(column), table[column])
                if number_format:
                    for (cell,) in worksheet.iter_rows(min_row=2, min_col=position + 1, max_col=position + 1):
                        cell.number_format = number_format
            _as_text(worksheet)
            worksheet.freeze_panes = "A2"
    return buffer.getvalue()


def _as_text(worksheet) -> None:
    """Store every text cell as text: openpyxl takes text starting with "=" for a formula, which a name such as
    ``=HYPERLINK(…)`` in a user's file must never become. Text cells need no defusing apostrophe then."""
    for row in worksheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def _number_format(title: str, values: pd.Series) -> str | None:
    """Excel's format for a column of numbers: thousands separated, the decimals the column was rounded to;
    years and coordinates as they are."""
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return None
    if "year" in title.lower() or title.lower().startswith(("longitude", "latitude")):
        return None
    finite = pd.to_numeric(values, errors="coerce").astype(float)
    finite = finite[np.isfinite(finite)]
    places = 0
    while places < 5 and len(finite) and not np.allclose(finite, round_half_up(finite, places)):
        places += 1
    if places and "£" in title:  # pounds and pence, never £12.5
        places = 2
    return "#,##0" + ("." + "0" * places if places else "")


def gpkg_bytes(layers: Mapping[str, gpd.GeoDataFrame]) -> bytes:
    """A GeoPackage with one layer per GeoDataFrame (British National Grid), machine names at full precision."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.gpkg"
        for name, frame in layers.items():
            clean = gpd.GeoDataFrame(plain_table(frame.drop(columns=frame.geometry.name)).assign(
                geometry=frame.geometry.to_numpy()), geometry="geometry", crs=frame.crs)
            clean.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
        return path.read_bytes()
