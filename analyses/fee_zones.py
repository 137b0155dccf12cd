"""Rural fee zones: who is outside the radius of the city and market towns, by straight line and by road.

The documents say "outside a four mile radius of the city and market towns" without saying whether
the radius is straight-line or by road, or whether it is measured from a town's centre or its edge.
This module computes every reading so the app can show where they disagree:

* straight-line distance (the literal reading) or road distance (``routing``; the labelled estimate
  when no road network is loaded), and
* from the settlement point or from its extent (the OS Open Names bounding box).

Road distance is never shorter than the straight line (both end legs are added to the road path),
so the road reading never puts inside a location that the straight reading puts outside.

Without a road network the road reading is the labelled estimate, whose detours are typical ones: a single trip
winds more or less (:data:`routing.settings.ESTIMATE_SPREAD`). The road reading then comes with a band, from the
road miles with few detours to those with many (:func:`road_band`), and every count or cost on it is a range until
real roads are prepared (:data:`PREPARE_ROADS`).
"""

from __future__ import annotations

import difflib
from typing import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.checks import one_of
from geo.crs import points_xy, to_bng
from geo.errors import InputDataError
from geo.shapes import distance_to_boxes, grown_area
from geo.units import METRES_PER_MILE
from layers.postcodes import postcode_population
from routing.engine import TravelEngine
from routing.settings import ESTIMATE_SPREAD

MEASURE_FROM = {"point": "settlement point", "extent": "settlement edge (OS Open Names extent)"}
READINGS = {"straight": "straight line", "road": "road distance"}
BAND_ENDS = {"low": "few detours", "high": "many detours"}
"""The two ends of the estimate's band on the road reading: road miles with few detours (more people inside the
zone, the uplift costs less) and with many (fewer inside, it costs more)."""


def prepare_roads(council_slug: str, *, app: bool = True) -> str:
    """The one action that makes the road reading real instead of an estimated band, in words (for the app, or for
    the command line with ``app=False``)."""
    command = f"python -m caremap roads --council {council_slug}"
    if app:
        return (f"prepare the roads once with `{command}` (needs internet), then choose 'Prepared OpenStreetMap "
                f"roads' as the sidebar's Road network (or 'Download from OpenStreetMap' there)")
    return f"prepare the roads once with `{command}` (needs internet): later runs use them"


def road_band(engine: TravelEngine) -> tuple[float, float] | None:
    """Multipliers on the road miles for the two ends of the estimate's band (few detours, many detours): the 10th
    and 90th percentiles of the calibration's detours over its median (:data:`routing.settings.ESTIMATE_SPREAD`,
    0.92 and 1.20). None with a road network: its road miles are measured, not estimated."""
    if not engine.is_estimate:
        return None
    p10, median, p90 = ESTIMATE_SPREAD
    return p10 / median, p90 / median


def zone_centres(places: gpd.GeoDataFrame, names: Sequence[str]) -> gpd.GeoDataFrame:
    """The settlements the radius is measured from, in the order given.

    Where a name is shared (several hamlets called "Weston"), the most important place is used
    (city, then town, village, …), as ``places`` is sorted.

    Raises
    ------
    InputDataError
        If a name is not a settlement of the council; the message suggests the closest names.
    """
    lookup = places.drop_duplicates("name").assign(key=lambda frame: frame["name"].str.lower()).set_index("key")
    rows, unknown = [], []
    for name in names:
        key = str(name).strip().lower()
        if key in lookup.index:
            rows.append(lookup.loc[key])
        else:
            unknown.append(str(name))
    if unknown:
        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, places["name"].tolist(), n=3, cutoff=0.6)
            hints.append(f"{name!r}" + (f" (did you mean {', '.join(map(repr, close))}?)" if close else ""))
        raise InputDataError(f"Not a settlement of this council: {'; '.join(hints)}. Pick centres from the list of "
                             f"places.")
    if not rows:
        raise InputDataError("No fee-zone centre chosen: pick at least one settlement.")
    frame = gpd.GeoDataFrame(rows, crs=places.crs).reset_index(drop=True)
    return frame[["name", "kind", "xmin", "ymin", "xmax", "ymax", "geometry"]]


def _xy(frame: gpd.GeoDataFrame | gpd.GeoSeries, name: str = "centres") -> np.ndarray:
    return points_xy(frame, name=name)  # BNG metres: a layer in another CRS is reprojected, one without is refused


def _boxes(centres: gpd.GeoDataFrame, measure_from: str) -> np.ndarray | None:
    """The centres' extents (k × 4) when measuring from their edges, else None."""
    one_of(measure_from, MEASURE_FROM, name="measure_from")
    return centres[["xmin", "ymin", "xmax", "ymax"]].to_numpy(dtype=float) if measure_from == "extent" else None


