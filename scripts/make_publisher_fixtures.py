"""Make the small publisher fixtures the refresh tests replay, from the national pack's source files.

Run once by a maintainer, from the project folder: ``python -m scripts.make_publisher_fixtures ../shared/data``.
The tests never read the shared folder: they read what this writes under ``tests/fixtures/publishers/``:

``pack/``
    Rutland's rows (district E06000017) of each national file, cut as SOURCES.md describes: what a refresh through
    the stand-in publishers must reproduce. Small extras: the district lookups keep the Cumbria and Leicestershire
    rows (a 2023 merger, a county), and the practices are every row of Rutland's commissioner (03W) in epraccur.
    ``population_mid2020_lsoa21_syoa.csv`` holds Rutland's mid-2020 people on 2021 LSOAs as the tool carries them
    (its bundled layer): what the stand-in Nomis serves as its current dataset, which is on 2021 LSOAs.
``published/``
    The same rows in the publishers' own file formats, for the files a publisher serves as files: CQC's care
    directory (ODS with a README sheet, 124 columns, ~16,000 repeated empty cells a row and a million-row filler;
    and as CSV) and its "Using CQC data" page with several links; Code-Point Open's zip (headerless area CSVs,
    quoted, headers in ``Doc/``); NHS ODS epraccur in the legacy and the current (Data Search and Export) layouts,
    the ePCN workbook and the DSE partner report; an ONS projections zip. The ArcGIS and Nomis answers are rendered
    by the stand-in server from ``pack/`` at test time, because their paging is what is tested.

Rows marked SYNTHETIC are made up here to exercise a filter (a non-English postcode, a branch surgery, a closed
or dormant location): they are test data only and say so in their names.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import geopandas as gpd
import pandas as pd

from tests.cqc_files import LOCATION_COLUMNS as CQC_COLUMNS  # the care directory's columns, in its order

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "publishers"
RUTLAND = "E06000017"
CUMBRIA_2022 = ("E07000026", "E07000027", "E07000028", "E07000029", "E07000030", "E07000031")
LEICESTERSHIRE = "E10000018"
COMMISSIONER = "03W"
ODS_COLUMNS = 16384
FILLER_ROWS = 1_048_000


def _csv(frame: pd.DataFrame, path: Path, *, quote_all: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, lineterminator="\n")


def _geojson(national: Path, name: str, keep, path: Path) -> None:
    collection = json.loads(national.read_text(encoding="utf-8"))
    collection["features"] = [feature for feature in collection["features"] if keep(feature["properties"])]
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")


def cut_pack(shared: Path) -> dict[str, pd.DataFrame]:
    """Rutland's rows of each national file, written under ``pack/``."""
    national = shared / "national"
    pack = OUT / "pack"
    pack.mkdir(parents=True, exist_ok=True)
    _geojson(national / "boundaries/lsoa21_bsc_england.geojson", "lsoa", lambda p: p["ltla24_code"] == RUTLAND,
             pack / "lsoa21_bsc_england.geojson")
    _geojson(national / "boundaries/lad24_buc_england.geojson", "lad", lambda p: p["ltla24_code"] == RUTLAND,
             pack / "lad24_buc_england.geojson")
    read = lambda relative: pd.read_csv(national / relative, dtype=str, keep_default_na=False)  # noqa: E731
    ward = read("lookups/lookup_lsoa21_ward24_ltla24.csv")
    ward = ward[ward["ltla24_code"] == RUTLAND]
    lsoa11 = read("lookups/lookup_lsoa11_lsoa21_ltla22.csv")
    lsoa11 = lsoa11[lsoa11["ltla22_code"] == RUTLAND]
    ltla = read("lookups/lookup_ltla22_ltla23_england.csv")
    ltla = ltla[ltla["ltla22_code"].isin((RUTLAND, *CUMBRIA_2022))]
    council = read("lookups/lookup_lad24_ctyua24_england.csv")
    council = council[(council["LAD24CD"] == RUTLAND) | (council["CTYUA24CD"] == LEICESTERSHIRE)]
    population = read("population/population_mid2020_lsoa11_syoa.csv")
    population = population[population["lsoa11_code"].isin(lsoa11["lsoa11_code"])]
    ruc = read("rural_urban/ruc21_lsoa21.csv")
    ruc = ruc[ruc["lsoa21_code"].isin(ward["lsoa21_code"])]
    snpp = read("population/snpp2016_persons_age60plus_district.csv")
    snpp = snpp[snpp["AREA_CODE"] == RUTLAND]
    with gzip.open(national / "postcodes/codepoint_open_england.csv.gz", "rt", encoding="utf-8") as stream:
        postcodes = pd.read_csv(stream, dtype=str, keep_default_na=False)
    postcodes = postcodes[postcodes["Admin_district_code"] == RUTLAND]
    for name, frame, quote_all in (("lookup_lsoa21_ward24_ltla24", ward, True),
                                   ("lookup_lsoa11_lsoa21_ltla22", lsoa11, True),
                                   ("lookup_ltla22_ltla23_england", ltla, True),
                                   ("lookup_lad24_ctyua24_england", council, False),
                                   ("population_mid2020_lsoa11_syoa", population, False),
                                   ("ruc21_lsoa21", ruc, False), ("snpp_persons_age60plus_district", snpp, False),
                                   ("codepoint_open_england", postcodes, False)):
        _csv(frame, pack / f"{name}.csv", quote_all=quote_all)
    homes = read("cqc/cqc_care_homes_2021-03-01.csv")
    rutland = gpd.read_file(pack / "lsoa21_bsc_england.geojson").union_all()
    points = gpd.points_from_xy(homes["Location Longitude"].astype(float), homes["Location Latitude"].astype(float))
    homes = homes[points.within(rutland)]
    _csv(homes, pack / "cqc_care_homes.csv")
    return {"postcodes": postcodes, "snpp": snpp, "homes": homes}


