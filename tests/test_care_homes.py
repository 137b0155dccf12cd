"""CQC's care homes shipped for every council: the cut (in the council and within 15 km beyond it), coverage
counting them exactly as an independent count by coordinates does, a loaded file replacing them, CQC's monthly file
read as published (ODS with a README sheet, repeated empty cells and a million-row filler, or its CSV), and a
headline that is marked partial for a partial file."""

from __future__ import annotations

import tracemalloc

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

import caremap
from analyses import need_and_supply, uploads
from analyses import report as reporting
from geo.settings import settings
from layers.care_homes import homes_near, shipped_care_homes
from routing.engine import EstimateEngine
from tests.cqc_files import care_directory_ods, locations_from_cut

OLDER, NURSING = "Service user band - Older People", "Service type - Care home service with nursing"

SOURCES_COUNTS = {"herefordshire": (88, 2150), "worcestershire": (181, 5788), "hertfordshire": (266, 9627),
                  "rutland": (12, 419)}
"""Homes and beds inside each council by coordinates (the shared data's SOURCES.md, "Care homes (national)")."""


def independent_count(slug: str) -> dict[str, tuple[int, float]]:
    """Homes and beds of the shipped file counted by coordinates with shapely alone: inside the union of the
    council's LSOA 2021 polygons, registered for older people, with nursing, and beyond the border within 15 km."""
    cut = pd.read_csv(settings.data_folder / "tables" / slug / "cqc_care_homes.csv", dtype=str, keep_default_na=False)
    points = gpd.GeoSeries(gpd.points_from_xy(cut["Location Longitude"].astype(float),
                                              cut["Location Latitude"].astype(float)), crs=4326).to_crs(27700)
    union = gpd.read_file(settings.data_folder / "boundaries" / slug / "lsoa21.geojson").to_crs(27700).union_all()
    inside = points.within(union).to_numpy()
    distance = points.distance(union).to_numpy()
    beds = cut["Care homes beds"].astype(float).to_numpy()
    older, nursing = cut[OLDER].eq("Y").to_numpy(), cut[NURSING].eq("Y").to_numpy()
    beyond = ~inside & (distance <= 15_000)

    def count(chosen):
        return int(chosen.sum()), float(beds[chosen].sum())

    return {"inside": count(inside), "older": count(inside & older), "nursing": count(inside & nursing),
            "older_nursing": count(inside & older & nursing), "beyond": count(beyond)}


@pytest.mark.parametrize("slug", list(SOURCES_COUNTS))
def test_coverage_without_any_upload_counts_the_shipped_homes(slug, all_councils):
    data = all_councils[slug]
    expected = independent_count(slug)
    assert expected["inside"] == SOURCES_COUNTS[slug]
    table = caremap.care_homes(data)  # no file: the CQC homes shipped with the tool
    assert table.shipped and table.vintage == "CQC care directory, 1 March 2021" and not table.problems
    result = caremap.measure_coverage(data, table.homes, EstimateEngine(), year=2028)
    council = result.areas["council"].iloc[0]
    assert (int(council["homes"] + council["other_homes"]), council["beds"] + council["other_beds"]) == \
        expected["inside"]
    assert (int(council["homes"]), council["beds"]) == expected["older"]
    assert (int(council["nursing_homes"]), council["nursing_beds"]) == expected["older_nursing"]
    inside, beyond = result.homes[result.homes["in_council"]], result.homes[~result.homes["in_council"]]
    assert (int(inside["nursing"].sum()), inside.loc[inside["nursing"], "beds"].sum()) == expected["nursing"]
    assert (len(beyond), beyond["beds"].sum()) == expected["beyond"]
    assert council["beds_assumed"] == 0  # CQC gives every home's beds
    localities = result.areas["locality_name"]
    assert localities["beds"].sum() == council["beds"] and localities["homes"].sum() == council["homes"]


def test_herefordshire_as_sources_md_counts_it(herefordshire):
    counted = independent_count("herefordshire")
    assert counted["older"] == (67, 1970) and counted["nursing"] == (29, 1073) and counted["beyond"] == (160, 4223)


