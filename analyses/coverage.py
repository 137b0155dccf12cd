"""Care-home coverage: how far older people are from care-home beds, now and as demand grows.

Measures by LSOA, ward, district, PCN locality and council: beds for older people per 1,000 people aged
65+/75+/85+; drive time from every postcode to the nearest home for older people (and nearest with
nursing, and registered for dementia) and the share of people within 10/20/30 minutes; enhanced two-step
floating catchment (E2SFCA) access; bed need by year from the council's own figures, split into
residential and nursing, and dementia need; the shortfall; ranked gaps named for people.

Only homes registered for older people (CQC "Service user band - Older People", or the list's own flag)
count against the need of people aged 65+; other homes' beds are shown apart, beside the need of people
under 65. People live at postcodes: each LSOA's counts are shared equally among its postcodes.
Need by year beside the beds, the council's documented totals and the headline shortfall are
:mod:`analyses.need_and_supply`; new sites are chosen in :mod:`analyses.sites`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from geo.council import Council
from geo.crs import to_bng
from geo.figures import series_value
from layers.council_data import CouncilData
from layers.names import area_names
from layers.postcodes import assign_lsoa, postcode_population
from routing.engine import TravelEngine

AREA_KEYS = ("lsoa21_code", "ward22_code", "lad_code", "locality_name")
"""Area levels every coverage result is tabled by (see :data:`layers.areas.AREA_LEVELS`), besides the council."""
REPORT_YEARS = (2020, 2028, 2038)
"""Years shown side by side: the base year (the population's, ONS mid-2020) and the council's planning years."""
POPULATION_YEAR = 2020
"""Year of the population estimates (ONS mid-2020): people are projected from it."""
TOTALS_TOLERANCE = 0.10
"""Loaded and documented totals further apart than this share are flagged."""


@dataclass(frozen=True)
class CoverageSettings:
    """Assumptions of the coverage analysis; the council's figures come in through :meth:`for_council`.

    Attributes
    ----------
    bed_demand : dict
        Bed need of people aged 65+ by year (the council's documented or assumed figures), beds.
    free_bed_share : float
        Share of beds kept free for turnover (0–1); usable beds = beds × (1 − this).
    bed_demand_source : str
        Where the bed need comes from.
    free_bed_share_source : str
        Where the free share comes from.
    thresholds_min : tuple of float
        Drive-time bands for the "share within" measures, minutes.
    e2sfca_weights : dict
        Upper bound of each travel band (minutes) → weight; beyond the last bound, weight 0.
    demand_column : str
        Population that shares the council's bed need between areas (85+: most residents).
    nursing_share : float or None
        Share of the bed need that is for nursing care (0–1); None when the council gives no split.
    nursing_share_source : str
    dementia_demand : dict
        People with dementia in care homes by year (empty when the council gives no figure).
    dementia_source : str
    under65_demand : float or None
        Bed need of people under 65 (met by homes for younger adults), beds.
    under65_source : str
    years : tuple of int
        Years compared side by side (:data:`REPORT_YEARS`).
    """

    bed_demand: dict[int, float]
    free_bed_share: float
    bed_demand_source: str = ""
    free_bed_share_source: str = ""
    thresholds_min: tuple[float, ...] = (10.0, 20.0, 30.0)
    e2sfca_weights: dict[float, float] = field(default_factory=lambda: {10.0: 1.0, 20.0: 0.68, 30.0: 0.22})
    demand_column: str = "pop_85plus"
    nursing_share: float | None = None
    nursing_share_source: str = ""
    dementia_demand: dict[int, float] = field(default_factory=dict)
    dementia_source: str = ""
    under65_demand: float | None = None
    under65_source: str = ""
    years: tuple[int, ...] = REPORT_YEARS

    @classmethod
    def for_council(cls, council: Council, *, years: Sequence[int] = (2018, 2020, 2028, 2038),
                    **changes: Any) -> "CoverageSettings":
        """Settings with the council's own bed need (documented years, or projected as its settings say), nursing
        share, dementia need, under-65 need and free share, then ``changes``."""
        demand = {year: council.series("bed_demand_65plus", year)[0] for year in years}
        source = council.series("bed_demand_65plus", max(years))[1]
        settings = cls(bed_demand=demand, bed_demand_source=source, free_bed_share=council.free_bed_share,
                       free_bed_share_source=council.source("free_bed_share"))
        extra: dict[str, Any] = {}
        if council.value("nursing_share") is not None:
            figure = council.figure("nursing_share")
            extra |= {"nursing_share": float(figure.value) / 100.0,
                      "nursing_share_source": f"{figure.label}: {figure.source}"}
        if council.value("dementia_in_care_homes") is not None:
            extra |= {"dementia_demand": {year: council.series("dementia_in_care_homes", year)[0] for year in years},
                      "dementia_source": council.series("dementia_in_care_homes", max(years))[1]}
        if council.value("bed_demand_under65") is not None:
            extra |= {"under65_demand": float(council.value("bed_demand_under65")),
                      "under65_source": council.source("bed_demand_under65")}
        return dataclasses.replace(settings, **extra, **changes)

    def demand(self, year: int) -> float:
        """Bed need of people aged 65+ in a year, linear between the given years (and beyond them, at the
        nearest segment's rate)."""
        return series_value(self.bed_demand, year)[0]

    def dementia(self, year: int) -> float | None:
        """People with dementia in care homes in a year (None without a figure)."""
        return series_value(self.dementia_demand, year)[0] if self.dementia_demand else None

    def projection_factor(self, year: int) -> float:
        """Bed need in ``year`` against the population's year (:data:`POPULATION_YEAR`): how much the people
        counted in mid-2020 are scaled to stand for ``year``."""
        return self.demand(year) / self.demand(POPULATION_YEAR)

    def shown_years(self, year: int) -> list[int]:
        """The years compared side by side, with the scenario year among them."""
        return sorted({*self.years, int(year)})


def step_weights(cost: np.ndarray, weights: dict[float, float]) -> np.ndarray:
    """Weight of each travel cost: the weight of the first band whose upper bound it does not exceed."""
    result = np.zeros(np.shape(cost), dtype=float)
    for bound, weight in sorted(weights.items(), reverse=True):  # nearer bands overwrite farther ones
        result[cost <= bound] = weight
    return result


def e2sfca(cost: np.ndarray, demand: np.ndarray, supply: np.ndarray, weights: dict[float, float]) -> np.ndarray:
    """Enhanced two-step floating catchment access (Luo & Qi 2009) of each demand point.

    Parameters
    ----------
    cost : ndarray (n_demand × n_supply)
        Travel cost (minutes); ``inf`` where unreachable.
    demand : ndarray (n_demand,)
        People at each demand point.
    supply : ndarray (n_supply,)
        Beds at each home.
    weights : dict
        Band upper bounds → weights (see :func:`step_weights`).

    Returns
    -------
    ndarray (n_demand,)
        Beds per person within weighted reach: step 1 gives each home a bed-to-population ratio over its
        weighted catchment, step 2 sums the ratios of the homes each point reaches, weighted again.
    """
    weight = step_weights(cost, weights)
    catchment = demand @ weight
    ratio = np.divide(supply, catchment, out=np.zeros(len(supply), dtype=float), where=catchment > 0)
    return weight @ ratio


def nearest_home(engine: TravelEngine, points_xy: np.ndarray, homes: gpd.GeoDataFrame) -> pd.DataFrame:
    """Minutes and miles from each point to the nearest home (people travel to the home)."""
    if homes.empty:
        count = len(points_xy)
        return pd.DataFrame({"home_id": [None] * count, "minutes": np.inf, "miles": np.inf, "reachable": False})
    found = engine.nearest(points_xy, np.column_stack([homes.geometry.x, homes.geometry.y]), direction="to",
                           facility_ids=homes["home_id"].to_numpy())
    return found.rename(columns={"facility_id": "home_id"})[["home_id", "minutes", "miles", "reachable"]]


def with_service_flags(homes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Homes with ``older_people`` and ``nursing`` columns (True and False where a caller's frame has none).

    ``dementia`` is left absent when unknown: dementia beds are then reported as not known, never as zero.
    """
    homes = homes.copy()
    if "older_people" not in homes.columns:
        homes["older_people"] = True
    if "nursing" not in homes.columns:
        homes["nursing"] = False
    if "beds_assumed" not in homes.columns:
        homes["beds_assumed"] = False
    for column in ("older_people", "nursing", "beds_assumed", "in_council"):
        homes[column] = homes[column].astype(bool)
    return homes


def place_homes(homes: gpd.GeoDataFrame, data: CouncilData) -> gpd.GeoDataFrame:
    """Homes with their service flags (:func:`with_service_flags`) and, for those inside the council, the area they
    are in at every level (``lsoa21_code``, ``ward22_code``, ``lad_code``, ``locality_name``; empty beyond the
    border). Needs no travel time: the page shows what the homes give before anything is measured."""
    homes = with_service_flags(homes)
    lookup = data.lsoa.set_index("lsoa21_code")
    homes["lsoa21_code"] = assign_lsoa(homes, data.lsoa).where(homes["in_council"])
    for column in ("locality_name", "ward22_code", "lad_code"):
        homes[column] = homes["lsoa21_code"].map(lookup[column])
    return homes


@dataclass
class CoverageResult:
    """Everything the coverage page and report show.

    Attributes
    ----------
    postcodes : GeoDataFrame
        Each postcode with its people (``pop_65plus``, ``pop_75plus``, ``pop_85plus``), ``minutes_nearest`` (to the
        nearest home for older people), ``minutes_nursing``, ``minutes_dementia`` (when the homes say which are
        registered for dementia) and ``access`` (beds per 1,000 aged 65+ within weighted reach, E2SFCA).
    areas : dict of DataFrame
        The area table (:func:`area_table`) for each key of :data:`AREA_KEYS` plus ``"council"``, with the area's
        ``name`` first (:func:`area_names`).
    homes : GeoDataFrame
        Every home read (``older_people`` says which count), with ``lsoa21_code`` and ``locality_name`` where
        inside the council.
    method : str
        Travel-time method ("road" or "estimate").
    year : int
        Scenario year of the demand columns.
    settings : CoverageSettings
    nursing_known : bool
        False when the homes do not say which are registered for nursing (nursing and residential beds are then
        NaN, and ``homes["nursing"]`` is False throughout).
    """

    postcodes: gpd.GeoDataFrame
    areas: dict[str, pd.DataFrame]
    homes: gpd.GeoDataFrame
    method: str
    year: int
    settings: CoverageSettings
    nursing_known: bool = True

    @property
    def dementia_known(self) -> bool:
        """True when the homes say which are registered for dementia."""
        return "dementia" in self.homes.columns

    @property
    def older_homes(self) -> gpd.GeoDataFrame:
        """The homes registered for older people (the supply every access measure uses)."""
        return self.homes[self.homes["older_people"]]


def bed_demand(year: int, settings: CoverageSettings) -> tuple[float, str]:
    """Council bed need among people aged 65+ in a year, and where the figures come from."""
    return settings.demand(year), settings.bed_demand_source


def measure_coverage(data: CouncilData, homes: gpd.GeoDataFrame, engine: TravelEngine, *, year: int = 2018,
                     settings: CoverageSettings | None = None) -> CoverageResult:
    """Every coverage measure for a council, its care homes and a scenario year.

    ``settings`` default to :meth:`CoverageSettings.for_council` of the data's council. Drive times and access
    use the homes registered for older people only.
    """
    homes = to_bng(homes, name="homes")  # homes in degrees read as metres would be ~700 minutes from everyone
    settings = settings or CoverageSettings.for_council(data.council)
    nursing_known = "nursing" in homes.columns
    homes = place_homes(homes, data)
    older = homes[homes["older_people"]]
    postcodes = data.postcodes[["postcode", "lsoa21_code", "geometry"]].copy()
    people = postcode_population(data.postcodes, data.lsoa, ("pop_65plus", "pop_75plus", "pop_85plus"))
    for column in people.columns:
        postcodes[column] = people[column].to_numpy()
    lookup = data.lsoa.set_index("lsoa21_code")
    for column in ("ward22_code", "lad_code", "locality_name"):
        postcodes[column] = postcodes["lsoa21_code"].map(lookup[column])
    xy = np.column_stack([postcodes.geometry.x, postcodes.geometry.y])
    postcodes["minutes_nearest"] = nearest_home(engine, xy, older)["minutes"].to_numpy()
    postcodes["minutes_nursing"] = nearest_home(engine, xy, older[older["nursing"]])["minutes"].to_numpy() \
        if nursing_known else np.nan
    if "dementia" in homes.columns:
        registered = homes[homes["dementia"].astype(bool)]
        postcodes["minutes_dementia"] = nearest_home(engine, xy, registered)["minutes"].to_numpy()
    max_minutes = max(settings.e2sfca_weights)
    if older.empty:
        postcodes["access"] = 0.0
    else:
        cost = engine.matrix(xy, np.column_stack([older.geometry.x, older.geometry.y]), cutoff=max_minutes,
                             with_other=False).minutes
        postcodes["access"] = 1000.0 * e2sfca(cost, postcodes["pop_65plus"].to_numpy(), older["beds"].to_numpy(),
                                              settings.e2sfca_weights)
    areas = {}
    for key in AREA_KEYS:
        table = area_table(postcodes, homes, key, settings=settings, year=year, nursing_known=nursing_known)
        table.insert(0, "name", table.index.map(area_names(data, key)))
        areas[key] = table
    areas["council"] = area_table(postcodes.assign(council=data.council.name),
                                  homes.assign(council=np.where(homes["in_council"], data.council.name, None)),
                                  "council", settings=settings, year=year, nursing_known=nursing_known)
    areas["council"].insert(0, "name", data.council.name)
    return CoverageResult(gpd.GeoDataFrame(postcodes, crs=data.postcodes.crs), areas, homes, engine.method, year,
                          settings, nursing_known)


def _sum_by(homes: pd.DataFrame, key: str, index: pd.Index, chosen: pd.Series | None = None,
            column: str | None = None) -> pd.Series:
    """Count (or sum of ``column``) of the chosen homes in each area, 0 where none."""
    picked = homes if chosen is None else homes[chosen.to_numpy()]
    grouped = picked.groupby(key)
    values = grouped.size() if column is None else grouped[column].sum()
    return values.reindex(index).fillna(0)


def supply_table(homes: pd.DataFrame, key: str, index: pd.Index, *, nursing_known: bool = True) -> pd.DataFrame:
    """Homes and beds inside each area of ``index`` (the homes' ``key`` column; :func:`place_homes`): of homes for
    older people ``homes``, ``beds``, ``beds_assumed`` (of those beds, how many are assumed), ``nursing_homes``,
    ``nursing_beds``, ``residential_beds`` (NaN unless ``nursing_known``) and, when the homes say which are
    registered for dementia, ``dementia_homes``/``dementia_beds``; then ``other_homes``/``other_beds`` (homes not
    registered for older people)."""
    table = pd.DataFrame(index=index)
    inside = homes[homes[key].notna()]
    older = inside["older_people"]
    assumed = inside["beds_assumed"] if "beds_assumed" in inside.columns else pd.Series(False, index=inside.index)
    table["homes"] = _sum_by(inside, key, index, older).astype(int)
    table["beds"] = _sum_by(inside, key, index, older, "beds").astype(float)
    table["beds_assumed"] = _sum_by(inside, key, index, older & assumed.astype(bool), "beds").astype(float)
    table["nursing_homes"] = _sum_by(inside, key, index, older & inside["nursing"]).astype(int)
    table["nursing_beds"] = _sum_by(inside, key, index, older & inside["nursing"], "beds").astype(float)
    table["residential_beds"] = table["beds"] - table["nursing_beds"]
    if not nursing_known:
        table[["nursing_homes", "nursing_beds", "residential_beds"]] = np.nan
    if "dementia" in inside.columns:
        dementia = inside["dementia"].astype(bool)
        table["dementia_homes"] = _sum_by(inside, key, index, dementia).astype(int)
        table["dementia_beds"] = _sum_by(inside, key, index, dementia, "beds").astype(float)
    table["other_homes"] = _sum_by(inside, key, index, ~older).astype(int)
    table["other_beds"] = _sum_by(inside, key, index, ~older, "beds").astype(float)
    return table


def area_table(postcodes: pd.DataFrame, homes: pd.DataFrame, key: str, *, settings: CoverageSettings,
               year: int, nursing_known: bool = True) -> pd.DataFrame:
    """Coverage measures by area for a scenario year (nursing and residential beds NaN unless ``nursing_known``).

    Returns
    -------
    DataFrame
        Indexed by ``key``. Supply (homes inside the area, :func:`supply_table`): ``homes``, ``beds``,
        ``beds_assumed``, ``nursing_homes``, ``nursing_beds``, ``residential_beds`` and, when known,
        ``dementia_homes``/``dementia_beds`` — all of homes for older people — then ``other_homes``/``other_beds``
        (homes not registered for older people). People: ``pop_65plus``,
        ``pop_75plus``, ``pop_85plus``. Access: ``beds_per_1000_65``/``_75``/``_85``, ``pct65_within_<t>`` and
        ``pct85_within_<t>`` for each threshold, ``minutes_mean`` (65+-weighted mean to the nearest home),
        ``access`` (65+-weighted E2SFCA beds per 1,000 aged 65+). Need in ``year`` (the council's need shared by
        ``settings.demand_column``): ``bed_demand``, ``capacity`` (beds × (1 − free share)), ``shortfall`` (need −
        capacity; negative = spare) and the same for nursing, residential and dementia (``nursing_demand``,
        ``nursing_shortfall``, …; NaN where the council or the homes do not give them).
    """
    people = postcodes.groupby(key)[["pop_65plus", "pop_75plus", "pop_85plus"]].sum()
    table = people.join(supply_table(homes, key, people.index, nursing_known=nursing_known))
    for age in ("65", "75", "85"):
        table[f"beds_per_1000_{age}"] = 1000.0 * table["beds"] / table[f"pop_{age}plus"]
    for threshold in settings.thresholds_min:
        within = postcodes["minutes_nearest"] <= threshold
        for age in ("65", "85"):
            reached = postcodes[f"pop_{age}plus"].where(within, 0.0).groupby(postcodes[key]).sum()
            table[f"pct{age}_within_{threshold:g}"] = 100.0 * reached / table[f"pop_{age}plus"]
    weight = postcodes["pop_65plus"]
    finite = np.isfinite(postcodes["minutes_nearest"])
    table["minutes_mean"] = ((postcodes["minutes_nearest"].where(finite, np.nan) * weight).groupby(postcodes[key]).sum()
                             / weight.where(finite, 0.0).groupby(postcodes[key]).sum())
    table["access"] = (postcodes["access"] * weight).groupby(postcodes[key]).sum() / table["pop_65plus"]
    share = postcodes.groupby(key)[settings.demand_column].sum() / postcodes[settings.demand_column].sum()
    usable = 1.0 - settings.free_bed_share
    table["bed_demand"] = settings.demand(year) * share
    table["capacity"] = table["beds"] * usable
    table["shortfall"] = table["bed_demand"] - table["capacity"]
    nursing = np.nan if settings.nursing_share is None else settings.nursing_share
    table["nursing_demand"] = table["bed_demand"] * nursing
    table["nursing_shortfall"] = table["nursing_demand"] - table["nursing_beds"] * usable
    table["residential_demand"] = table["bed_demand"] * (1.0 - nursing)
    table["residential_shortfall"] = table["residential_demand"] - table["residential_beds"] * usable
    dementia_need = settings.dementia(year)
    table["dementia_demand"] = np.nan if dementia_need is None else dementia_need * share
    dementia_beds = table["dementia_beds"] if "dementia_beds" in table.columns else np.nan
    table["dementia_shortfall"] = table["dementia_demand"] - dementia_beds * usable
    return table


# --- Gaps named for people ------------------------------------------------------------------------------


def nearest_towns(points: gpd.GeoSeries, places: gpd.GeoDataFrame) -> pd.DataFrame:
    """The nearest city or town to each point (villages when the council has no town), straight line.

    Returns
    -------
    DataFrame
        Indexed like ``points``: ``nearest_town`` and ``town_km`` (kilometres).
    """
    towns = places[places["kind"].isin(["city", "town"])]
    towns = towns if len(towns) else places[places["kind"] == "village"]
    if towns.empty or len(points) == 0:
        return pd.DataFrame({"nearest_town": "", "town_km": np.nan}, index=points.index)
    tree = cKDTree(np.column_stack([towns.geometry.x, towns.geometry.y]))
    distance, position = tree.query(np.column_stack([points.x, points.y]))
    return pd.DataFrame({"nearest_town": towns["name"].to_numpy()[position], "town_km": distance / 1000.0},
                        index=points.index)


def named_gaps(result: CoverageResult, data: CouncilData, *, top: int = 10) -> pd.DataFrame:
    """The ranked LSOA gaps of a result (:func:`rank_gaps`) with the names people use.

    Adds ``area_name`` (settlement — ward (code)), ``nearest_town`` and ``town_km`` (straight line from where
    the area's people live) and ``locality``.
    """
    gaps = rank_gaps(result.areas["lsoa21_code"], growth=result.settings.projection_factor(result.year), top=top)
    lsoa = data.lsoa.set_index("lsoa21_code")
    people = result.postcodes[result.postcodes["lsoa21_code"].isin(gaps.index)]
    weight = people["pop_65plus"].to_numpy() + 1e-9
    centre = pd.DataFrame({"x": people.geometry.x * weight, "y": people.geometry.y * weight, "w": weight,
                           "lsoa": people["lsoa21_code"].to_numpy()}).groupby("lsoa").sum()
    anchors = gpd.GeoSeries(gpd.points_from_xy(centre["x"] / centre["w"], centre["y"] / centre["w"]), index=centre.index)
    towns = nearest_towns(anchors, data.places).reindex(gaps.index)
    return gaps.assign(area_name=gaps.index.map(lsoa["area_name"]), nearest_town=towns["nearest_town"],
                       town_km=towns["town_km"], locality=gaps.index.map(lsoa["locality_name"]),
                       lsoa21_name=gaps.index.map(lsoa["lsoa21_name"]))


def rank_gaps(table: pd.DataFrame, *, growth: float, top: int = 10) -> pd.DataFrame:
    """Areas with low access and high projected demand, worst first.

    The score is the projected people aged 65+ times how far the area's access falls below the council's
    average (0 when at or above it): people-weighted access deficit.
    """
    average = float((table["access"] * table["pop_65plus"]).sum() / table["pop_65plus"].sum())
    ranked = table.copy()
    ranked["projected_65plus"] = ranked["pop_65plus"] * growth
    deficit = np.clip(1.0 - ranked["access"] / average, 0.0, None) if average > 0 else 1.0
    ranked["gap_score"] = ranked["projected_65plus"] * deficit
    ranked = ranked[ranked["gap_score"] > 0].sort_values("gap_score", ascending=False)
    return ranked.head(top)
