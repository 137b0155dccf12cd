"""The national pack: England's open data shipped compactly with the tool (its councils: :mod:`layers.social_care`).

The pack is a folder of Parquet files (``data/national/<table>.parquet``, GeoParquet for the two boundary tables),
one per shipped :data:`PACK_TABLES` entry, built by ``scripts/build_national_pack.py`` from the shared national
files. Any English social-care council is cut from it (:mod:`layers.cut`) and set up (:mod:`layers.setup`) offline.

One registry, one writer
------------------------
:data:`PACK_TABLES` is the one list of the pack's tables: the shipped ones and those only a refresh from the
publishers makes (:mod:`layers.refresh`), where the publisher's current release has another shape (population on
2021 LSOAs, projections of another round, practices with their PCN already joined, branch surgeries). Each table
has a name (the key), its columns (named as in its source file, a subset of them), their storage types, the date of
the shipped data and the council layers (:data:`layers.catalog.DATASETS`) whose vintage it sets.
:func:`write_pack_table` is the one writer: the build script writes the shipped pack with it and a refresh writes
its tables with it, so a refreshed table has exactly the shipped one's columns and types.

- Reading a table prefers a refreshed copy at ``settings.home / "national" / "<table>.parquet"`` over the shipped
  ``data/national/<table>.parquet`` (:func:`table_path`).
- A table's vintage, and for a refreshed copy where it came from, are in its Parquet schema metadata
  (``caremap:vintage``, ``caremap:source``, ``caremap:release``, ``caremap:written``); a shipped table without
  them has :attr:`PackTable.vintage` (:func:`table_vintage`, :func:`refreshed_tables`). Setting a council up
  records the vintage of every table it was cut from in the council's ``[vintages]``.
- Column names follow the pack even when the data are newer: a 2025 ward lookup fills ``ward24_code``, and its
  vintage says 2025.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from geo.errors import DataFileError
from geo.files import replaced_whole
from geo.settings import settings

PACK_FOLDER = "national"
"""Folder of the pack under the data folder (shipped) and under the user's home (refreshed copies)."""

RECORD_KEYS = ("vintage", "source", "release", "written")
"""What a written table records of itself, each under ``caremap:<key>`` in its Parquet schema metadata."""
VINTAGE_KEY = b"caremap:vintage"
"""Parquet schema metadata key of a table's vintage (date of its data, as people read it): the first record."""
YEARS = "{years}"
"""Stands, in a table's columns, for the year columns of a projection (whatever years its round covers)."""

EPRACCUR_HEADER: tuple[str, ...] = (
    "Organisation Code", "Name", "National Grouping", "High Level Health Geography", "Address Line 1",
    "Address Line 2", "Address Line 3", "Address Line 4", "Address Line 5", "Postcode", "Open Date", "Close Date",
    "Status Code", "Organisation Sub-Type Code", "Commissioner", "Join Provider/Purchaser Date",
    "Left Provider/Purchaser Date", "Contact Telephone Number", "Null 1", "Null 2", "Null 3",
    "Amended Record Indicator", "Null 4", "Provider/Purchaser", "Null 5", "Prescribing Setting", "Null 6",
)
"""The 27 columns of NHS ODS ``epraccur.csv`` (published without a header row), named as ODS documents them."""

AGE_COLUMNS: tuple[str, ...] = tuple([str(age) for age in range(90)] + ["90+"])
SNPP_YEARS: tuple[str, ...] = tuple(str(year) for year in range(2016, 2042))
CQC_COLUMNS: tuple[str, ...] = (
    "Location ID", "Location HSCA start date", "Care home?", "Location Name", "Location Region",
    "Location Street Address", "Location City", "Location Postal Code", "Location Latitude", "Location Longitude",
    "Regulated activity - Treatment of disease, disorder or injury", "Service type - Care home service with nursing",
    "Service type - Care home service without nursing", "Service user band - Children 0-18 years",
    "Service user band - Dementia", "Service user band - Learning disabilities or autistic spectrum disorder",
    "Service user band - Mental Health", "Service user band - Older People", "Service user band - Physical Disability",
    "Service user band - Sensory Impairment", "Service user band - Younger Adults", "Care homes beds",
)
"""Every column of the national CQC care-home file (kept whole: a council's cut carries them all)."""
EPCN_PRACTICE = "Partner\nOrganisation\nCode"
EPCN_START = "Practice to PCN\nRelationship\nStart Date"
EPCN_END = "Practice to PCN\nRelationship\nEnd Date"


