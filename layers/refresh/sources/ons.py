"""ONS Open Geography Portal: LSOA 2021 boundaries, district outlines, the lookups and the rural-urban
classification, from its ArcGIS REST services (or the CSV/GeoJSON files downloaded from the portal by hand).

Each table is one service (:class:`ServiceTable`): its name, a pattern its future names will match, the columns by
name (with patterns for the year in ``WD24CD``/``WD25CD``), and England selected by code. Names checked in working
public code are ``LSOA21_WD24_LAD24_EW_LU``, ``LSOA11_LSOA21_LAD22_EW_LU`` (its code field ``F_LSOA11CD``),
``LSOA21_RUC21_EW_LU`` and ``Lower_layer_Super_Output_Areas_December_2021_Boundaries_EW_BSC_V4``; the two district
lookups' and the outline's service names follow the same ONS pattern but are unconfirmed, which is what the pattern
search is for.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.settings import settings
from layers.refresh import arcgis
from layers.refresh.cache import Release
from layers.refresh.columns import Column, col, pick_columns, require_equal, require_rows
from layers.refresh.errors import SourceCheckFailed
from layers.refresh.sources.base import Context, Converted, RawFiles, Source, today

PORTAL = "https://geoportal.statistics.gov.uk"


@dataclass(frozen=True)
class ServiceTable:
    """One ONS service read into one table.

    Attributes
    ----------
    role : str
        Name of its raw files in the cache, and of the pack table it makes (:data:`layers.national.PACK_TABLES`).
    service : str
        The service name known today.
    pattern : str
        A regular expression (case forgiven) its renamed successors match.
    columns : tuple of Column
        What to take, as the table names it, in the table's order.
    england_by : str
        The target column whose code starts with ``E`` in England.
    geometry : bool
        Polygons wanted (WGS84).
    sort_by : str
        The pack's order, when it is sorted (else the publisher's order is kept).
    distinct : bool
        Drop repeated rows (the LSOA 2011 to 2021 lookup repeats some).
    """

    role: str
    service: str
    pattern: str
    columns: tuple[Column, ...]
    england_by: str
    geometry: bool = False
    sort_by: str = ""
    distinct: bool = False

    def matches(self, header: list[str], has_geometry: bool) -> bool:
        """True when a file with this header (and geometry or not) holds this table."""
        if self.geometry != has_geometry:
            return False
        return all(any(column.matches(name) for name in header) for column in self.columns)


LSOA21_WARD = ServiceTable(
    "lookup_lsoa21_ward24_ltla24", "LSOA21_WD24_LAD24_EW_LU", r"lsoa21_wd\d\d_lad\d\d_ew_lu(_v\d+)?",
    (col("lsoa21_name", "LSOA21NM"), col("lsoa21_code", "LSOA21CD"), col("ward24_name", pattern=r"wd\d\dnm"),
     col("ward24_code", pattern=r"wd\d\dcd"), col("ltla24_name", pattern=r"lad\d\dnm"),
     col("ltla24_code", pattern=r"lad\d\dcd")),
    "lsoa21_code")
LSOA11_LSOA21 = ServiceTable(
    "lookup_lsoa11_lsoa21_ltla22", "LSOA11_LSOA21_LAD22_EW_LU", r"lsoa11_lsoa21_lad\d\d_ew_lu(_v\d+)?",
    (col("lsoa11_name", "LSOA11NM"), col("lsoa11_code", "F_LSOA11CD", "LSOA11CD"), col("change_code", "CHGIND"),
     col("lsoa21_name", "LSOA21NM"), col("lsoa21_code", "LSOA21CD"), col("ltla22_name", pattern=r"lad\d\dnm"),
     col("ltla22_code", pattern=r"lad\d\dcd")),
    "ltla22_code", distinct=True)
LAD22_LAD23 = ServiceTable(
    "lookup_ltla22_ltla23", "LAD22_LAD23_EW_LU", r"lad22_lad23_ew_lu(_v\d+)?",
    (col("ltla22_code", "LAD22CD"), col("ltla22_name", "LAD22NM"), col("ltla23_code", "LAD23CD"),
     col("ltla23_name", "LAD23NM")),
    "ltla22_code", sort_by="ltla22_code")
LAD24_CTYUA24 = ServiceTable(
    "lookup_lad24_ctyua24", "LAD24_CTYUA24_EW_LU", r"lad24_ctyua24_ew_lu(_v\d+)?",
    (col("LAD24CD"), col("LAD24NM"), col("CTYUA24CD"), col("CTYUA24NM")),
    "LAD24CD", sort_by="LAD24CD")
LSOA21_BOUNDARIES = ServiceTable(
    "lsoa21_boundaries", "Lower_layer_Super_Output_Areas_December_2021_Boundaries_EW_BSC_V4",
    r"lower_layer_super_output_areas_(december|dec)_2021_boundaries_ew_bsc(_v\d+)?",
    (col("lsoa21_code", "LSOA21CD"), col("lsoa21_name", "LSOA21NM")), "lsoa21_code", geometry=True)
LAD24_OUTLINES = ServiceTable(
    "lad24_boundaries", "Local_Authority_Districts_May_2024_Boundaries_UK_BUC",
    r"local_authority_districts_may_2024_boundaries_uk_buc(_v\d+)?",
    (col("ltla24_name", "LAD24NM"), col("ltla24_code", "LAD24CD")), "ltla24_code", geometry=True)
RUC21 = ServiceTable(
    "ruc21_lsoa21", "LSOA21_RUC21_EW_LU", r"lsoa21_ruc21_ew_lu(_v\d+)?",
    (col("lsoa21_code", "LSOA21CD"), col("ruc21_code", "RUC21CD"), col("classification", "RUC21NM"),
     col("ruc", "Urban_rural_flag")),
    "lsoa21_code")

SERVICE_TABLES = (LSOA21_WARD, LSOA11_LSOA21, LAD22_LAD23, LAD24_CTYUA24, LSOA21_BOUNDARIES, LAD24_OUTLINES, RUC21)
"""Every ONS table, most specific first (a file is recognised as the first whose columns it has)."""


def read_ons_file(paths: list[Path], *, geometry: bool) -> pd.DataFrame:
    """The rows of ONS raw files: saved API pages or a GeoJSON (read as JSON, so coordinates stay exactly as sent;
    a GeoJSON too big for that through GDAL), or a CSV downloaded from the portal (its byte-order mark dropped)."""
    if not paths:
        return pd.DataFrame()
    head = paths[0].read_bytes()[:64].lstrip(b"\xef\xbb\xbf \r\n\t")
    if not head.startswith(b"{"):
        frames = [pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig") for path in paths]
        return pd.concat(frames, ignore_index=True)
    if len(paths) == 1 and paths[0].stat().st_size > LARGE_JSON_BYTES:
        frame = gpd.read_file(paths[0])
        if not geometry:
            return pd.DataFrame(frame.drop(columns="geometry"))
        frame = frame.to_crs("EPSG:4326") if frame.crs else frame.set_crs("EPSG:4326")
        frame["geometry"] = frame.geometry.map(arcgis.rounded)
        return frame
    return arcgis.pages_frame(paths, geometry=geometry)


LARGE_JSON_BYTES = 256 * 2**20
"""A GeoJSON larger than this is read through GDAL rather than parsed whole in memory."""


def table_from(spec: ServiceTable, frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """Check ``frame`` has the spec's columns and make its table: England's rows, the pack's names and order."""
    names = pick_columns([str(c) for c in frame.columns if c != "geometry"], spec.columns, where=where)
    table = pd.DataFrame({target: frame[name].astype("string") for target, name in names.items()})
    table = table[[column.target for column in spec.columns]]
    england = table[spec.england_by].fillna("").str.startswith("E").to_numpy()
    if spec.geometry:
        table = gpd.GeoDataFrame(table, geometry=list(frame.geometry), crs=frame.crs or "EPSG:4326")
    table = table[england]
    if spec.distinct:
        table = table.drop_duplicates()
    if spec.sort_by:
        table = table.sort_values(spec.sort_by, kind="stable")
    require_rows(len(table), 1, where=where, what="English rows")
    return table.reset_index(drop=True)


