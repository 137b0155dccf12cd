"""Stand-in publishers for the refresh tests, built from the committed fixtures (``tests/fixtures/publishers``).

Each fake answers in its publisher's format: ONS ArcGIS REST (catalogue, layer description, count, pages with and
without ``exceededTransferLimit``, HTTP 200 error bodies), Nomis (CSV pages of at most ``nomis_page_rows`` rows, an
empty 200 for parameters it does not know), NHS ODS Data Search and Export (CSV reports; the legacy zip refused),
CQC (the "Using CQC data" page and the care directory file), OS Downloads (product, download list with MD5, the
zip), ONS projections (a zip) and Geofabrik (index, extract and its .md5).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import requests

from geo.settings import settings
from tests.refresh.standin import Reply, Request, StandIn, file_reply

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "publishers"
PACK = FIXTURES / "pack"
PUBLISHED = FIXTURES / "published"
RUTLAND = "E06000017"
PBF = settings.data_folder / "osm" / "rutland-latest.osm.pbf"


FIXTURE_OF = {"lsoa21_boundaries": "lsoa21_bsc_england", "lad24_boundaries": "lad24_buc_england",
              "lookup_lsoa21_ward24_ltla24": "lookup_lsoa21_ward24_ltla24",
              "lookup_lsoa11_lsoa21_ltla22": "lookup_lsoa11_lsoa21_ltla22",
              "lookup_ltla22_ltla23": "lookup_ltla22_ltla23_england", "lookup_lad24_ctyua24": "lookup_lad24_ctyua24_england",
              "population_mid2020_lsoa11": "population_mid2020_lsoa11_syoa", "ruc21_lsoa21": "ruc21_lsoa21",
              "codepoint_open": "codepoint_open_england", "cqc_care_homes": "cqc_care_homes"}
"""Pack table -> the fixture (under ``pack/``) holding Rutland's rows of its national source file."""


def pack_csv(name: str) -> pd.DataFrame:
    """A pack fixture as text, as the national file has it."""
    return pd.read_csv(PACK / f"{name}.csv", dtype=str, keep_default_na=False)


def read_refreshed_table(name: str) -> pd.DataFrame | None:
    """A pack table refreshed into the user's folder (None when it was not)."""
    from layers import national

    return national.read_pack_table(name) if national.refreshed_path(name).is_file() else None


def _json(body, status: int = 200) -> Reply:
    return Reply(status, json.dumps(body).encode(), {"Content-Type": "application/json"})


# --- ONS ArcGIS -------------------------------------------------------------------------------------------------


@dataclass
class Service:
    rows: list[dict]
    geometries: list[dict] | None = None
    max_records: int = 10
    flag: str = "normal"  # "normal": exceededTransferLimit on every page but the last; "never": not sent at all
    edited_ms: int = 1_714_000_000_000  # 24 April 2024
    object_id: str = "ObjectId"
    hidden: bool = False  # the service answers 404 (it has moved)

    def fields(self) -> list[str]:
        return [self.object_id, *self.rows[0].keys()] if self.rows else [self.object_id]