@dataclass(frozen=True)
class PackTable:
    """One table of the national pack.

    Attributes
    ----------
    source : str
        Its source file under the shared ``national/`` folder; empty for a table the tool does not ship, which only
        a refresh from its publisher makes.
    columns : tuple of str
        Columns kept, named as in the source (the geometry of a boundary table is ``geometry``; :data:`YEARS` for the
        year columns of a projection).
    title, vintage : str
        What it is, and the date of its data as shipped (empty when not shipped).
    types : mapping of str to str
        Storage type of columns that are not text: ``int8``…``int32``, ``uint8``/``uint16``, ``Int32`` (whole
        numbers with blanks), ``float64``; ``category`` for codes stored dictionary-encoded. Year columns are
        ``float64``.
    sheet : str or None
        Sheet of a workbook source.
    header : tuple of str or None
        Names of a source's columns when it has no header row (``epraccur``).
    layers : tuple of str
        Keys of :data:`layers.catalog.DATASETS` whose vintage it sets when a council is cut from it.
    parquet : mapping
        Parquet options of its own (encodings that beat the default for it).
    """

    source: str
    columns: tuple[str, ...]
    title: str
    vintage: str
    types: Mapping[str, str] = field(default_factory=dict)
    sheet: str | None = None
    header: tuple[str, ...] | None = None
    layers: tuple[str, ...] = ()
    parquet: Mapping[str, Any] = field(default_factory=dict)

    @property
    def geometry(self) -> bool:
        return "geometry" in self.columns

    @property
    def shipped(self) -> bool:
        """Whether the tool ships it (else only a refresh makes it)."""
        return bool(self.source)

    def columns_of(self, frame_columns: list[str] | None = None) -> list[str]:
        """Its columns in order, :data:`YEARS` replaced by the year columns of ``frame_columns``."""
        columns: list[str] = []
        for column in self.columns:
            if column == YEARS:
                columns.extend(str(c) for c in (frame_columns or []) if str(c).isdigit())
            else:
                columns.append(column)
        return columns


