"""A council brought up to date end to end: the national tables refreshed through the stand-in publishers (or from a
folder of files downloaded by hand) and the council cut again from them reproduces the bundled Rutland; its settings
record every layer's vintage; ``setup --refresh`` without internet fails in seconds with one message.

Rutland is bundled with the tool, so these tests give the tool a councils folder without it (Herefordshire's
settings, whose figures a set-up council borrows as what-ifs, and the national figures): Rutland is then set up from
the national data like any other council, in the stand-in world whose pack and publishers hold Rutland's rows.
"""

from __future__ import annotations

import shutil
import time

import pytest

from analyses.report import vintages as report_vintages
from caremap.cli import main
from geo.council import load_council
from geo.settings import settings
from layers import national, setup
from layers.catalog import DATASETS
from layers.council_data import load_council_data
from layers.refresh import REFRESHED
from layers.refresh.sources.population import MID2020_LSOA11, PopulationSource
from routing.engine import EstimateEngine
from tests.layers_equal import same_frame, same_layers
from tests.refresh.publishers import downloads_folder
from tests.refresh.standin import closed_port

TOLERANCE_M = 0.15
"""Rutland's bundled boundaries are full precision, the pack's (as ONS publishes them) 6 decimals."""


@pytest.fixture
def world(rutland, publishers, tmp_path):
    """The stand-in world with a councils folder in which Rutland is not bundled."""
    councils = tmp_path / "councils"
    councils.mkdir()
    for name in ("herefordshire.toml", "national.toml"):
        shutil.copy(settings.councils_folder / name, councils / name)
    with settings.overridden(councils_folder=councils):
        yield publishers


def test_refreshing_rutland_through_the_stand_in_and_cutting_it_again_gives_the_bundled_rutland(world, rutland,
                                                                                                client):
    steps = []
    started = time.perf_counter()
    done = setup.bring_up_to_date("Rutland", client=client, adapters=[PopulationSource(MID2020_LSOA11)],
                                  progress=lambda fraction, message: steps.append(fraction))
    seconds = time.perf_counter() - started
    assert {outcome.status for outcome in done.report.outcomes} == {REFRESHED}, done.report.text()
    assert not done.kept_shipped and not done.warnings()
    assert steps == sorted(steps) and steps[-1] == 1.0  # a progress bar that only moves forward
    assert set(national.refreshed_tables()) >= {"lookup_lad24_ctyua24", "codepoint_open", "gp_practices_pcn",
                                                "cqc_care_homes", "population_mid2020_lsoa11", "lsoa21_boundaries"}
    council = load_council("rutland")
    assert not council.bundled and council.data_dir == settings.home / "data"
    same_layers(load_council_data(council), rutland, tolerance_m=TOLERANCE_M)
    # Every layer's vintage is the publisher's, as the refresh recorded it.
    vintages = council.vintages
    assert vintages["care_homes"] == "CQC care directory, 1 March 2021"
    assert vintages["postcodes"] == "OS Code-Point Open, 2025-05"
    assert vintages["population"] == "ONS small-area population estimates, mid-2020 (NM_2010_1, Nomis)"
    assert vintages["practices"] == vintages["border_practices"] == national.refreshed_tables()[
        "gp_practices_pcn"]["vintage"]
    assert vintages["lsoa21"] == ("ONS LSOA21_WD24_LAD24_EW_LU (last edited 2024-04-24); ONS Lower_layer_Super_"
                                  "Output_Areas_December_2021_Boundaries_EW_BSC_V4 (last edited 2024-04-24)")
    assert vintages["projections"] == "ONS 2016-based subnational population projections"
    assert vintages["places"] == "OS Open Names, 2017"  # no publisher refreshes it: the shipped table's date
    assert "dissolved from their LSOAs" in vintages["msoa21"]
    assert "ONS 2016-based subnational population projections for Rutland" in council.source("population_65plus")
    print(f"refresh and re-cut of Rutland through the stand-in: {seconds:.1f} s")


