"""Health services: GP practices with their Primary Care Network, and NHS hospitals."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from geo.council import Council
from geo.units import BNG
from layers.io import dataset_exists, read_layer, read_table

_SMALL_WORDS = {"and", "of", "the", "on", "upon", "in", "at", "with"}
_ABBREVIATIONS = {"st", "dr", "mr", "mrs"}


def display_name(text: str) -> str:
    """Readable form of an upper-case NHS name (``"THE WBC (HEREFORD CITY) PCN"`` -> ``"The WBC (Hereford City) PCN"``)."""

    def fix(word_match: re.Match) -> str:
        word = word_match.group(0)
        lower = word.lower()
        # Words without vowels are initialisms (PCN, NHS, WBC, HMG, MVPS), unless an abbreviation.
        if len(word) > 1 and not set(lower) & set("aeiouy") and lower not in _ABBREVIATIONS:
            return word.upper()
        if lower in _SMALL_WORDS and word_match.start() > 0:
            return lower
        return lower[:1].upper() + lower[1:]

    return re.sub(r"[A-Za-z']+", fix, str(text).strip())


def gp_practices(council: Council) -> gpd.GeoDataFrame:
    """GP practices of the council and every member practice of the PCNs serving it.

    A PCN can include a practice over the county line (Tenbury Surgery, in Worcestershire, belongs to
    North & West Herefordshire PCN), so such practices are included with ``in_council`` False.

    Returns
    -------
    GeoDataFrame
        Columns ``practice_code``, ``practice_name``, ``postcode``, ``pcn_code``, ``pcn_name``
        (readable), ``in_council`` and ``geometry`` (postcode centroid, BNG).
    """
    table = read_table("practices", council, [*_PRACTICE_COLUMNS, "in_council"],
                       dtype={"pcn_code": str, "in_council": str})
    return _practice_frame(table, in_council=table["in_council"].str.lower().eq("true"))


_PRACTICE_COLUMNS = ["practice_code", "practice_name", "postcode", "pcn_code", "pcn_name", "Eastings", "Northings"]


def _practice_frame(table: pd.DataFrame, **extra) -> gpd.GeoDataFrame:
    """Practices as points (BNG) with readable names, sorted by code; ``extra`` columns added as given."""
    frame = gpd.GeoDataFrame(
        {
            "practice_code": table["practice_code"],
            "practice_name": table["practice_name"].map(display_name),
            "postcode": table["postcode"],
            "pcn_code": table["pcn_code"],
            "pcn_name": table["pcn_name"].map(display_name, na_action="ignore"),
            **extra,
        },
        geometry=gpd.points_from_xy(table["Eastings"].astype(float), table["Northings"].astype(float)),
        crs=BNG,
    )
    return frame.sort_values("practice_code").reset_index(drop=True)


def border_practices(council: Council) -> gpd.GeoDataFrame:
    """Active GP practices beyond the council's boundary, within 15 km of it (NHS ODS, February 2023).

    People near a border use them (Ryhall and Ketton go to Stamford, Adforton to Ludlow), so every "nearest
    practice" and access measure counts them. They never join PCN localities, which are built from the
    council's own PCNs (:func:`gp_practices`).

    Returns
    -------
    GeoDataFrame
        Columns as :func:`gp_practices` (``in_council`` always False) plus ``distance_to_boundary_m``.
    """
    table = read_table("border_practices", council, [*_PRACTICE_COLUMNS, "distance_to_boundary_m"],
                       dtype={"pcn_code": str})
    return _practice_frame(table, in_council=False,
                           distance_to_boundary_m=table["distance_to_boundary_m"].astype(float))


def deduplicate_sites(names: pd.Series, x: np.ndarray, y: np.ndarray, within_m: float) -> tuple[np.ndarray, pd.Series]:
    """Group points closer than ``within_m`` metres (transitively) into sites.

    Returns the site number of each point and, per site, the name to show: the most frequent name
    among its points (ignoring case and spaces), ties going to the shortest.
    """
    tree = cKDTree(np.column_stack([x, y]))
    pairs = tree.query_pairs(within_m, output_type="ndarray")
    n = len(names)
    adjacency = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, site = connected_components(adjacency, directed=False)
    cleaned = names.str.strip().str.replace(r"\s+", " ", regex=True)

    def pick(group: pd.Series) -> str:
        counts = group.str.lower().value_counts()
        best = counts[counts == counts.max()].index
        candidates = group[group.str.lower().isin(best)]
        return min(candidates, key=len)

    chosen = cleaned.groupby(site).agg(pick)
    return site, chosen


def hospitals(council: Council, same_site_m: float = 250.0) -> gpd.GeoDataFrame:
    """NHS hospitals within 15 km of the council, one row per site.

    The NHS.uk list holds aliases of one site (Hereford County Hospital appears four times, also as
    Wye Valley Hospital); points within ``same_site_m`` metres are one site.

    A council set up from the national pack has no hospital list (none is held nationally): its layer is empty.

    Returns
    -------
    GeoDataFrame
        Columns ``name``, ``aliases`` (other names of the site, ``"; "``-separated), ``within_area``
        and ``geometry`` (BNG).
    """
    if not council.bundled and not dataset_exists("hospitals", council):
        return gpd.GeoDataFrame({"name": pd.Series(dtype=str), "aliases": pd.Series(dtype=str),
                                 "within_area": pd.Series(dtype=bool)}, geometry=gpd.GeoSeries([], crs=BNG))
    frame = read_layer("hospitals", council, ["hospital22_name", "within_area"])
    site, chosen = deduplicate_sites(frame["hospital22_name"], frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy(),
                                     same_site_m)
    frame = frame.assign(site=site, clean=frame["hospital22_name"].str.strip())
    rows = []
    for number, group in frame.groupby("site", sort=True):
        name = chosen[number]
        aliases = sorted({alias for alias in group["clean"] if alias.lower() != name.lower()})
        rows.append({"name": name, "aliases": "; ".join(aliases), "within_area": bool(group["within_area"].any()),
                     "geometry": group.geometry.iloc[0]})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=BNG).sort_values("name").reset_index(drop=True)