_CODE = "category"
_AGES = {"total_population": "int32", **{age: "uint16" for age in AGE_COLUMNS}}
_PRACTICES = ("practices", "border_practices")
PACK_TABLES: dict[str, PackTable] = {
    "lsoa21_boundaries": PackTable(
        "boundaries/lsoa21_bsc_england.geojson", ("lsoa21_code", "geometry"),
        "LSOA 2021 polygons of England (BSC, WGS84, 6 decimals as the source)",
        "LSOA December 2021 boundaries (ONS BSC V4)", layers=("lsoa21",)),
    "lad24_boundaries": PackTable(
        "boundaries/lad24_buc_england.geojson", ("ltla24_name", "ltla24_code", "geometry"),
        "district outlines of England, 500 m generalised (display only)", "districts May 2024 (ONS BUC)",
        layers=("lad24",)),
    "lookup_lsoa21_ward24_ltla24": PackTable(
        "lookups/lookup_lsoa21_ward24_ltla24.csv",
        ("lsoa21_name", "lsoa21_code", "ward24_name", "ward24_code", "ltla24_name", "ltla24_code"),
        "LSOA 2021 to best-fit ward and district", "ONS LSOA21_WD24_LAD24 lookup (wards and districts May 2024)",
        types={"ward24_name": _CODE, "ward24_code": _CODE, "ltla24_name": _CODE, "ltla24_code": _CODE},
        layers=("lsoa21",)),
    "lookup_lsoa11_lsoa21_ltla22": PackTable(
        "lookups/lookup_lsoa11_lsoa21_ltla22.csv",
        ("lsoa11_name", "lsoa11_code", "change_code", "lsoa21_name", "lsoa21_code", "ltla22_name", "ltla22_code"),
        "LSOA 2011 to 2021 with change codes and district (2022)", "ONS lookup of 15 August 2022",
        types={"change_code": _CODE, "ltla22_name": _CODE, "ltla22_code": _CODE}, layers=("lsoa_lookup",)),
    "lookup_ltla22_ltla23": PackTable(
        "lookups/lookup_ltla22_ltla23_england.csv", ("ltla22_code", "ltla22_name", "ltla23_code", "ltla23_name"),
        "district 2022 to 2023 (the Cumbria, North Yorkshire and Somerset mergers)", "ONS LAD22_LAD23 lookup"),
    "lookup_lad24_ctyua24": PackTable(
        "lookups/lookup_lad24_ctyua24_england.csv", ("LAD24CD", "LAD24NM", "CTYUA24CD", "CTYUA24NM"),
        "district to social-care council (county or unitary), the 153 councils",
        "ONS LAD to CTYUA lookup, December 2024"),
    "population_mid2020_lsoa11": PackTable(
        "population/population_mid2020_lsoa11_syoa.csv", ("lsoa11_name", "lsoa11_code", "total_population",
                                                          *AGE_COLUMNS),
        "mid-2020 persons by single year of age on 2011 LSOAs", "ONS small-area population estimates, mid-2020", types=_AGES,
        layers=("population",)),
    "population_lsoa21": PackTable(
        "", ("lsoa21_name", "lsoa21_code", "total_population", *AGE_COLUMNS),
        "persons by single year of age on 2021 LSOAs (the current ONS estimates, Nomis)", "", types=_AGES,
        layers=("population",)),
    "ruc21_lsoa21": PackTable(
        "rural_urban/ruc21_lsoa21.csv", ("lsoa21_code", "ruc21_code", "classification", "ruc"),
        "rural-urban classification 2021 of LSOAs", "2021 classification",
        types={"ruc21_code": _CODE, "classification": _CODE, "ruc": _CODE}, layers=("ruc21",)),
    "codepoint_open": PackTable(
        "postcodes/codepoint_open_england.csv.gz",
        ("Postcode", "Positional_quality_indicator", "Eastings", "Northings", "Admin_district_code", "Admin_ward_code"),
        "postcode centroids of England (OS Code-Point Open)",
        "Code-Point Open, 2025 release (district codes of April 2025)",
        types={"Positional_quality_indicator": "uint8", "Eastings": "int32", "Northings": "int32",
               "Admin_district_code": _CODE, "Admin_ward_code": _CODE}, layers=("postcodes",),
        # 1.49 M postcodes in postcode order: neighbours differ by a few characters and metres, so delta encodings
        # store them in 5.9 MB instead of 9.7 MB.
        parquet={"use_dictionary": ["Positional_quality_indicator", "Admin_district_code", "Admin_ward_code"],
                 "column_encoding": {"Postcode": "DELTA_BYTE_ARRAY", "Eastings": "DELTA_BINARY_PACKED",
                                     "Northings": "DELTA_BINARY_PACKED"}}),
    "open_names_places": PackTable(
        "places/os_open_names_populated_places_england.csv",
        ("ID", "NAME1", "LOCAL_TYPE", "X", "Y", "MBRXMIN", "MBRYMIN", "MBRXMAX", "MBRYMAX", "POSTCODE_DISTRICT",
         "DISTRICT_BOROUGH", "COUNTY_UNITARY"),
        "populated places of England (OS Open Names)", "OS Open Names, 2017",
        types={"LOCAL_TYPE": _CODE, "X": "float64", "Y": "float64", "MBRXMIN": "float64", "MBRYMIN": "float64",
               "MBRXMAX": "float64", "MBRYMAX": "float64", "POSTCODE_DISTRICT": _CODE, "DISTRICT_BOROUGH": _CODE,
               "COUNTY_UNITARY": _CODE}, layers=("places",)),
    "open_names_places_lsoa21": PackTable(
        "places/os_open_names_populated_places_england_lsoa21_ltla24.csv", ("ID", "lsoa21_code", "ltla24_code"),
        "LSOA 2021 and district of each populated place (the places carry names, not codes)", "OS Open Names, 2017",
        types={"ltla24_code": _CODE}),
    "epraccur": PackTable(
        "epraccur_2023-02.csv", ("Organisation Code", "Name", "Postcode", "Status Code", "Commissioner",
                                 "Prescribing Setting"),
        "GP practices and other prescribing organisations (NHS ODS epraccur)", "NHS ODS, February 2023",
        types={"Status Code": _CODE, "Commissioner": _CODE, "Prescribing Setting": "int8"}, header=EPRACCUR_HEADER,
        layers=_PRACTICES),
    "epcn_core_partners": PackTable(
        "ePCN_2023-02.xlsx", (EPCN_PRACTICE, "PCN Code", "PCN Name", EPCN_START, EPCN_END),
        "practice to Primary Care Network memberships (NHS ODS ePCN)", "NHS ODS, February 2023",
        types={"PCN Code": _CODE, "PCN Name": _CODE, EPCN_START: "int32", EPCN_END: "Int32"},
        sheet="PCN Core Partner Details", layers=_PRACTICES),
    "gp_practices_pcn": PackTable(
        "", ("practice_code", "practice_name", "postcode", "commissioner", "pcn_code", "pcn_name", "pcn_start_date"),
        "open GP practices with their current PCN (NHS ODS epraccur and PCN membership, joined)", "",
        types={"commissioner": _CODE, "pcn_code": _CODE, "pcn_name": _CODE, "pcn_start_date": "Int32"},
        layers=_PRACTICES),
    "gp_branch_surgeries": PackTable(
        "", ("branch_code", "branch_name", "postcode", "practice_code"),
        "branch surgeries of the open GP practices (NHS ODS ebranchs)", ""),
    "cqc_care_homes": PackTable(
        "cqc/cqc_care_homes_2021-03-01.csv", CQC_COLUMNS,
        "CQC care homes of England (HSCA active locations)", "CQC care directory, 1 March 2021",
        types={"Location Latitude": "float64", "Location Longitude": "float64", "Care homes beds": "Int32",
               "Location Region": _CODE, "Care home?": _CODE,
               **{column: _CODE for column in CQC_COLUMNS if column.startswith(("Service", "Regulated"))}},
        layers=("care_homes",)),
    "snpp2016_age60plus": PackTable(
        "population/snpp2016_persons_age60plus_district.csv", ("AREA_CODE", "age", *SNPP_YEARS),
        "ONS 2016-based population projections by district, persons aged 60 to 90+ (90 = 90+)",
        "ONS 2016-based subnational projections",
        types={"age": "int8", **{year: "float64" for year in SNPP_YEARS}}),
    "snpp_age60plus": PackTable(
        "", ("AREA_CODE", "age", YEARS),
        "ONS population projections by district of the current round, persons aged 60 to 90+ (90 = 90+)", "",
        types={"age": "int8"}),
}
"""Every table of the national pack, by name (the file name without ``.parquet``): the shipped ones, and those only a
refresh from the publishers makes (empty ``source``)."""