# --- NHS ODS ----------------------------------------------------------------------------------------------------


def make_ods_files(shared: Path) -> None:
    """epraccur (legacy and current layouts), the ePCN workbook and DSE partner report, branch surgeries."""
    national = shared / "national"
    out = OUT / "published" / "ods"
    out.mkdir(parents=True, exist_ok=True)
    rows = [row for row in csv.reader(open(national / "epraccur_2023-02.csv", encoding="utf-8"))
            if row[14] == COMMISSIONER]
    _write_rows(out / "epraccur_legacy.csv", rows)
    current = []
    for row in rows:
        row = list(row)
        row[12] = {"A": "ACTIVE", "C": "INACTIVE", "D": "INACTIVE", "P": "ACTIVE"}[row[12]]
        # The current report carries the primary role in column 26; other prescribing settings become another role
        # (RO76 is the GP practice role; the codes of the others do not matter to the filter).
        row[25] = "RO76" if row[25] == "4" else f"RO{200 + int(row[25] or 0)}"
        current.append(row)
    _write_rows(out / "epraccur_current.csv", current)
    codes = {row[0] for row in rows}
    sheets = pd.read_excel(national / "ePCN_2023-02.xlsx", sheet_name=None, dtype=str)
    partners = sheets["PCN Core Partner Details"]
    partners = partners[partners[partners.columns[0]].isin(codes)]
    details = sheets["PCNDetails"]
    details = details[details["PCN Code"].isin(partners["PCN Code"])]
    with pd.ExcelWriter(out / "ePCN.xlsx") as writer:
        details.to_excel(writer, sheet_name="PCNDetails", index=False)
        partners.to_excel(writer, sheet_name="PCN Core Partner Details", index=False)
    _write_rows(out / "epcncorepartnerdetails.csv", partners.fillna("").astype(str).values.tolist())
    branch = [""] * 27
    branch[0], branch[1], branch[9], branch[14] = "C82010001", "SYNTHETIC TEST BRANCH SURGERY", "LE15 6NT", "C82010"
    _write_rows(out / "ebranchs.csv", [branch])


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)


# --- CQC --------------------------------------------------------------------------------------------------------


