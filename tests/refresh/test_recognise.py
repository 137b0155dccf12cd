"""Files downloaded by hand, recognised by their content whatever the browser named them, and a refresh from them."""

from __future__ import annotations

import pandas as pd

from layers.refresh import REFRESHED, SHIPPED, recognise, refresh
from layers.refresh.sources.population import MID2020_LSOA11, PopulationSource
from tests.refresh.publishers import PACK, downloads_folder, pack_csv, read_refreshed_table


def test_files_are_recognised_by_their_content_and_what_is_lacking_is_said(publishers, tmp_path):
    folder = tmp_path / "Downloads"
    downloads_folder(folder, publishers)
    recognition = recognise(folder)
    found = {(found.path.name, found.source, found.role) for found in recognition.found}
    assert found == {
        ("01_March_2021_HSCA_Active_Locations.ods", "care_homes", "directory"),
        ("download.csv", "gp_practices", "epraccur"), ("epraccur (old).csv", "gp_practices", "epraccur"),
        ("Book1.xlsx", "gp_practices", "partners"), ("download (1).csv", "gp_practices", "branches"),
        ("file.zip", "postcodes", "codepoint"), ("download (2).zip", "projections", "projections"),
        ("extract.osm.pbf", "osm", "extract"), ("download (3).csv", "lookups", "lookup_lsoa21_ward24_ltla24"),
        ("Lower_layer_Super_Output_Areas_2021.geojson", "boundaries", "lsoa21_boundaries"),
        ("NM_2010_1.data.csv", "population", "lsoa"), ("NM_2010_1.data (1).csv", "population", "district")}
    assert [path.name for path in recognition.unrecognised] == ["notes.txt"]
    assert recognition.sources() == ["lookups", "boundaries", "population", "projections", "postcodes",
                                     "gp_practices", "care_homes"]
    assert list(recognition.lacking()) == ["rural_urban"]
    report = recognition.report()
    assert "lacking rural_urban" in report and "geoportal.statistics.gov.uk" in report
    assert "found   care_homes    CQC care directory (ODS) — 01_March_2021_HSCA_Active_Locations.ods (CQC care " \
           "directory, 1 March 2021)" in report
    assert "not recognised: notes.txt" in report


def test_a_refresh_from_the_folder_reproduces_the_pack_rows(publishers, tmp_path, client):
    folder = tmp_path / "Downloads"
    downloads_folder(folder, publishers)
    asked = len(publishers.server.log)
    report = refresh("all", from_folder=folder, client=client, adapters=[PopulationSource(MID2020_LSOA11)])
    assert len(publishers.server.log) == asked  # nothing asked of the publishers
    statuses = {outcome.source: outcome.status for outcome in report.outcomes}
    assert statuses == {"lookups": REFRESHED, "boundaries": REFRESHED, "rural_urban": SHIPPED,
                        "population": REFRESHED, "projections": REFRESHED, "postcodes": REFRESHED,
                        "gp_practices": REFRESHED, "care_homes": REFRESHED}, report.text()
    assert "no file for it in" in report.outcomes[2].why
    population = read_refreshed_table("population_mid2020_lsoa11").astype(str)
    assert population.equals(pack_csv("population_mid2020_lsoa11_syoa"))
    homes = read_refreshed_table("cqc_care_homes")
    expected = pd.read_csv(PACK / "cqc_care_homes.csv", dtype=str, keep_default_na=False)
    assert homes.astype(object).where(homes.notna(), "").astype(str).equals(expected)
    assert len(read_refreshed_table("lsoa21_boundaries")) == 26
    gp = next(outcome for outcome in report.outcomes if outcome.source == "gp_practices")
    assert gp.tables == {"gp_practices_pcn": 32, "gp_branch_surgeries": 1}