NEWER_SHAPES = {"population_lsoa21": "population_mid2020_lsoa11", "gp_practices_pcn": "epraccur",
                "snpp_age60plus": "snpp2016_age60plus"}
"""Tables in the publishers' current shape -> the shipped table they supersede when present: a council is cut from
the first of each pair that the user's folder or the pack holds (:func:`newest_of`)."""

PACK_HINT = ("Restore the shipped pack (git checkout -- data/national) or, from the shared data, rebuild it: "
             "python -m scripts.build_national_pack ../shared/data/national.")

COMPRESSION = {"compression": "zstd", "compression_level": 19}
"""How every pack table is compressed (shipped or refreshed)."""

CODEPOINT_RECODES = {"E08000038": "E08000016", "E08000039": "E08000019"}
"""District codes this Code-Point Open release already uses (April 2025) -> the May 2024 codes of the other tables:
Barnsley and Sheffield were recoded when their boundary moved."""


def shipped_path(name: str) -> Path:
    """Where the pack table ``name`` ships with the tool (``data/national/<name>.parquet``)."""
    return settings.data_folder / PACK_FOLDER / f"{name}.parquet"


def refreshed_path(name: str) -> Path:
    """Where a copy of ``name`` refreshed from its publisher is kept (``home/national/<name>.parquet``)."""
    return settings.home / PACK_FOLDER / f"{name}.parquet"