def _directory_rows(homes: pd.DataFrame) -> list[dict[str, str]]:
    rows = []
    for _, home in homes.iterrows():
        row = {column: home.get(column, "") for column in CQC_COLUMNS}
        row.update({"Dormant (Y/N)": "N", "Location Type/Sector": "Social Care Org",
                    "Location Inspection Directorate": "Adult social care", "Location Local Authority": "Rutland"})
        rows.append(row)
    closed = dict(rows[0], **{"Location ID": "1-SYNTHETIC01", "Location Name": "SYNTHETIC dormant care home",
                              "Dormant (Y/N)": "Y"})
    agency = dict(rows[1], **{"Location ID": "1-SYNTHETIC02", "Location Name": "SYNTHETIC home care agency",
                              "Care home?": "N", "Care homes beds": ""})
    return rows[:3] + [closed] + rows[3:6] + [agency] + rows[6:]


def _cell(column: str, value: str) -> str:
    if value == "":
        return "<table:table-cell/>"
    if column in ("Location Latitude", "Location Longitude", "Care homes beds"):
        return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
    if column.endswith("start date"):
        return (f'<table:table-cell office:value-type="date" office:date-value="{value}" '
                f'table:style-name="date"><text:p>{value}</text:p></table:table-cell>')
    return f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>'


def _row(cells: list[str]) -> str:
    filler = f'<table:table-cell table:number-columns-repeated="{ODS_COLUMNS - len(cells)}"/>'
    return "<table:table-row>" + "".join(cells) + filler + "</table:table-row>"


def make_cqc_files(homes: pd.DataFrame) -> None:
    """The care directory as CQC publishes it (ODS and CSV) and the page that links it."""
    out = OUT / "published" / "cqc"
    out.mkdir(parents=True, exist_ok=True)
    rows = _directory_rows(homes)
    header = _row([_cell("", name) for name in CQC_COLUMNS])
    body = "".join(_row([_cell(column, row[column]) for column in CQC_COLUMNS]) for row in rows)
    namespaces = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                  'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
                  'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
                  'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"')
    readme = ('<table:table table:name="README">'
              + _row([_cell("", "Active locations for providers registered under the Health and Social Care Act "
                                "(HSCA)")])
              + _row([_cell("", "Source: CQC database as at 01 March 2021")]) + "</table:table>")
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {namespaces} office:version="1.2">'
               "<office:body><office:spreadsheet>" + readme
               + f'<table:table table:name="HSCA_Active_Locations"><table:table-column '
                 f'table:number-columns-repeated="{ODS_COLUMNS}"/>' + header + body
               + f'<table:table-row table:number-rows-repeated="{FILLER_ROWS}"><table:table-cell '
                 f'table:number-columns-repeated="{ODS_COLUMNS}"/></table:table-row>'
               + "</table:table></office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(out / "01_March_2021_HSCA_Active_Locations.ods", "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    pd.DataFrame(rows, columns=list(CQC_COLUMNS)).to_csv(out / "01_March_2021_HSCA_Active_Locations.csv",
                                                         index=False, lineterminator="\r\n")
    links = [("/sites/default/files/2021-03/01_March_2021_Latest_ratings.ods", "Latest ratings (01 March 2021)"),
             ("/sites/default/files/2021-03/01_March_2021_HSCA_Active_Locations.ods",
              "Care directory with filters (01 March 2021)"),
             ("/sites/default/files/2021-02/01_February_2021_Deactivated_Locations.ods", "Deactivated locations"),
             ("/sites/default/files/CQC_directory.csv", "Care directory (CSV)"),
             ("https://api.service.cqc.org.uk/public/v1", "CQC API (needs a key)")]
    anchors = "\n".join(f'<li><a href="{href}" class="link">{text}</a></li>' for href, text in links)
    (out / "using-cqc-data.html").write_text(
        "<!DOCTYPE html><html><head><title>Using CQC data</title></head><body><main><h1>Using CQC data</h1>"
        f"<ul>\n{anchors}\n</ul></main></body></html>\n", encoding="utf-8")


