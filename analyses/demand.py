"""Synthetic home-care clients: a seeded, reproducible day of demand, labelled SYNTHETIC everywhere.

Clients are placed in LSOAs in proportion to their older population, weighted toward the 85+ (the
documents: over 60% of home-care customers are over 85), each at a real postcode centroid of its LSOA
chosen at random. Where the council documents hours by district (Hertfordshire), each district first gets
its documented hours. Their number and weekly hours are scaled to the council's documented totals for the
chosen area. Call patterns and visit lengths are assumptions with visible defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import DataFileError, InputDataError
from layers.council_data import CouncilData

SYNTHETIC = "SYNTHETIC"


@dataclass(frozen=True)
class DemandAssumptions:
    """Assumptions of the synthetic demand model.

    Attributes
    ----------
    share_85plus_weight : float
        Weight of an LSOA's share of the county's 85+ population (the rest is its 65+ share).
    calls_per_day_mix : dict
        Probability of 1, 2, 3 or 4 calls a day.
    minutes_step : int
        Visit lengths are rounded to this many minutes.
    """

    share_85plus_weight: float = 0.6
    calls_per_day_mix: dict[int, float] = field(default_factory=lambda: {1: 0.15, 2: 0.25, 3: 0.25, 4: 0.35})
    minutes_step: int = 5


def lsoa_weights(lsoa: pd.DataFrame, assumptions: DemandAssumptions) -> pd.Series:
    """Each LSOA's share of home-care demand by its older people alone (sums to 1 over the given LSOAs)."""
    share85 = lsoa["pop_85plus"] / lsoa["pop_85plus"].sum()
    share65 = lsoa["pop_65plus"] / lsoa["pop_65plus"].sum()
    weight = assumptions.share_85plus_weight * share85 + (1 - assumptions.share_85plus_weight) * share65
    return pd.Series(weight.to_numpy(), index=lsoa["lsoa21_code"].to_numpy())


def district_rows(data: CouncilData) -> pd.DataFrame:
    """The council's documented hours by district (e.g. Hertfordshire's table), each row with where it is placed.

    A document's rows may not add exactly to its printed total (Hertfordshire's add to 39,518 against 39,517): the
    rows are scaled to the council's documented weekly total so every page works from one figure.

    Returns
    -------
    DataFrame
        One row per documented row: ``row`` (as the document names it), ``hours`` (per week, scaled to the total),
        ``documented_hours`` (as printed), ``lad_codes``,
        ``rural_only``, ``urban_only``, ``assumption`` (how a row that is not one district is placed, if it is not).
        Empty when the council documents no hours by district.
    """
    council = data.council
    table = council.value("home_care_hours_by_district")
    if not table:
        return pd.DataFrame(columns=["row", "hours", "documented_hours", "lad_codes", "rural_only", "urban_only",
                                     "assumption"])
    rows = []
    for name, hours in table.items():
        placing = council.district_rows.get(name, {})
        total = hours.get("total", hours.get("lead", 0) + hours.get("spot", 0)) if isinstance(hours, dict) else hours
        rows.append({"row": name, "documented_hours": float(total), "lad_codes": tuple(placing.get("districts", ())),
                     "rural_only": bool(placing.get("rural_only", False)),
                     "urban_only": bool(placing.get("urban_only", False)),
                     "assumption": str(placing.get("assumption", ""))})
    table = pd.DataFrame(rows)
    table.insert(1, "hours", table["documented_hours"] * council.weekly_home_care_hours / table["documented_hours"].sum())
    return table


def placed_hours(data: CouncilData, assumptions: DemandAssumptions | None = None) -> pd.Series:
    """The council's weekly home-care hours placed on its LSOAs (indexed by ``lsoa21_code``; sums to the
    council's documented hours).

    Where the council documents hours by district (two-tier councils such as Hertfordshire), each row's hours go
    to the LSOAs of its districts (only the rural or urban ones when the row is, e.g., "Dacorum Rural") in
    proportion to their older people (:func:`lsoa_weights`); elsewhere the council's total is shared by the older
    people alone.
    """
    assumptions = assumptions or DemandAssumptions()
    lsoa = data.lsoa
    rows = district_rows(data)
    if rows.empty:
        return lsoa_weights(lsoa, assumptions) * data.council.weekly_home_care_hours
    placed = pd.Series(0.0, index=lsoa["lsoa21_code"].to_numpy())
    for row in rows.itertuples():
        chosen = lsoa["lad_code"].isin(row.lad_codes)
        if row.rural_only:
            chosen &= lsoa["is_rural"]
        if row.urban_only:
            chosen &= ~lsoa["is_rural"]
        if not chosen.any():
            raise DataFileError(f"{data.council.name}: the documented row {row.row!r} places its hours nowhere; check "
                             f"district_rows in councils/{data.council.slug}.toml.")
        placed = placed.add(lsoa_weights(lsoa[chosen], assumptions) * row.hours, fill_value=0.0)
    return placed.reindex(lsoa["lsoa21_code"].to_numpy()).fillna(0.0)


HOURS = "home_care_hours"
HOURS_MEASURES = {HOURS: "Home-care hours a week (modelled placement)"}
"""The Explore page's measure of where the council's home-care hours are."""


def hours_by_area(data: CouncilData, level: str) -> pd.Series:
    """The council's weekly home-care hours placed on its LSOAs (:func:`placed_hours`), summed by the areas of
    ``level`` (an LSOA column such as ``lad_code`` or ``ward22_code``), named :data:`HOURS`."""
    hours = placed_hours(data)
    return hours.groupby(data.lsoa.set_index("lsoa21_code")[level].reindex(hours.index).to_numpy()).sum().rename(HOURS)


