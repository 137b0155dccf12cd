"""The refresh entry, end to end through the stand-in publishers: Rutland's pack rows reproduced and written with
their vintages; a source that is down falls back to its cached download (saying how old) or to the shipped copy;
--offline uses the cache only; a damaged cache or a release failing the checks is not used; no internet at all
fails in seconds with one message."""

from __future__ import annotations

import json
import time

import pandas as pd
import pytest
from shapely.geometry import shape

from geo.settings import settings
from layers import national
from layers.refresh import FROM_CACHE, SHIPPED, PublishersUnreachable, layer_vintages, refresh
from layers.refresh.cache import RawCache
from layers.refresh.sources.population import MID2020_LSOA11, PopulationSource
from tests.refresh.publishers import FIXTURE_OF, PACK, pack_csv, read_refreshed_table
from tests.refresh.standin import Reply, closed_port

CQC_PAGE = "/cqc/about-us/transparency/using-cqc-data"
MID2020 = PopulationSource(MID2020_LSOA11)  # the pack's population: mid-2020 on 2011 LSOAs
BUNDLED = settings.data_folder / "tables" / "rutland"


def text(frame: pd.DataFrame) -> pd.DataFrame:
    """A table as the text a CSV would hold (missing values empty), for comparing with the pack's rows."""
    frame = pd.DataFrame(frame).reset_index(drop=True).astype(object)
    return frame.where(frame.notna(), "").astype(str)


def run(client, **options):
    return refresh("all", client=client, adapters=[MID2020], **options)


def test_refreshing_rutland_through_the_stand_in_reproduces_its_pack_rows(publishers, client):
    report = run(client)
    assert report.complete, report.text()
    for name, fixture in FIXTURE_OF.items():
        if name.endswith("boundaries"):
            continue
        columns = list(national.PACK_TABLES[name].columns)
        assert text(read_refreshed_table(name)).equals(pack_csv(fixture)[columns]), name
        assert national.table_path(name) == national.refreshed_path(name)
    projections = pd.read_csv(PACK / "snpp_persons_age60plus_district.csv")  # numbers: 499 and 517.579
    years = [str(year) for year in range(2016, 2042)]
    pd.testing.assert_frame_equal(read_refreshed_table("snpp_age60plus"), projections[["AREA_CODE", "age", *years]],
                                  check_dtype=False)
    for name, fixture in (("lsoa21_boundaries", FIXTURE_OF["lsoa21_boundaries"]),
                          ("lad24_boundaries", FIXTURE_OF["lad24_boundaries"])):
        table = read_refreshed_table(name)
        features = json.loads((PACK / f"{fixture}.geojson").read_text())["features"]
        kept = [column for column in national.PACK_TABLES[name].columns if column != "geometry"]
        assert text(table.drop(columns="geometry")).to_dict("records") == [
            {key: f["properties"][key] for key in kept} for f in features]
        assert all(a.equals_exact(shape(f["geometry"]), 0) for a, f in zip(table.geometry, features))
        assert table.crs.to_epsg() == 4326
    practices = read_refreshed_table("gp_practices_pcn").set_index("practice_code")
    bundled = pd.concat([pd.read_csv(BUNDLED / "gp_practices_pcn.csv", dtype=str),
                         pd.read_csv(BUNDLED / "gp_practices_border15km.csv", dtype=str)])
    bundled = bundled[bundled["commissioner"] == "03W"].set_index("practice_code")
    bundled["pcn_start_date"] = bundled["pcn_start_date"].str.replace(".0", "", regex=False)
    columns = ["practice_name", "postcode", "commissioner", "pcn_code", "pcn_name", "pcn_start_date"]
    assert len(bundled) == 10 and text(practices.loc[bundled.index, columns]).equals(text(bundled[columns]))
    assert len(practices) == 32  # every open GP practice of commissioner 03W
    assert text(read_refreshed_table("gp_branch_surgeries")).values.tolist() == [
        ["C82010001", "SYNTHETIC TEST BRANCH SURGERY", "LE15 6NT", "C82010"]]
    index = national.refreshed_tables()
    assert index["cqc_care_homes"]["vintage"] == "CQC care directory, 1 March 2021"
    assert index["codepoint_open"]["vintage"] == "OS Code-Point Open, 2025-05"
    assert index["codepoint_open"]["source"] == "postcodes" and index["codepoint_open"]["rows"] == 1274
    assert index["population_mid2020_lsoa11"]["vintage"] == \
        "ONS small-area population estimates, mid-2020 (NM_2010_1, Nomis)"
    assert national.table_vintage("snpp_age60plus") == "ONS 2016-based subnational population projections"
    assert layer_vintages()["care_homes"] == "CQC care directory, 1 March 2021"
    assert report.layer_vintages()["lsoa21"] == (
        "ONS LSOA21_WD24_LAD24_EW_LU (last edited 2024-04-24); "
        "ONS Lower_layer_Super_Output_Areas_December_2021_Boundaries_EW_BSC_V4 (last edited 2024-04-24)")
    manifest = json.loads((settings.cache_folder / "raw" / "care_homes" / "2021-03-01" / "manifest.json").read_text())
    assert manifest["files"][0]["url"].endswith("/01_March_2021_HSCA_Active_Locations.ods")
    assert len(manifest["files"][0]["sha256"]) == 64 and manifest["files"][0]["size"] > 0