def test_the_cut_keeps_homes_inside_and_within_15_km(herefordshire):
    outline = herefordshire.outline
    union = outline.union_all()
    inside = union.representative_point()
    # Points 14.9 km and 15.1 km east of the council's easternmost point, and one with no coordinates.
    east = max(union.exterior.coords if union.geom_type == "Polygon" else
               [c for part in union.geoms for c in part.exterior.coords], key=lambda xy: xy[0])
    near, far = Point(east[0] + 14_900, east[1]), Point(east[0] + 15_100, east[1])
    lonlat = gpd.GeoSeries([inside, near, far], crs=27700).to_crs(4326)
    cqc = pd.DataFrame({"Location ID": ["in", "near", "far", "nowhere"], "Location Name": ["A", "B", "C", "D"],
                        "Location Latitude": [*(f"{p.y:.6f}" for p in lonlat), ""],
                        "Location Longitude": [*(f"{p.x:.6f}" for p in lonlat), ""]})
    cut = homes_near(cqc, outline)
    assert cut["Location ID"].tolist() == ["in", "near"]
    assert list(cut.columns) == [*cqc.columns, "inside_council", "distance_to_boundary_m"]
    assert cut["inside_council"].tolist() == [True, False]
    assert cut["distance_to_boundary_m"].iloc[0] == 0 and 14_850 <= cut["distance_to_boundary_m"].iloc[1] <= 14_950


@pytest.mark.parametrize("slug", list(SOURCES_COUNTS))
def test_the_shipped_distances_are_the_distances_to_the_boundary(slug):
    cut = pd.read_csv(settings.data_folder / "tables" / slug / "cqc_care_homes.csv")
    points = gpd.GeoSeries(gpd.points_from_xy(cut["Location Longitude"], cut["Location Latitude"]),
                           crs=4326).to_crs(27700)
    union = gpd.read_file(settings.data_folder / "boundaries" / slug / "lsoa21.geojson").to_crs(27700).union_all()
    np.testing.assert_allclose(cut["distance_to_boundary_m"], points.distance(union).round(), atol=1)
    assert (cut["inside_council"] == points.within(union)).all() and cut["distance_to_boundary_m"].max() <= 15_000


def test_a_loaded_file_replaces_the_shipped_homes(rutland, tmp_path):
    path = tmp_path / "homes.csv"
    path.write_text("name,postcode,beds,nursing,older people\nOak House,LE15 6RP,20,no,yes\nAsh House,LE15 9UD,,yes,"
                    "yes\n")
    table = caremap.care_homes(rutland, path)
    assert not table.shipped and len(table.homes) == 2
    assert table.notes[0] == ("Your file replaces the care homes shipped with the tool (CQC care directory, 1 March "
                              "2021): only the homes it lists are used.")
    assert "homes.csv" in table.source and "replaces the CQC care directory, 1 March 2021" in table.source
    result = caremap.measure_coverage(rutland, table.homes, EstimateEngine(), year=2028)
    council = result.areas["council"].iloc[0]
    assert council["homes"] == 2 and council["beds"] == 44 and council["beds_assumed"] == 24
    assert need_and_supply.beds_text(council["beds"], council["beds_assumed"]) == "44 beds (24 of them assumed)"


@pytest.fixture(scope="module")
def herefordshire_cut():
    return pd.read_csv(settings.data_folder / "tables" / "herefordshire" / "cqc_care_homes.csv", dtype=str,
                       keep_default_na=False)


def _published(cut: pd.DataFrame) -> list[dict[str, str]]:
    """The council's homes as CQC's monthly file lists them, with a dormant home, a home-care agency and a home in
    Cornwall among them."""
    locations = locations_from_cut(cut)
    locations[3]["Dormant (Y/N)"] = "Y"
    agency = {"Location ID": "1-999", "Location Name": "Home Care Agency", "Care home?": "N", "Dormant (Y/N)": "N",
              "Care homes beds": "0", "Location Latitude": "52.05", "Location Longitude": "-2.71",
              "Service type - Domiciliary care service": "Y"}
    cornwall = locations[0] | {"Location ID": "1-998", "Location Latitude": "50.26", "Location Longitude": "-5.05"}
    return [*locations, agency, cornwall]