def test_the_current_estimates_on_2021_lsoas_are_taken_as_they_are(world, rutland, client):
    done = setup.bring_up_to_date("Rutland", sources=["lookups", "population"], client=client)
    assert [outcome.status for outcome in done.report.outcomes] == [REFRESHED, REFRESHED], done.report.text()
    assert national.newest_of("population_mid2020_lsoa11") == "population_lsoa21"
    council = load_council("rutland")
    assert DATASETS["population_lsoa21"].location("rutland", council.data_dir).is_file()
    assert not DATASETS["population"].location("rutland", council.data_dir).exists()
    same_frame(load_council_data(council).population_by_age, rutland.population_by_age)
    assert council.vintages["population"] == "ONS small-area population estimates, mid-2020 (NM_2014_1, Nomis)"


def test_setup_refresh_brings_a_council_up_to_date_and_says_what_it_did(world, rutland, tmp_path, capsys):
    assert main(["setup", "--council", "Rutland", "--refresh"]) == 0
    out = capsys.readouterr().out
    assert "care_homes: refreshed — CQC care directory, 1 March 2021 (1 table, 12 rows)" in out
    assert "Rutland (E06000017, unitary authority): set up in" in out
    assert "    care_homes: CQC care directory, 1 March 2021" in out  # the vintages of its layers
    council = load_council("rutland")
    text = council.settings_file.read_text()
    assert 'population = "ONS small-area population estimates, mid-2020 (NM_2014_1, Nomis)"' in text
    data = load_council_data(council)
    same_layers(data, rutland, tolerance_m=TOLERANCE_M)
    # The report and the exports name every layer's date.
    shown = dict(report_vintages(data, EstimateEngine(), "CQC care homes in the council's data"))
    assert shown["Population by single year of age on 2021 LSOAs"] == \
        "ONS small-area population estimates, mid-2020 (NM_2014_1, Nomis)"
    assert shown["Postcode centroids"] == "OS Code-Point Open, 2025-05"
    assert shown["Population projections"] == "ONS 2016-based subnational population projections"
    out = tmp_path / "zones.csv"
    assert main(["fee-zones", "--council", "rutland", "--out", str(out)]) == 0
    about = [line for line in out.read_text().splitlines() if line.startswith("# Data vintages: ")]
    assert len(about) == 1 and "Postcode centroids: OS Code-Point Open, 2025-05" in about[0]
    assert "CQC care homes in the council and within 15 km beyond its boundary: CQC care directory, 1 March 2021" \
        in about[0]


def test_a_source_that_is_down_falls_back_with_a_warning_and_setup_says_so(world, client, capsys):
    setup.bring_up_to_date(None, sources="care_homes", client=client)
    world.cqc_page = b"<html><body>Maintenance: no links today</body></html>"
    assert main(["setup", "--refresh", "care_homes,rural_urban"]) == 0
    out = capsys.readouterr().out
    assert "warning: care_homes: from cache — CQC care directory, 1 March 2021 (1 table, 12 rows), the cached " \
           "download is less than a day old" in out
    assert "rural_urban: refreshed" in out
    assert "No council set up from the national data yet" in out
    assert main(["setup", "--refresh", "postcodes", "--offline"]) == 2  # nothing of it in the cache
    captured = capsys.readouterr()
    assert "warning: postcodes: shipped copy kept (Code-Point Open, 2025 release (district codes of April 2025))" \
        in captured.out
    assert "error: postcodes could not be refreshed and kept the copy the tool had" in captured.err


def test_setup_from_a_folder_of_files_downloaded_by_hand_sets_a_council_up(world, rutland, tmp_path, capsys):
    folder = tmp_path / "Downloads"
    downloads_folder(folder, world)
    asked = len(world.server.log)
    assert main(["setup", "--council", "rutland", "--from", str(folder)]) == 0
    assert len(world.server.log) == asked  # nothing asked of the publishers
    out = capsys.readouterr().out
    assert f"In {folder}:" in out and "found   care_homes    CQC care directory (ODS)" in out
    assert "lacking rural_urban" in out and "not recognised: notes.txt" in out
    assert "rural_urban: shipped copy kept" not in out  # lacking, so not asked for
    council = load_council("rutland")
    same_layers(load_council_data(council), rutland, tolerance_m=TOLERANCE_M)
    assert council.vintages["care_homes"] == "CQC care directory, 1 March 2021"
    assert council.vintages["ruc21"] == "2021 classification"  # the shipped table's: no file for it in the folder
    assert council.vintages["population"] == "ONS small-area population estimates, mid-2020 (NM_2010_1, Nomis)"


