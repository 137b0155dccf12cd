"""The national pack: England's open data shipped compactly with the tool, and the 153 social-care councils in it.

The pack is a folder of Parquet files (``data/national/<table>.parquet``, GeoParquet for the two boundary tables),
one per :data:`PACK_TABLES` entry, built by ``scripts/build_national_pack.py`` from the shared national files. Any
English social-care council is cut from it (:mod:`layers.cut`) and set up (:mod:`layers.setup`) offline.

The contract with the refresh-from-publishers adapters (issue 25)
------------------------------------------------------------------
- Every table has a name (the key of :data:`PACK_TABLES`) and the **same column names as its source file** (a
  subset: :attr:`PackTable.columns` lists the columns kept, in order). ``epraccur`` has no header row: its columns
  are named as NHS ODS describes them (:data:`EPRACCUR_HEADER`).
- Reading a table prefers a refreshed copy at ``settings.home / "national" / "<table>.parquet"`` over the shipped
  ``data/national/<table>.parquet`` (:func:`table_path`). A refreshed copy holds at least the kept columns (more are
  ignored), in the types of :attr:`PackTable.types` or any that convert to them.
- A table's vintage is its Parquet schema metadata ``caremap:vintage`` when present, else
  :attr:`PackTable.vintage` (:func:`table_vintage`); setting a council up records it in the council's
  ``[vintages]``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import geopandas as gpd
import pandas as pd

from geo.council import Council, list_councils, load_council, simple_name
from geo.errors import CareMapError, DataFileError, UnknownCouncilError
from geo.settings import settings

PACK_FOLDER = "national"
"""Folder of the pack under the data folder (shipped) and under the user's home (refreshed copies)."""

