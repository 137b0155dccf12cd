"""Cut one social-care council out of the national pack into the files the tool reads (:data:`layers.catalog.DATASETS`).

The files are laid out as the bundled councils' under ``data/`` and written in the same form (columns, order, CSV
dialect, GeoJSON writer), so a council set up from the pack loads exactly as a bundled one: cutting Herefordshire or
Rutland gives their bundled layers. What the pack cannot give is derived and said so:

- **MSOA 2021** areas are the council's LSOAs dissolved on the MSOA name (the LSOA name without its final letter);
  no MSOA code is held, so the name is the code.
- **Wards** are the May 2024 wards the ONS lookup best-fits each LSOA to, dissolved from those LSOAs (not the
  ONS ward boundaries; a ward smaller than an LSOA is absorbed into its neighbour).
- **Hospitals**: no national list is held; no hospital layer is written.

Where a refresh from the publishers has made a table in their current shape (:data:`layers.national.NEWER_SHAPES`),
the council is cut from it: people from the estimates on 2021 LSOAs directly (``population_lsoa21_syoa.csv``, no 2011
LSOA carried through the lookup), practices with their PCN as NHS ODS now joins them, projections of the newest round.
The vintage of every table read is kept (:meth:`NationalPack.layer_vintages`) for the council's settings file.

Traps handled (``SOURCES.md``): districts merged in April 2023 (the 2022 codes of the LSOA lookup mapped with
``lookup_ltla22_ltla23``); Barnsley and Sheffield already on their April 2025 codes in Code-Point Open (written with
the May 2024 codes of every other table, :data:`layers.national.CODEPOINT_RECODES`); postcodes without coordinates
(PQI 90) left out; places cut by the LSOA sidecar, since they carry names, not codes.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo.files import replaced_whole
from geo.units import BNG, WGS84
from layers.care_homes import homes_near
from layers.catalog import DATASETS, estimates_year
from layers.national import (
    AGE_COLUMNS,
    CODEPOINT_RECODES,
    EPCN_END,
    EPCN_PRACTICE,
    EPCN_START,
    layer_vintages,
    newest_of,
    read_pack_table,
    table_vintage,
)
from layers.population import apportion_to_lsoa21
from layers.social_care import SocialCareCouncil, social_care_councils

BORDER_M = 15_000.0
"""How far beyond the boundary practices and care homes are kept (people near a border use them)."""

SNPP_SUCCESSORS = {
    "E06000028": "E06000058", "E06000029": "E06000058", "E07000048": "E06000058",  # Bournemouth, Christchurch, Poole 2019
    "E07000049": "E06000059", "E07000050": "E06000059", "E07000051": "E06000059", "E07000052": "E06000059",
    "E07000053": "E06000059",  # Dorset 2019
    "E07000201": "E07000245", "E07000204": "E07000245",  # West Suffolk 2019
    "E07000205": "E07000244", "E07000206": "E07000244",  # East Suffolk 2019
    "E07000190": "E06000066", "E07000191": "E06000066",  # Taunton Deane, West Somerset (2019), Somerset 2023
    "E07000004": "E06000060", "E07000005": "E06000060", "E07000006": "E06000060", "E07000007": "E06000060",  # Bucks 2020
    "E07000150": "E06000061", "E07000152": "E06000061", "E07000153": "E06000061", "E07000156": "E06000061",  # N Northants
    "E07000151": "E06000062", "E07000154": "E06000062", "E07000155": "E06000062",  # West Northamptonshire 2021
}
"""District codes of the ONS 2016-based projections (2016–21 codes) that were merged before 2022 -> the May 2024 code
of the council that took them over (ONS code history). Later mergers come from ``lookup_ltla22_ltla23``."""

PRACTICE_COLUMNS = ["practice_code", "practice_name", "postcode", "commissioner", "pcn_code", "pcn_name",
                    "pcn_start_date", "Eastings", "Northings", "Admin_district_code", "Admin_ward_code"]
"""Columns of the bundled practice tables (``gp_practices_pcn.csv``, ``gp_practices_border15km.csv``)."""

LSOA_PROPERTIES = ["lsoa21_code", "lsoa21_name", "ward24_code", "ward24_name", "ltla24_code", "ltla24_name"]


@dataclass
class CutSummary:
    """What was cut for one council: counts for the setup's report and figures for its settings file."""

    council: SocialCareCouncil
    folder: Path
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    population: dict[str, int] = field(default_factory=dict)
    population_year: int = 2020
    projection: pd.DataFrame | None = None
    centres: tuple[str, ...] = ()
    centre_kind: str = ""