def test_the_care_directory_as_published_ods_with_its_filler(herefordshire, herefordshire_cut):
    content = care_directory_ods(_published(herefordshire_cut))
    assert len(content) < 200_000  # the million-row filler and the repeated cells are written once
    tracemalloc.start()
    try:
        table = uploads.care_homes(content, "01_March_2021_HSCA_Active_Locations.ods", herefordshire)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 60 * 2**20  # the filler is never expanded
    shipped = shipped_care_homes(herefordshire).homes
    dormant = herefordshire_cut.loc[3, "Location ID"]
    assert sorted(table.homes["home_id"]) == sorted(set(shipped["home_id"]) - {dormant})
    assert table.skipped == {"not a care home": 1, "dormant": 1, "far outside the council": 1} and not table.problems
    assert table.outcome() == ("247 care home(s) read; 3 row(s) left out: 1 not a care home, 1 dormant, 1 more than "
                               "15 km outside the council.")
    assert any("Sheet 'HSCA_Active_Locations' was read, the sheet of that name; sheet(s) 'README' before it not read"
               in note for note in table.notes)
    assert table.vintage == "1 March 2021 (from the file's name)"
    merged = table.homes.merge(shipped, on="home_id", suffixes=("", "_shipped"))
    for column in ("beds", "older_people", "nursing", "dementia", "in_council"):
        assert (merged[column] == merged[f"{column}_shipped"]).all(), column


def test_the_care_directory_as_csv(herefordshire, herefordshire_cut):
    from tests.cqc_files import LOCATION_COLUMNS

    frame = pd.DataFrame(_published(herefordshire_cut), columns=list(LOCATION_COLUMNS)).fillna("")
    content = frame.to_csv(index=False).encode()
    table = uploads.care_homes(content, "HSCA_Active_Locations.csv", herefordshire)
    assert len(table.homes) == 247 and table.skipped["dormant"] == 1 and table.skipped["not a care home"] == 1


def test_a_workbook_without_a_locations_sheet_is_read_from_its_first_sheet(rutland):
    content = care_directory_ods([{"Location ID": "1-1", "Location Name": "Oak House", "Care home?": "Y",
                                   "Dormant (Y/N)": "N", "Care homes beds": "20", "Location Postal Code": "LE15 6RP",
                                   "Service type - Care home service without nursing": "Y"}], sheet="Homes")
    with pytest.raises(Exception, match="does not look like a care-home list"):  # its README is read, as it comes first
        uploads.care_homes(content, "homes.ods", rutland)


@pytest.fixture(scope="module")
def partial_report(herefordshire):
    """Herefordshire from a file of 29 of its homes (a partial file), as the issue found it."""
    shipped = shipped_care_homes(herefordshire).homes
    inside = shipped[shipped["in_council"]].head(29)
    return reporting.build_report(herefordshire, inside, EstimateEngine(), homes_source="partial.csv (29 homes)",
                                  year=2028, sites=1)


def test_a_partial_file_marks_the_headline_partial_everywhere(partial_report):
    head = partial_report.headline
    council = partial_report.council_row
    assert head.partial and partial_report.totals.partial
    assert head.shortfall == pytest.approx(2000 - council["beds"] * 0.955)
    assert head.documented_shortfall == pytest.approx(2000 - 2113 * 0.955)  # -18: the council's own supply
    assert head.value() == f"{head.shortfall:+,.0f} (partial)"
    assert head.against_documents() == "-18 against the 2,113 beds the council documents (all care homes, 2020)"
    summary = dict(partial_report.summary())
    assert summary["Shortfall (+) or spare (−): PARTIAL FILE"].startswith("PARTIAL FILE: +")
    assert "-18 against the 2,113 beds the council documents" in summary["Shortfall (+) or spare (−): PARTIAL FILE"]
    years = partial_report.year_table().set_index("Measure")
    assert "Shortfall (+) / spare (−), aged 65+ (PARTIAL FILE)" in years.index
    assert years.loc["Shortfall (+) / spare (−) against the documented beds", "2028"] == "-18"
    assert "PARTIAL FILE" in " ".join(partial_report.findings()) and "PARTIAL" in partial_report.what_this_means()
    about = dict(reporting.export_about(partial_report))
    assert about["Shortfall (+) or spare (−) — PARTIAL FILE"] == head.sentence()
    assert reporting.export_titles(partial_report)["shortfall"].endswith("(PARTIAL FILE)")
    page = reporting.to_html(partial_report)
    assert "PARTIAL FILE" in page