class ArcGIS:
    """ONS Open Geography Portal's services under ``/arcgis/rest/services``."""

    prefix = "/arcgis/rest/services"

    def __init__(self, server: StandIn) -> None:
        self.server = server
        self.services: dict[str, Service] = {}
        server.route(self.prefix, self._catalogue)

    def add(self, name: str, service: Service) -> Service:
        self.services[name] = service
        base = f"{self.prefix}/{name}/FeatureServer/0"
        self.server.route(base, lambda request: self._layer(name))
        self.server.route(f"{base}/query", lambda request: self._query(name, request))
        return service

    def _catalogue(self, request: Request) -> Reply:
        names = [name for name, service in self.services.items() if not service.hidden]
        return _json({"currentVersion": 11.1, "services": [{"name": name, "type": "FeatureServer",
                                                           "url": f"{self.server.url}{self.prefix}/{name}/FeatureServer"}
                                                          for name in names]})

    def _layer(self, name: str) -> Reply:
        service = self.services[name]
        if service.hidden:
            return Reply(404, b'{"error":{"code":404,"message":"Service not found"}}', {"Content-Type": "application/json"})
        return _json({"name": name, "type": "Feature Layer" if service.geometries else "Table",
                      "maxRecordCount": service.max_records, "objectIdField": service.object_id,
                      "editingInfo": {"lastEditDate": service.edited_ms},
                      "fields": [{"name": field_name, "type": "esriFieldTypeString"} for field_name in service.fields()]})

    def _query(self, name: str, request: Request) -> Reply:
        service = self.services[name]
        if service.hidden:
            return Reply(404, b"{}", {"Content-Type": "application/json"})
        query = request.query
        where = query.get("where", "")
        selected = self._where(service, where)
        if selected is None:
            return _json({"error": {"code": 400, "message": "Unable to complete operation.",
                                    "details": [f"Unable to perform query. Please check your parameters ({where})."]}})
        if query.get("returnCountOnly") == "true":
            return _json({"count": len(selected)})
        wanted = query.get("outFields", "*")
        fields = service.fields() if wanted == "*" else wanted.split(",")
        unknown = [name for name in fields if name not in service.fields()]
        if unknown:
            return _json({"error": {"code": 400, "message": "Invalid field(s)", "details": unknown}})
        offset = int(query.get("resultOffset", 0))
        size = min(int(query.get("resultRecordCount", service.max_records)), service.max_records)
        page = selected[offset:offset + size]
        more = offset + size < len(selected)
        if query.get("f") == "geojson":
            features = [{"type": "Feature", "id": index + 1,
                         "geometry": service.geometries[index] if service.geometries else None,
                         "properties": {key: self._value(service, index, key) for key in fields}} for index in page]
            body = {"type": "FeatureCollection", "features": features}
            if more and service.flag == "normal":
                body["properties"] = {"exceededTransferLimit": True}
        else:
            body = {"objectIdFieldName": service.object_id, "fields": [{"name": key} for key in fields],
                    "features": [{"attributes": {key: self._value(service, index, key) for key in fields}}
                                 for index in page]}
            if more and service.flag == "normal":
                body["exceededTransferLimit"] = True
        return _json(body)

    @staticmethod
    def _value(service: Service, index: int, key: str):
        return index + 1 if key == service.object_id else service.rows[index][key]

    @staticmethod
    def _where(service: Service, where: str) -> list[int] | None:
        everything = list(range(len(service.rows)))
        if where.replace(" ", "") == "1=1":
            return everything
        words = where.split()
        if len(words) == 3 and words[1].upper() == "LIKE" and words[2].startswith("'") and words[2].endswith("%'"):
            column, start = words[0], words[2][1:-2]
            if column not in service.rows[0]:
                return None
            return [index for index in everything if str(service.rows[index][column]).startswith(start)]
        return None


def _renamed(frame: pd.DataFrame, names: dict[str, str]) -> list[dict]:
    return frame.rename(columns=names)[list(names.values())].to_dict("records")


def _geojson_rows(name: str, names: dict[str, str]) -> tuple[list[dict], list[dict]]:
    collection = json.loads((PACK / f"{name}.geojson").read_text(encoding="utf-8"))
    rows = [{names[key]: value for key, value in feature["properties"].items() if key in names}
            for feature in collection["features"]]
    return rows, [feature["geometry"] for feature in collection["features"]]