class NationalPack:
    """The pack's tables, each read once when first needed and shared by every council cut from it (``--all``), with
    the vintage of each table read."""

    def __init__(self) -> None:
        self._tables: dict[str, pd.DataFrame] = {}
        self.vintages: dict[str, str] = {}

    def table(self, name: str) -> pd.DataFrame:
        if name not in self._tables:
            self._tables[name] = read_pack_table(name)
            self.vintages[name] = table_vintage(name)
        return self._tables[name]

    def layer_vintages(self) -> dict[str, str]:
        """The vintage of each council layer cut so far, from the tables it was cut from
        (:func:`layers.national.layer_vintages`)."""
        return layer_vintages(self.vintages)

    @cached_property
    def councils(self) -> list[SocialCareCouncil]:
        return social_care_councils(self.table("lookup_lad24_ctyua24"))

    @cached_property
    def lsoa(self) -> gpd.GeoDataFrame:
        """Every LSOA 2021 polygon (WGS84) with its best-fit ward and district, in the source's order."""
        names = self.table("lookup_lsoa21_ward24_ltla24").astype(str)
        boundaries = self.table("lsoa21_boundaries")
        frame = boundaries.merge(names, on="lsoa21_code", how="left", validate="1:1")
        return gpd.GeoDataFrame(frame[LSOA_PROPERTIES + ["geometry"]], geometry="geometry", crs=WGS84)

    @cached_property
    def district_2024(self) -> dict[str, str]:
        """Any district code of the pack's tables (2016–21 projections, 2022 LSOA lookup) -> its May 2024 code."""
        merges = self.table("lookup_ltla22_ltla23")
        mapping = dict(zip(merges["ltla22_code"].astype(str), merges["ltla23_code"].astype(str)))
        return {**mapping, **SNPP_SUCCESSORS}

    @cached_property
    def postcodes(self) -> pd.DataFrame:
        """Code-Point Open postcodes with coordinates, district codes on the May 2024 codes (codes stay
        dictionary-encoded: 1.49 M rows)."""
        table = self.table("codepoint_open")
        table = table[table["Eastings"].gt(0) & table["Admin_district_code"].notna()].reset_index(drop=True)
        districts = table["Admin_district_code"].cat
        renamed = [CODEPOINT_RECODES.get(code, code) for code in districts.categories]
        if len(set(renamed)) == len(renamed):
            return table.assign(Admin_district_code=districts.rename_categories(renamed))
        return table.assign(Admin_district_code=table["Admin_district_code"].astype(str).replace(CODEPOINT_RECODES))

    @cached_property
    def practices(self) -> pd.DataFrame:
        """Active GP practices of England (epraccur status A, prescribing setting 4) with their current PCN (ePCN,
        no relationship end date) and their postcode's Code-Point centroid, district and ward: the selection of the
        bundled practice files; or, once refreshed from NHS ODS, its current practices with their PCN as
        ``gp_practices_pcn`` joins them. Practices whose postcode Code-Point does not hold (Welsh surgeries, a few
        English ones) have no coordinates."""
        newest = newest_of("epraccur")
        frame = self.table(newest) if newest != "epraccur" else self._practices_2023()
        frame = frame.astype({column: object for column in ("practice_code", "practice_name", "postcode",
                                                            "commissioner", "pcn_code", "pcn_name")})
        located = self.postcodes[self.postcodes["Postcode"].isin(set(frame["postcode"].dropna()))]
        located = located.drop(columns="Positional_quality_indicator").rename(columns={"Postcode": "postcode"})
        located = located.astype({"Admin_district_code": str, "Admin_ward_code": str})
        frame = frame.merge(located, on="postcode", how="left")
        whole = {column: "Int64" for column in ("pcn_start_date", "Eastings", "Northings")}
        return frame[PRACTICE_COLUMNS].astype(whole).reset_index(drop=True)

    def _practices_2023(self) -> pd.DataFrame:
        """The shipped practices (epraccur, status A and prescribing setting 4) with their PCN from ePCN."""
        practices = self.table("epraccur")
        practices = practices[practices["Status Code"].astype(str).eq("A") & practices["Prescribing Setting"].eq(4)]
        frame = pd.DataFrame({"practice_code": practices["Organisation Code"].astype(str),
                              "practice_name": practices["Name"].astype(str), "postcode": practices["Postcode"],
                              "commissioner": practices["Commissioner"].astype(str)})
        partners = self.table("epcn_core_partners")
        current = partners[partners[EPCN_END].isna()].drop_duplicates(EPCN_PRACTICE)
        pcn = pd.DataFrame({"practice_code": current[EPCN_PRACTICE].astype(str),
                            "pcn_code": current["PCN Code"].astype(str), "pcn_name": current["PCN Name"].astype(str),
                            "pcn_start_date": current[EPCN_START]})
        return frame.merge(pcn, on="practice_code", how="left")

    @cached_property
    def places(self) -> pd.DataFrame:
        """OS Open Names places with the district of the LSOA each lies in (the sidecar's ``ltla24_code``)."""
        sidecar = self.table("open_names_places_lsoa21")[["ID", "ltla24_code"]].astype(str)
        return self.table("open_names_places").merge(sidecar, on="ID", how="left", validate="1:1")