def table_path(name: str) -> Path:
    """The file a pack table is read from: the refreshed copy when there is one (always, for a table the tool does
    not ship), else the shipped one."""
    if name not in PACK_TABLES:
        raise KeyError(f"{name!r} is not a table of the national pack ({', '.join(PACK_TABLES)}).")
    refreshed = refreshed_path(name)
    return refreshed if refreshed.is_file() or not PACK_TABLES[name].shipped else shipped_path(name)


def has_table(name: str) -> bool:
    """Whether the table can be read (refreshed, or shipped and present)."""
    return table_path(name).is_file()


def newest_of(name: str) -> str:
    """The table a council is cut from in place of the shipped ``name``: the one in the publishers' current shape
    that supersedes it (:data:`NEWER_SHAPES`) when the user's folder holds it, else ``name`` itself."""
    for newer, older in NEWER_SHAPES.items():
        if older == name and refreshed_path(newer).is_file():
            return newer
    return name


def _fix(path: Path) -> str:
    if path == refreshed_path(path.stem):
        if not PACK_TABLES[path.stem].shipped:
            return "It is made by a refresh from its publisher: python -m caremap setup --refresh all."
        return f"Refresh it again, or delete {path} to use the copy shipped with the tool."
    return PACK_HINT


def read_pack_table(name: str, *, columns: list[str] | None = None) -> pd.DataFrame:
    """One table of the national pack (a GeoDataFrame in WGS84 for the boundary tables).

    Parameters
    ----------
    name : str
        A key of :data:`PACK_TABLES`.
    columns : list of str, optional
        The columns wanted (default all its columns).

    Raises
    ------
    DataFileError
        If the file is missing, damaged or lacks a column; the message names the file and the fix.
    """
    table = PACK_TABLES[name]
    path = table_path(name)
    if not path.is_file():
        raise DataFileError(f"The national pack's file {path} ({table.title}) is missing. {_fix(path)}")
    wanted = list(columns) if columns else table.columns_of(pq.read_schema(path).names) if YEARS in table.columns \
        else list(table.columns)
    try:
        frame = gpd.read_parquet(path, columns=wanted) if table.geometry else pd.read_parquet(path, columns=wanted)
    except Exception as error:  # pyarrow raises several unrelated types for a damaged or foreign file
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DataFileError(f"Cannot read the national pack's file {path} ({table.title}): {reason}. "
                            f"{_fix(path)}") from error
    return frame


def _record(path: Path) -> dict[str, str]:
    """What a table file records of itself (:data:`RECORD_KEYS`; empty when it records nothing or is unreadable)."""
    try:
        metadata = pq.read_schema(path).metadata or {}
    except (OSError, ValueError, pa.ArrowException):
        return {}
    return {key: metadata[f"caremap:{key}".encode()].decode("utf-8") for key in RECORD_KEYS
            if f"caremap:{key}".encode() in metadata}


def table_vintage(name: str) -> str:
    """The date of a pack table's data: a refreshed copy's own record, else the shipped table's."""
    return _record(table_path(name)).get("vintage") or PACK_TABLES[name].vintage


def refreshed_tables() -> dict[str, dict[str, Any]]:
    """The tables refreshed from their publishers, in :data:`PACK_TABLES` order: name -> ``vintage``, ``source``,
    ``release``, ``written`` (ISO time) and ``rows``."""
    found = {}
    for name in PACK_TABLES:
        path = refreshed_path(name)
        if path.is_file():
            record = _record(path)
            try:
                rows = pq.read_metadata(path).num_rows
            except (OSError, ValueError, pa.ArrowException):
                rows = 0
            found[name] = {key: record.get(key, "") for key in RECORD_KEYS} | {"rows": rows}
    return found


