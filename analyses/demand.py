"""Synthetic home-care clients: a seeded, reproducible day of demand, labelled SYNTHETIC everywhere.

Clients are placed in LSOAs in proportion to their older population, weighted toward the 85+ (the
documents: over 60% of home-care customers are over 85), each at a real postcode centroid of its LSOA
chosen at random. Their number and weekly hours are scaled to the council's documented totals for the
chosen area. Call patterns and visit lengths are assumptions with visible defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from analyses.rounds.calls import CALL_PATTERNS
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
    """Each LSOA's share of home-care demand (sums to 1 over the given LSOAs)."""
    share85 = lsoa["pop_85plus"] / lsoa["pop_85plus"].sum()
    share65 = lsoa["pop_65plus"] / lsoa["pop_65plus"].sum()
    weight = assumptions.share_85plus_weight * share85 + (1 - assumptions.share_85plus_weight) * share65
    return pd.Series(weight.to_numpy(), index=lsoa["lsoa21_code"].to_numpy())


def area_share(data: CouncilData, locality: str | None, assumptions: DemandAssumptions) -> float:
    """Share of the council's demand in one locality (1.0 for the whole council)."""
    weights = lsoa_weights(data.lsoa, assumptions)
    if locality is None:
        return 1.0
    codes = data.lsoa.loc[data.lsoa["locality_name"] == locality, "lsoa21_code"]
    return float(weights.reindex(codes).sum())


def synthetic_clients(data: CouncilData, locality: str | None = None, clients: int | None = None, seed: int = 0,
                      assumptions: DemandAssumptions | None = None) -> gpd.GeoDataFrame:
    """A reproducible set of synthetic clients for a council or one of its localities.

    Parameters
    ----------
    data : CouncilData
    locality : str, optional
        Restrict to one locality (``locality_name``); None for the whole council.
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
    assumptions = assumptions or DemandAssumptions()
    council = data.council
    lsoa = data.lsoa if locality is None else data.lsoa[data.lsoa["locality_name"] == locality]
    if lsoa.empty:
        raise ValueError(f"No LSOA in locality {locality!r}")
    share = area_share(data, locality, assumptions)
    count = clients if clients is not None else max(1, round(council.home_care_clients * share))
    target_hours = council.weekly_home_care_hours * share * (count / max(council.home_care_clients * share, 1e-9))
    rng = np.random.default_rng(seed)
    weights = lsoa_weights(lsoa, assumptions)
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
