"""Care homes: CQC's care directory (the shipped cut of 1 March 2021, or the monthly file as published) or a
simple list.

Every council's bundle holds the CQC care homes in it and within 15 km beyond its border
(``tables/<slug>/cqc_care_homes.csv``, cut from CQC's national directory by :func:`homes_near`). That file
is read by the same code as a file a user uploads (:func:`read_care_homes`): the CQC "care directory with
filters" (HSCA Active Locations: ODS, XLSX or CSV) or their own list, which then replaces it. What each home
provides is read by :mod:`layers.care_home_services`; candidate sites for new homes by :mod:`layers.candidate_sites`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.council import Council
from geo.errors import InputDataError
from geo.postcode import format_postcode, postcode_key
from geo.units import lonlat_to_bng
from layers import catalog
from layers.care_home_services import NO, YES, is_dementia_service_type, row_flags
from layers.cell_values import cell_text, is_blank, point_from_lat_lon, points_frame
from layers.postcodes import postcode_index
from layers.user_files import (
    CARE_HOME_LIST,
    RowProblem,
    UploadSummary,
    match_columns,
    normalise_header,
    quote,
    shown_name,
)
from layers.user_tables import read_table

if TYPE_CHECKING:
    from layers.council_data import CouncilData

MAX_CARE_HOMES_NEAR = 2_000
"""Most care homes in or within 15 km of a council (each is a column of the coverage matrix: for
Hertfordshire's 32,776 postcodes, 2,000 homes are half a gigabyte a measure). A council and its border hold a few
hundred; more means repeated rows, or a file of another area."""
NEARBY_M = 15_000.0
"""Homes this close outside the council still serve its residents (and count for access)."""

COLUMNS = {
    "name": ("location_name", "name", "home_name", "care_home_name", "service_name", "care_home"),
    "postcode": ("location_postal_code", "postcode", "postal_code", "location_postcode"),
    "lat": ("location_latitude", "latitude", "lat"),
    "lon": ("location_longitude", "longitude", "lon", "lng"),
    "beds": ("care_homes_beds", "care_home_beds", "beds", "number_of_beds", "registered_beds"),
    "nursing": ("service_type_care_home_service_with_nursing", "nursing", "with_nursing", "nursing_home",
                "nursing_care"),
    "residential": ("service_type_care_home_service_without_nursing", "without_nursing", "residential",
                    "residential_home"),
    "service_types": ("service_types", "services", "service_type", "home_type", "care_type", "type_of_home", "type"),
    "specialisms": ("location_specialisms", "specialisms_services", "specialisms", "service_user_bands",
                    "client_groups", "client_group", "user_groups"),
    "care_home_flag": ("care_home",),
    "dormant": ("dormant_y_n", "dormant"),
    "older_people": ("service_user_band_older_people", "older_people", "for_older_people", "older_adults", "over_65",
                     "over_65s", "aged_65"),
    "dementia": ("service_user_band_dementia", "dementia", "dementia_care", "dementia_registered"),
    "location_id": ("location_id", "cqc_location_id_for_office_use_only", "cqc_location_id"),
}
CQC_LATITUDE, CQC_LONGITUDE = "Location Latitude", "Location Longitude"
"""CQC's coordinate columns (degrees, WGS84): homes are placed by them, never by CQC's own local authority."""
INSIDE_COLUMN, DISTANCE_COLUMN = "inside_council", "distance_to_boundary_m"
"""Columns a council's cut of the care directory adds to CQC's own (:func:`homes_near`)."""


def near_council(area, x: np.ndarray, y: np.ndarray, *, within_m: float = NEARBY_M) -> np.ndarray:
    """True where a point (BNG metres) lies inside ``area`` or within ``within_m`` of it: the one test of "near
    the council" for the shipped cut and for every file read, so both keep exactly the same homes."""
    shapely.prepare(area)
    return shapely.dwithin(area, shapely.points(np.asarray(x, dtype=float), np.asarray(y, dtype=float)), within_m)


def homes_near(cqc: pd.DataFrame, outline: gpd.GeoDataFrame, *, within_m: float = NEARBY_M) -> pd.DataFrame:
    """The rows of CQC's care directory whose coordinates lie inside a council or within ``within_m`` of it.

    Parameters
    ----------
    cqc : DataFrame
        CQC's care directory in its own column names (the national file, read as text): ``Location Latitude``
        and ``Location Longitude`` place each home.
    outline : GeoDataFrame
        The council area (the union of its LSOA 2021 polygons), British National Grid.
    within_m : float
        How far beyond the boundary homes are kept, metres (residents near a border use homes beyond it).

    Returns
    -------
    DataFrame
        CQC's columns as given, in CQC's order, for the homes kept, then ``inside_council`` (True/False) and
        ``distance_to_boundary_m`` (whole metres from the council's boundary, 0 inside). Rows without
        readable coordinates are left out. This is the layout of every council's
        ``tables/<slug>/cqc_care_homes.csv``.

    Raises
    ------
    InputDataError
        If the frame lacks CQC's coordinate columns.
    """
    missing = [column for column in (CQC_LATITUDE, CQC_LONGITUDE) if column not in cqc.columns]
    if missing:
        raise InputDataError(f"The care directory has no {' or '.join(map(repr, missing))} column: homes are placed "
                             f"by CQC's coordinates.")
    lat = pd.to_numeric(cqc[CQC_LATITUDE], errors="coerce").to_numpy()
    lon = pd.to_numeric(cqc[CQC_LONGITUDE], errors="coerce").to_numpy()
    placed = np.isfinite(lat) & np.isfinite(lon)
    x, y = np.full(len(cqc), np.nan), np.full(len(cqc), np.nan)
    x[placed], y[placed] = lonlat_to_bng(lon[placed], lat[placed])
    area = outline.union_all()
    kept = placed.copy()
    kept[placed] = near_council(area, x[placed], y[placed], within_m=within_m)
    inside = shapely.contains_xy(area, x[kept], y[kept])
    distance = shapely.distance(area, shapely.points(x[kept], y[kept]))
    near = cqc[kept].copy()
    near[INSIDE_COLUMN] = inside
    near[DISTANCE_COLUMN] = np.where(inside, 0, np.round(distance)).astype(int)
    return near.reset_index(drop=True)


@dataclass
class CareHomeTable(UploadSummary):
    """Care homes read from a source, and what was wrong, left out or assumed.

    Attributes
    ----------
    homes : GeoDataFrame
        ``home_id``, ``name``, ``postcode``, ``beds``, ``beds_assumed`` (bool), ``nursing`` (bool: registered
        for nursing; absent when the source does not say which homes have nursing), ``older_people`` (bool:
        registered for older people, or assumed so where the source does not say: see ``notes``), ``dementia``
        (bool, only when the source says which homes are registered for dementia), ``in_council`` (bool),
        ``source`` and point geometry (BNG).
    problems : list of RowProblem
    notes : list of str
        What was assumed or how the file was read (rows left out are in ``skipped``).
    skipped : dict of str to int
        Rows left out on purpose, by reason (keys of ``skip_words``): not care homes, dormant, far away, repeated.
    source : str
        What the homes are, in words, for every page, report and export (:func:`source_text`).
    vintage : str
        The date of the data ("CQC care directory, 1 March 2021"; for a user's file, its date where its name says
        it).
    shipped : bool
        True for the CQC homes shipped with the tool (:func:`shipped_care_homes`), False for a file the user gave.
    """

    homes: gpd.GeoDataFrame
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    source: str = ""
    vintage: str = ""
    shipped: bool = False
    noun = "care home"
    records_attribute = "homes"
    skip_words = {"not a care home": "not a care home", "dormant": "dormant",
                  "far outside the council": "more than 15 km outside the council",
                  "repeats a Location ID": "repeating a CQC Location ID (each location counts once)"}

    @property
    def assumed_beds(self) -> float:
        """Beds assumed (the council's ``assumed_beds_per_home``) for homes whose source gives none."""
        return float(self.homes.loc[self.homes["beds_assumed"].astype(bool), "beds"].sum())


CQC_SHEETS = ("hsca_active_locations",)
"""Normalised names of the sheet of locations in CQC's care directory with filters (``HSCA_Active_Locations``; in
2020 ``HSCA Active Locations``): the workbook opens on a README sheet before it."""


def is_locations_sheet(name: str) -> bool:
    """True for the name of the care directory's sheet of locations (:data:`CQC_SHEETS`)."""
    return normalise_header(name) in CQC_SHEETS


def _care_home_columns(frame: pd.DataFrame) -> dict[str, str]:
    """The file's columns for each canonical name; a header such as ``Care home`` is either the name or the
    care-home flag (yes/no values), never both."""
    columns = match_columns(frame.columns, COLUMNS)
    header = columns.get("name")
    if header is not None and header == columns.get("care_home_flag"):
        values = [str(value).strip().lower() for value in frame[header].tolist() if not is_blank({"v": value})]
        if values and sum(value in YES | NO for value in values) >= 0.9 * len(values):
            del columns["name"]
        else:
            del columns["care_home_flag"]
    dementia_types = [column for column in frame.columns if is_dementia_service_type(normalise_header(column))]
    if dementia_types:
        columns["dementia_service_type"] = dementia_types[0]
    return columns


def _assumed_beds_note(missing: str, council: Council) -> str:
    """``missing`` says which homes lack beds ("3 home(s) have no bed count")."""
    return f"{missing}: {council.assumed_beds_per_home} beds assumed for each ({council.source('assumed_beds_per_home')})."


def read_care_homes(content: bytes, filename: str, *, postcodes: gpd.GeoDataFrame, outline: gpd.GeoDataFrame,
                    council: Council) -> CareHomeTable:
    """Read care homes from the CQC care directory or a simple list (name, postcode or lat/lon, beds, nursing).

    Rows that are not care homes (CQC's "Care home?" = N, or no care-home service type), dormant, or more than
    15 km outside the council are left out and counted in ``notes``; rows that cannot be placed or have
    impossible beds are listed in ``problems``. A CQC ``Location ID`` read twice counts once: the first valid
    row is kept, and an invalid row is not held against a valid one with the same id. Homes without beds get
    the council's ``assumed_beds_per_home`` and ``beds_assumed`` True.

    Service-user bands (CQC "Service user band - Older People" and "- Dementia", the care directory's
    specialisms, or the list's own ``older_people``/``dementia`` columns) say which homes serve older
    people and which are registered for dementia; a file without them has every home counted as serving
    older people (said in ``notes``) and no ``dementia`` column.

    Raises
    ------
    InputDataError
        If the file cannot be read, lacks a name and a location column, or holds no usable home or more than
        :data:`MAX_CARE_HOMES_NEAR` of them.
    """
    # Title lines above the header are skipped by the reader; it keeps only the columns read here.
    table = read_table(content, filename, limits=CARE_HOME_LIST, columns=COLUMNS, also_keep=is_dementia_service_type,
                       sheet=is_locations_sheet)
    frame, notes = table.frame, table.notes
    columns = _care_home_columns(frame)
    council_name, assumed_beds = council.name, council.assumed_beds_per_home
    has_location = "postcode" in columns or {"lat", "lon"} <= set(columns)
    if "name" not in columns or not has_location:
        missing = [what for what, absent in (("name column (CQC 'Location Name')", "name" not in columns),
                                             ("postcode ('Location Postal Code') or latitude/longitude",
                                              not has_location)) if absent]
        raise InputDataError(
            f"{shown_name(filename)} does not look like a care-home list: it has no {' and no '.join(missing)}. "
            f"Its columns: "
            f"{', '.join(map(quote, table.headers[:12]))}{'…' if len(table.headers) > 12 else ''}."
        )
    lookup = postcode_index(postcodes)
    council_area = outline.union_all()
    rows, rejected = [], []  # rejected: (location id or "", RowProblem)
    accepted: dict[str, int] = {}
    skipped = dict.fromkeys(CareHomeTable.skip_words, 0)
    for row_number, record in zip(frame.index, frame.to_dict("records")):
        get = partial(cell_text, record, columns)
        if is_blank(record):
            continue
        flags = row_flags(get, columns)
        if not flags.care_home:
            skipped["not a care home"] += 1
            continue
        if get("dormant").lower() in YES:
            skipped["dormant"] += 1
            continue
        location_id = get("location_id").upper()
        if location_id and location_id in accepted:
            skipped["repeats a Location ID"] += 1
            continue
        located = locate_home(get, columns, lookup, postcodes)
        if isinstance(located, RowProblem):
            rejected.append((location_id, RowProblem(row_number, located.column, located.message)))
            continue
        x, y, postcode = located
        if not near_council(council_area, [x], [y])[0]:
            skipped["far outside the council"] += 1
            continue
        beds_text = get("beds")
        beds_assumed = False
        try:
            beds = float(beds_text.replace(",", "")) if beds_text else float("nan")
        except ValueError:
            rejected.append((location_id, RowProblem(row_number, columns.get("beds"),
                                                     f"{beds_text!r} is not a number of beds.")))
            continue
        if np.isnan(beds) or beds == 0:
            beds, beds_assumed = float(assumed_beds), True
        elif not 1 <= beds <= 1000:
            rejected.append((location_id, RowProblem(row_number, columns.get("beds"), f"{beds:g} beds is not plausible "
                                                                                      f"for a care home (1–1000).")))
            continue
        if location_id:
            accepted[location_id] = row_number
        rows.append({"home_id": location_id or f"row {row_number}", "name": get("name") or f"row {row_number}",
                     "postcode": postcode, "beds": beds, "beds_assumed": beds_assumed, "nursing": flags.nursing,
                     "older_people": flags.older_people, "dementia": flags.dementia,
                     "in_council": bool(shapely.contains_xy(council_area, x, y)), "source": filename, "x": x, "y": y})
    problems = list(table.problems) + [problem for location_id, problem in rejected
                                       if not location_id or location_id not in accepted]
    skipped["repeats a Location ID"] += len(rejected) - len(problems)
    assumed = sum(row["beds_assumed"] for row in rows)
    if assumed:
        notes.append(_assumed_beds_note(f"{assumed} home(s) have no bed count", council))
    if not rows:
        raise InputDataError(f"No care home in {shown_name(filename)} lies in or near {council_name}. Check the file is "
                             f"the care directory for this area.", [str(p) for p in problems])
    if len(rows) > MAX_CARE_HOMES_NEAR:
        raise InputDataError(f"{shown_name(filename)} places {len(rows):,} care homes in or within 15 km of "
                             f"{council_name}; at most {MAX_CARE_HOMES_NEAR:,} are measured, and a council with its "
                             f"border holds a few hundred. Remove repeated rows (rows without a CQC Location ID are "
                             f"not recognised as repeats) or use the care directory for this area.")
    homes = points_frame(rows)
    notes += _band_notes(homes)
    if homes["nursing"].isna().all():
        homes = homes.drop(columns="nursing")
        notes.append("The file does not say which homes have nursing (no nursing or service-type column): nursing "
                     "and residential beds are not known, only the total.")
    else:
        homes["nursing"] = homes["nursing"].fillna(False).astype(bool)
    if homes["dementia"].isna().all():
        homes = homes.drop(columns="dementia")
    else:
        homes["dementia"] = homes["dementia"].fillna(False).astype(bool)
    homes["older_people"] = homes["older_people"].fillna(True).astype(bool)
    return CareHomeTable(homes, problems, notes, {reason: count for reason, count in skipped.items() if count},
                         source=source_text(shown_name(filename), homes, council_name),
                         vintage=file_date(filename))


def source_text(what: str, homes: pd.DataFrame, council_name: str) -> str:
    """What a set of homes is, in words: ``what`` (a file's name), how many homes, inside and beyond the border."""
    inside = int(homes["in_council"].sum())
    return (f"{what}: {len(homes):,} care homes, {inside:,} in {council_name} and {len(homes) - inside:,} within 15 km "
            f"beyond its border")


_NAME_DATE = re.compile(r"(?<!\d)(\d{1,2})[_ -]([A-Za-z]{3,9})[_ -](\d{4})(?!\d)")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")


def file_date(filename: str) -> str:
    """The date of a user's care-home file: CQC names its monthly file by it (``01_March_2021_HSCA_Active_Locations.ods``
    -> "1 March 2021, from the file's name"); otherwise said to be unknown.

    >>> file_date("01_March_2021_HSCA_Active_Locations.ods")
    "1 March 2021 (from the file's name)"
    """
    match = _NAME_DATE.search(str(filename))
    if match and match.group(2).lower() in _MONTHS:
        return f"{int(match.group(1))} {match.group(2).capitalize()} {match.group(3)} (from the file's name)"
    return "the date of the file you loaded (not recorded in it)"


def _band_notes(homes: pd.DataFrame) -> list[str]:
    """Notes on which homes serve older people and which are registered for dementia."""
    notes = []
    unknown = homes["older_people"].isna()
    if unknown.all():
        notes.append("The file does not say which homes serve older people (no 'Service user band - Older People' "
                     "column): every home is counted as serving older people (assumption).")
    elif unknown.any():
        notes.append(f"{int(unknown.sum())} home(s) do not say whether they serve older people: counted as serving "
                     f"them (assumption).")
    others = homes[homes["older_people"].eq(False)]
    if len(others):
        notes.append(f"{len(others):,} home(s) with {others['beds'].sum():,.0f} beds are not registered for older "
                     f"people (learning disability, mental health, younger adults): their beds are shown apart, not "
                     f"counted against the need of people aged 65+.")
    if homes["dementia"].isna().all():
        notes.append("The file does not say which homes are registered for dementia (CQC 'Service user band - "
                     "Dementia'): dementia beds are not counted.")
    return notes


def locate_home(get, columns, lookup, postcodes):
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


def shipped_care_homes(data: CouncilData) -> CareHomeTable:
    """The CQC care homes shipped with the tool for a council (``tables/<slug>/cqc_care_homes.csv``, see
    :func:`homes_near`), read by :func:`read_care_homes` exactly as a file a user uploads, and said to be the
    shipped copy, with its date (:func:`layers.catalog.vintage`). Every page, report and command uses them until
    the user gives a file.

    Raises
    ------
    InputDataError
        If the council has no such file (a council set up without it), saying how to get care homes.
    """
    council = data.council
    path = catalog.DATASETS["care_homes"].location(council.slug, council.data_dir)
    if not path.is_file():
        raise InputDataError(f"{council.name} has no CQC care homes in the tool ({path} is missing). Load CQC's care "
                             f"directory ('Care directory with filters' from cqc.org.uk, Using CQC data: ODS or CSV), "
                             f"or set the council up again with 'python -m caremap setup'.")
    table = read_care_homes(path.read_bytes(), path.name, postcodes=data.postcodes, outline=data.outline,
                            council=council)
    vintage = catalog.vintage("care_homes", council)
    table.shipped, table.vintage = True, vintage
    table.source = source_text(f"{vintage} (shipped with the tool)", table.homes, council.name)
    table.homes["source"] = f"{vintage} (shipped)"
    table.notes.insert(0, f"These are the care homes shipped with the tool ({vintage}): every home CQC registers in "
                          f"{council.name} and within 15 km beyond its border (CQC registers homes in England only: "
                          f"homes in Wales are not among them). Load CQC's current file to replace them.")
    return table
