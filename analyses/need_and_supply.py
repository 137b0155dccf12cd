"""Need beside supply: the council's bed need by year beside the usable beds of the homes loaded (residential,
nursing, dementia, under 65, all ages), by area too; the homes loaded beside the council's documented totals (a
partial file flagged); the headline shortfall of a scenario year; and the council's documents beside the homes
before any travel time is measured."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from analyses.coverage import (
    TOTALS_TOLERANCE,
    CoverageResult,
    CoverageSettings,
    place_homes,
    supply_table,
    with_service_flags,
)
from geo.council import Council
from layers.council_data import CouncilData


def demand_by_year(result: CoverageResult, years: Sequence[int] | None = None) -> pd.DataFrame:
    """The council's need and usable beds side by side for each year (the homes of today in every year).

    Returns
    -------
    DataFrame
        Indexed by year: ``need_65``, ``usable_65`` (beds for older people × (1 − free share)), ``shortfall_65``;
        ``nursing_need``, ``nursing_usable``, ``nursing_shortfall``; ``residential_need``, ``residential_usable``,
        ``residential_shortfall``; ``dementia_need``, ``dementia_usable``, ``dementia_shortfall``; ``under65_need``,
        ``other_usable`` (homes not for older people), ``under65_shortfall``; ``all_need``, ``all_usable``,
        ``all_shortfall`` (every age against every bed). NaN where a figure is not given.
    """
    settings = result.settings
    council = result.areas["council"].iloc[0]
    usable = 1.0 - settings.free_bed_share
    nursing = np.nan if settings.nursing_share is None else settings.nursing_share
    under65 = np.nan if settings.under65_demand is None else settings.under65_demand
    dementia_usable = council["dementia_beds"] * usable if "dementia_beds" in council.index else np.nan
    rows = {}
    for year in years or settings.shown_years(result.year):
        need = settings.demand(year)
        dementia = settings.dementia(year)
        row = {"need_65": need, "usable_65": council["beds"] * usable,
               "nursing_need": need * nursing, "nursing_usable": council["nursing_beds"] * usable,
               "residential_need": need * (1.0 - nursing), "residential_usable": council["residential_beds"] * usable,
               "dementia_need": np.nan if dementia is None else dementia, "dementia_usable": dementia_usable,
               "under65_need": under65, "other_usable": council["other_beds"] * usable}
        row["all_need"] = need + (0.0 if np.isnan(under65) else under65)
        row["all_usable"] = row["usable_65"] + row["other_usable"]
        for prefix, usable_key in (("", "usable_65"), ("nursing_", "nursing_usable"),
                                   ("residential_", "residential_usable"), ("dementia_", "dementia_usable"),
                                   ("under65_", "other_usable"), ("all_", "all_usable")):
            need_key = f"{prefix}need" if prefix else "need_65"
            row[f"{prefix}shortfall" if prefix else "shortfall_65"] = row[need_key] - row[usable_key]
        rows[int(year)] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def area_shortfall_by_year(result: CoverageResult, key: str = "locality_name",
                           years: Sequence[int] | None = None) -> pd.DataFrame:
    """Shortfall (+) or spare (−) beds for people aged 65+ of each area in each year (columns ``shortfall_<year>``)."""
    table = result.areas[key]
    share = table["bed_demand"] / table["bed_demand"].sum()
    return pd.DataFrame({f"shortfall_{year}": result.settings.demand(year) * share - table["capacity"]
                         for year in (years or result.settings.shown_years(result.year))}, index=table.index)


@dataclass
class TotalsCheck:
    """The loaded homes beside the council's documented totals.

    Attributes
    ----------
    table : DataFrame
        One row per documented total: ``key``, ``what``, ``loaded``, ``documented``, ``year``, ``difference_pct``
        ((loaded − documented) / documented), ``source``.
    warning : str
        Set when a loaded total differs from the documented one by more than :data:`TOTALS_TOLERANCE`.
    partial : bool
        The loaded homes or beds fall short of the documented total by more than the tolerance: a file that
        covers part of the council, whose shortfall is overstated (:func:`headline`).
    documented_beds : float or None
        The council's documented bed total (``care_home_beds``), the supply a partial file's shortfall is shown
        against; None when its documents give none.
    documented_beds_what : str
        What that total counts, in words ("all care homes, 2020").
    assumed_beds : float
        Of the loaded beds inside the council, how many are assumed (homes whose file gives no bed count).
    """

    table: pd.DataFrame
    warning: str = ""
    partial: bool = False
    documented_beds: float | None = None
    documented_beds_what: str = ""
    assumed_beds: float = 0.0


def documented_totals(council: Council, homes: gpd.GeoDataFrame, *,
                      tolerance: float = TOTALS_TOLERANCE) -> TotalsCheck:
    """Compare the homes and beds loaded inside the council with the totals its documents give.

    A figure whose ``scope`` is "older people" is compared with the homes registered for older people;
    others with every care home. Residential and nursing totals are compared where documented and where the
    homes say which have nursing. The table's ``key`` is the figure's key in the council's settings. The homes
    are ``partial`` when the loaded homes or beds fall short of the documented ones by more than ``tolerance``.
    """
    nursing_known = "nursing" in homes.columns
    homes = with_service_flags(homes)
    inside = homes[homes["in_council"]]
    figures = [("care_homes", "care homes", None, False), ("care_home_beds", "beds", None, True),
               ("residential_homes", "residential homes", False, False), ("residential_beds", "residential beds",
                                                                          False, True),
               ("nursing_homes", "nursing homes", True, False), ("nursing_beds", "nursing beds", True, True)]
    rows = []
    for key, what, nursing, beds in figures:
        documented = council.value(key)
        if documented is None:
            continue
        if nursing is not None and not nursing_known:
            continue
        figure = council.figure(key)
        chosen = inside[inside["older_people"]] if figure.scope == "older people" else inside
        if nursing is not None:
            chosen = chosen[chosen["nursing"] == nursing]
        loaded = float(chosen["beds"].sum()) if beds else float(len(chosen))
        label = f"{what} ({figure.scope})" if figure.scope else what
        rows.append({"key": key, "what": label, "loaded": loaded, "documented": float(documented), "year": figure.year,
                     "difference_pct": 100.0 * (loaded - float(documented)) / float(documented),
                     "source": figure.source, "assumed": float(chosen.loc[chosen["beds_assumed"], "beds"].sum())
                     if beds else 0.0})
    table = pd.DataFrame(rows, columns=["key", "what", "loaded", "documented", "year", "difference_pct", "source",
                                        "assumed"])
    assumed = float(inside.loc[inside["beds_assumed"], "beds"].sum())
    beds_figure = council.figures.get("care_home_beds")
    supply = {} if beds_figure is None else {
        "documented_beds": float(beds_figure.value),
        "documented_beds_what": ", ".join(part for part in (beds_figure.scope or "all care homes", beds_figure.year)
                                          if part)}
    totals = table[table["key"].isin(["care_homes", "care_home_beds"])]
    partial = bool((totals["difference_pct"] < -100.0 * tolerance).any())
    far = table[table["difference_pct"].abs() > 100.0 * tolerance]
    if far.empty:
        return TotalsCheck(table, "", partial, assumed_beds=assumed, **supply)
    parts = "; ".join(f"{row.loaded:,.0f} {row.what} loaded against {row.documented:,.0f} documented ({row.year}, "
                      f"{row.difference_pct:+.0f}%)" for row in far.itertuples())
    assumed_homes = int(inside["beds_assumed"].sum())
    note = (f" {assumed_homes} of the loaded homes have assumed bed counts ({assumed:,.0f} beds)."
            if assumed_homes else "")
    consequence = (" The shortfall is therefore shown against the council's documented supply as well, and marked "
                   "partial." if partial and supply else "")
    warning = (f"The care homes loaded differ from {council.name}'s documented totals by more than {tolerance:.0%}: "
               f"{parts}.{note} A partial or out-of-date file reads as a shortfall (or hides one): check that the file "
               f"covers the whole council before drawing conclusions.{consequence}")
    return TotalsCheck(table, warning, partial, assumed_beds=assumed, **supply)


def beds_text(beds: float, assumed: float = 0.0) -> str:
    """A bed total that says how many of its beds are assumed: ``"951 beds (24 of them assumed)"``."""
    text = f"{beds:,.0f} beds"
    return text + (f" ({assumed:,.0f} of them assumed)" if assumed >= 0.5 else "")


@dataclass(frozen=True)
class Headline:
    """The headline shortfall of a scenario year: beds for older people needed beyond the usable beds loaded, and,
    for a partial file (:attr:`TotalsCheck.partial`), the same against the council's documented supply.

    Attributes
    ----------
    year : int
    need : float
        Bed need of people aged 65+ in ``year``.
    shortfall : float
        Need − usable beds of the loaded homes for older people (negative: spare).
    beds, assumed_beds : float
        Beds of the loaded homes for older people inside the council, and how many of them are assumed.
    partial : bool
        The loaded homes fall short of the documented totals by more than :data:`TOTALS_TOLERANCE`.
    documented_shortfall : float or None
        Need − usable documented beds (None without a documented bed total).
    documented_beds, documented_beds_what : float or None, str
        The documented bed total and what it counts.
    """

    year: int
    need: float
    shortfall: float
    beds: float
    assumed_beds: float
    partial: bool
    documented_shortfall: float | None = None
    documented_beds: float | None = None
    documented_beds_what: str = ""

    def value(self) -> str:
        """The shortfall as the headline shows it: signed, marked "partial" for a partial file."""
        return f"{self.shortfall:+,.0f}" + (" (partial)" if self.partial else "")

    def against_documents(self) -> str:
        """The shortfall against the council's documented supply, in words ("" without one)."""
        if self.documented_shortfall is None:
            return ""
        what = f" ({self.documented_beds_what})" if self.documented_beds_what else ""
        return f"{self.documented_shortfall:+,.0f} against the {self.documented_beds:,.0f} beds the council documents{what}"

    def sentence(self) -> str:
        """The headline in a sentence: plain for a full file; for a partial one, both figures and why."""
        loaded = (f"{self.shortfall:+,.0f} with the homes loaded ({beds_text(self.beds, self.assumed_beds)} for older "
                  f"people)")
        if not self.partial:
            return loaded
        documented = f"; {self.against_documents()}" if self.documented_shortfall is not None else ""
        return (f"PARTIAL FILE: {loaded}{documented}. The file covers fewer homes than the council documents, so the "
                f"first figure overstates the shortfall.")


