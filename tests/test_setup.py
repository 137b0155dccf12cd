"""Setting councils up from the national pack: a county, a 2023 merged unitary, a metropolitan borough (Code-Point's
2025 recode), the Isles of Scilly and a London borough each set up and run fee zones, rounds and the report."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from caremap import api
from caremap.cli import main
from geo.council import list_councils, load_council
from geo.errors import UnknownCouncilError
from geo.settings import settings
from layers import setup
from layers.areas import area_levels
from layers.cut import NationalPack
from layers.social_care import council_by_name

COUNCILS = {"warwickshire": "Warwickshire", "westmorland-and-furness": "E06000064", "barnsley": "barnsley",
            "isles-of-scilly": "Isles of Scilly"}
"""Slug -> the name or code the test sets it up by."""

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A user's folder of its own, with the councils of :data:`COUNCILS` and Barnet set up from one reading of the
    pack."""
    folder = tmp_path_factory.mktemp("home")
    with settings.overridden(home=folder):
        done = setup.Setup(NationalPack())
        results = {target.slug: done.run(target) for target in
                   (done.find(name) for name in [*COUNCILS.values(), "Barnet"])}
        yield folder, results


def test_each_council_is_set_up_in_the_users_folder_and_found_by_name_slug_or_code(home):
    folder, results = home
    for slug in [*COUNCILS, "barnet"]:
        council = results[slug].council
        assert council.slug == slug and not council.bundled and council.data_dir == folder / "data"
        assert council.settings_file == folder / "councils" / f"{slug}.toml"
        for name in (council.slug, council.name, council.gss_code):
            assert load_council(name).slug == slug
        assert not list((settings.data_folder / "boundaries").glob(slug))  # never inside the project
    assert {c.slug for c in list_councils()} >= {*COUNCILS, "barnet", "herefordshire"}


def test_every_figure_is_a_labelled_default_naming_whose_it_is(home):
    for result in home[1].values():
        council, people65 = result.council, result.summary.population["65plus"]
        assert all(figure.is_assumption for figure in council.figures.values())
        assert "Herefordshire's four-mile rule" in council.source("fee_zone_radius_miles")
        assert "Herefordshire's 20% rural uplift" in council.source("rural_uplift_pct")
        assert "Herefordshire Market Position Statement 2020-25" in council.source("viability_hours_per_week")
        # The placeholder fee is Herefordshire's base net of its uplift (the uplift is added once, on top of it).
        fee = council.figure("base_fee_per_hour")
        assert fee.value == 18.35 and fee.year == "2019/20" and "net of its rural uplift" in fee.source
        need, source = council.series("bed_demand_65plus", 2020)
        assert need == round(setup.CARE_HOME_RATE_65PLUS / 100 * people65)
        assert "Census 2021" in source and "Older people living in care homes in 2021" in source
        later, _ = council.series("bed_demand_65plus", 2030)
        projected = {int(year): value for year, value in council.value("population_65plus").items()}
        assert later == pytest.approx(need * projected[2030] / projected[2020])
        assert council.vintages["care_homes"] == "CQC care directory, 1 March 2021"
        assert "dissolved from their LSOAs" in council.vintages["msoa21"]


def test_a_county_has_its_districts_as_an_area_level(home):
    council = home[1]["warwickshire"].council
    data = api.load_data(council)
    assert council.two_tier and len(council.lad_codes) == 5 and len(data.districts) == 5
    assert list(area_levels(council)) == ["lsoa21_code", "msoa21_code", "ward22_code", "lad_code", "locality_name"]
    assert area_levels(council)["ward22_code"] == "Ward (May 2024, from LSOAs)"


def test_a_2023_unitary_takes_the_people_and_projections_of_the_districts_it_replaced(home):
    pack = NationalPack()
    summary = home[1]["westmorland-and-furness"].summary
    lookup = pack.table("lookup_lsoa11_lsoa21_ltla22")
    former = lookup[lookup["ltla22_code"].isin(["E07000027", "E07000030", "E07000031"])]  # Barrow, Eden, S. Lakeland
    population = pack.table("population_mid2020_lsoa11")
    assert summary.population["total"] == population[population["lsoa11_code"].isin(former["lsoa11_code"])][
        "total_population"].sum()
    projections = pack.table("snpp2016_age60plus")
    old = projections[projections["AREA_CODE"].isin(["E07000027", "E07000030", "E07000031"]) & (projections["age"] >= 65)]
    assert home[1]["westmorland-and-furness"].council.value("population_65plus")["2030"] == round(old["2030"].sum())


def test_barnsleys_postcodes_are_on_the_code_of_every_other_layer(home):
    folder, results = home
    codepoint = NationalPack().table("codepoint_open")
    postcodes = pd.read_csv(folder / "data/tables/barnsley/postcodes.csv", dtype=str)
    assert len(postcodes) == (codepoint["Admin_district_code"].astype(str) == "E08000038").sum() > 6000
    assert set(postcodes["Admin_district_code"]) == {"E08000016"}
    assert any("E08000038" in note for note in results["barnsley"].summary.notes)


