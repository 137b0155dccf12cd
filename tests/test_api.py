"""The public API as a library user meets it: layers in any CRS, readers whose results the analyses take, every
option checked before any work, one exception family, engines by their constructors, one version."""

from __future__ import annotations

import warnings
from importlib import metadata

import geopandas as gpd
import numpy as np
import pytest

import caremap
from geo import checks
from geo.errors import (
    CareMapError,
    InputDataError,
    InputFileNotFoundError,
    ReprojectedWarning,
    RoadNetworkError,
)
from routing.engine import EstimateEngine, RoadEngine

OAKHAM_BNG = [[486_000.0, 308_000.0]]


@pytest.fixture(scope="module")
def rutland_homes(rutland_care_homes):
    return rutland_care_homes


@pytest.fixture(scope="module")
def estimate():
    return EstimateEngine()


# --- No silent CRS errors ------------------------------------------------------------------------------------------


def test_homes_in_degrees_give_the_same_coverage_as_in_metres(rutland, rutland_homes, rutland_engine):
    """The review's reproduction: homes in EPSG:4326 gave a mean of 697 minutes to the nearest home."""
    in_metres = caremap.measure_coverage(rutland, rutland_homes, rutland_engine, year=2028)
    with pytest.warns(ReprojectedWarning, match=r"homes was in WGS 84 \(EPSG:4326\): reprojected to British National"):
        in_degrees = caremap.measure_coverage(rutland, rutland_homes.homes.to_crs(4326), rutland_engine, year=2028)
    mean = in_metres.areas["council"]["minutes_mean"].iloc[0]
    assert 3.5 < mean < 5.5  # 4.4 minutes, people-weighted, on Rutland's roads
    assert in_degrees.areas["council"]["minutes_mean"].iloc[0] == pytest.approx(mean, rel=1e-6)  # mm lost to and fro
    np.testing.assert_allclose(in_degrees.postcodes["access"], in_metres.postcodes["access"], rtol=1e-6)


def test_a_layer_without_a_crs_is_refused_naming_the_fix(rutland, rutland_homes, estimate):
    bare = rutland_homes.homes.set_crs(None, allow_override=True)
    with pytest.raises(InputDataError, match=r"homes has no coordinate reference system.*set_crs\('EPSG:4326'\)"):
        caremap.measure_coverage(rutland, bare, estimate)


@pytest.mark.parametrize("engine_name", ["road", "estimate"])
def test_arrays_in_degrees_are_refused_by_every_array_entry(engine_name, rutland_engine, estimate):
    engine = rutland_engine if engine_name == "road" else estimate
    degrees = [[-0.7, 52.6]]
    for call in (lambda: engine.matrix(degrees, OAKHAM_BNG), lambda: engine.matrix(OAKHAM_BNG, degrees),
                 lambda: engine.nearest(degrees, OAKHAM_BNG), lambda: engine.snap(degrees),
                 lambda: engine.path(degrees[0], OAKHAM_BNG[0]), lambda: engine.within(degrees, OAKHAM_BNG, minutes=5),
                 lambda: engine.distance_from_centres(degrees, OAKHAM_BNG)):
        with pytest.raises(InputDataError, match="look like longitude/latitude degrees.*British National Grid metres"):
            call()