# --- Writing --------------------------------------------------------------------------------------------------


def _path(folder: Path, key: str, slug: str) -> Path:
    path = DATASETS[key].location(slug, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _write_csv(frame: pd.DataFrame, path: Path, *, quote_all: bool = False) -> None:
    # Numbers as the sources write them: 227616 and 360549.98, not 227616.0.
    with replaced_whole(path) as partial:
        frame.to_csv(partial, index=False, lineterminator="\n",
                     quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, float_format="%.15g")


def _write_geojson(frame: gpd.GeoDataFrame, path: Path, layer: str, **options) -> None:
    """GeoJSON as the bundled boundaries were written (GDAL, RFC 7946: WGS84, no ``crs`` member)."""
    with replaced_whole(path) as partial:
        pyogrio.write_dataframe(frame, partial, layer=layer, driver="GeoJSON", RFC7946="YES", **options)


def _dissolved(lsoa: gpd.GeoDataFrame, by: str, name: str, code: str) -> gpd.GeoDataFrame:
    """LSOA polygons dissolved into larger areas (``by`` their name/code column), sorted by code."""
    groups = lsoa.dissolve(by=by, as_index=False)
    return gpd.GeoDataFrame({name: groups[name], code: groups[code]}, geometry=groups.geometry.make_valid(),
                            crs=WGS84).sort_values(code).reset_index(drop=True)


def _distances(outline: shapely.Geometry, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whether each point lies in ``outline`` and its distance to it in whole metres (0 inside)."""
    points = shapely.points(x, y)
    inside = shapely.contains_xy(outline, x, y)
    distance = np.where(inside, 0.0, shapely.distance(outline, points))
    return inside, np.rint(distance).astype("int64")


def _near(outline: shapely.Geometry, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Positions of the points within :data:`BORDER_M` of ``outline``'s bounding box (candidates)."""
    xmin, ymin, xmax, ymax = outline.bounds
    return np.flatnonzero((x >= xmin - BORDER_M) & (x <= xmax + BORDER_M) & (y >= ymin - BORDER_M) &
                          (y <= ymax + BORDER_M))


def cut_council(council: SocialCareCouncil, pack: NationalPack, folder: Path) -> CutSummary:
    """Write every layer of ``council`` under ``folder`` (laid out as ``data/``) from the national pack.

    Returns
    -------
    CutSummary
        Counts of what was written, notes on what was left out, the population aged 65+ and 85+ (mid-2020), the
        projections of its districts and its fee-zone centres.
    """
    summary = CutSummary(council, folder)
    slug, lads = council.slug, set(council.lad_codes)
    chosen = pack.lsoa["ltla24_code"].isin(lads).to_numpy()
    lsoa = pack.lsoa[chosen].reset_index(drop=True)
    outline = shapely.union_all(lsoa.geometry.to_crs(BNG).to_numpy())
    summary.counts["lsoa"] = len(lsoa)
    _write_geojson(lsoa, _path(folder, "lsoa21", slug), "lsoa21_bsc")
    msoa = _dissolved(lsoa.assign(msoa21_name=lsoa["lsoa21_name"].str[:-1],
                                  msoa21_code=lsoa["lsoa21_name"].str[:-1]), "msoa21_name", "msoa21_name", "msoa21_code")
    _write_geojson(msoa, _path(folder, "msoa21", slug), "msoa21_from_lsoa21", COORDINATE_PRECISION=6)
    wards = _dissolved(lsoa.rename(columns={"ward24_code": "ward22_code", "ward24_name": "ward22_name"}),
                       "ward22_code", "ward22_name", "ward22_code")
    _write_geojson(wards, _path(folder, "wards22", slug), "wards24_from_lsoa21", COORDINATE_PRECISION=6)
    outlines = pack.table("lad24_boundaries")
    _write_geojson(outlines[outlines["ltla24_code"].isin(lads)].reset_index(drop=True), _path(folder, "lad24", slug),
                   "lad24_buc")
    summary.counts |= {"msoa": len(msoa), "wards": len(wards)}

    _cut_people(council, pack, folder, lsoa, summary)
    _cut_postcodes_and_places(council, pack, folder, summary)
    _cut_practices(council, pack, folder, outline, summary)
    _cut_care_homes(council, pack, folder, outline, summary)
    return summary


def _cut_people(council: SocialCareCouncil, pack: NationalPack, folder: Path, lsoa: gpd.GeoDataFrame,
                summary: CutSummary) -> None:
    slug, lads, mine = council.slug, set(council.lad_codes), set(lsoa["lsoa21_code"])
    # Rows by the 2021 LSOA's own district (May 2024), not the lookup's 2022 one: an LSOA can move (E01027305,
    # "West Northamptonshire 048E", is in Cherwell's May 2024 lookup).
    lookup = pack.table("lookup_lsoa11_lsoa21_ltla22")
    rows = lookup[lookup["lsoa21_code"].isin(mine)]
    _write_csv(rows, _path(folder, "lsoa_lookup", slug), quote_all=True)
    source = newest_of("population_mid2020_lsoa11")
    population = pack.table(source)
    if source == "population_lsoa21":  # the current estimates are on 2021 LSOAs: nothing to carry or share
        population = population[population["lsoa21_code"].isin(mine)]
        written, stale = "population_lsoa21", "population"
        missing = sorted(mine - set(population["lsoa21_code"]))
        if missing:
            summary.notes.append(f"{len(missing)} LSOA(s) have no population in the estimates: {', '.join(missing[:5])}.")
    else:
        population = population[population["lsoa11_code"].isin(set(rows["lsoa11_code"]))]
        shared = lookup[lookup["lsoa11_code"].isin(set(rows["lsoa11_code"])) & ~lookup["lsoa21_code"].isin(mine)]
        if len(shared):
            population = _own_share(population, lookup[lookup["lsoa11_code"].isin(set(shared["lsoa11_code"]))], mine,
                                    pack)
            summary.notes.append(f"{shared['lsoa11_code'].nunique()} 2011 LSOA(s) were split between this council and "
                                 f"another ({', '.join(sorted(set(shared['lsoa11_code'])))}): only this council's "
                                 f"share of their people, by postcodes, is kept.")
        written, stale = "population", "population_lsoa21"
    _write_csv(population, _path(folder, written, slug))
    DATASETS[stale].location(slug, folder).unlink(missing_ok=True)  # a cut of the other shape, from before
    summary.population_year = estimates_year(pack.vintages[source])
    ages = population[list(AGE_COLUMNS)].sum()
    years = np.array([int(column.rstrip("+")) for column in AGE_COLUMNS])
    summary.population = {"total": int(ages.sum()), "65plus": int(ages[years >= 65].sum()),
                          "85plus": int(ages[years >= 85].sum()), "18to64": int(ages[(years >= 18) & (years < 65)].sum())}
    ruc = pack.table("ruc21_lsoa21")
    _write_csv(ruc[ruc["lsoa21_code"].isin(set(lsoa["lsoa21_code"]))], _path(folder, "ruc21", slug))
    projections = pack.table(newest_of("snpp2016_age60plus"))
    codes = projections["AREA_CODE"].astype(str)
    mine = projections[codes.map(pack.district_2024).fillna(codes).isin(lads).to_numpy()]
    summary.projection = mine.groupby("age")[[column for column in mine.columns if str(column).isdigit()]].sum()
    if mine.empty:
        summary.notes.append("No ONS projection covers its districts: no growth is projected.")


def _own_share(population: pd.DataFrame, pairs: pd.DataFrame, mine: set[str], pack: NationalPack) -> pd.DataFrame:
    """``population`` with each 2011 LSOA of ``pairs`` (split between councils) cut to the people of its successors in
    ``mine``, shared by postcodes as :func:`layers.population.apportion_to_lsoa21` shares them."""
    successors = sorted(set(pairs["lsoa21_code"]))
    chosen = pack.lsoa[pack.lsoa["lsoa21_code"].isin(successors)]
    polygons, codes = chosen.geometry.to_crs(BNG), chosen["lsoa21_code"]
    x, y = pack.postcodes["Eastings"].to_numpy(float), pack.postcodes["Northings"].to_numpy(float)
    weights = pd.Series({code: int(shapely.contains_xy(shape, x, y).sum()) for code, shape in zip(codes, polygons)})
    ages = list(AGE_COLUMNS)
    population = population.astype({column: "int64" for column in [*ages, "total_population"]})
    for code, successors_of_one in pairs.groupby("lsoa11_code"):
        row = population["lsoa11_code"].eq(code).to_numpy()
        counts = population.loc[row, ages].astype("int64").set_axis(pd.Index([code], name="lsoa11_code"))
        shares = apportion_to_lsoa21(counts, successors_of_one, weights)
        population.loc[row, ages] = shares[shares.index.isin(mine)].sum().to_numpy()[None, :]
    split = population["lsoa11_code"].isin(set(pairs["lsoa11_code"]))
    population.loc[split, "total_population"] = population.loc[split, list(AGE_COLUMNS)].sum(axis=1)
    return population


def _cut_postcodes_and_places(council: SocialCareCouncil, pack: NationalPack, folder: Path,
                              summary: CutSummary) -> None:
    slug = council.slug
    postcodes = pack.postcodes[pack.postcodes["Admin_district_code"].isin(council.lad_codes)]
    _write_csv(postcodes, _path(folder, "postcodes", slug))
    summary.counts["postcodes"] = len(postcodes)
    recoded = [f"{old} as {new}" for old, new in CODEPOINT_RECODES.items() if new in council.lad_codes]
    if recoded:
        summary.notes.append(f"Code-Point Open gives this council's postcodes the April 2025 code {recoded[0].split()[0]}; "
                             f"written with the May 2024 code {recoded[0].split()[-1]} of every other layer.")
    places = pack.places[pack.places["ltla24_code"].isin(council.lad_codes)]
    _write_csv(places.drop(columns="ltla24_code"), _path(folder, "places", slug))
    summary.counts["places"] = len(places)
    summary.centres, summary.centre_kind = fee_zone_centres(places)


CENTRE_KINDS = (("City", "Town"), ("Suburban Area",), ("Village",))
"""The settlement kinds fee-zone centres are taken from, in order of preference: a council's city and towns; a London
borough's suburban areas (OS Open Names has no towns in 31 of them); the villages of a council with neither."""


def fee_zone_centres(places: pd.DataFrame) -> tuple[tuple[str, ...], str]:
    """The council's fee-zone centres (OS Open Names ``NAME1``, each name once, cities first) and their kind."""
    for kinds in CENTRE_KINDS:
        chosen = places[places["LOCAL_TYPE"].astype(str).isin(kinds)]
        if len(chosen):
            order = chosen.assign(_rank=chosen["LOCAL_TYPE"].astype(str).map(kinds.index))
            names = order.sort_values(["_rank", "NAME1"])["NAME1"].astype(str).drop_duplicates()
            return tuple(names), " and ".join(kind.lower() for kind in kinds)
    return (), ""


def _cut_practices(council: SocialCareCouncil, pack: NationalPack, folder: Path, outline: shapely.Geometry,
                   summary: CutSummary) -> None:
    slug, lads = council.slug, set(council.lad_codes)
    practices = pack.practices
    located = practices["Eastings"].notna()
    inside = practices["Admin_district_code"].isin(lads)
    served_pcns = set(practices.loc[inside, "pcn_code"].dropna())
    members = practices["pcn_code"].isin(served_pcns)
    missing = practices[members & ~located]
    chosen = practices[(inside | members) & located].assign(in_council=inside)
    _write_csv(chosen.sort_values("practice_code"), _path(folder, "practices", slug))
    summary.counts |= {"practices": int(inside.sum()), "pcns": len(served_pcns),
                       "pcn_members_elsewhere": int((members & ~inside & located).sum())}
    if len(missing):
        named = ", ".join(missing["practice_code"] + " " + missing["postcode"].fillna(""))
        summary.notes.append(f"{len(missing)} member practice(s) of its PCNs have a postcode Code-Point Open does not "
                             f"hold and are left out: {named}.")
    if not served_pcns:
        summary.notes.append("No practice in the council belongs to a Primary Care Network: PCN localities cannot be "
                             "built.")

    others = practices[located & ~inside].reset_index(drop=True)
    x, y = others["Eastings"].to_numpy(dtype=float), others["Northings"].to_numpy(dtype=float)
    near = _near(outline, x, y)
    _, distance = _distances(outline, x[near], y[near])
    border = others.iloc[near].assign(distance_to_boundary_m=distance, inside_council=False)
    border = border[border["distance_to_boundary_m"] <= BORDER_M].sort_values("practice_code")
    _write_csv(border, _path(folder, "border_practices", slug))
    summary.counts["border_practices"] = len(border)


def _cut_care_homes(council: SocialCareCouncil, pack: NationalPack, folder: Path, outline: shapely.Geometry,
                    summary: CutSummary) -> None:
    chosen = homes_near(pack.table("cqc_care_homes"), gpd.GeoDataFrame(geometry=[outline], crs=BNG),
                        within_m=BORDER_M)
    _write_csv(chosen, _path(folder, "care_homes", council.slug))
    within = chosen[chosen["inside_council"]]
    older = within["Service user band - Older People"].astype(str).eq("Y")
    summary.counts |= {"care_homes": len(within), "care_home_beds": int(within["Care homes beds"].sum()),
                       "older_people_beds": int(within.loc[older, "Care homes beds"].sum()),
                       "care_homes_beyond": int((~chosen["inside_council"]).sum())}
