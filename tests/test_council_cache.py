"""A council's layers kept on disk (layers.council_cache): read back equal to the layers built, never stale after a
data file changes, rebuilt when damaged, and nothing pickled."""

import dataclasses
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal

from geo.council import load_council
from geo.settings import settings
from layers import council_cache
from layers.council_data import CouncilData, build_council_data, load_council_data

ROOT = Path(__file__).resolve().parent.parent


def assert_same_layers(found: CouncilData, expected: CouncilData) -> None:
    for layer in dataclasses.fields(CouncilData):
        value, wanted = getattr(found, layer.name), getattr(expected, layer.name)
        if isinstance(wanted, gpd.GeoDataFrame):
            assert_geodataframe_equal(value, wanted)
        elif isinstance(wanted, pd.DataFrame):
            pd.testing.assert_frame_equal(value, wanted)
        else:
            assert value == wanted, layer.name


@pytest.fixture()
def rutland_copy(tmp_path):
    """Rutland's data files in a folder of the test's own, with a cache folder of its own."""
    for kind in ("boundaries", "points", "tables"):
        shutil.copytree(ROOT / "data" / kind / "rutland", tmp_path / "data" / kind / "rutland")
    with settings.overridden(data_folder=tmp_path / "data", cache_folder=tmp_path / "cache"):
        yield load_council("rutland"), tmp_path


def test_kept_layers_are_read_back_as_built(rutland_copy):
    council, folder = rutland_copy
    built = build_council_data(council)
    first = load_council_data(council)  # built and kept
    assert council_cache.stored_layers(council) is not None
    assert_same_layers(load_council_data(council), built)  # read back
    assert_same_layers(first, built)
    kept = sorted(path.name for path in (folder / "cache").rglob("*") if path.is_file())
    assert "index.json" in kept and all(name.endswith(".parquet") for name in kept if name != "index.json")


def test_a_changed_data_file_is_read_again(rutland_copy):
    council, folder = rutland_copy
    load_council_data(council)
    places = folder / "data" / "tables" / "rutland" / "places.csv"
    places.write_text(places.read_text(encoding="utf-8").replace("Oakham", "Okeham"), encoding="utf-8")
    assert council_cache.stored_layers(council) is None
    names = set(load_council_data(council).places["name"])
    assert "Okeham" in names and "Oakham" not in names


def test_a_damaged_cache_is_rebuilt(rutland_copy):
    council, folder = rutland_copy
    built = load_council_data(council)
    for path in (folder / "cache").rglob("lsoa.parquet"):
        path.write_bytes(path.read_bytes()[:100])
    assert council_cache.stored_layers(council) is None
    assert_same_layers(load_council_data(council), built)
    (folder / "cache" / "council_layers" / "rutland" / "index.json").write_text("{not json", encoding="utf-8")
    assert_same_layers(load_council_data(council), built)


def test_a_missing_data_file_is_still_refused(rutland_copy):
    from geo.errors import DataFileError

    council, folder = rutland_copy
    load_council_data(council)
    (folder / "data" / "tables" / "rutland" / "places.csv").unlink()
    with pytest.raises(DataFileError, match="places.csv"):
        load_council_data(council)


def test_a_cache_folder_that_cannot_be_written_is_no_cache(rutland_copy, tmp_path):
    council, _ = rutland_copy
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be", encoding="utf-8")
    with settings.overridden(cache_folder=blocked):
        data = load_council_data(council)
    assert len(data.lsoa) == 26 and blocked.is_file()  # Rutland's 26 LSOAs, built


def _copy_with_oakham_renamed(data: Path, other: Path) -> Path:
    """A copy of a data folder in which Rutland's Oakham is spelt Okeham (a change only a re-read can see)."""
    shutil.copytree(data, other)
    places = other / "tables" / "rutland" / "places.csv"
    places.write_text(places.read_text(encoding="utf-8").replace("Oakham", "Okeham"), encoding="utf-8")
    return other


def test_the_same_council_read_from_another_folder_is_not_given_the_first_ones_layers(rutland_copy, tmp_path):
    council, folder = rutland_copy
    load_council_data(council)
    other = _copy_with_oakham_renamed(folder / "data", tmp_path / "other")
    moved = dataclasses.replace(council, data_folder=other)
    assert "Okeham" in set(load_council_data(moved).places["name"])
    assert "Oakham" in set(load_council_data(council).places["name"])


def test_a_council_whose_data_folder_setting_changes_is_not_given_the_first_folders_layers(rutland_copy, tmp_path):
    council, folder = rutland_copy
    load_council_data(council)
    other = _copy_with_oakham_renamed(folder / "data", tmp_path / "other")
    with settings.overridden(data_folder=other):
        assert "Okeham" in set(load_council_data(load_council("rutland")).places["name"])


def test_an_optional_file_that_appears_is_read(rutland_copy):
    # Rutland carries its people from 2011 LSOAs; a file of estimates on 2021 LSOAs, once there, is read instead.
    from layers.population import AGE_COLUMNS

    council, folder = rutland_copy
    before = load_council_data(council)
    assert before.lsoa["pop_total"].sum() == 40_476
    ages = pd.DataFrame(2, index=before.lsoa["lsoa21_code"], columns=list(AGE_COLUMNS))
    ages.insert(0, "total_population", ages.sum(axis=1))
    ages.rename_axis("lsoa21_code").to_csv(folder / "data" / "tables" / "rutland" / "population_lsoa21_syoa.csv")
    assert council_cache.stored_layers(council) is None
    assert load_council_data(council).lsoa["pop_total"].sum() == 26 * 2 * len(AGE_COLUMNS)


def test_a_kept_index_naming_other_layers_is_rebuilt(rutland_copy):
    import json

    council, folder = rutland_copy
    built = load_council_data(council)
    index = folder / "cache" / "council_layers" / "rutland" / "index.json"
    record = json.loads(index.read_text(encoding="utf-8"))
    record["frames"].pop("places")
    index.write_text(json.dumps(record), encoding="utf-8")
    assert_same_layers(load_council_data(council), built)


def test_layers_parquet_cannot_hold_are_built_and_not_kept(rutland_copy, monkeypatch):
    council, folder = rutland_copy

    def refuse(*args, **kwargs):
        raise TypeError("a column of mixed types (as pyarrow's ArrowTypeError says)")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", refuse)
    assert len(load_council_data(council).lsoa) == 26
    assert council_cache.stored_layers(council) is None
    assert not [path for path in (folder / "cache").rglob("*") if path.is_file()]