def test_a_source_that_is_down_falls_back_to_its_cached_download_saying_how_old(publishers, client):
    refresh("care_homes", client=client)
    publishers.server.script(CQC_PAGE, [Reply(503, b"down")] * 4)
    outcome = refresh("care_homes", client=client).outcomes[0]
    assert outcome.status == FROM_CACHE and outcome.release == "2021-03-01"
    assert "503 Service Unavailable" in outcome.why and outcome.age.startswith("less than a day old (downloaded ")
    assert "from cache — CQC care directory, 1 March 2021" in outcome.line()
    assert "the cached download is less than a day old" in outcome.line()


def test_with_nothing_cached_the_shipped_copy_is_kept_and_its_vintage_named(publishers, client):
    publishers.server.script(CQC_PAGE, [Reply(503, b"down")] * 4)
    outcome = refresh("care_homes", client=client).outcomes[0]
    assert outcome.status == SHIPPED and "no usable download in the cache" in outcome.why
    assert outcome.line().startswith("care_homes: shipped copy kept (CQC care directory, 1 March 2021)")
    assert read_refreshed_table("cqc_care_homes") is None


def test_offline_uses_the_cache_only(publishers, client):
    refresh(["lookups", "care_homes"], client=client)
    asked = len(publishers.server.log)
    report = refresh(["lookups", "care_homes", "postcodes"], offline=True, client=client)
    assert len(publishers.server.log) == asked
    statuses = {outcome.source: outcome.status for outcome in report.outcomes}
    assert statuses == {"lookups": FROM_CACHE, "postcodes": SHIPPED, "care_homes": FROM_CACHE}
    assert "offline" in report.outcomes[1].why and report.outcomes[1].source == "postcodes"


def test_a_cached_file_that_no_longer_matches_its_checksum_is_not_used(publishers, client):
    refresh("care_homes", client=client)
    cached = RawCache().latest("care_homes")[0]
    path = cached.path("directory")
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    outcome = refresh("care_homes", offline=True, client=client).outcomes[0]
    assert outcome.status == SHIPPED and "does not match the SHA-256 recorded" in outcome.why


def test_a_current_release_failing_the_checks_falls_back_and_is_marked(publishers, client):
    refresh("lookups", client=client)
    service = publishers.services["LAD24_CTYUA24_EW_LU"]
    service.edited_ms += 86_400_000 * 30  # a new release a month later
    service.rows = service.rows[:2]  # that lost most of its rows
    outcome = refresh("lookups", client=client).outcomes[0]
    assert outcome.status == FROM_CACHE, outcome.line()
    assert "lookup_lad24_ctyua24 would have 2 rows, fewer than 90% of the 8 of the copy it replaces" in outcome.why
    rejected = [release for release in RawCache().releases("lookups") if release.rejected]
    assert len(rejected) == 1 and "truncated" in rejected[0].rejected
    service.rows = service.rows[:1] + service.rows[2:]  # and a release that also differs from the other sources
    publishers.services["LSOA21_RUC21_EW_LU"].rows = publishers.services["LSOA21_RUC21_EW_LU"].rows[:10]
    outcome = refresh("rural_urban", client=client).outcomes[0]
    assert outcome.status == SHIPPED
    assert "10 LSOAs classified against the lookup's LSOAs, but 26 expected" in outcome.why


def test_without_internet_refresh_fails_in_seconds_with_one_message(publishers, client):
    dead = f"http://127.0.0.1:{closed_port()}"
    started = time.perf_counter()
    with settings.overridden(ons_arcgis_url=f"{dead}/arcgis", nomis_url=f"{dead}/nomis", snpp_url=f"{dead}/snpp.zip",
                             os_downloads_url=f"{dead}/os", ods_url=f"{dead}/ods", cqc_page_url=f"{dead}/cqc",
                             reach_timeout=2):
        with pytest.raises(PublishersUnreachable, match=r"Cannot reach the publishers \(127.0.0.1\).*offline"):
            refresh("all", client=client)
    assert time.perf_counter() - started < 3


def test_a_renamed_column_keeps_the_shipped_copy_and_names_the_column(publishers, client):
    service = publishers.services["LSOA21_RUC21_EW_LU"]
    service.rows = [{("RUC21_CODE" if key == "RUC21CD" else key): value for key, value in row.items()}
                    for row in service.rows]
    outcome = refresh("rural_urban", client=client).outcomes[0]
    assert outcome.status == SHIPPED and "lacks the column ruc21_code ('RUC21CD')" in outcome.why


def test_a_damaged_file_in_the_folder_is_reported_not_raised(tmp_path, client):
    folder = tmp_path / "Downloads"
    folder.mkdir()
    published = PACK.parent / "published" / "ods"
    lines = (published / "epraccur_legacy.csv").read_text().splitlines()
    lines.insert(10, lines[10] + ',"an extra field","and another"')  # a line damaged in the middle of the file
    (folder / "epraccur.csv").write_text("\n".join(lines) + "\n")
    (folder / "ePCN.xlsx").write_bytes((published / "ePCN.xlsx").read_bytes())
    outcome = refresh("gp_practices", from_folder=folder, client=client).outcomes[0]
    assert outcome.status == SHIPPED
    assert outcome.why.startswith("GP practices and PCNs (NHS ODS): cannot read files downloaded by hand (ParserError")