def headline(result: "CoverageResult", totals: TotalsCheck, year: int | None = None) -> Headline:
    """The headline shortfall of ``year`` (default the scenario year) of a coverage result (:class:`Headline`)."""
    year = result.year if year is None else int(year)
    council = result.areas["council"].iloc[0]
    settings = result.settings
    need = settings.demand(year)
    usable = 1.0 - settings.free_bed_share
    documented = None if totals.documented_beds is None else need - totals.documented_beds * usable
    return Headline(year, need, need - float(council["beds"]) * usable, float(council["beds"]),
                    float(council["beds_assumed"]), totals.partial, documented if totals.partial else None,
                    totals.documented_beds, totals.documented_beds_what)


@dataclass
class DocumentsBeside:
    """What a council's documents say beside what the loaded homes give, before any travel time is measured.

    Attributes
    ----------
    totals : TotalsCheck
        The documented totals of homes and beds beside the loaded ones (:func:`documented_totals`).
    council : Series
        The loaded homes inside the council (:func:`supply_table`: homes and beds for older people, assumed beds,
        nursing, dementia, other homes).
    by_year : DataFrame
        Indexed by year: ``need_65`` (the council's need), ``usable_65`` (beds of the loaded homes for older people
        less the free share), ``shortfall_65``, ``documented_usable`` (the documented bed total less the free
        share; NaN without one) and ``documented_shortfall``.
    by_area : DataFrame
        Indexed by area (PCN locality by default): :func:`supply_table` of the loaded homes, then ``need_<year>``
        (the council's need shared by :attr:`CoverageSettings.demand_column`) and ``shortfall_<year>`` for each
        year.
    settings : CoverageSettings
    nursing_known, dementia_known : bool
        Whether the homes say which are registered for nursing, and for dementia.
    """

    totals: TotalsCheck
    council: pd.Series
    by_year: pd.DataFrame
    by_area: pd.DataFrame
    settings: CoverageSettings
    nursing_known: bool
    dementia_known: bool

    @property
    def years(self) -> list[int]:
        return [int(year) for year in self.by_year.index]