VINTAGE_KEY = b"caremap:vintage"
"""Parquet schema metadata key of a table's vintage (date of its data, as people read it)."""

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
        Its source file under the shared ``national/`` folder.
    columns : tuple of str
        Columns kept, named as in the source (the geometry of a boundary table is ``geometry``).
    title, vintage : str
        What it is, and the date of its data as shipped.
    types : mapping of str to str
        Storage type of columns that are not text: ``int8``…``int32``, ``uint8``/``uint16``, ``Int32`` (whole
        numbers with blanks), ``float64``; ``category`` for codes stored dictionary-encoded.
    sheet : str or None
        Sheet of a workbook source.
    header : tuple of str or None
        Names of a source's columns when it has no header row (``epraccur``).
    """

    source: str
    columns: tuple[str, ...]
    title: str
    vintage: str
    types: Mapping[str, str] = field(default_factory=dict)
    sheet: str | None = None
    header: tuple[str, ...] | None = None

    @property
    def geometry(self) -> bool:
        return "geometry" in self.columns


_CODE = "category"
PACK_TABLES: dict[str, PackTable] = {
    "lsoa21_boundaries": PackTable(
        "boundaries/lsoa21_bsc_england.geojson", ("lsoa21_code", "geometry"),
        "LSOA 2021 polygons of England (BSC, WGS84, 6 decimals as the source)",
        "LSOA December 2021 boundaries (ONS BSC V4)"),
    "lad24_boundaries": PackTable(
        "boundaries/lad24_buc_england.geojson", ("ltla24_name", "ltla24_code", "geometry"),
        "district outlines of England, 500 m generalised (display only)", "districts May 2024 (ONS BUC)"),
    "lookup_lsoa21_ward24_ltla24": PackTable(
        "lookups/lookup_lsoa21_ward24_ltla24.csv",
        ("lsoa21_name", "lsoa21_code", "ward24_name", "ward24_code", "ltla24_name", "ltla24_code"),
        "LSOA 2021 to best-fit ward and district (May 2024)", "ONS LSOA21_WD24_LAD24 lookup",
        types={"ward24_name": _CODE, "ward24_code": _CODE, "ltla24_name": _CODE, "ltla24_code": _CODE}),
    "lookup_lsoa11_lsoa21_ltla22": PackTable(
        "lookups/lookup_lsoa11_lsoa21_ltla22.csv",
        ("lsoa11_name", "lsoa11_code", "change_code", "lsoa21_name", "lsoa21_code", "ltla22_name", "ltla22_code"),
        "LSOA 2011 to 2021 with change codes and district (2022)", "ONS lookup of 15 August 2022",
        types={"change_code": _CODE, "ltla22_name": _CODE, "ltla22_code": _CODE}),
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
        "mid-2020 persons by single year of age on 2011 LSOAs", "mid-2020 estimates",
        types={"total_population": "int32", **{age: "uint16" for age in AGE_COLUMNS}}),
    "ruc21_lsoa21": PackTable(
        "rural_urban/ruc21_lsoa21.csv", ("lsoa21_code", "ruc21_code", "classification", "ruc"),
        "rural-urban classification 2021 of LSOAs", "2021 classification",
        types={"ruc21_code": _CODE, "classification": _CODE, "ruc": _CODE}),
    "codepoint_open": PackTable(
        "postcodes/codepoint_open_england.csv.gz",
        ("Postcode", "Positional_quality_indicator", "Eastings", "Northings", "Admin_district_code", "Admin_ward_code"),
        "postcode centroids of England (OS Code-Point Open)",
        "Code-Point Open, 2025 release (district codes of April 2025)",
        types={"Positional_quality_indicator": "uint8", "Eastings": "int32", "Northings": "int32",
               "Admin_district_code": _CODE, "Admin_ward_code": _CODE}),
    "open_names_places": PackTable(
        "places/os_open_names_populated_places_england.csv",
        ("ID", "NAME1", "LOCAL_TYPE", "X", "Y", "MBRXMIN", "MBRYMIN", "MBRXMAX", "MBRYMAX", "POSTCODE_DISTRICT",
         "DISTRICT_BOROUGH", "COUNTY_UNITARY"),
        "populated places of England (OS Open Names)", "OS Open Names, 2017",
        types={"LOCAL_TYPE": _CODE, "X": "float64", "Y": "float64", "MBRXMIN": "float64", "MBRYMIN": "float64",
               "MBRXMAX": "float64", "MBRYMAX": "float64", "POSTCODE_DISTRICT": _CODE, "DISTRICT_BOROUGH": _CODE,
               "COUNTY_UNITARY": _CODE}),
    "open_names_places_lsoa21": PackTable(
        "places/os_open_names_populated_places_england_lsoa21_ltla24.csv", ("ID", "lsoa21_code", "ltla24_code"),
        "LSOA 2021 and district of each populated place (the places carry names, not codes)", "OS Open Names, 2017",
        types={"ltla24_code": _CODE}),
    "epraccur": PackTable(
        "epraccur_2023-02.csv", ("Organisation Code", "Name", "Postcode", "Status Code", "Commissioner",
                                 "Prescribing Setting"),
        "GP practices and other prescribing organisations (NHS ODS epraccur)", "NHS ODS, February 2023",
        types={"Status Code": _CODE, "Commissioner": _CODE, "Prescribing Setting": "int8"}, header=EPRACCUR_HEADER),
    "epcn_core_partners": PackTable(
        "ePCN_2023-02.xlsx", (EPCN_PRACTICE, "PCN Code", "PCN Name", EPCN_START, EPCN_END),
        "practice to Primary Care Network memberships (NHS ODS ePCN)", "NHS ODS, February 2023",
        types={"PCN Code": _CODE, "PCN Name": _CODE, EPCN_START: "int32", EPCN_END: "Int32"},
        sheet="PCN Core Partner Details"),
    "cqc_care_homes": PackTable(
        "cqc/cqc_care_homes_2021-03-01.csv", CQC_COLUMNS,
        "CQC care homes of England (HSCA active locations)", "CQC care directory, 1 March 2021",
        types={"Location Latitude": "float64", "Location Longitude": "float64", "Care homes beds": "Int32",
               "Location Region": _CODE, "Care home?": _CODE,
               **{column: _CODE for column in CQC_COLUMNS if column.startswith(("Service", "Regulated"))}}),
    "snpp2016_age60plus": PackTable(
        "population/snpp2016_persons_age60plus_district.csv", ("AREA_CODE", "age", *SNPP_YEARS),
        "ONS 2016-based population projections by district, persons aged 60 to 90+ (90 = 90+)",
        "ONS 2016-based subnational projections",
        types={"age": "int8", **{year: "float64" for year in SNPP_YEARS}}),
}
"""Every table of the national pack, by name (the file name without ``.parquet``)."""

PACK_HINT = ("Restore the shipped pack (git checkout -- data/national) or, from the shared data, rebuild it: "
             "python -m scripts.build_national_pack ../shared/data/national.")


def shipped_path(name: str) -> Path:
    """Where the pack table ``name`` ships with the tool (``data/national/<name>.parquet``)."""
    return settings.data_folder / PACK_FOLDER / f"{name}.parquet"


def refreshed_path(name: str) -> Path:
    """Where a copy of ``name`` refreshed from its publisher is kept (``home/national/<name>.parquet``)."""
    return settings.home / PACK_FOLDER / f"{name}.parquet"


def table_path(name: str) -> Path:
    """The file a pack table is read from: the refreshed copy when there is one, else the shipped one."""
    if name not in PACK_TABLES:
        raise KeyError(f"{name!r} is not a table of the national pack ({', '.join(PACK_TABLES)}).")
    refreshed = refreshed_path(name)
    return refreshed if refreshed.is_file() else shipped_path(name)


def _fix(path: Path) -> str:
    if path == refreshed_path(path.stem):
        return f"Refresh it again, or delete {path} to use the copy shipped with the tool."
    return PACK_HINT


def read_pack_table(name: str, *, columns: list[str] | None = None) -> pd.DataFrame:
    """One table of the national pack (a GeoDataFrame in WGS84 for the boundary tables).

    Parameters
    ----------
    name : str
        A key of :data:`PACK_TABLES`.
    columns : list of str, optional
        The columns wanted (default all the kept columns).

    Raises
    ------
    DataFileError
        If the file is missing, damaged or lacks a column; the message names the file and the fix.
    """
    table = PACK_TABLES[name]
    path = table_path(name)
    wanted = list(columns or table.columns)
    if not path.is_file():
        raise DataFileError(f"The national pack's file {path} ({table.title}) is missing. {_fix(path)}")
    try:
        frame = gpd.read_parquet(path, columns=wanted) if table.geometry else pd.read_parquet(path, columns=wanted)
    except Exception as error:  # pyarrow raises several unrelated types for a damaged or foreign file
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DataFileError(f"Cannot read the national pack's file {path} ({table.title}): {reason}. "
                            f"{_fix(path)}") from error
    return frame


def table_vintage(name: str) -> str:
    """The date of a pack table's data: a refreshed copy's own record, else the shipped table's."""
    import pyarrow.parquet as pq

    path = table_path(name)
    try:
        metadata = pq.read_schema(path).metadata or {}
    except (OSError, ValueError):
        metadata = {}
    recorded = metadata.get(VINTAGE_KEY)
    return recorded.decode("utf-8") if recorded else PACK_TABLES[name].vintage