def layer_vintages(table_vintages: Mapping[str, str]) -> dict[str, str]:
    """The vintage of each council layer (keys of :data:`layers.catalog.DATASETS`) from the vintages of the tables
    it is cut from (table name -> vintage): each table's own, joined by "; " where a layer takes several."""
    joined: dict[str, list[str]] = {}
    for table, vintage in table_vintages.items():
        for key in PACK_TABLES[table].layers:
            if vintage not in joined.setdefault(key, []):
                joined[key].append(vintage)
    return {key: "; ".join(vintages) for key, vintages in joined.items()}


def typed_table(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as table ``name`` stores it: its columns in order (others dropped) in their storage types.

    Raises
    ------
    DataFileError
        Naming the columns it lacks, or a column of numbers holding text or of whole numbers holding fractions.
    """
    table = PACK_TABLES[name]
    columns = table.columns_of([str(c) for c in frame.columns])
    missing = [column for column in columns if column not in frame.columns]
    if missing or (YEARS in table.columns and len(columns) == len(table.columns) - 1):
        raise DataFileError(f"The table {name} ({table.title}) lacks the column(s) "
                            f"{', '.join(missing) or 'of projected years'}: its columns are {columns}.")
    typed = frame[columns].copy()
    kinds = {**{column: "float64" for column in columns if column.isdigit()}, **table.types}
    for column, kind in kinds.items():
        if kind == "category":
            typed[column] = typed[column].astype("category")
            continue
        try:
            numbers = pd.to_numeric(typed[column])
        except (ValueError, TypeError) as error:
            raise DataFileError(f"The table {name}: column {column!r} holds values that are not numbers "
                                f"({str(error)[:80]}).") from error
        if kind[:1] in "iuI" and not numbers.dropna().eq(numbers.dropna().round()).all():
            raise DataFileError(f"The table {name}: column {column!r} holds fractions, not whole numbers.")
        typed[column] = numbers.astype(kind)
    return typed.reset_index(drop=True)


def write_pack_table(name: str, frame: pd.DataFrame, *, vintage: str, folder: Path | None = None, source: str = "",
                     release: str = "") -> Path:
    """Write one table of the pack: the one writer, for the shipped pack and for a refresh alike.

    The columns are those of :data:`PACK_TABLES` (:func:`typed_table`); a spatial table is GeoParquet in WGS84. The
    vintage and origin are kept in the file's schema metadata. The file is written beside its destination and
    moved over it, so a reader never sees half a table.

    Parameters
    ----------
    name : str
        A key of :data:`PACK_TABLES`.
    frame : DataFrame or GeoDataFrame
        At least the table's columns (others are dropped).
    vintage : str
        The date of its data as its publisher states it (``"CQC care directory, 1 March 2021"``).
    folder : Path, optional
        Default: the user's refreshed tables (``settings.home / "national"``).
    source, release : str
        What made it (a refresh source's name, or the build) and the release it was read from.

    Raises
    ------
    DataFileError
        If the frame lacks one of the table's columns or a whole-number column holds fractions.
    """
    table = PACK_TABLES[name]
    folder = folder or refreshed_path(name).parent
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.parquet"
    typed = typed_table(name, frame)
    record = {f"caremap:{key}".encode(): value.encode("utf-8") for key, value in zip(
        RECORD_KEYS, (vintage, source, release, dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()))}
    with replaced_whole(path) as partial:
        if table.geometry:
            crs = getattr(frame, "crs", None) or "EPSG:4326"
            gpd.GeoDataFrame(typed, geometry="geometry", crs=crs).to_crs("EPSG:4326").to_parquet(
                partial, index=False, **COMPRESSION)
            arrow = pq.read_table(partial)  # GeoParquet's own metadata kept, the record added
        else:
            arrow = pa.Table.from_pandas(typed, preserve_index=False)
        arrow = arrow.replace_schema_metadata({**(arrow.schema.metadata or {}), **record})
        pq.write_table(arrow, partial, **COMPRESSION, **table.parquet)
    return path