def straight_distance(points_xy: np.ndarray, centres: gpd.GeoDataFrame, *, measure_from: str = "point"
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Straight-line metres from each point to the nearest centre (its point, or its extent), and which centre."""
    boxes = _boxes(centres, measure_from)
    if boxes is not None:
        return distance_to_boxes(points_xy, boxes)
    from scipy.spatial import cKDTree  # here: SciPy loads with the first measure, not with the first map

    distance, nearest = cKDTree(_xy(centres)).query(points_xy)
    return distance, nearest


def road_distance(engine: TravelEngine, points_xy: np.ndarray, centres: gpd.GeoDataFrame, *,
                  measure_from: str = "point") -> pd.DataFrame:
    """Road distance from the nearest centre to each point (the shortest road route, from the centre).

    Returns
    -------
    DataFrame
        ``miles``, ``minutes`` (along that route), ``centre`` (position in ``centres``), ``reachable``,
        ``far_from_road``, ``method`` ("road" or "estimate").
    """
    return engine.distance_from_centres(points_xy, _xy(centres), boxes=_boxes(centres, measure_from))


def classify_points(points_xy: np.ndarray, centres: gpd.GeoDataFrame, engine: TravelEngine, *, radius_miles: float,
                    measure_from: str = "point") -> pd.DataFrame:
    """Both readings of the fee zone for each point.

    Returns
    -------
    DataFrame
        ``straight_miles``, ``straight_centre`` (name), ``road_miles``, ``road_miles_low`` and ``road_miles_high``
        (the ends of the estimate's band, :func:`road_band`; equal to ``road_miles`` on real roads),
        ``road_minutes``, ``road_centre``, ``road_method``, ``far_from_road``, ``inside_straight``, ``inside_road``
        and ``disagree`` (inside by straight line but outside by road). Unreachable points count as outside by road.
    """
    straight_m, straight_index = straight_distance(points_xy, centres, measure_from=measure_from)
    road = road_distance(engine, points_xy, centres, measure_from=measure_from)
    names = centres["name"].to_numpy()
    straight_miles = straight_m / METRES_PER_MILE
    inside_straight = straight_miles <= radius_miles
    inside_road = road["reachable"].to_numpy() & (road["miles"].to_numpy() <= radius_miles)
    low, high = road_band(engine) or (1.0, 1.0)
    return pd.DataFrame({
        "straight_miles": straight_miles,
        "straight_centre": names[straight_index],
        "road_miles": road["miles"].to_numpy(),
        "road_miles_low": road["miles"].to_numpy() * low,
        "road_miles_high": road["miles"].to_numpy() * high,
        "road_minutes": road["minutes"].to_numpy(),
        "road_centre": np.where(road["centre"] >= 0, names[np.clip(road["centre"], 0, None)], None),
        "road_method": road["method"].to_numpy(),
        "far_from_road": road["far_from_road"].to_numpy(),
        "inside_straight": inside_straight,
        "inside_road": inside_road,
        "disagree": inside_straight & ~inside_road,
    })


def classify_clients(clients: gpd.GeoDataFrame, centres: gpd.GeoDataFrame, engine: TravelEngine, *,
                     radius_miles: float, measure_from: str = "point") -> gpd.GeoDataFrame:
    """A client list (point geometry, BNG) with both readings of the fee zone beside each client
    (the columns of :func:`classify_points`)."""
    clients = to_bng(clients, name="clients")
    points = _xy(clients, "clients")
    zones = classify_points(points, centres, engine, radius_miles=radius_miles, measure_from=measure_from)
    return gpd.GeoDataFrame(pd.concat([clients.reset_index(drop=True), zones], axis=1), geometry="geometry",
                            crs=clients.crs)


def classify_postcodes(postcodes: gpd.GeoDataFrame, lsoa: gpd.GeoDataFrame, centres: gpd.GeoDataFrame,
                       engine: TravelEngine, *, radius_miles: float, measure_from: str = "point") -> gpd.GeoDataFrame:
    """Classify every postcode of a council and attach its estimated people aged 65+.

    Returns
    -------
    GeoDataFrame
        The postcode columns ``postcode``, ``lsoa21_code``, the LSOA's ``ward22_code``, ``lad_code`` and
        ``locality_name``,
        ``pop65_est`` (see :data:`layers.postcodes.POPULATION_SPREAD`) and the columns of :func:`classify_points`.
    """
    postcodes = to_bng(postcodes, name="postcodes")
    zones = classify_points(_xy(postcodes, "postcodes"), centres, engine, radius_miles=radius_miles,
                            measure_from=measure_from)
    per_lsoa = lsoa.set_index("lsoa21_code")
    frame = postcodes[["postcode", "lsoa21_code", "geometry"]].reset_index(drop=True)
    frame["ward22_code"] = frame["lsoa21_code"].map(per_lsoa["ward22_code"]).to_numpy()
    frame["lad_code"] = frame["lsoa21_code"].map(per_lsoa["lad_code"]).to_numpy()
    frame["locality_name"] = frame["lsoa21_code"].map(per_lsoa["locality_name"]).to_numpy()
    frame["pop65_est"] = postcode_population(postcodes, lsoa)["pop_65plus"].to_numpy()
    for column in zones.columns:
        frame[column] = zones[column].to_numpy()
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=postcodes.crs)


def area_summary(classified: pd.DataFrame, key: str) -> pd.DataFrame:
    """Postcodes and people aged 65+ inside/outside the zone by area (``key``: an area level's code column, see
    :data:`layers.areas.AREA_LEVELS`).

    Returns
    -------
    DataFrame
        Indexed by ``key``: ``postcodes``, ``postcodes_outside_straight``, ``postcodes_outside_road``,
        ``postcodes_disagree``, ``pop65``, ``pop65_outside_straight``, ``pop65_outside_road`` and the two
        percentages ``pct65_outside_straight`` and ``pct65_outside_road``.
    """
    outside_straight = ~classified["inside_straight"]
    outside_road = ~classified["inside_road"]
    people = classified["pop65_est"]
    grouped = pd.DataFrame({
        key: classified[key],
        "postcodes": 1,
        "postcodes_outside_straight": outside_straight.astype(int),
        "postcodes_outside_road": outside_road.astype(int),
        "postcodes_disagree": classified["disagree"].astype(int),
        "pop65": people,
        "pop65_outside_straight": people.where(outside_straight, 0.0),
        "pop65_outside_road": people.where(outside_road, 0.0),
    }).groupby(key).sum()
    grouped["pct65_outside_straight"] = 100.0 * grouped["pop65_outside_straight"] / grouped["pop65"]
    grouped["pct65_outside_road"] = 100.0 * grouped["pop65_outside_road"] / grouped["pop65"]
    return grouped


def straight_zone(centres: gpd.GeoDataFrame, *, radius_miles: float, measure_from: str = "point") -> gpd.GeoSeries:
    """The straight-line zone: the union of circles around the centres (or of their extents grown by the radius)."""
    centres = to_bng(centres, name="centres")
    shape = grown_area(_xy(centres), radius_miles * METRES_PER_MILE, boxes=_boxes(centres, measure_from))
    return gpd.GeoSeries([shape], crs=centres.crs)


def road_zone(engine: TravelEngine, centres: gpd.GeoDataFrame, *, radius_miles: float, measure_from: str = "point"
              ) -> tuple[gpd.GeoSeries, str]:
    """The road-distance zone as a polygon, and a sentence saying how it was drawn (see
    :meth:`routing.engine.TravelEngine.zone_shape`: roads within the radius, or circles shrunk by the circuity
    for the estimate)."""
    centres = to_bng(centres, name="centres")
    shape, method = engine.zone_shape(_xy(centres), radius_miles=radius_miles, boxes=_boxes(centres, measure_from))
    return gpd.GeoSeries([shape], crs=centres.crs), method


def road_band_zone(engine: TravelEngine, centres: gpd.GeoDataFrame, *, radius_miles: float,
                   measure_from: str = "point") -> tuple[gpd.GeoSeries, str] | None:
    """The estimate's band of the road-distance zone: the ring between the zone with many detours (inside it) and
    the zone with few (outside it), and a sentence saying so; None with a road network."""
    band = road_band(engine)
    if band is None or radius_miles <= 0:
        return None
    low, high = band
    few, _ = engine.zone_shape(_xy(centres), radius_miles=radius_miles / low, boxes=_boxes(centres, measure_from))
    many, _ = engine.zone_shape(_xy(centres), radius_miles=radius_miles / high, boxes=_boxes(centres, measure_from))
    p10, median, p90 = ESTIMATE_SPREAD
    text = (f"ESTIMATE band: the zone by road lies between these edges for trips winding as eight in ten do on "
            f"Rutland's roads (road/straight {p10:.2f}–{p90:.2f}, median {median:.3g})")
    return gpd.GeoSeries([few.difference(many)], crs=centres.crs), text


def area_sheets(data, classified: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The classified postcodes and their summary by every area level of the council, each with the names people
    use beside the codes: the tables of a fee-zone workbook (page and command line alike)."""
    from layers.areas import area_levels
    from layers.names import with_area_names, with_level_names

    sheets = {"postcodes": with_level_names(with_area_names(classified, data, "lsoa21_code"), data)}
    for key, name in area_levels(data.council, "locality_name", "lad_code", "ward22_code", "lsoa21_code").items():
        sheets[name] = with_area_names(area_summary(classified, key).reset_index(), data, key)
    return sheets