# --- The 153 social-care councils ----------------------------------------------------------------------------

KINDS = {"E06": "unitary authority", "E08": "metropolitan borough", "E09": "London borough", "E10": "county council"}
"""The kinds of English council that commission adult social care, by the first three letters of their GSS code."""

CODEPOINT_RECODES = {"E08000038": "E08000016", "E08000039": "E08000019"}
"""District codes this Code-Point Open release already uses (April 2025) -> the May 2024 codes of the other tables:
Barnsley and Sheffield were recoded when their boundary moved."""

FORMER_COUNCILS = {
    "Cumbria": ("E10000006", ("Cumberland", "Westmorland and Furness"), "April 2023"),
    "Northamptonshire": ("E10000021", ("North Northamptonshire", "West Northamptonshire"), "April 2021"),
}
"""County councils abolished since 2021 whose name no council now has: name -> (code, successors, when)."""

WALES = ("Blaenau Gwent", "Bridgend", "Caerphilly", "Cardiff", "Carmarthenshire", "Ceredigion", "Conwy",
         "Denbighshire", "Flintshire", "Gwynedd", "Isle of Anglesey", "Merthyr Tydfil", "Monmouthshire",
         "Neath Port Talbot", "Newport", "Pembrokeshire", "Powys", "Rhondda Cynon Taf", "Swansea", "Torfaen",
         "Vale of Glamorgan", "Wrexham", "Wales", "Cymru")