class ArcGISSource(Source):
    """A source made of ONS services (subclasses list them in ``specs``)."""

    specs: tuple[ServiceTable, ...] = ()
    where_to_get = f"{PORTAL} (each dataset's Download: CSV for a lookup, GeoJSON for boundaries)"

    def __init__(self, specs: tuple[ServiceTable, ...] | None = None) -> None:
        if specs is not None:
            self.specs = specs
        self.roles = {spec.role: f"ONS {spec.service} ({'GeoJSON' if spec.geometry else 'CSV'})" for spec in self.specs}

    def urls(self) -> list[str]:
        return [settings.ons_arcgis_url]

    def download(self, context: Context) -> Release:
        base = settings.ons_arcgis_url.rstrip("/")
        staging = context.cache.stage(self.name)
        roles, notes, edits = {}, [], []
        try:
            for spec in self.specs:
                context.progress(f"{self.title}: asking ONS for {spec.service}…")
                layer = arcgis.open_layer(context.client, base, spec.service, spec.pattern)
                if layer.service != spec.service:
                    notes.append(f"{spec.service} has moved: read {layer.service} instead.")
                fields = [field.get("name", "") for field in layer.info.get("fields", [])]
                where = f"ONS service {layer.service}"
                names = pick_columns(fields, spec.columns, where=where) if fields else {}
                code_field = names.get(spec.england_by) or next(
                    column.names[0] for column in spec.columns if column.target == spec.england_by)
                count = arcgis.fetch_pages(context.client, layer, staging, role=spec.role,
                                           where=f"{code_field} LIKE 'E%'", fields=list(names.values()) or ["*"],
                                           geometry=spec.geometry)
                context.progress(f"{self.title}: {count:,} rows of {layer.service}.")
                edited = f"last edited {layer.last_edit}" if layer.last_edit else f"retrieved {today()}"
                roles[spec.role] = {"service": layer.service, "vintage": f"ONS {layer.service} ({edited})"}
                edits.append(layer.last_edit or today())
        except BaseException:
            staging.discard()
            raise
        return staging.commit(max(edits), vintage="; ".join(role["vintage"] for role in roles.values()),
                              notes=notes, roles=roles)

    def tables_of(self, files: RawFiles) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
        """Each spec's table from the raw files that have it, with its vintage."""
        tables, vintages = {}, {}
        for spec in self.specs:
            paths = files.paths(spec.role)
            if not paths:
                continue
            where = f"{self.title}: {paths[0].name if len(paths) == 1 else spec.service}"
            tables[spec.role] = table_from(spec, read_ons_file(paths, geometry=spec.geometry), where)
            vintages[spec.role] = files.role_vintage(spec.role)
        return tables, vintages


