"""Drive time and distance to the nearest GP practice, counting practices beyond the council's border.

People near a border use the nearest surgery whichever side of it lies: Ryhall and Ketton use Stamford's,
Adforton and Orleton use Ludlow's. So the practices searched are the council's own (and its PCNs' members)
plus every active practice within 15 km beyond its boundary (:func:`layers.health.border_practices`).
Demand stays the council's residents: every postcode of the council, each LSOA's people shared equally
among its postcodes. PCN localities are not changed (they come from the council's PCNs only).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.council_data import CouncilData
from routing.engine import TravelEngine

GP_MINUTES = "gp_minutes"
"""Column (and Explore measure) of the drive time to the nearest GP practice, minutes."""
GP_MEASURES = {GP_MINUTES: "Drive to nearest GP practice (minutes)"}

_COLUMNS = ["practice_code", "practice_name", "postcode", "pcn_name", "in_council", "geometry"]


def practices_for_access(data: CouncilData, *, include_border: bool = True) -> gpd.GeoDataFrame:
    """The practices residents may use: the council's (with its PCNs' members) and, unless ``include_border`` is
    False, those within 15 km beyond its boundary; one row per practice code, ``in_council`` saying which side."""
    frames = [data.practices[_COLUMNS]]
    if include_border and data.border_practices is not None:
        frames.append(data.border_practices[_COLUMNS])
    combined = pd.concat(frames, ignore_index=True).drop_duplicates("practice_code", keep="first")
    return gpd.GeoDataFrame(combined, geometry="geometry", crs=data.practices.crs).reset_index(drop=True)


def nearest_practice(data: CouncilData, engine: TravelEngine, *, include_border: bool = True) -> gpd.GeoDataFrame:
    """The nearest practice by drive time from every postcode of the council.

    Returns
    -------
    GeoDataFrame
        One row per postcode: ``postcode``, ``lsoa21_code``, ``practice_code``, ``practice_name``,
        ``practice_in_council`` (False for a practice beyond the border), ``minutes``, ``miles`` (along the
        fastest route; ``inf`` if unreachable), ``reachable``, ``far_from_road``, ``method`` and the postcode's
        point geometry (BNG).
    """
    practices = practices_for_access(data, include_border=include_border)
    postcodes = data.postcodes
    found = engine.nearest(np.column_stack([postcodes.geometry.x, postcodes.geometry.y]),
                           np.column_stack([practices.geometry.x, practices.geometry.y]), direction="to",
                           facility_ids=practices["practice_code"].tolist())
    chosen = practices.set_index("practice_code").reindex(found["facility_id"])
    return gpd.GeoDataFrame({
        "postcode": postcodes["postcode"].to_numpy(),
        "lsoa21_code": postcodes["lsoa21_code"].to_numpy(),
        "practice_code": found["facility_id"].to_numpy(),
        "practice_name": chosen["practice_name"].to_numpy(),
        "practice_in_council": chosen["in_council"].astype("boolean").to_numpy(),
        "minutes": found["minutes"].to_numpy(),
        "miles": found["miles"].to_numpy(),
        "reachable": found["reachable"].to_numpy(),
        "far_from_road": found["far_from_road"].to_numpy(),
        "method": found["method"].to_numpy(),
    }, geometry=postcodes.geometry.to_numpy(), crs=postcodes.crs)


def nearest_practice_by_area(data: CouncilData, nearest: pd.DataFrame, level: str = "lsoa21_code") -> pd.DataFrame:
    """The nearest-practice figures of :func:`nearest_practice` summed up by area.

    Each LSOA's mean is over its postcodes (its people are shared equally among them); larger areas weight
    their LSOAs' means by population. Unreachable postcodes are left out of the means and counted.

    Parameters
    ----------
    level : {"lsoa21_code", "msoa21_code", "ward22_code", "lad_code", "locality_name"}

    Returns
    -------
    DataFrame
        Indexed by the level's code: ``gp_minutes`` and ``gp_miles`` (mean), ``gp_minutes_max`` (worst
        postcode), ``pct_nearest_outside`` (percent of people whose nearest practice is beyond the border),
        ``postcodes``, ``unreachable``.
    """
    table = pd.DataFrame(nearest.drop(columns="geometry", errors="ignore"))
    usable = table["reachable"].to_numpy()
    table["outside"] = ~table["practice_in_council"].fillna(True).astype(bool) & usable
    grouped = table[usable].groupby("lsoa21_code")
    per_lsoa = pd.DataFrame({
        GP_MINUTES: grouped["minutes"].mean(),
        "gp_miles": grouped["miles"].mean(),
        "gp_minutes_max": grouped["minutes"].max(),
        "pct_nearest_outside": 100.0 * table.groupby("lsoa21_code")["outside"].mean(),
        "postcodes": table.groupby("lsoa21_code").size(),
        "unreachable": (~table["reachable"]).groupby(table["lsoa21_code"]).sum(),
    })
    if level == "lsoa21_code":
        return per_lsoa
    lsoa = pd.DataFrame(data.lsoa.drop(columns="geometry")).set_index("lsoa21_code").join(per_lsoa)
    weight = lsoa["pop_total"].where(lsoa[GP_MINUTES].notna(), 0.0)
    totals = weight.groupby(lsoa[level]).sum()

    def weighted(column: str) -> pd.Series:
        return (lsoa[column].fillna(0.0) * weight).groupby(lsoa[level]).sum() / totals.replace(0.0, np.nan)

    return pd.DataFrame({
        GP_MINUTES: weighted(GP_MINUTES),
        "gp_miles": weighted("gp_miles"),
        "gp_minutes_max": lsoa.groupby(level)["gp_minutes_max"].max(),
        "pct_nearest_outside": weighted("pct_nearest_outside"),
        "postcodes": lsoa.groupby(level)["postcodes"].sum(),
        "unreachable": lsoa.groupby(level)["unreachable"].sum(),
    })