"""Wales's 22 principal councils (and the country's names)."""

SCOTLAND = ("Aberdeen City", "Aberdeenshire", "Angus", "Argyll and Bute", "City of Edinburgh", "Edinburgh",
            "Clackmannanshire", "Dumfries and Galloway", "Dundee City", "East Ayrshire", "East Dunbartonshire",
            "East Lothian", "East Renfrewshire", "Falkirk", "Fife", "Glasgow City", "Glasgow", "Highland", "Inverclyde",
            "Midlothian", "Moray", "Na h-Eileanan Siar", "North Ayrshire", "North Lanarkshire", "Orkney Islands",
            "Perth and Kinross", "Renfrewshire", "Scottish Borders", "Shetland Islands", "South Ayrshire",
            "South Lanarkshire", "Stirling", "West Dunbartonshire", "West Lothian", "Scotland")
"""Scotland's 32 council areas (and common short forms)."""

NORTHERN_IRELAND = ("Northern Ireland", "Belfast", "Derry and Strabane", "Armagh City, Banbridge and Craigavon",
                    "Antrim and Newtownabbey", "Ards and North Down", "Causeway Coast and Glens",
                    "Fermanagh and Omagh", "Lisburn and Castlereagh", "Mid and East Antrim", "Mid Ulster",
                    "Newry, Mourne and Down")


@dataclass(frozen=True)
class SocialCareCouncil:
    """One of England's 153 councils with adult social-care duties (ONS county and unitary authorities, 2024).

    Attributes
    ----------
    code : str
        GSS code (``E06000019``).
    name : str
        Its name as ONS writes it (``Herefordshire, County of``).
    lad_codes, lad_names : tuple of str
        Its districts (May 2024): one for a unitary, metropolitan or London borough, several for a county.
    """

    code: str
    name: str
    lad_codes: tuple[str, ...]
    lad_names: tuple[str, ...]

    @property
    def kind(self) -> str:
        return KINDS[self.code[:3]]

    @property
    def two_tier(self) -> bool:
        """A county council of districts: the districts are an area level of its own."""
        return self.code.startswith("E10")

    @property
    def short_name(self) -> str:
        """The name people use: ONS's ``"Bristol, City of"`` is Bristol, ``"Herefordshire, County of"``
        Herefordshire."""
        return re.sub(r",\s*(City|County) of$", "", self.name).strip()

    @property
    def slug(self) -> str:
        """Folder and command-line name: the short name in lower case, words joined by hyphens."""
        return re.sub(r"[^a-z0-9]+", "-", self.short_name.lower()).strip("-")


def social_care_councils(lookup: pd.DataFrame | None = None) -> list[SocialCareCouncil]:
    """England's 153 social-care councils with their districts, by name.

    Parameters
    ----------
    lookup : DataFrame, optional
        The ``lookup_lad24_ctyua24`` table (read from the pack when not given).
    """
    lookup = read_pack_table("lookup_lad24_ctyua24") if lookup is None else lookup
    councils = []
    for (code, name), rows in lookup.sort_values("LAD24CD").groupby(["CTYUA24CD", "CTYUA24NM"], sort=False):
        if str(code)[:3] not in KINDS:
            continue
        councils.append(SocialCareCouncil(str(code), str(name), tuple(rows["LAD24CD"].astype(str)),
                                          tuple(rows["LAD24NM"].astype(str))))
    return sorted(councils, key=lambda council: council.short_name)