def test_a_whole_file_keeps_a_plain_headline(herefordshire):
    table = shipped_care_homes(herefordshire)
    beside = need_and_supply.documents_beside_homes(herefordshire, table.homes)
    assert not beside.totals.partial and beside.totals.documented_beds == 2113
    # Need 1,640 / 2,000 / 2,650 beds against 1,970 beds for older people less 4.5% kept free (1,881).
    assert beside.by_year["shortfall_65"].round().tolist() == [-241, 119, 769]
    assert beside.by_year["documented_shortfall"].round().tolist() == [-378, -18, 632]
    totals = reporting.documents_totals_table(beside, herefordshire.council).set_index("What")
    assert totals.loc["Care homes in the council"].tolist()[:2] == ["87 homes (2020)", "88 (67 registered for older "
                                                                                       "people)"]
    assert totals.loc["Nursing", "The homes loaded"] == "1,022 of 1,970 beds for older people (52%), in 25 homes with nursing"
    areas = reporting.documents_area_table(beside)
    assert areas["Homes"].astype(int).sum() == 67 and "Shortfall 2038" in areas.columns


@pytest.mark.slow
def test_the_care_homes_command_writes_the_homes_the_coverage_uses(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "homes.csv"
    done = subprocess.run([sys.executable, "-m", "caremap", "care-homes", "--council", "rutland", "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == f"Wrote {out} (111 homes)."
    comments = [line for line in out.read_text(encoding="utf-8-sig").splitlines() if line.startswith("#")]
    assert "# Data of: CQC care directory, 1 March 2021" in comments
    assert "# In the council: 12 homes, 419 beds" in comments and "# Beyond the border (within 15 km): 99 homes, " \
                                                                 "3,294 beds" in comments
    homes = pd.read_csv(out, comment="#")
    assert list(homes.columns) == ["CQC Location ID", "Home", "Postcode", "Beds", "Beds assumed", "Older people",
                                   "Nursing", "Dementia", "In the council", "Where"]
    inside = homes[homes["In the council"] == "yes"]
    assert len(inside) == 12 and inside["Beds"].sum() == 419 and (homes["Beds assumed"] == "no").all()
    assert inside["Home"].iloc[0] == "Aberdeen House" and set(inside["Where"]) == {"Rutland Health PCN"}

    mine = tmp_path / "mine.csv"
    mine.write_text("name,postcode,beds\nOak House,LE15 6RP,\nAsh House,LE15 9UD,30\nFar House,TR1 1AA,10\n")
    workbook = tmp_path / "homes.xlsx"
    done = subprocess.run([sys.executable, "-m", "caremap", "care-homes", "--council", "rutland", "--care-homes",
                           str(mine), "--out", str(workbook)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "2 care home(s) read; 1 row(s) left out: 1 with a problem to fix (each listed)." in done.stdout
    sheets = pd.read_excel(workbook, sheet_name=None)
    about = dict(zip(sheets["About"]["Item"], sheets["About"]["Detail"]))
    assert about["In the council"] == "2 homes, 54 beds (24 of them assumed)"
    assert "replaces the CQC care directory, 1 March 2021" in about["Source"]
    assert sheets["care homes"]["Beds assumed"].tolist() == ["no", "yes"]
