"""The tables a refresh writes: their names and exact columns (the contract with the national pack), the one writer,
and the record of what was refreshed when (each table's vintage as its publisher states it).

A refreshed table has the same column names as the national pack's source file it replaces (the files under
``shared/data/national`` the pack is built from), so the pack's reader can prefer it over the shipped copy without
a translation step. Where the publisher's current release necessarily differs in shape (population on 2021 LSOAs,
projections from another base year, branch surgeries the pack never had), the table gets a name of its own, listed
here with its columns.

Tables are written as Parquet (GeoParquet for the two boundary tables, WGS84) to ``settings.home / "national"``,
with ``refreshed.json`` beside them: for each table its vintage, source, release, rows and when it was written.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.settings import settings
from layers.refresh.cache import now_utc
from layers.refresh.errors import SourceCheckFailed

AGES = tuple(str(age) for age in range(90)) + ("90+",)
"""Single years of age as the pack's population file names its columns."""

REFRESHED_INDEX = "refreshed.json"


@dataclass(frozen=True)
class Table:
    """One table of the pack.

    Attributes
    ----------
    columns : tuple of str
        Its columns in order (``geometry`` last for a spatial table). ``"{years}"`` stands for the year columns of a
        projection, whatever years the release covers.
    pack_file : str
        The national source file it has the columns of (relative to ``shared/data/national``), or ``""`` for a table
        the pack does not have.
    layers : tuple of str
        Keys of :data:`layers.catalog.DATASETS` whose vintage it sets when a council is cut from it.
    title : str
        What it is, for messages.
    """

    columns: tuple[str, ...]
    pack_file: str
    layers: tuple[str, ...]
    title: str

    @property
    def spatial(self) -> bool:
        return self.columns[-1] == "geometry"


TABLES: dict[str, Table] = {
    "lsoa21_bsc_england": Table(
        ("lsoa21_code", "lsoa21_name", "ward24_code", "ward24_name", "ltla24_code", "ltla24_name", "geometry"),
        "boundaries/lsoa21_bsc_england.geojson", ("lsoa21",), "LSOA 2021 boundaries with best-fit ward and district"),
    "lad24_buc_england": Table(
        ("ltla24_name", "ltla24_code", "geometry"), "boundaries/lad24_buc_england.geojson", ("lad24",),
        "district outlines (display only)"),
    "lookup_lsoa21_ward24_ltla24": Table(
        ("lsoa21_name", "lsoa21_code", "ward24_name", "ward24_code", "ltla24_name", "ltla24_code"),
        "lookups/lookup_lsoa21_ward24_ltla24.csv", (), "LSOA 2021 to ward to district lookup"),
    "lookup_lsoa11_lsoa21_ltla22": Table(
        ("lsoa11_name", "lsoa11_code", "change_code", "lsoa21_name", "lsoa21_code", "ltla22_name", "ltla22_code"),
        "lookups/lookup_lsoa11_lsoa21_ltla22.csv", ("lsoa_lookup",), "LSOA 2011 to 2021 lookup"),
    "lookup_ltla22_ltla23_england": Table(
        ("ltla22_code", "ltla22_name", "ltla23_code", "ltla23_name"), "lookups/lookup_ltla22_ltla23_england.csv", (),
        "district 2022 to 2023 lookup"),
    "lookup_lad24_ctyua24_england": Table(
        ("LAD24CD", "LAD24NM", "CTYUA24CD", "CTYUA24NM"), "lookups/lookup_lad24_ctyua24_england.csv", (),
        "district to county or unitary council lookup"),
    "population_mid2020_lsoa11_syoa": Table(
        ("lsoa11_name", "lsoa11_code", "total_population", *AGES), "population/population_mid2020_lsoa11_syoa.csv",
        ("population",), "population by single year of age on 2011 LSOAs"),
    "population_lsoa21_syoa": Table(
        ("lsoa21_name", "lsoa21_code", "total_population", *AGES), "", ("population",),
        "population by single year of age on 2021 LSOAs"),
    "ruc21_lsoa21": Table(
        ("lsoa21_code", "ruc21_code", "classification", "ruc"), "rural_urban/ruc21_lsoa21.csv", ("ruc21",),
        "rural-urban classification 2021 of LSOAs"),
    "codepoint_open_england": Table(
        ("Postcode", "Positional_quality_indicator", "Eastings", "Northings", "Country_code", "NHS_regional_HA_code",
         "NHS_HA_code", "Admin_county_code", "Admin_district_code", "Admin_ward_code"),
        "postcodes/codepoint_open_england.csv.gz", ("postcodes",), "postcode centroids in England"),
    "snpp_persons_age60plus_district": Table(
        ("AREA_CODE", "AGE_GROUP", "{years}", "age"), "population/snpp2016_persons_age60plus_district.csv", (),
        "population projections by district, persons aged 60 and over"),
    "gp_practices_pcn": Table(
        ("practice_code", "practice_name", "postcode", "commissioner", "pcn_code", "pcn_name", "pcn_start_date"),
        "", ("practices", "border_practices"), "active GP practices with their current PCN"),
    "gp_branch_surgeries": Table(
        ("branch_code", "branch_name", "postcode", "practice_code"), "", (), "branch surgeries of GP practices"),
    "cqc_care_homes": Table(
        ("Location ID", "Location HSCA start date", "Care home?", "Location Name", "Location Region",
         "Location Street Address", "Location City", "Location Postal Code", "Location Latitude", "Location Longitude",
         "Regulated activity - Treatment of disease, disorder or injury",
         "Service type - Care home service with nursing", "Service type - Care home service without nursing",
         "Service user band - Children 0-18 years", "Service user band - Dementia",
         "Service user band - Learning disabilities or autistic spectrum disorder", "Service user band - Mental Health",
         "Service user band - Older People", "Service user band - Physical Disability",
         "Service user band - Sensory Impairment", "Service user band - Younger Adults", "Care homes beds"),
        "cqc/cqc_care_homes_2021-03-01.csv", ("care_homes",), "CQC care homes"),
}
"""Every table a refresh can write (the contract with the pack's reader)."""