def hours_source(data: CouncilData) -> str:
    """How the hours are placed, in one sentence with its sources."""
    council = data.council
    total = f"{council.weekly_home_care_hours:,.0f} hours a week ({council.source('weekly_home_care_hours')})"
    if district_rows(data).empty:
        return (f"The council's {total} shared over its LSOAs by people aged 65+/85+ (assumption: the council "
                f"documents no hours by area).")
    return (f"The council's {total}, documented by district ({council.source('home_care_hours_by_district')}), "
            f"then shared within each district by people aged 65+/85+ (assumption).")


def demand_weights(data: CouncilData, assumptions: DemandAssumptions | None = None) -> pd.Series:
    """Each LSOA's share of the council's home-care demand (sums to 1; see :func:`placed_hours`)."""
    hours = placed_hours(data, assumptions)
    return hours / hours.sum()


def area_lsoa(data: CouncilData, locality: str | None = None, district: str | None = None) -> pd.DataFrame:
    """The LSOAs of a PCN locality (``locality_name``) or a district (``lad_name``); all of them for neither."""
    lsoa = data.lsoa
    if locality is not None:
        lsoa = lsoa[lsoa["locality_name"] == locality]
    if district is not None:
        lsoa = lsoa[lsoa["lad_name"] == district]
    return lsoa


def area_share(data: CouncilData, locality: str | None, assumptions: DemandAssumptions, *,
               district: str | None = None) -> float:
    """Share of the council's demand in one locality or district (1.0 for the whole council)."""
    if locality is None and district is None:
        return 1.0
    codes = area_lsoa(data, locality, district)["lsoa21_code"]
    return float(demand_weights(data, assumptions).reindex(codes).sum())


def synthetic_clients(data: CouncilData, locality: str | None = None, clients: int | None = None, seed: int = 0,
                      assumptions: DemandAssumptions | None = None, *, district: str | None = None) -> gpd.GeoDataFrame:
    """A reproducible set of synthetic clients for a council or one of its localities or districts.

    Parameters
    ----------
    data : CouncilData
    locality : str, optional
        Restrict to one locality (``locality_name``); None for the whole council.
    district : str, optional
        Restrict to one district (``lad_name``) of a two-tier council.
    clients : int, optional
        Number of clients; by default the council's documented client count × the area's share.
    seed : int
        Same seed, same clients.

    Returns
    -------
    GeoDataFrame
        ``client_id`` (``SYN-0001`` …), ``name``, ``postcode``, ``lsoa21_code``, ``locality_name``,
        ``calls_per_day``, ``minutes_per_call``, ``windows``, ``days_per_week``, ``hours_per_week``,
        ``source`` ("SYNTHETIC …") and point ``geometry`` (BNG). Weekly hours total the council's
        documented hours × the area's share, to within the rounding of visit lengths.
    """
    from analyses.rounds.calls import CALL_PATTERNS  # here: the rounds package loads the solver

    assumptions = assumptions or DemandAssumptions()
    council = data.council
    lsoa = area_lsoa(data, locality, district)
    if lsoa.empty:
        raise InputDataError(f"No LSOA in locality {locality!r} / district {district!r}")
    share = area_share(data, locality, assumptions, district=district)
    count = clients if clients is not None else max(1, round(council.home_care_clients * share))
    target_hours = council.weekly_home_care_hours * share * (count / max(council.home_care_clients * share, 1e-9))
    rng = np.random.default_rng(seed)
    weights = demand_weights(data, assumptions).reindex(lsoa["lsoa21_code"].to_numpy())
    chosen = rng.choice(weights.index.to_numpy(), size=count, p=(weights / weights.sum()).to_numpy())
    positions = data.postcodes.groupby("lsoa21_code").indices  # LSOA -> its postcodes' positions, in file order
    postcode_names = data.postcodes["postcode"].to_numpy()
    points = data.postcodes.geometry.to_numpy()
    rows = []
    patterns = np.array(list(assumptions.calls_per_day_mix))
    probabilities = np.array(list(assumptions.calls_per_day_mix.values()), dtype=float)
    calls = rng.choice(patterns, size=count, p=probabilities / probabilities.sum())
    for number, (code, per_day) in enumerate(zip(chosen, calls), start=1):
        candidates = positions[code]
        pick = candidates[int(rng.integers(len(candidates)))]
        rows.append({"client_id": f"SYN-{number:04d}", "name": f"Synthetic client {number}",
                     "postcode": postcode_names[pick], "lsoa21_code": code, "calls_per_day": int(per_day),
                     "windows": ";".join(CALL_PATTERNS[int(per_day)]), "days_per_week": 7, "geometry": points[pick]})
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=data.postcodes.crs)
    frame["locality_name"] = frame["lsoa21_code"].map(data.lsoa.set_index("lsoa21_code")["locality_name"])
    call_hours_per_minute = frame["calls_per_day"].sum() * 7 / 60.0
    minutes = target_hours / call_hours_per_minute
    step = assumptions.minutes_step
    frame["minutes_per_call"] = float(max(15, round(minutes / step) * step))
    frame["hours_per_week"] = frame["calls_per_day"] * frame["minutes_per_call"] * frame["days_per_week"] / 60.0
    frame["source"] = f"{SYNTHETIC}: seed {seed}, modelled from the 65+/85+ population"
    columns = ["client_id", "name", "postcode", "lsoa21_code", "locality_name", "calls_per_day", "minutes_per_call",
               "windows", "days_per_week", "hours_per_week", "source", "geometry"]
    return frame[columns]
