"""Care-home coverage: how far older people are from care-home beds, now and as demand grows.

Measures by LSOA, ward, PCN locality and council: beds per 1,000 people aged 65+/75+/85+; drive time from
every postcode to the nearest home (and nearest with nursing) and the share of people within 10/20/30
minutes; enhanced two-step floating catchment (E2SFCA) access; projected bed demand and shortfall;
ranked gaps; and new sites chosen by maximal covering location (MCLP).

People live at postcodes: each LSOA's counts are shared equally among its postcodes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.council import Council, series_value
from layers.council_data import CouncilData
from layers.postcodes import assign_lsoa, postcode_population
from routing.engine import TravelEngine

AREA_KEYS = ("lsoa21_code", "ward22_code", "lad_code", "locality_name")
"""Area levels every coverage result is tabled by (see :data:`layers.areas.AREA_LEVELS`), besides the council."""


@dataclass(frozen=True)
class CoverageSettings:
    """Assumptions of the coverage analysis; the council's figures come in through :meth:`for_council`.

    Attributes
    ----------
    thresholds_min : tuple of float
        Drive-time bands for the "share within" measures, minutes.
    e2sfca_weights : dict
        Upper bound of each travel band (minutes) → weight; beyond the last bound, weight 0.
    bed_demand : dict
        Bed need of people aged 65+ by year (the council's documented or assumed figures).
    bed_demand_source : str
        Where those figures come from.
    free_bed_share : float
        Share of beds kept free for turnover (0–1); capacity = beds × (1 − this).
    demand_column : str
        Population that shares the council's bed demand between areas (85+: most residents).
    """

    bed_demand: dict[int, float]
    free_bed_share: float
    bed_demand_source: str = ""
    thresholds_min: tuple[float, ...] = (10.0, 20.0, 30.0)
    e2sfca_weights: dict[float, float] = field(default_factory=lambda: {10.0: 1.0, 20.0: 0.68, 30.0: 0.22})
    demand_column: str = "pop_85plus"

    @classmethod
    def for_council(cls, council: Council, *, years: Sequence[int] = (2018, 2020, 2028, 2038),
                    **changes: Any) -> "CoverageSettings":
        """Settings with the council's own bed need (documented years, or projected as its settings say) and free
        share, then ``changes``."""
        demand = {year: council.series("bed_demand_65plus", year)[0] for year in years}
        source = council.series("bed_demand_65plus", max(years))[1]
        settings = cls(bed_demand=demand, bed_demand_source=source, free_bed_share=council.free_bed_share)
        return dataclasses.replace(settings, **changes)

    @property
    def base_year(self) -> int:
        """The first year of the bed-need figures."""
        return min(self.bed_demand)

    def demand(self, year: int) -> float:
        """Bed need of people aged 65+ in a year, linear between the given years (and beyond them, at the
        nearest segment's rate)."""
        return series_value(self.bed_demand, year)[0]

    def growth_factor(self, year: int) -> float:
        """Bed need in ``year`` against the base year."""
        return self.demand(year) / self.demand(self.base_year)


def step_weights(cost: np.ndarray, weights: dict[float, float]) -> np.ndarray:
    """Weight of each travel cost: the weight of the first band whose upper bound it does not exceed."""
    result = np.zeros_like(cost, dtype=float)
    assigned = np.zeros(cost.shape, dtype=bool)
    for bound, weight in sorted(weights.items()):
        inside = (cost <= bound) & ~assigned
        result[inside] = weight
        assigned |= inside
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


@dataclass
class CoverageResult:
    """Everything the coverage page and report show.

    Attributes
    ----------
    postcodes : GeoDataFrame
        Each postcode with its people (``pop_65plus``, ``pop_85plus``), ``minutes_nearest``,
        ``minutes_nursing`` and ``access`` (beds per 1,000 aged 65+ within weighted reach, E2SFCA).
    areas : dict of DataFrame
        The area table (:func:`area_table`) for each key of :data:`AREA_KEYS` plus ``"council"``.
    homes : GeoDataFrame
        The homes used, with ``lsoa21_code`` and ``locality_name`` where inside the council.
    method : str
        Travel-time method ("road" or "estimate").
    year : int
        Projection year of the demand columns.
    """

    postcodes: gpd.GeoDataFrame
    areas: dict[str, pd.DataFrame]
    homes: gpd.GeoDataFrame
    method: str
    year: int
    settings: CoverageSettings


def bed_demand(year: int, settings: CoverageSettings) -> tuple[float, str]:
    """Council bed need among people aged 65+ in a year, and where the figures come from."""
    return settings.demand(year), settings.bed_demand_source


def measure_coverage(data: CouncilData, homes: gpd.GeoDataFrame, engine: TravelEngine, *, year: int = 2018,
                     settings: CoverageSettings | None = None) -> CoverageResult:
    """Every coverage measure for a council, its care homes and a projection year.

    ``settings`` default to :meth:`CoverageSettings.for_council` of the data's council.
    """
    settings = settings or CoverageSettings.for_council(data.council)
    postcodes = data.postcodes[["postcode", "lsoa21_code", "geometry"]].copy()
    people = postcode_population(data.postcodes, data.lsoa, ("pop_65plus", "pop_75plus", "pop_85plus"))
    for column in people.columns:
        postcodes[column] = people[column].to_numpy()
    lookup = data.lsoa.set_index("lsoa21_code")
    postcodes["ward22_code"] = postcodes["lsoa21_code"].map(lookup["ward22_code"])
    postcodes["lad_code"] = postcodes["lsoa21_code"].map(lookup["lad_code"])
    postcodes["locality_name"] = postcodes["lsoa21_code"].map(lookup["locality_name"])
    xy = np.column_stack([postcodes.geometry.x, postcodes.geometry.y])
    postcodes["minutes_nearest"] = nearest_home(engine, xy, homes)["minutes"].to_numpy()
    nursing = homes[homes["nursing"]]
    postcodes["minutes_nursing"] = nearest_home(engine, xy, nursing)["minutes"].to_numpy()
    max_minutes = max(settings.e2sfca_weights)
    if homes.empty:
        postcodes["access"] = 0.0
    else:
        cost = engine.matrix(xy, np.column_stack([homes.geometry.x, homes.geometry.y]), cutoff=max_minutes,
                             with_other=False).minutes
        postcodes["access"] = 1000.0 * e2sfca(cost, postcodes["pop_65plus"].to_numpy(), homes["beds"].to_numpy(),
                                              settings.e2sfca_weights)
    homes = homes.copy()
    homes["lsoa21_code"] = assign_lsoa(homes, data.lsoa).where(homes["in_council"])
    homes["locality_name"] = homes["lsoa21_code"].map(lookup["locality_name"])
    homes["ward22_code"] = homes["lsoa21_code"].map(lookup["ward22_code"])
    homes["lad_code"] = homes["lsoa21_code"].map(lookup["lad_code"])
    total_demand, _ = bed_demand(year, settings)
    areas = {key: area_table(postcodes, homes, key, settings=settings, total_demand=total_demand) for key in AREA_KEYS}
    areas["council"] = area_table(postcodes.assign(council=data.council.name),
                                  homes.assign(council=np.where(homes["in_council"], data.council.name, None)),
                                  "council", settings=settings, total_demand=total_demand)
    return CoverageResult(gpd.GeoDataFrame(postcodes, crs=data.postcodes.crs), areas, homes, engine.method, year,
                          settings)


def area_table(postcodes: pd.DataFrame, homes: pd.DataFrame, key: str, *, settings: CoverageSettings,
               total_demand: float) -> pd.DataFrame:
    """Coverage measures by area.

    Returns
    -------
    DataFrame
        Indexed by ``key``: ``homes``, ``beds``, ``nursing_homes``, ``pop_65plus``, ``pop_75plus``, ``pop_85plus``,
        ``beds_per_1000_65``, ``beds_per_1000_75``, ``beds_per_1000_85``, ``pct65_within_<t>`` and
        ``pct85_within_<t>`` for each threshold, ``minutes_mean`` (65+-weighted mean to the nearest home),
        ``access`` (65+-weighted E2SFCA beds per 1,000 aged 65+), ``bed_demand`` (projected), ``capacity``
        (beds × (1 − free share)) and ``shortfall`` (demand − capacity; negative = spare).
    """
    people = postcodes.groupby(key)[["pop_65plus", "pop_75plus", "pop_85plus"]].sum()
    table = people.copy()
    inside = homes[homes[key].notna()]
    table["homes"] = inside.groupby(key).size().reindex(table.index).fillna(0).astype(int)
    table["beds"] = inside.groupby(key)["beds"].sum().reindex(table.index).fillna(0.0)
    table["nursing_homes"] = inside[inside["nursing"]].groupby(key).size().reindex(table.index).fillna(0).astype(int)
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
    demand_people = postcodes.groupby(key)[settings.demand_column].sum()
    table["bed_demand"] = total_demand * demand_people / postcodes[settings.demand_column].sum()
    table["capacity"] = table["beds"] * (1.0 - settings.free_bed_share)
    table["shortfall"] = table["bed_demand"] - table["capacity"]
    return table


def named_gaps(result: "CoverageResult", data: CouncilData, *, top: int = 10) -> pd.DataFrame:
    """The ranked LSOA gaps of a result (:func:`rank_gaps`) with each LSOA's name and locality."""
    gaps = rank_gaps(result.areas["lsoa21_code"], growth=result.settings.growth_factor(result.year), top=top)
    names = data.lsoa.set_index("lsoa21_code")
    return gaps.assign(locality=gaps.index.map(names["locality_name"]), lsoa21_name=gaps.index.map(names["lsoa21_name"]))


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


# --- New sites (maximal covering location) --------------------------------------------------------


def mclp_greedy(covers: np.ndarray, weights: np.ndarray, k: int) -> list[int]:
    """Choose ``k`` candidates greedily by newly covered weight. ``covers`` is candidates × demand (bool)."""
    chosen: list[int] = []
    covered = np.zeros(covers.shape[1], dtype=bool)
    for _ in range(min(k, covers.shape[0])):
        gains = (covers & ~covered) @ weights
        gains[chosen] = -1
        best = int(np.argmax(gains))
        if gains[best] <= 0:
            break
        chosen.append(best)
        covered |= covers[best]
    return chosen


def mclp_brute_force(covers: np.ndarray, weights: np.ndarray, k: int) -> tuple[tuple[int, ...], float]:
    """Exact MCLP by trying every set of ``k`` candidates (small cases and tests only)."""
    best, best_value = (), -1.0
    for combination in combinations(range(covers.shape[0]), min(k, covers.shape[0])):
        value = float(weights[covers[list(combination)].any(axis=0)].sum())
        if value > best_value:
            best, best_value = combination, value
    return best, best_value


def mclp_exact(covers: np.ndarray, weights: np.ndarray, k: int) -> list[int]:
    """Exact MCLP with PySAL spopt (CBC through PuLP); falls back to greedy if no solver is available."""
    import pulp
    from spopt.locate import MCLP

    cost = np.where(covers.T, 0.0, 2.0)  # demand × candidates: 0 within reach, 2 beyond a radius of 1
    try:
        model = MCLP.from_cost_matrix(cost, weights, service_radius=1.0, p_facilities=min(k, covers.shape[0]))
        model = model.solve(pulp.PULP_CBC_CMD(msg=False))
    except Exception:  # no CBC binary on this machine: the greedy answer is within 1 − 1/e of the best
        return mclp_greedy(covers, weights, k)
    return [index for index, variable in enumerate(model.fac_vars) if variable.value() and variable.value() > 0.5]


@dataclass
class SiteChoice:
    """Suggested new sites and what each adds."""

    sites: pd.DataFrame
    covered_before: float
    covered_after: float
    population: float
    minutes: float


def suggest_sites(result: CoverageResult, candidates: gpd.GeoDataFrame, engine: TravelEngine, *, k: int = 3,
                  minutes: float = 20.0, exact: bool = True) -> SiteChoice:
    """Choose ``k`` candidate places that bring the most people aged 65+ (projected) newly within ``minutes``.

    Returns the sites with their marginal gain (people newly within reach, in the order they add most),
    and the people within reach before and after.
    """
    growth = result.settings.growth_factor(result.year)
    postcodes = result.postcodes
    weights_all = postcodes["pop_65plus"].to_numpy() * growth
    uncovered = ~(postcodes["minutes_nearest"].to_numpy() <= minutes)
    weights = weights_all[uncovered]
    xy = np.column_stack([postcodes.geometry.x, postcodes.geometry.y])[uncovered]
    before = float(weights_all[~uncovered].sum())
    if k <= 0 or len(candidates) == 0 or len(weights) == 0:
        empty = candidates.iloc[:0].assign(new_people_within=[])
        return SiteChoice(empty, before, before, float(weights_all.sum()), minutes)
    cost = engine.matrix(xy, np.column_stack([candidates.geometry.x, candidates.geometry.y]), cutoff=minutes,
                         with_other=False).minutes
    covers = (cost <= minutes).T
    chosen = mclp_exact(covers, weights, k) if exact else mclp_greedy(covers, weights, k)
    ordered = mclp_greedy(covers[chosen], weights, len(chosen))
    gains, covered = [], np.zeros(covers.shape[1], dtype=bool)
    for position in ordered:
        gains.append(float(weights[covers[chosen[position]] & ~covered].sum()))
        covered |= covers[chosen[position]]
    sites = candidates.iloc[[chosen[p] for p in ordered]].copy()
    sites["new_people_within"] = gains
    return SiteChoice(sites.reset_index(drop=True), before, before + float(sum(gains)), float(weights_all.sum()),
                      minutes)


def candidate_places(data: CouncilData, homes: gpd.GeoDataFrame, *,
                     kinds: Sequence[str] = ("city", "town", "village"),
                     min_distance_m: float = 1000.0) -> gpd.GeoDataFrame:
    """Settlements that could host a new home: named places of the given kinds at least 1 km from any home."""
    places = data.places[data.places["kind"].isin(kinds)]
    places = places[places.within(data.outline.union_all())]
    if len(homes):
        places = places[places.distance(homes.union_all()) >= min_distance_m]
    return places[["name", "kind", "geometry"]].reset_index(drop=True)
