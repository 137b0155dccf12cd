"""Every layer of one council, loaded and joined once: the starting point of each analysis.

Built once a council (its files read, joined, named, its LSOAs assigned to PCN localities), then kept on disk
(:mod:`layers.council_cache`) and read back while nothing it was built from has changed.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import geopandas as gpd
import pandas as pd

from geo.council import Council
from geo.crs import to_bng
from geo.errors import CareMapError
from layers import council_cache
from layers.io import files_read


@dataclass(frozen=True)
class CouncilData:
    """The layers of one council, all in British National Grid.

    Attributes
    ----------
    council : Council
    lsoa : GeoDataFrame
        LSOA 2021 polygons with names (:func:`layers.areas.lsoa21`; ``place_name`` and ``area_name``, the names
        people use, from :mod:`layers.names`), population summary
        (:func:`layers.population.age_summary`), rural-urban class, best-fit ``ward22_code``,
        ``pcn_code``/``pcn_name`` of the nearest practice and ``locality_code``/``locality_name``
        (PCNs merged as the council's settings say).
    population_by_age : DataFrame
        Single-year-of-age counts per LSOA 2021 (index ``lsoa21_code``).
    msoa, wards, outline : GeoDataFrame
        MSOA 2021, wards (2022), and the council area as one polygon.
    districts : GeoDataFrame
        Local authority districts (``lad_code``, ``lad_name``, population), dissolved from the LSOAs.
    postcodes : GeoDataFrame
        Postcode centroids with their LSOA (:func:`layers.postcodes.postcode_points`).
    places : GeoDataFrame
        Settlements (:func:`layers.places.settlements`).
    practices : GeoDataFrame
        GP practices with their PCN (:func:`layers.health.gp_practices`).
    hospitals : GeoDataFrame
        NHS hospital sites (:func:`layers.health.hospitals`).
    localities : GeoDataFrame
        Locality polygons with PCNs merged as configured.
    pcn_localities : GeoDataFrame
        One locality per PCN (no merging).
    locality_method : str
        How LSOAs were joined to their nearest practice ("straight line" or "drive time").
    border_practices : GeoDataFrame
        GP practices beyond the boundary within 15 km (:func:`layers.health.border_practices`): used for
        "nearest practice" and access measures, never for localities.
    """

    council: Council
    lsoa: gpd.GeoDataFrame
    population_by_age: pd.DataFrame
    msoa: gpd.GeoDataFrame
    wards: gpd.GeoDataFrame
    outline: gpd.GeoDataFrame
    postcodes: gpd.GeoDataFrame
    places: gpd.GeoDataFrame
    practices: gpd.GeoDataFrame
    hospitals: gpd.GeoDataFrame
    localities: gpd.GeoDataFrame
    pcn_localities: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    locality_method: str = "straight line"
    border_practices: gpd.GeoDataFrame | None = None

    def __post_init__(self) -> None:
        # The analyses trust these layers to be in BNG metres: a layer swapped in another CRS is reprojected (with a
        # warning), one without a CRS refused, here where they enter.
        for layer in fields(self):
            value = getattr(self, layer.name)
            if isinstance(value, gpd.GeoDataFrame):
                object.__setattr__(self, layer.name, to_bng(value, name=f"data.{layer.name}"))

    def localities_layer(self, merged: bool = True) -> gpd.GeoDataFrame:
        """Locality polygons, with the council's PCN merges applied or not."""
        return self.localities if merged else self.pcn_localities


def with_population(
    polygons: gpd.GeoDataFrame, lsoa: gpd.GeoDataFrame, key: str, lsoa_key: str | None = None
) -> gpd.GeoDataFrame:
    """Add the summed population of the LSOAs whose ``lsoa_key`` (default ``key``) equals each polygon's ``key``."""
    columns = ["pop_total", "pop_65plus", "pop_75plus", "pop_85plus"]
    sums = lsoa.groupby(lsoa_key or key)[columns].sum()
    result = polygons.join(sums, on=key)
    result["pct_65plus"] = 100.0 * result["pop_65plus"] / result["pop_total"]
    result["pct_85plus"] = 100.0 * result["pop_85plus"] / result["pop_total"]
    return result


def localities_from_nearest(
    lsoa: gpd.GeoDataFrame, nearest: pd.DataFrame, practices: gpd.GeoDataFrame, council: Council
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """LSOAs with their PCN and locality columns set, the locality polygons and the one-per-PCN polygons.

    ``nearest`` gives each LSOA's nearest member practice (``practice_code``), by whatever measure.
    """
    from layers import localities  # here: building localities loads SciPy, reading kept layers does not

    assignment = localities.assign_localities(lsoa, nearest, practices, council.locality_merges)
    unmerged = localities.assign_localities(lsoa, nearest, practices)
    lsoa = lsoa.copy()
    for column in ["practice_code", "pcn_code", "pcn_name", "locality_code", "locality_name"]:
        lsoa[column] = assignment[column]
    merged_layer = with_population(localities.locality_polygons(lsoa, assignment), lsoa, "locality_code")
    pcn_layer = with_population(localities.locality_polygons(lsoa, unmerged), lsoa, "locality_code", "pcn_code")
    return lsoa, merged_layer, pcn_layer


def load_council_data(council: Council, *, cached: bool = True) -> CouncilData:
    """Every bundled layer of a council, loaded, joined and checked: as kept on disk when nothing it is built from
    has changed (:mod:`layers.council_cache`), else built (:func:`build_council_data`) and kept.

    Parameters
    ----------
    council : Council
    cached : bool
        Read and keep the layers on disk (``settings.cache_folder``); False builds them every time.

    Raises
    ------
    geo.errors.DataFileError
        If a bundled file is missing or unreadable (the message names it and its source).
    """
    if cached and (stored := council_cache.stored_layers(council)) is not None:
        try:
            return CouncilData(council=council, **stored)
        except (TypeError, ValueError, CareMapError):  # a stored layer missing, extra or damaged: built again
            pass
    with files_read() as files:
        data = build_council_data(council)
    if cached:
        council_cache.store_layers(council, {layer.name: getattr(data, layer.name) for layer in fields(CouncilData)
                                             if layer.name != "council"}, files)
    return data


def build_council_data(council: Council) -> CouncilData:
    """Read, join and check every bundled layer of a council (what :func:`load_council_data` keeps).

    Raises
    ------
    geo.errors.DataFileError
        If a bundled file is missing or unreadable (the message names it and its source).
    """
    from layers import areas, health, localities, names, places, population, postcodes, rural_urban

    lsoa = areas.lsoa21(council)
    postcode_layer = postcodes.postcode_points(council, lsoa)
    by_age = population.population_lsoa21(council, postcode_layer.groupby("lsoa21_code").size())
    lsoa = lsoa.join(population.age_summary(by_age), on="lsoa21_code")
    lsoa = lsoa.join(rural_urban.rural_urban_lsoa21(council), on="lsoa21_code")
    wards = areas.wards22(council)
    lsoa["ward22_code"] = areas.lsoa_to_ward22(lsoa, wards)
    practice_layer = health.gp_practices(council)
    anchors = localities.lsoa_anchor_points(lsoa, postcode_layer)
    place_layer = places.settlements(council)
    lsoa["place_name"] = names.area_place(lsoa, anchors, place_layer)
    lsoa["area_name"] = names.display_names(lsoa)
    nearest = localities.nearest_practice_straight(anchors, practice_layer)
    lsoa, locality_layer, pcn_layer = localities_from_nearest(lsoa, nearest, practice_layer, council)
    return CouncilData(
        council=council,
        lsoa=lsoa,
        population_by_age=by_age,
        msoa=_with_msoa_names(with_population(areas.msoa21(council), lsoa, "msoa21_code"), lsoa),
        wards=with_population(wards, lsoa, "ward22_code"),
        outline=areas.outline(council),
        postcodes=postcode_layer,
        places=place_layer,
        practices=practice_layer,
        hospitals=health.hospitals(council),
        localities=locality_layer,
        pcn_localities=pcn_layer,
        districts=with_population(areas.districts(lsoa), lsoa, "lad_code"),
        border_practices=health.border_practices(council),
    )


def _with_msoa_names(msoa: gpd.GeoDataFrame, lsoa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    from layers import names

    return msoa.assign(area_name=msoa["msoa21_code"].map(names.msoa_display_names(lsoa)).fillna(msoa["msoa21_name"]))
