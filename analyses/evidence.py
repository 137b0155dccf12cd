"""Evidence: each figure a council's documents give, beside what the tool recomputes from the bundled data.

A commissioner can see at a glance what was reproduced (population, rural shares, PCN localities, homes and
beds of CQC's care homes or a file loaded in their place, hours by district) and what is only taken from the documents or
assumed. Recomputed figures use the data's own vintage (mid-2020 population, 2021 rural-urban classes), so
a difference may be a change over time rather than an error; the table says which years are compared.
"""

from __future__ import annotations

from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd

from analyses.demand import district_rows, placed_hours
from geo.errors import InputDataError
from geo.figures import Figure, figure_text, number_text, series_value
from layers import catalog
from layers.council_data import CouncilData

COLUMNS = ["Figure", "Documented", "Year", "Tool's figure", "Difference", "How the tool gets it", "Source", "Kind"]
"""Columns of an evidence table (CSV and the app use these titles as they are)."""

DATA_YEAR = 2020
"""The year of the bundled population estimates (ONS mid-2020), against which documented series are compared."""




def _difference(documented: float, recomputed: float, unit: str) -> str:
    change = recomputed - documented
    if abs(change) < (0.05 if unit == "%" else 0.5):
        return "none"
    # Words rather than a leading sign: a cell starting with + or − reads as a formula in a spreadsheet.
    if unit == "%":
        return f"{abs(change):.1f} points {'higher' if change > 0 else 'lower'}"
    relative = f" ({100 * change / documented:+.1f}%)" if documented else ""
    return f"{abs(change):,.0f} {'more' if change > 0 else 'fewer'}{relative}"


def _series_at(figure: Figure, year: int) -> tuple[float, str]:
    """A documented yearly series at ``year``, with the year(s) it was read at."""
    points = {int(key): float(item) for key, item in figure.value.items()}
    if len(points) == 1:  # one documented year: compared as it is, the years side by side
        (only, value), = points.items()
        return value, f"{only} (the tool's data: mid-{year})"
    value, extrapolated = series_value(points, year)
    if year in points:
        return value, str(year)
    return value, f"{year} ({'projected' if extrapolated else 'interpolated'} from {', '.join(map(str, sorted(points)))})"


Recompute = Callable[[CouncilData, Figure], tuple[float, str, str] | None]
"""A recomputation: (documented value compared, its year, how the tool gets its own figure) or None."""


def _population(column: str, label: str) -> Recompute:
    def recompute(data: CouncilData, figure: Figure):
        documented, year = _series_at(figure, DATA_YEAR) if isinstance(figure.value, dict) else (figure.value, figure.year)
        tool = float(data.lsoa[column].sum())
        return documented, year, tool, f"{label}, ONS mid-2020 estimates summed over the council's LSOAs"
    return recompute


def _rural_people(data: CouncilData, figure: Figure):
    lsoa = data.lsoa
    tool = 100.0 * float(lsoa.loc[lsoa["is_rural"], "pop_total"].sum() / lsoa["pop_total"].sum())
    return float(figure.value), figure.year, tool, "people in LSOAs the ONS rural-urban classification 2021 calls rural"


def _rural_land(data: CouncilData, figure: Figure):
    lsoa = data.lsoa
    tool = 100.0 * float(lsoa.loc[lsoa["is_rural"]].area.sum() / lsoa.area.sum())
    return float(figure.value), figure.year, tool, "area of the LSOAs the ONS rural-urban classification 2021 calls rural"


def _localities(data: CouncilData, figure: Figure):
    return float(figure.value), figure.year, float(len(data.localities)), (
        "PCN localities built from NHS ODS practices (Feb 2023), with the council's merges")


RECOMPUTE: dict[str, Recompute] = {
    "population_65plus": _population("pop_65plus", "people aged 65+"),
    "population_85plus": _population("pop_85plus", "people aged 85+"),
    "rural_people_pct": _rural_people,
    "rural_land_pct": _rural_land,
    "pcn_localities": _localities,
}
"""Figures the tool can recompute from the bundled data alone, by figure key."""


def _row(figure: Figure, *, documented: str, year: str, tool: str = "—", difference: str = "—",
         how: str = "not recomputed: the bundled data hold nothing to check it against") -> dict:
    if figure.is_assumption and documented != "—":  # never read as a council's figure, whatever columns are seen
        documented = f"none (assumed: {documented})"
    return {"Figure": figure.label, "Documented": documented, "Year": year or "—", "Tool's figure": tool,
            "Difference": difference, "How the tool gets it": how, "Source": figure.source,
            "Kind": "assumption" if figure.is_assumption else "documented"}


