"""Every file in tests/bad_inputs through the app's own upload path: a specific message, valid rows kept."""

from pathlib import Path

import pandas as pd
import pytest

from analyses import exports, rounds, uploads
from geo.errors import CareMapError, InputDataError, RoadNetworkError
from routing.settings import RoutingSettings

CORPUS = Path(__file__).resolve().parent / "bad_inputs"


def _read(name: str, data, reader=uploads.fee_zone_clients):
    content = (CORPUS / name).read_bytes()
    if reader is uploads.round_clients:
        return reader(content, name, data, rounds.RoundSettings())
    return reader(content, name, data)


def _problems(table) -> list[str]:
    return [str(problem) for problem in table.problems]


@pytest.mark.parametrize("name, message", [
    ("malformed_quotes.csv", "not a well-formed CSV file .*quoted text is closed"),
    ("ragged_rows.csv", "not a well-formed CSV file \\(Expected 3 fields in line 3, saw 5\\)"),
    ("missing_hours_column.csv", "lacks the column\\(s\\): hours_per_week. Its columns are: client_id, postcode"),
    ("no_location_columns.csv", "lacks the column\\(s\\): postcode \\(or lat and lon, or easting and northing\\)"),
    ("empty.csv", "'empty.csv' is empty"),
    ("whitespace_only.csv", "'whitespace_only.csv' is empty"),
    ("header_only.csv", "has no data rows"),
    ("old_excel_renamed.csv", "old Excel \\(.xls\\) workbook. Save it as CSV"),
    ("png_renamed.csv", "not a text file \\(it contains binary data\\)"),
])
def test_unusable_client_files_are_refused_with_a_reason(herefordshire, name, message):
    with pytest.raises(InputDataError, match=message):
        _read(name, herefordshire)


@pytest.mark.parametrize("name, kept, problems", [
    ("duplicate_ids.csv", ["A1", "A2"], ["row 3, column 'client_id': client id 'A1' is already used on row 2"]),
    ("unknown_postcodes.csv", ["A1"], ["row 3, column 'postcode': 'HR9 9ZZ' is not a postcode in Herefordshire",
                                       "row 4, column 'postcode': 'SW1A 1AA' is not a postcode in Herefordshire"]),
    ("malformed_postcodes.csv", ["A1"], ["row 3, column 'postcode': '12345' is not a UK postcode",
                                         "row 4, column 'postcode': 'HR4-9AB-X' is not a UK postcode"]),
    ("outside_council.csv", ["A1"], ["row 3, column 'lat': the location is outside Herefordshire (about 44 km"]),
    ("outside_great_britain.csv", ["A1"], ["row 3, column 'lat': (48.8566, 2.3522) is outside Great Britain"]),
    ("lat_lon_swapped.csv", ["A1"], ["row 3, column 'lat': latitude and longitude look swapped"]),
    ("bng_as_lat_lon.csv", ["A1"], ["row 3, column 'lat': these look like British National Grid metres"]),
    ("negative_hours.csv", ["A1"], ["row 3, column 'hours_per_week': -4 is outside the allowed range 0–168"]),
    ("absurd_hours.csv", ["A1"], ["row 3, column 'hours_per_week': 500 is outside the allowed range 0–168",
                                  "row 4, column 'hours_per_week': 'ten' is not a number"]),
    ("nan_and_inf_hours.csv", ["A1"], ["row 3, column 'hours_per_week': 'nan' is not a number",
                                       "row 4, column 'hours_per_week': 'inf' is not a number"]),
])
def test_bad_rows_are_listed_and_good_rows_kept(herefordshire, name, kept, problems):
    table = _read(name, herefordshire)
    assert table.clients["client_id"].tolist() == kept
    found = _problems(table)
    assert len(found) == len(problems)
    for message, expected in zip(found, problems):
        assert message.startswith(expected)


@pytest.mark.parametrize("name, kept, problems", [
    ("windows_end_before_start.csv", ["A1"], ["row 3, column 'windows': The window '10:00-09:00' ends before it starts"]),
    ("unknown_window_name.csv", ["A1"], ["row 3, column 'windows': 'brunch' is not a call window: use morning, lunch"]),
    ("zero_calls.csv", ["A1"], ["row 3, column 'calls_per_day': 0 is outside the allowed range 1–6",
                                "row 4, column 'minutes_per_call': 600 is outside the allowed range 5–240"]),
])
def test_round_client_problems(herefordshire, name, kept, problems):
    table = _read(name, herefordshire, uploads.round_clients)
    assert table.clients["client_id"].tolist() == kept
    for message, expected in zip(_problems(table), problems, strict=True):
        assert message.startswith(expected)


@pytest.mark.parametrize("name, note", [
    ("semicolons.csv", "Columns were separated by ';'"),
    ("windows_1252.csv", "read as Windows-1252"),
    ("excel_renamed.csv", "'excel_renamed.csv' is an Excel workbook, not CSV: its first sheet was read."),
    ("utf16.csv", None),
    ("blank_lines_and_bom.csv", None),
])
def test_odd_but_readable_files_are_read_with_a_note(herefordshire, name, note):
    table = _read(name, herefordshire)
    assert len(table.clients) >= 1 and not table.problems
    assert table.clients["postcode"].iloc[0] == "HR4 9AB"
    if note:
        assert any(note in line for line in table.notes)