class LookupsSource(ArcGISSource):
    """The four ONS lookups: LSOA 2021 to ward to district, LSOA 2011 to 2021, district 2022 to 2023, district to
    council."""

    name = "lookups"
    title = "ONS lookups"
    tables = (LSOA21_WARD.role, LSOA11_LSOA21.role, LAD22_LAD23.role, LAD24_CTYUA24.role)
    specs = (LSOA21_WARD, LSOA11_LSOA21, LAD22_LAD23, LAD24_CTYUA24)
    required_roles = ()

    def convert(self, files: RawFiles, context: Context) -> Converted:
        tables, vintages = self.tables_of(files)
        if not tables:
            raise SourceCheckFailed(f"{self.title}: none of the four lookups is among the files.")
        ward = tables.get(LSOA21_WARD.role)
        if ward is not None and ward["lsoa21_code"].duplicated().any():
            raise SourceCheckFailed(f"{self.title}: the LSOA to ward lookup lists some LSOAs twice "
                                    f"({', '.join(ward.loc[ward['lsoa21_code'].duplicated(), 'lsoa21_code'][:5])}).")
        return Converted(tables, vintages)


class BoundariesSource(ArcGISSource):
    """LSOA 2021 polygons (checked against the LSOA to ward lookup: the same LSOAs) and district outlines."""

    name = "boundaries"
    title = "ONS boundaries"
    tables = (LSOA21_BOUNDARIES.role, LAD24_OUTLINES.role)
    specs = (LSOA21_BOUNDARIES, LAD24_OUTLINES)
    required_roles = (LSOA21_BOUNDARIES.role,)

    def convert(self, files: RawFiles, context: Context) -> Converted:
        tables, vintages = self.tables_of(files)
        polygons = tables.get(LSOA21_BOUNDARIES.role)
        if polygons is None:
            raise SourceCheckFailed(f"{self.title}: no LSOA 2021 boundaries among the files.")
        lookup = context.table(LSOA21_WARD.role)
        if lookup is None:
            raise SourceCheckFailed(f"{self.title}: the LSOA polygons carry no ward or district; the LSOA to ward "
                                    f"lookup is needed too (refresh 'lookups' as well).")
        england = set(lookup.loc[lookup["lsoa21_code"].astype(str).str.startswith("E"), "lsoa21_code"].astype(str))
        require_equal(len(polygons), len(england), where=self.title,
                      what="LSOAs in the boundaries against the lookup's LSOAs")
        unmatched = polygons.loc[~polygons["lsoa21_code"].isin(england), "lsoa21_code"]
        if len(unmatched):
            raise SourceCheckFailed(f"{self.title}: {len(unmatched):,} LSOAs are not in the lookup "
                                    f"({', '.join(unmatched[:5])}…): the two are from different releases.")
        return Converted(tables, vintages)


class RuralUrbanSource(ArcGISSource):
    """The rural-urban classification 2021 of LSOAs."""

    name = "rural_urban"
    title = "ONS rural-urban classification"
    tables = (RUC21.role,)
    specs = (RUC21,)
    required_roles = (RUC21.role,)

    def convert(self, files: RawFiles, context: Context) -> Converted:
        tables, vintages = self.tables_of(files)
        if RUC21.role not in tables:
            raise SourceCheckFailed(f"{self.title}: no rural-urban classification among the files.")
        notes = []
        lookup = context.table(LSOA21_WARD.role)
        if lookup is not None:
            lsoas = int(lookup["lsoa21_code"].astype(str).str.startswith("E").sum())
            require_equal(len(tables[RUC21.role]), lsoas, where=self.title,
                          what="LSOAs classified against the lookup's LSOAs")
        else:
            notes.append("LSOA count not checked: no LSOA lookup to compare with.")
        return Converted(tables, vintages, notes)