def _district_rows(data: CouncilData, figure: Figure) -> list[dict]:
    """One row per row of a by-district hours table: the documented hours beside the hours the demand model puts
    in the same LSOAs (which include shares of rows that span several districts)."""
    placed = placed_hours(data)
    lsoa = data.lsoa.set_index("lsoa21_code")
    result = []
    for row in district_rows(data).itertuples():
        chosen = lsoa["lad_code"].isin(row.lad_codes)
        if row.rural_only:
            chosen &= lsoa["is_rural"]
        if row.urban_only:
            chosen &= ~lsoa["is_rural"]
        where = ("rural LSOAs of " if row.rural_only else "urban LSOAs of " if row.urban_only else "") + \
            ", ".join(data.districts.set_index("lad_code")["lad_name"].reindex(list(row.lad_codes)).fillna("?"))
        documented = f"{row.documented_hours:,.0f} hours/week"
        label = {"Figure": f"{figure.label}: {row.row}"}
        if len(row.lad_codes) > 1:  # a row that is not one district: its hours are shared, not checkable
            result.append(_row(figure, documented=documented, year=figure.year, how=f"shared over the {where}: "
                                                                                    f"{row.assumption}") | label)
            continue
        modelled = float(placed.reindex(chosen.index[chosen]).sum())
        how = (f"hours the demand model places in the {where} (the rows scaled to the table's printed total, plus "
               f"this district's share of rows that span several districts)")
        result.append(_row(figure, documented=documented, year=figure.year, tool=f"{modelled:,.0f}",
                           difference=_difference(row.documented_hours, modelled, ""), how=how) | label)
    return result


def _district_pct_rows(data: CouncilData, figure: Figure) -> list[dict]:
    districts = data.districts.set_index("lad_name")
    result = []
    for name, value in figure.value.items():
        if name not in districts.index:
            result.append(_row(figure, documented=f"{value:g}%", year=figure.year) | {"Figure": f"{figure.label}: {name}"})
            continue
        tool = float(districts.loc[name, "pct_65plus"])
        result.append(_row(figure, documented=f"{value:g}%", year=figure.year, tool=f"{tool:.1f}%",
                           difference=_difference(float(value), tool, "%"),
                           how="people aged 65+ as a share of all people, ONS mid-2020") | {"Figure": f"{figure.label}: {name}"})
    return result


def _homes_rows(data: CouncilData, homes: gpd.GeoDataFrame | None, homes_source: str) -> dict[str, tuple[float, str]]:
    """Homes and beds of the care homes in use (a loaded file, else the CQC homes shipped with the tool), counted as
    the coverage analysis counts them against the documented totals (:func:`analyses.need_and_supply.documented_totals`:
    older people's homes where the figure is about them; the residential/nursing split only when the homes say
    which have nursing); a bed count says how many of its beds are assumed."""
    from analyses.need_and_supply import documented_totals

    if homes is None:
        from layers.care_homes import shipped_care_homes

        try:
            shipped = shipped_care_homes(data)
        except InputDataError:  # a council set up without CQC's homes: nothing to count
            return {}
        homes, homes_source = shipped.homes, f"the {shipped.vintage} shipped with the tool"
    if homes.empty:
        return {}
    how = f"counted from {homes_source or 'the loaded care-home file'} (homes inside the council)"
    totals = documented_totals(data.council, homes).table
    return {row.key: (float(row.loaded), how + (f", {row.what}" if "(" in row.what or "nursing" in row.what or
                                                "residential" in row.what else "")
                      + (f"; {row.assumed:,.0f} of these beds assumed" if row.assumed >= 0.5 else ""))
            for row in totals.itertuples()}


NO_DOCUMENT = "no council document held"
"""What the Documented column says for a council set up from the national data."""

TOOL_KIND = "tool's own"
"""The Kind of a row the tool computes where no council document is held."""


def _shipped_care_homes(data: CouncilData) -> pd.DataFrame | None:
    """The CQC care homes inside the council from its cut of the national data (``care_homes`` of the catalog), or
    None where the council has no such file."""
    from layers.catalog import DATASETS
    from layers.io import read_table

    if not DATASETS["care_homes"].location(data.council.slug, data.council.data_dir).is_file():
        return None
    homes = read_table("care_homes", data.council, ["Care homes beds", "Service user band - Older People",
                                                    "inside_council"], dtype={"inside_council": str})
    return homes[homes["inside_council"].str.lower().eq("true")]