# --- Code-Point Open, projections -------------------------------------------------------------------------------


TEXT_FIELDS = (0, 4, 5, 6, 7, 8, 9)
"""Code-Point fields OS writes in quotes (the postcode and the codes; quality and coordinates are bare)."""


def make_codepoint_zip(shared: Path, postcodes: pd.DataFrame) -> None:
    """Code-Point Open as OS ships it: quoted, headerless CSVs per postcode area, the headers in ``Doc/``."""
    out = OUT / "published" / "os"
    out.mkdir(parents=True, exist_ok=True)
    headers = (shared / "national" / "codepoint_open_column_headers.csv").read_text(encoding="utf-8")
    synthetic = pd.DataFrame([["LD1 9ZZ", "10", "305000", "260000", "W92000004", "", "", "", "W06000023",
                               "W05000999"]], columns=postcodes.columns)  # SYNTHETIC Welsh row: must be dropped
    frames = {"le": postcodes[postcodes["Postcode"].str.startswith("LE")],
              "pe": postcodes[postcodes["Postcode"].str.startswith("PE")],
              "ng": postcodes[postcodes["Postcode"].str.startswith("NG")], "ld": synthetic}
    with zipfile.ZipFile(out / "codepo_gb.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Doc/Code-Point_Open_Column_Headers.csv", headers)
        archive.writestr("Doc/licence.txt", "Contains OS data (c) Crown copyright and database right (test copy)\n")
        for area, frame in sorted(frames.items()):
            lines = (",".join(f'"{value}"' if i in TEXT_FIELDS else value for i, value in enumerate(row)) + "\r\n"
                     for row in frame.itertuples(index=False))
            archive.writestr(f"Data/CSV/{area}.csv", "".join(lines))


def make_snpp_zip(snpp: pd.DataFrame) -> None:
    """ONS projections as a zip holding ``2016 SNPP Population persons.csv`` (ages 60 and over only, as cut)."""
    out = OUT / "published" / "ons"
    out.mkdir(parents=True, exist_ok=True)
    years = [column for column in snpp.columns if column.isdigit()]
    rows = snpp.assign(AREA_NAME="Rutland", COMPONENT="Population", SEX="persons",
                       AGE_GROUP=snpp["AGE_GROUP"].replace({"90": "90 and over"}))
    rows = rows[["AREA_CODE", "AREA_NAME", "COMPONENT", "SEX", "AGE_GROUP", *years]]
    with zipfile.ZipFile(out / "2016snpppopulation.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("2016 SNPP Population persons.csv", rows.to_csv(index=False, lineterminator="\r\n"))


def make_lsoa21_population() -> None:
    """Rutland's people on 2021 LSOAs as the tool carries them from the mid-2020 estimates (its bundled layer), for the
    stand-in Nomis's current dataset, which is on 2021 LSOAs (``pack/population_mid2020_lsoa21_syoa.csv``; made from
    the project's own data, not the shared folder)."""
    from geo.council import load_council
    from layers.council_data import load_council_data

    data = load_council_data(load_council("rutland"))
    by_age = data.population_by_age
    names = data.lsoa.set_index("lsoa21_code")["lsoa21_name"]
    table = by_age.assign(lsoa21_name=names.reindex(by_age.index), total_population=by_age.sum(axis=1))
    table = table.reset_index()[["lsoa21_name", "lsoa21_code", "total_population", *by_age.columns]]
    _csv(table.sort_values("lsoa21_code"), OUT / "pack" / "population_mid2020_lsoa21_syoa.csv")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shared", type=Path, help="the shared data folder (holding national/)")
    shared = parser.parse_args().shared
    make_lsoa21_population()
    cut = cut_pack(shared)
    make_ods_files(shared)
    make_cqc_files(cut["homes"])
    make_codepoint_zip(shared, cut["postcodes"])
    make_snpp_zip(cut["snpp"])
    for path in sorted(OUT.rglob("*")):
        if path.is_file():
            print(f"{path.relative_to(ROOT)}  {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
