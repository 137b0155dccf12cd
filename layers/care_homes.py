"""Care homes: from the CQC care directory (as published), a simple CSV, or OpenStreetMap tags.

No CQC file ships with the tool. Users upload the CQC "care directory with filters" (HSCA Active
Locations, CSV/XLSX/ODS) or their own list; for the Rutland demo the care homes tagged in the
OpenStreetMap extract are used, with bed numbers stated as an assumption where OSM has none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium

from geo.council import Council
from geo.errors import InputDataError, RoadNetworkError
from geo.postcode import format_postcode, postcode_key
from geo.units import lonlat_to_bng
from layers.postcodes import postcode_index
from layers.user_files import (
    CARE_HOME_LIST,
    RowProblem,
    UploadSummary,
    cell_text,
    is_blank,
    match_columns,
    point_from_lat_lon,
    points_frame,
    quote,
    read_table,
    shown_name,
)

NEARBY_M = 15_000.0
"""Homes this close outside the council still serve its residents (and count for access)."""

COLUMNS = {
    "name": ("location_name", "name", "care_home", "home_name", "service_name"),
    "postcode": ("location_postal_code", "postcode", "postal_code", "location_postcode"),
    "lat": ("location_latitude", "latitude", "lat"),
    "lon": ("location_longitude", "longitude", "lon", "lng"),
    "beds": ("care_homes_beds", "care_home_beds", "beds", "number_of_beds", "registered_beds"),
    "nursing": ("service_type_care_home_service_with_nursing", "nursing", "with_nursing", "nursing_home"),
    "service_types": ("service_types", "services", "service_type"),
    "care_home_flag": ("care_home",),
    "dormant": ("dormant_y_n", "dormant"),
    "older_people": ("service_user_band_older_people",),
    "location_id": ("location_id", "cqc_location_id_for_office_use_only", "cqc_location_id"),
}
_YES = {"y", "yes", "true", "1", "t"}


@dataclass
class CareHomeTable(UploadSummary):
    """Care homes read from a source, and what was wrong or assumed.

    Attributes
    ----------
    homes : GeoDataFrame
        ``home_id``, ``name``, ``postcode``, ``beds``, ``beds_assumed`` (bool), ``nursing`` (bool),
        ``in_council`` (bool), ``source`` and point geometry (BNG).
    problems : list of RowProblem
    notes : list of str
    """

    homes: gpd.GeoDataFrame
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    noun = "care home"
    records_attribute = "homes"


def _assumed_beds_note(missing: str, council: Council) -> str:
    """``missing`` says which homes lack beds ("3 home(s) have no bed count")."""
    return f"{missing}: {council.assumed_beds_per_home} beds assumed for each ({council.source('assumed_beds_per_home')})."


def read_care_homes(content: bytes, filename: str, *, postcodes: gpd.GeoDataFrame, outline: gpd.GeoDataFrame,
                    council: Council) -> CareHomeTable:
    """Read care homes from the CQC care directory or a simple list (name, postcode or lat/lon, beds, nursing).

    Rows that are not care homes (CQC's "Care home?" = N), dormant, or more than 15 km outside the council
    are left out and counted in ``notes``; rows that cannot be placed or have impossible beds are listed
    in ``problems``. Homes without beds get the council's ``assumed_beds_per_home`` and ``beds_assumed`` True.

    Raises
    ------
    InputDataError
        If the file cannot be read, lacks a name and a location column, or holds no usable home.
    """
    table = read_table(content, filename, limits=CARE_HOME_LIST, columns=COLUMNS)  # title lines above the header skipped
    frame, notes = table.frame, table.notes
    columns = match_columns(frame.columns, COLUMNS)
    council_name, assumed_beds = council.name, council.assumed_beds_per_home
    has_location = "postcode" in columns or {"lat", "lon"} <= set(columns)
    if "name" not in columns or not has_location:
        raise InputDataError(
            f"{shown_name(filename)} does not look like a care-home list: it needs a name column (CQC 'Location Name') "
            f"and a postcode ('Location Postal Code') or latitude/longitude. Its columns: "
            f"{', '.join(map(quote, table.headers[:12]))}{'…' if len(table.headers) > 12 else ''}."
        )
    lookup = postcode_index(postcodes)
    council_area = outline.union_all()
    nearby_area = council_area.buffer(NEARBY_M)
    problems, rows = list(table.problems), []
    skipped = {"not a care home": 0, "dormant": 0, "far outside the council": 0}
    for row_number, record in zip(frame.index, frame.to_dict("records")):
        get = partial(cell_text, record, columns)
        if is_blank(record):
            continue
        if "care_home_flag" in columns and get("care_home_flag").lower() not in _YES:
            skipped["not a care home"] += 1
            continue
        services = get("service_types").lower()
        if "care_home_flag" not in columns and services and not ("residential" in services or "nursing" in services
                                                                  or "care home" in services):
            skipped["not a care home"] += 1
            continue
        if get("dormant").lower() in _YES:
            skipped["dormant"] += 1
            continue
        located = _locate_home(get, columns, lookup, postcodes)
        if isinstance(located, RowProblem):
            problems.append(RowProblem(row_number, located.column, located.message))
            continue
        x, y, postcode = located
        point = gpd.points_from_xy([x], [y])[0]
        if not nearby_area.contains(point):
            skipped["far outside the council"] += 1
            continue
        beds_text = get("beds")
        beds_assumed = False
        try:
            beds = float(beds_text.replace(",", "")) if beds_text else float("nan")
        except ValueError:
            problems.append(RowProblem(row_number, columns.get("beds"), f"{beds_text!r} is not a number of beds."))
            continue
        if np.isnan(beds) or beds == 0:
            beds, beds_assumed = float(assumed_beds), True
        elif not 1 <= beds <= 1000:
            problems.append(RowProblem(row_number, columns.get("beds"), f"{beds:g} beds is not plausible for a care "
                                                                        f"home (1–1000)."))
            continue
        nursing = get("nursing").lower() in _YES or "nursing" in services
        rows.append({"home_id": get("location_id") or f"row {row_number}", "name": get("name") or f"row {row_number}",
                     "postcode": postcode, "beds": beds, "beds_assumed": beds_assumed, "nursing": nursing,
                     "in_council": bool(council_area.contains(point)), "source": filename, "x": x, "y": y})
    for reason, count in skipped.items():
        if count:
            notes.append(f"{count:,} row(s) left out: {reason}" + (" (more than 15 km away)." if "far" in reason else "."))
    assumed = sum(row["beds_assumed"] for row in rows)
    if assumed:
        notes.append(_assumed_beds_note(f"{assumed} home(s) have no bed count", council))
    if not rows:
        raise InputDataError(f"No care home in {shown_name(filename)} lies in or near {council_name}. Check the file is the care "
                             f"directory for this area.", [str(p) for p in problems])
    return CareHomeTable(points_frame(rows), problems, notes)


def _locate_home(get, columns, lookup, postcodes):
    """(x, y, postcode) from latitude/longitude (preferred: CQC gives them) or the council's postcodes."""
    postcode = format_postcode(get("postcode")) if get("postcode") else ""
    if get("lat") and get("lon"):
        point = point_from_lat_lon(get("lat"), get("lon"), columns.get("lat"))
        return point if isinstance(point, RowProblem) else (*point, postcode)
    key = postcode_key(get("postcode"))
    if key and key in lookup.index:
        point = postcodes.geometry.iloc[int(lookup[key])]
        return point.x, point.y, postcode
    if key:
        return RowProblem(None, columns.get("postcode"), f"{postcode!r} is not a postcode in this council; give the "
                                                         f"home's latitude and longitude.")
    return RowProblem(None, columns.get("postcode"), "no location: give a postcode or latitude and longitude.")


def care_homes_from_osm(path: str | Path, *, outline: gpd.GeoDataFrame, council: Council) -> CareHomeTable:
    """Care homes tagged in an OpenStreetMap extract (``amenity=nursing_home`` or ``amenity=social_facility`` for
    assisted living, nursing or group homes), beds from ``beds``/``capacity`` tags or the council's stated
    assumption (``assumed_beds_per_home``).

    Raises
    ------
    RoadNetworkError
        If the file cannot be read as OpenStreetMap data.
    """
    kinds = {"assisted_living", "nursing_home", "group_home"}
    assumed_beds = council.assumed_beds_per_home
    found = []
    try:
        processor = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY).with_locations()
        for item in processor:
            tags = dict(item.tags)
            social = set(tags.get("social_facility", "").split(";"))
            if not (tags.get("amenity") == "nursing_home" or (tags.get("amenity") == "social_facility" and social & kinds)):
                continue
            if item.is_node():
                lon, lat = item.location.lon, item.location.lat
            else:
                points = [(node.lon, node.lat) for node in item.nodes if node.location.valid()]
                if not points:
                    continue
                lon, lat = np.mean(points, axis=0)
            found.append((item.type_str() + str(item.id), tags, lon, lat))
    except RuntimeError as error:
        raise RoadNetworkError(f"Cannot read care homes from {Path(path).name!r}: {error}") from error
    rows = []
    for osm_id, tags, lon, lat in found:
        beds_text = tags.get("beds") or tags.get("capacity") or ""
        beds = float(beds_text) if beds_text.replace(".", "", 1).isdigit() and float(beds_text) > 0 else None
        x, y = lonlat_to_bng(np.array([lon]), np.array([lat]))
        rows.append({"home_id": f"osm:{osm_id}", "name": tags.get("name", "Unnamed care home"),
                     "postcode": tags.get("addr:postcode", ""), "beds": beds if beds else float(assumed_beds),
                     "beds_assumed": beds is None, "nursing": "nursing" in tags.get("social_facility", "") or
                     tags.get("amenity") == "nursing_home", "source": "OpenStreetMap", "x": float(x[0]),
                     "y": float(y[0])})
    if not rows:
        raise InputDataError(f"No care homes are tagged in {Path(path).name!r}. Upload the CQC care directory.")
    homes = points_frame(rows)
    area = outline.union_all()
    homes["in_council"] = homes.within(area)
    homes = homes[homes.within(area.buffer(NEARBY_M))].reset_index(drop=True)
    notes = [f"{len(homes)} care homes and assisted-living places tagged in OpenStreetMap (real places; the list "
             f"may be incomplete and includes retirement housing)."]
    assumed = int(homes["beds_assumed"].sum())
    if assumed:
        notes.append(_assumed_beds_note(f"{assumed} of them have no beds tag", council) + " Not real bed counts.")
    return CareHomeTable(homes[["home_id", "name", "postcode", "beds", "beds_assumed", "nursing", "in_council",
                                "source", "geometry"]], [], notes)