def tool_figures(data: CouncilData) -> list[dict]:
    """The tool's own figures for a council without documents (set up from the national data): people aged 65+ and
    85+, rural shares of people and land, PCN localities, care homes and beds, older people's beds; each row says
    "no council document held" and how the tool gets the figure."""
    lsoa, council = data.lsoa, data.council
    rural_people = 100.0 * float(lsoa.loc[lsoa["is_rural"], "pop_total"].sum() / lsoa["pop_total"].sum())
    rural_land = 100.0 * float(lsoa.loc[lsoa["is_rural"]].area.sum() / lsoa.area.sum())
    people = catalog.vintage("population", council)  # each figure dated by the layer it is counted from
    year = str(catalog.estimates_year(people))
    practices, homes_date = catalog.vintage("practices", council), catalog.vintage("care_homes", council)
    figures = [
        ("People aged 65+", f"{lsoa['pop_65plus'].sum():,.0f}", year, f"{people}, summed over the council's LSOAs"),
        ("People aged 85+", f"{lsoa['pop_85plus'].sum():,.0f}", year, f"{people}, summed over the council's LSOAs"),
        ("People living in rural areas", f"{rural_people:.1f}%", year, "people in LSOAs the ONS rural-urban "
                                                                       "classification 2021 calls rural"),
        ("Land classified as rural", f"{rural_land:.1f}%", "2021", "area of the LSOAs the ONS rural-urban "
                                                                   "classification 2021 calls rural"),
        ("PCN localities", f"{len(data.localities)}", catalog.date_in(practices),
         f"PCNs of the council's GP practices ({practices}), each LSOA joined to its nearest member practice"),
    ]
    homes = _shipped_care_homes(data)
    if homes is not None:
        older = homes["Service user band - Older People"].astype(str).eq("Y")
        how, when = f"{homes_date}, homes whose point lies in the council", catalog.date_in(homes_date)
        figures += [("Care homes in the council", f"{len(homes):,}", when, how),
                    ("Care-home beds in the council", f"{homes['Care homes beds'].sum():,.0f}", when, how),
                    ("Beds in homes registered for older people", f"{homes.loc[older, 'Care homes beds'].sum():,.0f}",
                     when, how + ", registered for the 'Older People' service-user band")]
    return [{"Figure": label, "Documented": NO_DOCUMENT, "Year": year, "Tool's figure": value, "Difference": "—",
             "How the tool gets it": how, "Source": f"the tool's own figure from national data: {how}",
             "Kind": TOOL_KIND} for label, value, year, how in figures]


def evidence_table(data: CouncilData, *, homes: gpd.GeoDataFrame | None = None, homes_source: str = "") -> pd.DataFrame:
    """Every figure of the council beside what the tool recomputes, with the difference and the source.

    Parameters
    ----------
    data : CouncilData
    homes : GeoDataFrame, optional
        Care homes loaded by the user (``in_council``, ``beds``, ``nursing``); default the CQC homes shipped with
        the tool. Homes and beds are recomputed from them.
    homes_source : str
        What the homes are (a file name), for the table.

    Returns
    -------
    DataFrame
        Columns :data:`COLUMNS`, one row per figure (one per district for by-district tables), documented figures
        first. A council without documents (set up from the national data) starts with :func:`tool_figures`.
    """
    counted = _homes_rows(data, homes, homes_source)
    rows: list[dict] = [] if data.council.bundled else tool_figures(data)
    for figure in data.council.figures.values():
        documented_text = figure_text(figure)
        if figure.key == "home_care_hours_by_district":
            rows += _district_rows(data, figure)
        elif figure.key == "older_people_pct_by_district":
            rows += _district_pct_rows(data, figure)
        elif figure.key in RECOMPUTE:
            documented, year, tool, how = RECOMPUTE[figure.key](data, figure)
            rows.append(_row(figure, documented=number_text(float(documented), figure.unit), year=str(year),
                             tool=number_text(tool, figure.unit), difference=_difference(float(documented), tool, figure.unit),
                             how=how))
        elif figure.key in counted and isinstance(figure.value, (int, float)):
            tool, how = counted[figure.key]
            rows.append(_row(figure, documented=documented_text, year=figure.year, tool=number_text(tool, figure.unit),
                             difference=_difference(float(figure.value), tool, figure.unit), how=how))
        elif figure.key in counted:
            rows.append(_row(figure, documented=documented_text, year=figure.year))
        else:
            how = ("no care homes in the tool for this council: load CQC's care directory to count homes and beds"
                   if figure.key in _HOMES_KEYS else
                   "an assumption: nothing to recompute" if figure.is_assumption else
                   "not recomputed: the bundled data hold nothing to check it against")
            rows.append(_row(figure, documented=documented_text, year=figure.year, how=how))
    table = pd.DataFrame(rows, columns=COLUMNS)
    order = np.argsort(table["Kind"].map({"documented": 0, TOOL_KIND: 1}).fillna(2).to_numpy(), kind="stable")
    return table.iloc[order].reset_index(drop=True)


_HOMES_KEYS = {"care_homes", "care_home_beds", "residential_homes", "residential_beds", "nursing_homes", "nursing_beds"}