def expected_columns(name: str, frame_columns: list[str] | None = None) -> list[str]:
    """The columns table ``name`` must have, in order (for a projection, its year columns taken from the frame)."""
    columns: list[str] = []
    for column in TABLES[name].columns:
        if column == "{years}":
            columns.extend(c for c in (frame_columns or []) if str(c).isdigit())
        else:
            columns.append(column)
    return columns


def national_folder() -> Path:
    """Where refreshed tables go: ``settings.home / "national"`` (read when used)."""
    return settings.home / "national"


def write_table(name: str, frame: pd.DataFrame, *, vintage: str, source: str, release: str = "",
                folder: Path | None = None) -> Path:
    """Write one refreshed table (Parquet; GeoParquet in WGS84 for a spatial table) and record its vintage.

    The file is written beside its destination and then moved over it, so a reader never sees half a table.
    This is the one place a refreshed table is written: point it at the pack's own writer when there is one.

    Parameters
    ----------
    name : str
        A key of :data:`TABLES`.
    frame : DataFrame or GeoDataFrame
        Exactly the table's columns, in order.
    vintage : str
        The release as the publisher states it (``"CQC care directory, 1 March 2021"``).
    source, release : str
        The refresh source that made it and the cached release it was read from.

    Raises
    ------
    SourceCheckFailed
        If the columns are not the table's.
    """
    wanted = expected_columns(name, [str(c) for c in frame.columns])
    if [str(c) for c in frame.columns] != wanted:
        raise SourceCheckFailed(f"Refusing to write {name}: its columns are {list(frame.columns)}, the pack's are "
                                f"{wanted}.")
    folder = folder or national_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.parquet"
    partial = folder / f".{name}.parquet.writing"
    if TABLES[name].spatial:
        gpd.GeoDataFrame(frame, geometry="geometry", crs=frame.crs or "EPSG:4326").to_crs("EPSG:4326").to_parquet(
            partial, index=False)
    else:
        pd.DataFrame(frame).to_parquet(partial, index=False)
    os.replace(partial, path)
    _record(folder, name, {"vintage": vintage, "source": source, "release": release, "rows": len(frame),
                           "written": now_utc().isoformat(), "file": path.name})
    return path


def _record(folder: Path, name: str, entry: dict[str, Any]) -> None:
    index = refreshed(folder)
    index[name] = entry
    partial = folder / f".{REFRESHED_INDEX}.writing"
    partial.write_text(json.dumps(index, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, folder / REFRESHED_INDEX)


def refreshed(folder: Path | None = None) -> dict[str, dict[str, Any]]:
    """What has been refreshed: table name -> ``vintage``, ``source``, ``release``, ``rows``, ``written``, ``file``
    (empty when nothing has been)."""
    path = (folder or national_folder()) / REFRESHED_INDEX
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def read_refreshed_table(name: str, folder: Path | None = None) -> pd.DataFrame | None:
    """A refreshed table as written (GeoDataFrame for a spatial one), or None when it has not been refreshed."""
    path = (folder or national_folder()) / f"{name}.parquet"
    if not path.is_file():
        return None
    return gpd.read_parquet(path) if TABLES[name].spatial else pd.read_parquet(path)


def layer_vintages(folder: Path | None = None) -> dict[str, str]:
    """The vintage of each council layer (keys of :data:`layers.catalog.DATASETS`) that refreshed tables set: what
    a council cut from them records in the ``[vintages]`` table of its settings file."""
    vintages: dict[str, str] = {}
    for name, entry in refreshed(folder).items():
        for key in TABLES.get(name, Table((), "", (), "")).layers:
            vintages.setdefault(key, entry["vintage"])
    return vintages