def ons_services(arcgis: ArcGIS) -> dict[str, Service]:
    """Rutland's rows of every ONS table, served under the publishers' field names."""
    ward = pack_csv("lookup_lsoa21_ward24_ltla24")
    lsoa11 = pack_csv("lookup_lsoa11_lsoa21_ltla22")
    lsoa11_rows = _renamed(lsoa11, {"lsoa11_code": "LSOA11CD", "lsoa11_name": "LSOA11NM", "lsoa21_code": "LSOA21CD",
                                    "lsoa21_name": "LSOA21NM", "change_code": "CHGIND", "ltla22_code": "LAD22CD",
                                    "ltla22_name": "LAD22NM"})
    lsoa11_rows.insert(3, dict(lsoa11_rows[2]))  # the service repeats a row: the pack keeps it once
    ltla = pack_csv("lookup_ltla22_ltla23_england").iloc[::-1]  # served unsorted: the pack sorts it
    council = pack_csv("lookup_lad24_ctyua24_england").iloc[::-1]
    council_rows = _renamed(council, {"LAD24CD": "LAD24CD", "LAD24NM": "LAD24NM", "CTYUA24CD": "CTYUA24CD",
                                      "CTYUA24NM": "CTYUA24NM"})
    council_rows.append({"LAD24CD": "W06999999", "LAD24NM": "SYNTHETIC Welsh district", "CTYUA24CD": "W06999999",
                         "CTYUA24NM": "SYNTHETIC Welsh district"})
    for row in council_rows:
        row["LAD24NMW"] = ""
    lsoa_rows, lsoa_shapes = _geojson_rows("lsoa21_bsc_england", {"lsoa21_code": "LSOA21CD", "lsoa21_name": "LSOA21NM"})
    for row in lsoa_rows:
        row["Shape__Area"] = 1.0
    lad_rows, lad_shapes = _geojson_rows("lad24_buc_england", {"ltla24_code": "LAD24CD", "ltla24_name": "LAD24NM"})
    ruc = pack_csv("ruc21_lsoa21").merge(ward[["lsoa21_code", "lsoa21_name"]], on="lsoa21_code")
    services = {
        "LSOA21_WD24_LAD24_EW_LU": Service(_renamed(ward, {
            "lsoa21_code": "LSOA21CD", "lsoa21_name": "LSOA21NM", "ward24_code": "WD24CD", "ward24_name": "WD24NM",
            "ltla24_code": "LAD24CD", "ltla24_name": "LAD24NM"})),
        "LSOA11_LSOA21_LAD22_EW_LU": Service(lsoa11_rows),
        "LAD22_LAD23_EW_LU": Service(_renamed(ltla, {"ltla22_code": "LAD22CD", "ltla22_name": "LAD22NM",
                                                     "ltla23_code": "LAD23CD", "ltla23_name": "LAD23NM"})),
        "LAD24_CTYUA24_EW_LU": Service(council_rows),
        "Lower_layer_Super_Output_Areas_December_2021_Boundaries_EW_BSC_V4": Service(lsoa_rows, lsoa_shapes),
        "Local_Authority_Districts_May_2024_Boundaries_UK_BUC": Service(lad_rows, lad_shapes),
        "LSOA21_RUC21_EW_LU": Service(_renamed(ruc, {"lsoa21_code": "LSOA21CD", "lsoa21_name": "LSOA21NM",
                                                     "ruc21_code": "RUC21CD", "classification": "RUC21NM",
                                                     "ruc": "Urban_rural_flag"})),
    }
    for name, service in services.items():
        arcgis.add(name, service)
    return services


# --- Nomis ------------------------------------------------------------------------------------------------------