def documents_beside_homes(data: CouncilData, homes: gpd.GeoDataFrame, *, settings: CoverageSettings | None = None,
                           years: Sequence[int] | None = None, key: str = "locality_name") -> DocumentsBeside:
    """The council's documented homes, beds and need beside what the loaded homes give, by year and by area:
    counting only, no travel time (the coverage page shows it before measuring anything).

    Parameters
    ----------
    data : CouncilData
    homes : GeoDataFrame
        The loaded homes (:class:`layers.care_homes.CareHomeTable` ``homes``).
    settings : CoverageSettings, optional
        Default :meth:`CoverageSettings.for_council`.
    years : sequence of int, optional
        Default the settings' years (:data:`REPORT_YEARS`).
    key : str
        Area level of ``by_area`` (a column of the LSOA table).
    """
    settings = settings or CoverageSettings.for_council(data.council)
    years = [int(year) for year in (years or settings.years)]
    nursing_known = "nursing" in homes.columns
    placed = place_homes(homes, data)
    name = data.council.name
    council = supply_table(placed.assign(council=np.where(placed["in_council"], name, None)), "council",
                           pd.Index([name]), nursing_known=nursing_known).iloc[0]
    areas = pd.Index(sorted(data.lsoa[key].dropna().unique()), name=key)
    by_area = supply_table(placed, key, areas, nursing_known=nursing_known)
    people = data.lsoa.groupby(key)[settings.demand_column].sum()
    share = (people / people.sum()).reindex(areas).fillna(0.0)
    usable = 1.0 - settings.free_bed_share
    for year in years:
        by_area[f"need_{year}"] = settings.demand(year) * share
        by_area[f"shortfall_{year}"] = by_area[f"need_{year}"] - by_area["beds"] * usable
    totals = documented_totals(data.council, homes)
    documented_usable = np.nan if totals.documented_beds is None else totals.documented_beds * usable
    by_year = pd.DataFrame({"need_65": [settings.demand(year) for year in years]}, index=pd.Index(years, name="year"))
    by_year["usable_65"] = float(council["beds"]) * usable
    by_year["shortfall_65"] = by_year["need_65"] - by_year["usable_65"]
    by_year["documented_usable"] = documented_usable
    by_year["documented_shortfall"] = by_year["need_65"] - documented_usable
    return DocumentsBeside(totals, council, by_year, by_area, settings, nursing_known, "dementia" in homes.columns)