def test_a_geodataframe_in_degrees_is_reprojected_by_the_engine(rutland, rutland_engine):
    postcodes = rutland.postcodes.head(20)
    xy = np.column_stack([postcodes.geometry.x, postcodes.geometry.y])
    with pytest.warns(ReprojectedWarning, match="origins was in WGS 84"):
        from_frame = rutland_engine.matrix(postcodes.to_crs(4326), xy[:5])
    np.testing.assert_allclose(from_frame.minutes, rutland_engine.matrix(xy, xy[:5]).minutes, atol=1e-4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a frame already in BNG is taken as it is
        rutland_engine.nearest(postcodes, postcodes.head(3))


def test_fee_zones_of_clients_in_degrees_match_those_in_metres(rutland, estimate):
    clients = caremap.synthetic_clients(rutland, clients=15, seed=4)
    in_metres = caremap.classify_fee_zones(rutland, estimate, clients=clients)
    with pytest.warns(ReprojectedWarning):
        in_degrees = caremap.classify_fee_zones(rutland, estimate, clients=clients.to_crs(4326))
    assert in_degrees.crs == "EPSG:27700"
    np.testing.assert_allclose(in_degrees["road_miles"], in_metres["road_miles"], atol=1e-5)  # mm lost to and fro


def test_council_data_reprojects_a_layer_swapped_in_another_crs(rutland):
    import dataclasses

    with pytest.warns(ReprojectedWarning, match="data.postcodes was in WGS 84"):
        swapped = dataclasses.replace(rutland, postcodes=rutland.postcodes.to_crs(4326))
    assert swapped.postcodes.crs == "EPSG:27700"
    np.testing.assert_allclose(swapped.postcodes.geometry.x, rutland.postcodes.geometry.x, atol=1e-3)


# --- Readers whose results the analyses take -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def client_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("clients") / "clients.csv"
    path.write_text("client_id,postcode,calls_per_day,minutes_per_call,hours_per_week\n"
                    "A1,LE15 6DT,2,30,7\nA2,LE15 9EL,1,45,5.25\nA3,PE9 3QN,1,30,3.5\n")
    return path


def test_what_read_clients_returns_goes_to_build_rounds_and_fee_zones(rutland, client_file, estimate):
    from analyses import rounds

    table = caremap.read_clients(client_file, rutland)
    assert len(table.clients) == 3 and not table.problems
    settings = rounds.RoundSettings.for_council(rutland.council, iterations=30, time_limit_s=5)
    from_table = caremap.build_rounds(rutland, estimate, clients=table, settings=settings)
    from_frame = caremap.build_rounds(rutland, estimate, clients=table.clients, settings=settings)
    assert set(from_table.visits["client_id"]) == {"A1", "A2", "A3"}
    assert from_table.visits["minutes"].sum() == from_frame.visits["minutes"].sum() == (2 * 30 + 45 + 30) * 7
    costed = caremap.read_clients(client_file, rutland, purpose="fee-zones")
    zones = caremap.classify_fee_zones(rutland, estimate, clients=costed)
    assert zones["client_id"].tolist() == ["A1", "A2", "A3"]
    assert zones["inside_straight"].tolist() == caremap.classify_fee_zones(
        rutland, estimate, clients=costed.clients)["inside_straight"].tolist()


@pytest.mark.slow
def test_coverage_and_the_report_take_the_table_or_its_frame(rutland, rutland_homes, estimate, tmp_path):
    from_table = caremap.measure_coverage(rutland, rutland_homes, estimate)
    from_frame = caremap.measure_coverage(rutland, rutland_homes.homes, estimate)
    assert from_table.areas["council"]["shortfall"].iloc[0] == from_frame.areas["council"]["shortfall"].iloc[0]
    written = caremap.write_report(rutland, rutland_homes.homes, estimate, tmp_path / "report.html", sites=1)
    assert "Rutland" in written.read_text(encoding="utf-8")


def test_one_centre_given_as_text_is_one_centre(rutland, estimate):
    one = caremap.classify_fee_zones(rutland, estimate, centres="Oakham")
    listed = caremap.classify_fee_zones(rutland, estimate, centres=["Oakham"])
    assert set(one["straight_centre"]) == {"Oakham"}
    assert one["inside_straight"].tolist() == listed["inside_straight"].tolist()


# --- Every option checked before any work ---------------------------------------------------------------------------


def test_a_mistyped_reading_fails_before_any_solving(rutland, estimate):
    solved = []
    with pytest.raises(InputDataError, match=r"reading 'raod' is not allowed: use one of 'straight', 'road'"):
        caremap.build_rounds(rutland, estimate, clients=5, reading="raod", progress=lambda *step: solved.append(step))
    assert solved == []


@pytest.mark.parametrize("call, message", [
    (lambda d, e, h: caremap.classify_fee_zones(d, e, radius_miles=-1), r"radius_miles -1 is not allowed.*between 0 and 30"),
    (lambda d, e, h: caremap.classify_fee_zones(d, e, radius_miles="four"), r"radius_miles 'four' is not allowed"),
    (lambda d, e, h: caremap.classify_fee_zones(d, e, measure_from="edge"), r"measure_from 'edge' is not allowed"),
    (lambda d, e, h: caremap.classify_fee_zones(d, e, centres=[]), r"centres is empty"),
    (lambda d, e, h: caremap.classify_fee_zones(d, e, centres="Okaham"), r"did you mean 'Oakham'"),
    (lambda d, e, h: caremap.synthetic_clients(d, clients=0), r"clients 0 is not allowed"),
    (lambda d, e, h: caremap.synthetic_clients(d, clients=2.5), r"clients 2.5 is not allowed.*whole number"),
    (lambda d, e, h: caremap.synthetic_clients(d, seed=-1), r"seed -1 is not allowed"),
    (lambda d, e, h: caremap.synthetic_clients(d, locality="Nowhere PCN"), r"'Nowhere PCN' is not a PCN locality"),
    (lambda d, e, h: caremap.build_rounds(d, e, clients=3001), r"clients 3001 is not allowed.*between 1 and 3000"),
    (lambda d, e, h: caremap.build_rounds(d, e, carers=0), r"carers 0 is not allowed"),
    (lambda d, e, h: caremap.build_rounds(d, e, seed=True), r"seed True is not allowed"),
    (lambda d, e, h: caremap.build_rounds(d, e, radius_miles=31), r"radius_miles 31 is not allowed"),
    (lambda d, e, h: caremap.build_rounds(d, e, measure_from="middle"), r"measure_from 'middle' is not allowed"),
    (lambda d, e, h: caremap.build_rounds(d, e, providers={"Rutland Health PCN": 0}), r"providers\['Rutland Health PCN'\]"),
    (lambda d, e, h: caremap.build_rounds(d, e, bases="Oakham"), r"bases should be a list"),
    (lambda d, e, h: caremap.measure_coverage(d, h, e, year=2017), r"year 2017 is not allowed"),
    (lambda d, e, h: caremap.measure_coverage(d, None, e), r"homes should be care homes"),
    (lambda d, e, h: caremap.write_report(d, h, e, "r.pdf", sites=11), r"sites 11 is not allowed"),
    (lambda d, e, h: caremap.write_report(d, h, e, "r.pdf", site_minutes=0.5),
     r"site_minutes 0.5 is not allowed"),
    (lambda d, e, h: caremap.write_report(d, h, e, "r.pdf", site_measure="reech"),
     r"site_measure 'reech' is not allowed: use one of 'reach', 'access'"),
    (lambda d, e, h: caremap.write_report(d, h, e, "r.docx"), r"should end in .pdf or .html"),
    (lambda d, e, h: caremap.write_report(d, h, e, "/no/such/folder/r.pdf"), r"does not exist"),
    (lambda d, e, h: caremap.read_clients("clients.csv", d, purpose="rota"), r"purpose 'rota' is not allowed"),
    (lambda d, e, h: caremap.build_rounds("rutland", e), r"data should be a council's data from caremap.load_data"),
    (lambda d, e, h: caremap.measure_coverage(d, h, "estimate"), r"engine should be a travel engine"),
])
def test_every_option_is_checked_with_a_message_naming_it(rutland, rutland_homes, estimate, call, message):
    with pytest.raises(InputDataError, match=message) as raised:
        call(rutland, estimate, rutland_homes)
    assert isinstance(raised.value, ValueError)


def test_a_missing_file_is_one_of_ours_and_a_file_not_found_error(rutland, tmp_path):
    for call in (lambda: caremap.read_clients(tmp_path / "none.csv", rutland),
                 lambda: caremap.care_homes(rutland, tmp_path / "none.csv"),
                 lambda: caremap.candidate_sites(rutland, tmp_path)):
        with pytest.raises(InputFileNotFoundError, match="does not exist|is a folder") as raised:
            call()
        assert isinstance(raised.value, FileNotFoundError) and isinstance(raised.value, CareMapError)


def test_the_shared_checks_read_values_as_people_give_them():
    assert checks.whole_number(3.0, 1, 10, name="sites", what="sites") == 3
    assert checks.names("Oakham", name="centres") == ("Oakham",)
    assert checks.names(["Oakham", " Uppingham "], name="centres") == ("Oakham", "Uppingham")
    assert checks.in_range(np.float32(2.5), 0, 30, name="--radius", what="the radius") == 2.5
    with pytest.raises(InputDataError, match=r"--radius nan is not allowed: the radius must be between 0 and 30"):
        checks.in_range(float("nan"), 0, 30, name="--radius", what="the radius")
    with pytest.raises(InputDataError, match=r"--radius '5' is not allowed: the radius must be a number"):
        checks.in_range("5", 0, 30, name="--radius", what="the radius")


# --- Engines by their constructors, one vocabulary, one version -------------------------------------------------------


def test_engines_by_classmethods_and_the_name_alias(rutland):
    bundled = RoadEngine.bundled(rutland.council)
    assert caremap.travel_engine("rutland", "bundled").token == bundled.token
    with pytest.warns(DeprecationWarning, match="now 'bundled'"):
        assert caremap.travel_engine("rutland", "rutland-osm").token == bundled.token
    extract = rutland.council.data_dir / rutland.council.osm_extract
    assert RoadEngine.from_file(extract).network.n_nodes == bundled.network.n_nodes
    assert caremap.travel_engine("rutland", "estimate").token == EstimateEngine().token
    assert caremap.RoadEngine is RoadEngine and caremap.EstimateEngine is EstimateEngine
    with pytest.raises(RoadNetworkError, match="Herefordshire has no bundled road network"):
        RoadEngine.bundled(caremap.load_council("herefordshire"))
    with pytest.raises(RoadNetworkError, match="No roads have been prepared for Herefordshire"):
        RoadEngine.prepared(caremap.load_council("herefordshire"))


def test_one_vocabulary_of_engine_names():
    from routing import sources

    assert caremap.engine_names("rutland") == ["bundled", "download", "estimate"]
    assert caremap.engine_names("herefordshire") == ["estimate", "download"]
    assert set(caremap.engine_names("rutland")) < set(sources.SOURCES)
    with pytest.raises(RoadNetworkError, match="neither a travel engine name"):
        caremap.travel_engine("herefordshire", "rutland-osm")


def test_the_version_is_the_installed_metadata():
    assert caremap.__version__ == metadata.version("caremap")


def test_gpd_frames_from_the_readers_are_in_bng(rutland, rutland_homes, client_file):
    for frame in (rutland_homes.homes, caremap.read_clients(client_file, rutland).clients,
                  caremap.synthetic_clients(rutland, clients=3)):
        assert isinstance(frame, gpd.GeoDataFrame) and frame.crs == "EPSG:27700"