@dataclass
class Nomis:
    """Nomis's CSV API: LSOA and district geographies of one dataset, pages of at most ``page_rows``. The older
    dataset (mid-2020 on 2011 LSOAs) serves the pack's rows; the current one (``NM_2014_1``, 2021 LSOAs) serves
    Rutland's mid-2020 people as the tool carries them to 2021 LSOAs."""

    server: StandIn
    dataset: str = "NM_2010_1"
    lsoa_geography: str = "TYPE298"
    district_geography: str = "TYPE433"
    date: str = "2020"
    page_rows: int = 25_000
    district_totals: dict[str, int] = field(default_factory=dict)
    lsoa_year: int = 2011

    def __post_init__(self) -> None:
        prefix = f"lsoa{self.lsoa_year % 100}"
        population = pack_csv(f"population_mid2020_{prefix}_syoa")
        self.lsoa_rows = []
        for lsoa in population.to_dict("records"):
            ages = [("200", lsoa["total_population"])] + [(str(101 + age), lsoa[str(age)]) for age in range(90)]
            ages.append(("191", lsoa["90+"]))
            for code, value in ages:
                self.lsoa_rows.append({"DATE": self.date, "GEOGRAPHY_CODE": lsoa[f"{prefix}_code"],
                                       "GEOGRAPHY_NAME": lsoa[f"{prefix}_name"], "C_AGE": code, "OBS_VALUE": value})
        total = int(population["total_population"].astype(int).sum())
        self.district_totals = self.district_totals or {RUTLAND: total}
        self.server.route(f"/nomis/api/v01/dataset/{self.dataset}.data.csv", self._data)

    def _data(self, request: Request) -> Reply:
        query = {key.lower(): value for key, value in request.query.items()}
        geography = query.get("geography", "")
        if query.get("gender") != "0" or query.get("measures") != "20100" or "select" not in query:
            return Reply(200, b"", {"Content-Type": "text/csv"})  # Nomis: unknown parameters give an empty 200
        if geography == self.lsoa_geography:
            rows = self.lsoa_rows
        elif geography == self.district_geography:
            rows = [{"DATE": self.date, "GEOGRAPHY_CODE": code, "GEOGRAPHY_NAME": "Rutland", "C_AGE": "200",
                     "OBS_VALUE": str(value)} for code, value in self.district_totals.items()]
        else:
            return Reply(200, b"", {"Content-Type": "text/csv"})
        columns = [name.upper() for name in query["select"].split(",")]
        offset = int(query.get("recordoffset", 0))
        page = rows[offset:offset + self.page_rows]
        if not page:
            return Reply(200, b"", {"Content-Type": "text/csv"})
        text = io.StringIO()
        writer = csv.writer(text, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
        writer.writerow(columns)
        for row in page:
            writer.writerow([len(rows) if name == "RECORD_COUNT" else row[name] for name in columns])
        return Reply(200, text.getvalue().encode(), {"Content-Type": "text/csv"})


# --- files ------------------------------------------------------------------------------------------------------


def serve_file(server: StandIn, path: str, content: bytes, content_type: str = "application/octet-stream",
               headers: dict[str, str] | None = None) -> None:
    server.route(path, lambda request: file_reply(content, request, content_type, headers))


class Publishers:
    """Every stand-in publisher on one server, and the settings that point the tool at them."""

    def __init__(self, server: StandIn) -> None:
        self.server = server
        self.arcgis = ArcGIS(server)
        self.services = ons_services(self.arcgis)
        self.nomis = Nomis(server)
        self.nomis_current = Nomis(server, "NM_2014_1", "TYPE151", "TYPE424", lsoa_year=2021)
        self.ods_reports = {name: (PUBLISHED / "ods" / f"{name}.csv").read_bytes()
                            for name in ("epcncorepartnerdetails", "ebranchs")}
        self.ods_reports["epraccur"] = (PUBLISHED / "ods" / "epraccur_current.csv").read_bytes()
        server.route("/ods/api/getReport", self._ods_report)
        server.route("/ods/legacy/epraccur.zip", lambda request: Reply(403, b"Forbidden"))
        self.cqc_page = (PUBLISHED / "cqc" / "using-cqc-data.html").read_bytes()
        server.route("/cqc/about-us/transparency/using-cqc-data",
                     lambda request: Reply(200, self.cqc_page, {"Content-Type": "text/html; charset=utf-8"}))
        self.cqc_file = (PUBLISHED / "cqc" / "01_March_2021_HSCA_Active_Locations.ods").read_bytes()
        server.route("/sites/default/files/2021-03/01_March_2021_HSCA_Active_Locations.ods",
                     lambda request: file_reply(self.cqc_file, request, "application/vnd.oasis.opendocument.spreadsheet"))
        self.codepoint = (PUBLISHED / "os" / "codepo_gb.zip").read_bytes()
        self.codepoint_md5 = hashlib.md5(self.codepoint).hexdigest()
        server.route("/os/downloads/v1/products/CodePointOpen", lambda request: _json(
            {"id": "CodePointOpen", "name": "Code-Point Open", "version": "2025-05"}))
        server.route("/os/downloads/v1/products/CodePointOpen/downloads", self._os_downloads)
        server.route("/os/files/codepo_gb.zip", lambda request: file_reply(self.codepoint, request, "application/zip"))
        serve_file(server, "/ons/snpp.zip", (PUBLISHED / "ons" / "2016snpppopulation.zip").read_bytes(),
                   "application/zip")

    def _ods_report(self, request: Request) -> Reply:
        report = request.query.get("report", "")
        if report not in self.ods_reports:
            return _json({"error": f"Invalid report name: {report}"}, status=400)
        return Reply(200, self.ods_reports[report], {"Content-Type": "text/csv"})

    def _os_downloads(self, request: Request) -> Reply:
        return _json([{"area": "GB", "format": "CSV", "fileName": "codepo_gb.zip", "size": len(self.codepoint),
                       "md5": self.codepoint_md5, "url": f"{self.server.url}/os/files/codepo_gb.zip"}])

    def settings(self) -> dict[str, str]:
        """Setting overrides that send every request here."""
        url = self.server.url
        return {"ons_arcgis_url": f"{url}/arcgis/rest/services", "nomis_url": f"{url}/nomis/api/v01",
                "snpp_url": f"{url}/ons/snpp.zip", "os_downloads_url": f"{url}/os/downloads/v1",
                "onspd_url": f"{url}/ons/onspd.zip", "ods_url": f"{url}/ods/api",
                "cqc_page_url": f"{url}/cqc/about-us/transparency/using-cqc-data",
                "geofabrik_url": f"{url}/geofabrik"}


def point_settings_at(publishers: Publishers):
    """A with-block that sends every publisher request to the stand-in."""
    return settings.overridden(**publishers.settings())


def downloads_folder(folder: Path, publishers: "Publishers") -> None:
    """A Downloads folder as a browser leaves it."""
    folder.mkdir()
    shutil.copy(PUBLISHED / "cqc" / "01_March_2021_HSCA_Active_Locations.ods", folder / "01_March_2021_HSCA_Active_Locations.ods")
    shutil.copy(PUBLISHED / "ods" / "epraccur_current.csv", folder / "download.csv")
    shutil.copy(PUBLISHED / "ods" / "epraccur_legacy.csv", folder / "epraccur (old).csv")
    shutil.copy(PUBLISHED / "ods" / "ePCN.xlsx", folder / "Book1.xlsx")
    shutil.copy(PUBLISHED / "ods" / "ebranchs.csv", folder / "download (1).csv")
    shutil.copy(PUBLISHED / "os" / "codepo_gb.zip", folder / "file.zip")
    shutil.copy(PUBLISHED / "ons" / "2016snpppopulation.zip", folder / "download (2).zip")
    shutil.copy(PBF, folder / "extract.osm.pbf")
    ward = pack_csv("lookup_lsoa21_ward24_ltla24").rename(columns={
        "lsoa21_code": "LSOA21CD", "lsoa21_name": "LSOA21NM", "ward24_code": "WD24CD", "ward24_name": "WD24NM",
        "ltla24_code": "LAD24CD", "ltla24_name": "LAD24NM"})
    ward.insert(0, "FID", range(1, len(ward) + 1))
    (folder / "download (3).csv").write_text("\ufeff" + ward.to_csv(index=False), encoding="utf-8")
    collection = json.loads((PACK / "lsoa21_bsc_england.geojson").read_text())
    for feature in collection["features"]:
        properties = feature["properties"]
        feature["properties"] = {"LSOA21CD": properties["lsoa21_code"], "LSOA21NM": properties["lsoa21_name"],
                                 "GlobalID": "x"}
    (folder / "Lower_layer_Super_Output_Areas_2021.geojson").write_text(json.dumps(collection))
    nomis = f"{publishers.server.url}/nomis/api/v01/dataset/NM_2010_1.data.csv"
    query = {"date": "2020", "gender": "0", "measures": "20100", "select": "date,geography_code,geography_name,c_age,"
             "obs_value"}
    (folder / "NM_2010_1.data.csv").write_bytes(requests.get(nomis, {**query, "geography": "TYPE298"}).content)
    (folder / "NM_2010_1.data (1).csv").write_bytes(requests.get(nomis, {**query, "geography": "TYPE433"}).content)
    (folder / "notes.txt").write_text("my notes\n")


# --- the national pack of the stand-in world ----------------------------------------------------------------------

PACK_SOURCES = {
    "boundaries/lsoa21_bsc_england.geojson": PACK / "lsoa21_bsc_england.geojson",
    "boundaries/lad24_buc_england.geojson": PACK / "lad24_buc_england.geojson",
    "lookups/lookup_lsoa21_ward24_ltla24.csv": PACK / "lookup_lsoa21_ward24_ltla24.csv",
    "lookups/lookup_lsoa11_lsoa21_ltla22.csv": PACK / "lookup_lsoa11_lsoa21_ltla22.csv",
    "lookups/lookup_ltla22_ltla23_england.csv": PACK / "lookup_ltla22_ltla23_england.csv",
    "lookups/lookup_lad24_ctyua24_england.csv": PACK / "lookup_lad24_ctyua24_england.csv",
    "population/population_mid2020_lsoa11_syoa.csv": PACK / "population_mid2020_lsoa11_syoa.csv",
    "rural_urban/ruc21_lsoa21.csv": PACK / "ruc21_lsoa21.csv",
    "cqc/cqc_care_homes_2021-03-01.csv": PACK / "cqc_care_homes.csv",
    "population/snpp2016_persons_age60plus_district.csv": PACK / "snpp_persons_age60plus_district.csv",
    "epraccur_2023-02.csv": PUBLISHED / "ods" / "epraccur_legacy.csv",
    "ePCN_2023-02.xlsx": PUBLISHED / "ods" / "ePCN.xlsx",
}
"""The shared national files (by their path under ``national/``) -> the fixture holding Rutland's rows of each."""


def build_rutland_pack(folder: Path) -> Path:
    """The national pack of the stand-in world, whose publishers know Rutland only: Rutland's rows of every shipped
    table, built by the pack's own build script from the fixtures laid out as the shared national folder (the places,
    which no publisher refreshes, cut from the shipped pack). Returns a data folder holding it (``national/``) beside
    the bundled councils' data (linked)."""
    import gzip

    from layers import national
    from scripts.build_national_pack import build

    shared = folder / "shared" / "national"
    for relative, fixture in PACK_SOURCES.items():
        (shared / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(fixture, shared / relative)
    codepoint = shared / "postcodes" / "codepoint_open_england.csv.gz"
    codepoint.parent.mkdir(parents=True, exist_ok=True)
    codepoint.write_bytes(gzip.compress((PACK / "codepoint_open_england.csv").read_bytes()))
    sidecar = national.read_pack_table("open_names_places_lsoa21").astype(str)
    sidecar = sidecar[sidecar["ltla24_code"] == RUTLAND]
    places = national.read_pack_table("open_names_places")
    places = places[places["ID"].isin(set(sidecar["ID"]))]
    for name, frame in (("open_names_places", places), ("open_names_places_lsoa21", sidecar)):
        path = shared / national.PACK_TABLES[name].source
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(path, index=False)
    data = folder / "data"
    build(shared, data / national.PACK_FOLDER)
    for bundled in settings.data_folder.iterdir():  # the bundled councils' data, as shipped
        if bundled.name != national.PACK_FOLDER:
            (data / bundled.name).symlink_to(bundled.resolve())
    return data