def _refusal(wanted: str, lookup: pd.DataFrame, councils: list[SocialCareCouncil]) -> str | None:
    """Why ``wanted`` names no council that can be set up, when it names something else we know of."""
    if wanted[:1] in ("w", "s", "n") and re.fullmatch(r"[wsn]\d{8}", wanted):
        country = {"w": "Wales", "s": "Scotland", "n": "Northern Ireland"}[wanted[0]]
        return (f"{wanted.upper()} is a code in {country}. Social care there is run under {country}'s own laws and "
                f"the national data shipped with the tool cover England only.")
    for country, names in (("Wales", WALES), ("Scotland", SCOTLAND), ("Northern Ireland", NORTHERN_IRELAND)):
        for name in names:
            if wanted == simple_name(name):
                return (f"{name} is in {country}, whose social care is devolved (run under {country}'s own laws) "
                        f"and whose GP, postcode and care-home data are not in the national data shipped with the "
                        f"tool, which covers England only.")
    districts = lookup[lookup["LAD24CD"].astype(str).str.startswith("E07")]
    for row in districts.itertuples():
        if wanted in (simple_name(row.LAD24CD), simple_name(row.LAD24NM)):
            return (f"{row.LAD24NM} ({row.LAD24CD}) is a district council: in a two-tier area the county commissions "
                    f"adult social care, so set up {row.CTYUA24NM} ({row.CTYUA24CD}), of which {row.LAD24NM} is a "
                    f"district: python -m caremap setup --council \"{row.CTYUA24NM}\".")
    for name, (code, successors, when) in FORMER_COUNCILS.items():
        if wanted in (simple_name(name), simple_name(code)):
            return (f"{name} County Council was replaced in {when} by {' and '.join(successors)}: set up either of "
                    f"them.")
    return None


def find_social_care_council(name: str, councils: list[SocialCareCouncil] | None = None,
                             lookup: pd.DataFrame | None = None) -> SocialCareCouncil:
    """The social-care council ``name`` means: its ONS name, its short name or its GSS code, case and punctuation
    forgiven (``"herefordshire"``, ``"Herefordshire, County of"``, ``"E06000019"``).

    Raises
    ------
    UnknownCouncilError
        For a Welsh, Scottish or Northern Irish council, a district council (naming its county), a council
        abolished since 2021 (naming its successors), or an unknown name (listing the closest names).
    """
    lookup = read_pack_table("lookup_lad24_ctyua24") if lookup is None else lookup
    councils = social_care_councils(lookup) if councils is None else councils
    wanted = simple_name(name)
    for council in councils:
        if wanted and wanted in (simple_name(council.code), simple_name(council.name), simple_name(council.slug)):
            return council
    refusal = _refusal(wanted, lookup, councils) if wanted else None
    if refusal:
        raise UnknownCouncilError(refusal)
    names = [council.short_name for council in councils]
    close = difflib.get_close_matches(str(name).strip(), names, n=5, cutoff=0.5)
    if not close:
        by_simple = {simple_name(item): item for item in names}
        close = [by_simple[key] for key in difflib.get_close_matches(wanted, list(by_simple), n=5, cutoff=0.5)]
    hint = f" Closest names: {', '.join(close)}." if close else ""
    raise UnknownCouncilError(f"{name!r} is not one of England's 153 social-care councils.{hint} List them all with: "
                              f"python -m caremap councils --available.")


def council_by_name(name: str) -> Council:
    """A council with settings (:func:`geo.council.load_council`), or a refusal that says, from the national data,
    which of the 153 it would be and how to set it up, why it cannot be (Wales, a district…), or the closest names.

    Raises
    ------
    UnknownCouncilError
        If no council of that name has settings.
    """
    try:
        return load_council(name)
    except UnknownCouncilError:
        known = ", ".join(council.slug for council in list_councils())
        try:
            target = find_social_care_council(name)
        except CareMapError as error:  # a refusal, an unknown name, or a damaged national pack: each says why
            why = str(error)
        else:
            why = (f"{target.name} is not set up yet. Set it up from the national data shipped with the tool "
                   f"(offline, seconds): python -m caremap setup --council {target.slug}")
        raise UnknownCouncilError(f"Unknown council {name!r}. Known councils: {known}. {why}") from None