def test_setup_refuses_a_folder_with_none_of_the_publishers_files(world, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("nothing here\n")
    assert main(["setup", "--council", "rutland", "--from", str(tmp_path / "empty")]) == 2
    err = capsys.readouterr().err
    assert "error: None of the publishers' files is in" in err and "lacking care_homes" in err
    assert main(["setup", "--council", "rutland", "--from", str(tmp_path / "nowhere")]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_setup_refresh_without_internet_fails_in_seconds_with_one_message(world, capsys):
    dead = f"http://127.0.0.1:{closed_port()}"
    urls = {name: f"{dead}/{name}" for name in ("ons_arcgis_url", "nomis_url", "snpp_url", "os_downloads_url",
                                                "onspd_url", "ods_url", "cqc_page_url", "geofabrik_url")}
    started = time.perf_counter()
    with settings.overridden(**urls):
        assert main(["setup", "--council", "Rutland", "--refresh", "all"]) == 2
    assert time.perf_counter() - started < 5
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: Cannot reach the publishers (127.0.0.1)")
    assert "--offline" in lines[0] and "--from FOLDER" in lines[0]
    assert not (settings.home / "councils" / "rutland.toml").exists()  # nothing set up from half the data


def test_an_unknown_source_or_council_is_refused_before_anything_is_asked(world, capsys):
    asked = len(world.server.log)
    assert main(["setup", "--council", "Rutland", "--refresh", "carehomes"]) == 2
    assert "Unknown source carehomes: choose from all, lookups" in capsys.readouterr().err
    assert main(["setup", "--council", "Rutlnd", "--refresh"]) == 2
    assert "not one of England's 153" in capsys.readouterr().err
    assert len(world.server.log) == asked


def _evidence_page():
    from app_pages import evidence

    evidence.page()


def test_the_evidence_page_shows_each_layers_date_and_brings_the_council_up_to_date(world, tmp_path):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    folder = tmp_path / "Downloads"
    downloads_folder(folder, world)
    setup.bring_up_to_date("Rutland", from_folder=folder)  # set up from files downloaded by hand
    st.cache_data.clear()
    app = AppTest.from_function(_evidence_page, default_timeout=120)
    app.session_state["council_slug"] = "rutland"
    app.run()
    assert not app.exception and not app.error

    def dates() -> dict[str, str]:
        table = next(frame.value for frame in app.table if list(frame.value.columns) == ["Date of the data"]
                     and "Population projections by district (growth of need)" in set(frame.value.index))
        return dict(zip(table.index, table["Date of the data"].str.replace("\u200b", "")))

    before = dates()
    assert before["CQC care homes in the council and within 15 km beyond its boundary"] == \
        "CQC care directory, 1 March 2021"
    assert before["Mid-2020 population by single year of age on 2011 LSOAs"] == \
        "ONS small-area population estimates, mid-2020 (NM_2010_1, Nomis)"
    assert app.button(key="uptodate_rutland_go").label == "Bring Rutland up to date"
    app.button(key="uptodate_rutland_go").click().run()
    assert not app.exception and not app.error
    done = next(success.value for success in app.success).replace("\\", "")  # Markdown signs escaped
    assert "- care_homes: refreshed — CQC care directory, 1 March 2021" in done
    assert "- rural_urban: refreshed" in done and "- Rutland: set up again" in done
    after = dates()  # the current estimates, on 2021 LSOAs, from the stand-in Nomis
    assert after["Population by single year of age on 2021 LSOAs"] == \
        "ONS small-area population estimates, mid-2020 (NM_2014_1, Nomis)"
    assert "files dated" not in after["Postcode centroids"] and after["Postcode centroids"] == \
        "OS Code-Point Open, 2025-05"
    figures = next(frame.value for frame in app.dataframe if "How the tool gets it" in frame.value.columns
                   and "People aged 65+" in set(frame.value["Figure"])).set_index("Figure")
    assert figures.loc["People aged 65+", "How the tool gets it"].startswith(
        "ONS small-area population estimates, mid-2020 (NM_2014_1, Nomis), summed")
    assert figures.loc["Care homes in the council", "Year"] == "1 March 2021"
    st.cache_data.clear()