def test_the_isles_of_scilly_and_a_london_borough_get_centres_said_so(home):
    scilly, barnet = home[1]["isles-of-scilly"], home[1]["barnet"]
    assert scilly.council.fee_zone_centres == ("Hugh Town",) and scilly.summary.counts["lsoa"] == 1
    assert scilly.summary.counts["border_practices"] == 0
    assert barnet.summary.centre_kind == "suburban area" and "Chipping Barnet" in barnet.council.fee_zone_centres
    assert "no postcode earns the rural uplift" in barnet.council.source("fee_zone_radius_miles")
    data = api.load_data(barnet.council)
    zones = api.classify_fee_zones(data, api.travel_engine(barnet.council, "estimate"))
    assert zones["inside_straight"].all()


@pytest.mark.slow
@pytest.mark.parametrize("slug", list(COUNCILS))
def test_a_set_up_council_runs_fee_zones_rounds_and_the_report(home, slug, tmp_path, capsys):
    folder = home[0]
    assert main(["fee-zones", "--council", slug, "--out", str(tmp_path / "zones.csv")]) == 0
    zones = pd.read_csv(tmp_path / "zones.csv", comment="#")
    assert len(zones) == home[1][slug].summary.counts["postcodes"]
    assert main(["rounds", "--council", slug, "--synthetic", "4", "--seconds", "1", "--out",
                 str(tmp_path / "plan.csv")]) == 0
    assert "SYNTHETIC: 4 clients" in capsys.readouterr().out
    homes = folder / "data" / "tables" / slug / "cqc_care_homes.csv"
    # Two candidate sites of the council's own postcodes keep the site choice small (the towns and villages of a
    # county are hundreds).
    postcodes = pd.read_csv(folder / "data" / "tables" / slug / "postcodes.csv", dtype=str)["Postcode"]
    (tmp_path / "sites.csv").write_text(f"name,postcode\nSite A,{postcodes.iloc[0]}\nSite B,{postcodes.iloc[-1]}\n")
    assert main(["report", "--council", slug, "--care-homes", str(homes), "--sites", "1", "--candidates",
                 str(tmp_path / "sites.csv"), "--out", str(tmp_path / "report.html")]) == 0
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert home[1][slug].council.name.split(",")[0] in page and "ESTIMATE" in page


def test_a_bundled_council_is_said_to_be_bundled_not_overwritten(home):
    result = setup.Setup().run(setup.find_social_care_council("Herefordshire, County of"))
    assert result.summary is None and "bundled" in result.status and result.council.bundled
    assert not (home[0] / "councils" / "herefordshire.toml").exists()


def test_an_unknown_or_refused_council_exits_2_with_why(home, capsys):
    assert main(["setup", "--council", "Malvern Hills"]) == 2
    assert "district council" in capsys.readouterr().err
    assert main(["setup", "--council", "Shropshyre"]) == 2
    assert "Closest names: Shropshire" in capsys.readouterr().err
    with pytest.raises(UnknownCouncilError, match="Wiltshire is not set up yet.*setup --council wiltshire"):
        council_by_name("Wiltshire")


def test_councils_lists_the_ready_ones_and_the_153(home, capsys):
    assert main(["councils"]) == 0
    out = capsys.readouterr().out
    assert "barnsley" in out and "set up from national data" in out and "bundled, documents' figures" in out
    assert main(["councils", "--available"]) == 0
    out = capsys.readouterr().out
    assert "153 councils: 9 ready to use." in out
    assert re.search(r"E06000019\s+Herefordshire\s+unitary authority\s+bundled", out)
    assert re.search(r"E08000016\s+Barnsley\s+metropolitan borough\s+set up as 'barnsley'", out)


@pytest.mark.slow
def test_the_app_sets_up_another_council_and_opens_it(tmp_path):
    st.cache_data.clear()
    with settings.overridden(home=tmp_path):  # an empty user's folder (the app runs in this process)
        app = AppTest.from_file(APP, default_timeout=240).run()
        assert not app.exception and app.title[0].value == "Explore Herefordshire"
        assert "Isles of Scilly (unitary authority, E06000053)" in app.selectbox(key="setup_choice").options
        app.selectbox(key="setup_choice").select("E06000053")
        app.run()
        app.button(key="setup_go").click()
        app.run()
        assert not app.exception and not app.error
        assert app.title[0].value == "Explore Isles of Scilly"
        assert (tmp_path / "councils" / "isles-of-scilly.toml").is_file()
        assert "Isles of Scilly (national data)" in app.selectbox(key="council_slug").options
        assert any("no hospital list is held" in info.value for info in app.info)
    st.cache_data.clear()
