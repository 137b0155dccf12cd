"""Names people use for statistical areas: the nearest settlement and the ward, beside the official code.

An LSOA is "Herefordshire 004E" to the ONS and "Kington — Kington ward (E01014050)" to a commissioner. The
settlement is the most important named place (OS Open Names) inside the area, else the nearest one to where
its people live; the ward is the LSOA's best-fit electoral ward (ONS lookup, May 2024).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from geo.errors import InputDataError

NAMED_KINDS = ("city", "town", "suburb", "village")
"""Settlements an area may be named after, most important first (hamlets are too small to be known)."""


def area_place(lsoas: gpd.GeoDataFrame, anchors: gpd.GeoSeries, places: gpd.GeoDataFrame) -> pd.Series:
    """The settlement each LSOA is named after.

    Parameters
    ----------
    lsoas : GeoDataFrame
        LSOA polygons (BNG).
    anchors : GeoSeries
        Where each LSOA's people live, as one point (indexed like ``lsoas``).
    places : GeoDataFrame
        Settlements with ``name``, ``kind`` and point geometry (:func:`layers.places.settlements`).

    Returns
    -------
    Series
        Indexed like ``lsoas``: the most important city/town/suburb/village inside the LSOA (nearest the anchor
        among equals), else the nearest such place to the anchor.
    """
    named = places[places["kind"].isin(NAMED_KINDS)].reset_index(drop=True)
    if named.empty:
        return pd.Series("", index=lsoas.index)
    rank = named["kind"].map({kind: order for order, kind in enumerate(NAMED_KINDS)}).to_numpy()
    inside = gpd.sjoin(named[["geometry"]].assign(place=np.arange(len(named))), lsoas[["geometry"]], how="inner",
                       predicate="within")
    choice = pd.Series(-1, index=lsoas.index)
    if len(inside):
        anchor_xy = np.column_stack([anchors.x, anchors.y])
        place_xy = np.column_stack([named.geometry.x, named.geometry.y])
        position = lsoas.index.get_indexer(inside["index_right"])
        distance = np.hypot(*(place_xy[inside["place"].to_numpy()] - anchor_xy[position]).T)
        order = pd.DataFrame({"lsoa": inside["index_right"].to_numpy(), "place": inside["place"].to_numpy(),
                              "rank": rank[inside["place"].to_numpy()], "distance": distance})
        best = order.sort_values(["rank", "distance"]).drop_duplicates("lsoa").set_index("lsoa")["place"]
        choice.loc[best.index] = best.to_numpy()
    missing = choice < 0
    if missing.any():
        tree = cKDTree(np.column_stack([named.geometry.x, named.geometry.y]))
        _, nearest = tree.query(np.column_stack([anchors[missing].x, anchors[missing].y]))
        choice[missing] = nearest
    return pd.Series(named["name"].to_numpy()[choice.to_numpy()], index=lsoas.index)


def lsoa_display_name(place: str, ward: str, code: str) -> str:
    """``"Kington — Kington Town ward (E01014050)"``; the place is left out when it is the ward's own name."""
    ward_text = f"{ward} ward" if ward else ""
    if place and ward and place.lower() == ward.lower():
        return f"{place} ward ({code})"
    parts = " — ".join(part for part in (place, ward_text) if part)
    return f"{parts} ({code})" if parts else code


def display_names(lsoas: pd.DataFrame) -> pd.Series:
    """Display name of each LSOA from its ``place_name``, ``ward24_name`` and ``lsoa21_code`` columns."""
    return pd.Series([lsoa_display_name(str(place or ""), str(ward or ""), code)
                      for place, ward, code in zip(lsoas["place_name"], lsoas["ward24_name"], lsoas["lsoa21_code"])],
                     index=lsoas.index)


def msoa_display_names(lsoas: pd.DataFrame) -> pd.Series:
    """Display name of each MSOA: "Around <place> (<MSOA name>)", the place of its most populous LSOA.

    Returns a Series indexed by ``msoa21_code``.
    """
    main = lsoas.sort_values("pop_total").drop_duplicates("msoa21_code", keep="last").set_index("msoa21_code")
    return pd.Series([f"Around {place} ({name})" if place else str(name)
                      for place, name in zip(main["place_name"], main["msoa21_name"])], index=main.index)


def area_names(data, column: str) -> pd.Series:
    """Names of the areas of one level, indexed by their code (``column`` as in :data:`layers.areas.AREA_LEVELS`).

    LSOAs and MSOAs get the names people use (see :func:`display_names`); wards, districts and PCN localities
    their own names.
    """
    if column == "lsoa21_code":
        return data.lsoa.set_index("lsoa21_code")["area_name"]
    if column == "msoa21_code":
        return data.msoa.set_index("msoa21_code")["area_name"]
    if column == "ward22_code":
        return data.wards.set_index("ward22_code")["ward22_name"]
    if column == "lad_code":
        return data.districts.set_index("lad_code")["lad_name"]
    if column == "locality_name":  # PCN localities are known by their names
        names = data.lsoa["locality_name"].dropna().unique()
        return pd.Series(names, index=names)
    raise InputDataError(f"No names for areas keyed by {column!r}.")


def with_area_names(table: pd.DataFrame, data, column: str) -> pd.DataFrame:
    """``table`` with an ``area_name`` column beside its area codes (``column``); tables keyed by locality name
    (or already named) are returned as they are."""
    if column not in table.columns or column == "locality_name" or "area_name" in table.columns:
        return table
    named = table.copy()
    named.insert(named.columns.get_loc(column), "area_name", named[column].map(area_names(data, column)))
    return named


LEVEL_NAME_COLUMNS = {"ward22_code": "ward22_name", "lad_code": "lad_name"}
"""The name column set beside each code column of a table of places (:func:`with_level_names`)."""


def with_level_names(table: pd.DataFrame, data) -> pd.DataFrame:
    """``table`` with the ward's and district's names beside their codes (where the table has the codes)."""
    named = table.copy()
    for code, name in LEVEL_NAME_COLUMNS.items():
        if code in named.columns and name not in named.columns:
            named.insert(named.columns.get_loc(code), name, named[code].map(area_names(data, code)))
    return named