def test_accents_survive_windows_1252(herefordshire):
    assert _read("windows_1252.csv", herefordshire).clients["name"].tolist() == ["Zoë Brontë"]


def test_script_in_names_is_kept_as_text(herefordshire):
    from ui.maps import tooltip_html

    table = _read("html_and_script_names.csv", herefordshire)
    names = table.clients["name"].tolist()
    assert names == ["<script>window.__pwned=1</script>", '<img src=x onerror="window.__pwned=2">']
    for name in names:
        tip = tooltip_html(name, [("Client", name)])
        assert "<script" not in tip and "<img" not in tip and "&lt;" in tip


def test_formulas_are_defused_in_exports(herefordshire):
    table = _read("formula_injection.csv", herefordshire)
    exported = pd.read_csv(pd.io.common.BytesIO(exports.csv_bytes(table.clients)), encoding="utf-8-sig")
    assert exported["name"].tolist() == ["'=HYPERLINK(\"http://evil.example\",\"click\")", "'@SUM(1+1)"]


def test_a_100_mb_file_is_refused_before_parsing(herefordshire, tmp_path):
    path = tmp_path / "huge.csv"
    line = b"A1,HR4 9AB,10\n"
    with path.open("wb") as handle:
        handle.write(b"client_id,postcode,hours_per_week\n")
        for _ in range(100):
            handle.write(line * (1_048_576 // len(line) + 1))
    assert path.stat().st_size > 100_000_000
    with pytest.raises(InputDataError, match="is 10[0-9] MB; the limit is 10 MB"):
        uploads.fee_zone_clients(path.read_bytes(), path.name, herefordshire)


def test_too_many_rows_is_refused(herefordshire):
    content = b"client_id,postcode,hours_per_week\n" + b"".join(b"C%d,HR4 9AB,1\n" % i for i in range(20_001))
    with pytest.raises(InputDataError, match="20,001 rows; the limit is 20,000"):
        uploads.fee_zone_clients(content, "many.csv", herefordshire)


@pytest.mark.parametrize("name, message", [
    ("corrupt.osm.pbf", "not a readable OpenStreetMap file"),
    ("not_osm.pbf", "not a readable OpenStreetMap file"),
    ("truncated.osm.pbf", "not a readable OpenStreetMap file"),
    ("html_page.osm", "not a readable OpenStreetMap file"),
    ("other_tool.graphml", "not a GraphML road network saved by OSMnx"),
])
def test_bad_road_network_files(tmp_path, name, message):
    from geo.council import load_council

    with pytest.raises(RoadNetworkError, match=message):
        uploads.road_network(CORPUS / name, load_council("rutland"), settings=RoutingSettings(), cache_dir=tmp_path)


def test_care_home_file_without_location(herefordshire):
    with pytest.raises(InputDataError, match="needs a name column \\(CQC 'Location Name'\\) and a postcode"):
        _read("care_homes_without_location.csv", herefordshire, uploads.care_homes)


def test_care_home_beds_are_checked(herefordshire):
    table = _read("care_homes_bad_beds.csv", herefordshire, uploads.care_homes)
    assert table.homes["name"].tolist() == ["Home C"] and table.homes["nursing"].tolist() == [True]
    assert _problems(table) == ["row 2, column 'beds': 'lots' is not a number of beds.",
                                "row 3, column 'beds': 5000 beds is not plausible for a care home (1–1000)."]


def test_the_corpus_is_covered():
    files = {path.name for path in CORPUS.iterdir() if path.name != "README.md"}
    assert len(files) >= 25
    tested = "".join(path.read_text() for path in Path(__file__).parent.glob("test_*.py"))
    untested = [name for name in files if f'"{name}"' not in tested]
    assert untested == []


def test_every_failure_is_one_of_ours(herefordshire):
    """No file makes a reader raise anything but the project's own errors."""
    readers = [uploads.fee_zone_clients, uploads.care_homes,
               lambda content, name, data: uploads.round_clients(content, name, data, rounds.RoundSettings())]
    for path in CORPUS.iterdir():
        if path.suffix != ".csv":
            continue
        for reader in readers:
            try:
                reader(path.read_bytes(), path.name, herefordshire)
            except CareMapError:
                pass


def test_blank_rows_in_a_workbook_are_skipped(herefordshire):
    import io

    buffer = io.BytesIO()
    pd.DataFrame({"client_id": ["A1", None, "A2"], "postcode": ["HR4 9AB", None, "HR2 0RG"],
                  "hours_per_week": [10, None, 5]}).to_excel(buffer, index=False)
    table = uploads.fee_zone_clients(buffer.getvalue(), "clients.xlsx", herefordshire)
    assert table.clients["client_id"].tolist() == ["A1", "A2"] and not table.problems and not table.notes
