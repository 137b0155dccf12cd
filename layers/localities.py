"""PCN localities: Primary Care Networks have no official boundaries, so each LSOA 2021 is given to
the PCN of its nearest member practice and the LSOAs of each PCN are dissolved into a locality.

"Nearest" is straight-line by default; the routing package supplies drive-time nearest practices
(:func:`assign_localities` takes any per-LSOA nearest-practice result). Where a council merges PCNs
(Herefordshire's two Hereford City PCNs form one "Hereford City" locality), the merge is applied
after the assignment.
"""

from __future__ import annotations

from typing import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd


def lsoa_anchor_points(lsoas: gpd.GeoDataFrame, postcodes: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Where the people of each LSOA live, as one point: the mean of its postcode centroids.

    LSOAs without postcodes fall back to a point inside the polygon. Indexed like ``lsoas``.
    """
    xy = pd.DataFrame({"x": postcodes.geometry.x, "y": postcodes.geometry.y, "lsoa21_code": postcodes["lsoa21_code"]})
    means = xy.groupby("lsoa21_code")[["x", "y"]].mean()
    fallback = lsoas.representative_point()
    x = lsoas["lsoa21_code"].map(means["x"]).fillna(fallback.x)
    y = lsoas["lsoa21_code"].map(means["y"]).fillna(fallback.y)
    return gpd.GeoSeries(gpd.points_from_xy(x, y), index=lsoas.index, crs=lsoas.crs)


def nearest_practice_straight(anchors: gpd.GeoSeries, practices: gpd.GeoDataFrame) -> pd.DataFrame:
    """Nearest PCN member practice of each anchor point by straight-line distance.

    Returns
    -------
    DataFrame
        Indexed like ``anchors``; columns ``practice_code`` and ``distance_m`` (metres).
    """
    members = practices[practices["pcn_code"].notna()].reset_index(drop=True)
    from scipy.spatial import cKDTree  # here: SciPy loads with the first measure, not with the first map

    tree = cKDTree(np.column_stack([members.geometry.x, members.geometry.y]))
    distance, position = tree.query(np.column_stack([anchors.x, anchors.y]))
    return pd.DataFrame(
        {"practice_code": members["practice_code"].to_numpy()[position], "distance_m": distance}, index=anchors.index
    )


def assign_localities(
    lsoas: gpd.GeoDataFrame,
    nearest: pd.DataFrame,
    practices: gpd.GeoDataFrame,
    merges: Mapping[str, tuple[str, ...]] | None = None,
) -> pd.DataFrame:
    """PCN and locality of each LSOA from its nearest member practice.

    Parameters
    ----------
    lsoas : GeoDataFrame
        LSOA 2021 polygons (needs ``lsoa21_code``).
    nearest : DataFrame
        Per LSOA (same index), ``practice_code`` of the nearest member practice.
    practices : GeoDataFrame
        GP practices with ``practice_code``, ``pcn_code``, ``pcn_name``.
    merges : mapping, optional
        Locality name -> PCN codes to merge into it. None or empty keeps one locality per PCN.

    Returns
    -------
    DataFrame
        Indexed like ``lsoas``: ``lsoa21_code``, ``practice_code``, ``pcn_code``, ``pcn_name``,
        ``locality_code`` (PCN code, or the merged codes joined by ``+``) and ``locality_name``.
    """
    by_code = practices.set_index("practice_code")
    result = pd.DataFrame({"lsoa21_code": lsoas["lsoa21_code"], "practice_code": nearest["practice_code"]})
    result["pcn_code"] = result["practice_code"].map(by_code["pcn_code"])
    result["pcn_name"] = result["practice_code"].map(by_code["pcn_name"])
    result["locality_code"] = result["pcn_code"]
    result["locality_name"] = result["pcn_name"]
    for name, codes in (merges or {}).items():
        merged = result["pcn_code"].isin(codes)
        result.loc[merged, "locality_code"] = "+".join(codes)
        result.loc[merged, "locality_name"] = name
    return result


def locality_polygons(lsoas: gpd.GeoDataFrame, assignment: pd.DataFrame) -> gpd.GeoDataFrame:
    """Dissolve LSOA polygons into localities.

    Returns
    -------
    GeoDataFrame
        Columns ``locality_code``, ``locality_name``, ``pcn_codes`` (``+``-joined), ``n_lsoa`` and
        ``geometry``, sorted by name.
    """
    frame = gpd.GeoDataFrame(
        assignment[["locality_code", "locality_name", "pcn_code"]], geometry=lsoas.geometry, crs=lsoas.crs
    )
    dissolved = frame.dissolve(
        by=["locality_code", "locality_name"],
        aggfunc={"pcn_code": lambda codes: "+".join(sorted(set(codes)))},
        as_index=False,
    ).rename(columns={"pcn_code": "pcn_codes"})
    dissolved["n_lsoa"] = dissolved["locality_code"].map(frame["locality_code"].value_counts())
    return dissolved.sort_values("locality_name").reset_index(drop=True)
