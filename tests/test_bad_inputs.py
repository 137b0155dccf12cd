"""Every file in tests/bad_inputs through the app's own upload path: a specific message, valid rows kept."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analyses import exports, rounds, uploads
from geo.errors import CareMapError, InputDataError, RoadNetworkError
from routing.settings import RoutingSettings

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
ROOT = CORPUS.parent.parent


def _read(name: str, data, reader=uploads.fee_zone_clients):
    content = (CORPUS / name).read_bytes()
    if reader is uploads.round_clients:
        return reader(content, name, data, rounds.RoundSettings())
    return reader(content, name, data)


def _problems(table) -> list[str]:
    return [str(problem) for problem in table.problems]


@pytest.mark.parametrize("name, message", [
    ("malformed_quotes.csv", "not a well-formed CSV file .*quoted text is closed"),
    ("missing_hours_column.csv", "lacks the column\\(s\\): hours_per_week, or minutes_per_call with calls_per_day or "
                                 "windows. Its columns are: 'client_id', 'postcode'"),
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
    ("ragged_rows.csv", ["A1"], ["row 3: this row has 5 cells but the header names 3 columns: a value holding the "
                                 "column separator must be in quotes"]),
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
    ("excel_renamed.csv", "'excel_renamed.csv' is an Excel workbook, not CSV: it was read as a workbook."),
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
    with pytest.raises(InputDataError, match="is 10[0-9] MB; the limit for a client list is 10 MB"):
        uploads.fee_zone_clients(path.read_bytes(), path.name, herefordshire)


def test_too_many_rows_is_refused(herefordshire):
    content = b"client_id,postcode,hours_per_week\n" + b"".join(b"C%d,HR4 9AB,1\n" % i for i in range(20_001))
    with pytest.raises(InputDataError, match="has more than 20,000 rows of data; the limit for a client list is 20,000"):
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
    # The file has names: only what it lacks is named.
    with pytest.raises(InputDataError, match="has no postcode \\('Location Postal Code'\\) or latitude/longitude\\. "
                                             "Its columns"):
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
    """No file makes a reader raise anything but the project's own errors, each naming the file it refuses."""
    readers = {"fee zones": uploads.fee_zone_clients, "care homes": uploads.care_homes,
               "rounds": lambda content, name, data: uploads.round_clients(content, name, data, rounds.RoundSettings())}
    refused, read = {}, []
    for path in sorted(CORPUS.glob("*.csv")):
        for purpose, reader in readers.items():
            try:
                reader(path.read_bytes(), path.name, herefordshire)  # anything but one of ours fails the test here
            except CareMapError as error:
                refused[path.name, purpose] = str(error)
            else:
                read.append((path.name, purpose))
    assert len(refused) > 40 and len(read) > 40  # both outcomes are exercised
    assert [key for key, message in refused.items() if key[0] not in message] == []


def test_blank_rows_in_a_workbook_are_skipped(herefordshire):
    import io

    buffer = io.BytesIO()
    pd.DataFrame({"client_id": ["A1", None, "A2"], "postcode": ["HR4 9AB", None, "HR2 0RG"],
                  "hours_per_week": [10, None, 5]}).to_excel(buffer, index=False)
    table = uploads.fee_zone_clients(buffer.getvalue(), "clients.xlsx", herefordshire)
    assert table.clients["client_id"].tolist() == ["A1", "A2"] and not table.problems and not table.notes


# --- Second round: silent wrong results -----------------------------------------------------------------------------


@pytest.mark.parametrize("name, reader, kept, problems", [
    ("decimal_commas.csv", uploads.fee_zone_clients, {"A1": 7.5, "A2": 10.0, "A4": 0.25},
     ["row 4, column 'hours_per_week': '1,234' could mean 1.234 or 1234: this file writes decimals with commas"]),
    ("mixed_decimal_marks.csv", uploads.fee_zone_clients, {"A1": 7.5, "A2": 2.5},
     ["row 4, column 'hours_per_week': '1.250' could mean 1.250 or 1250: this file writes decimals both with commas "
      "and with points"]),
    ("fractional_calls.csv", uploads.fee_zone_clients, {"A1": 2 * 22.5 * 7 / 60, "A4": 3 * 30 * 7 / 60},
     ["row 3, column 'calls_per_day': '2.7' is not a whole number: calls per day counts",
      "row 4, column 'days_per_week': '5.5' is not a whole number: days per week counts"]),
    ("invalid_row_claims_id.csv", uploads.fee_zone_clients, {"A1": 12.0, "A2": 5.0},
     ["row 2, column 'postcode': 'HR9 9ZZ' is not a postcode in Herefordshire",
      "row 5, column 'client_id': client id 'A2' is already used on row 4"]),
    ("long_numeric_ids.csv", uploads.fee_zone_clients, {"12345678901234567890": 10.0, "12345678901234567891": 5.0},
     ["row 4, column 'client_id': client id '1.23457E+19' is a number too long for a spreadsheet to keep exactly"]),
    ("long_numeric_ids.ods", uploads.fee_zone_clients, {"12345678901234567890": 10.0, "12345678901234567891": 5.0}, []),
    ("title_and_blank_lines.csv", uploads.fee_zone_clients, {"A1": 10.0},
     ["row 7, column 'postcode': 'HR9 9ZZ' is not a postcode in Herefordshire",
      "row 9, column 'hours_per_week': '' is not a number"]),
    ("title_and_blank_rows.xlsx", uploads.fee_zone_clients, {"A1": 10.0, "A3": 3.0},
     ["row 8, column 'postcode': 'HR9 9ZZ' is not a postcode in Herefordshire"]),
    ("placeholder_coordinates.csv", uploads.fee_zone_clients, {f"P{n}": float(n) for n in range(1, 7)},
     ["row 8, column 'postcode': 'HR9 9ZZ' is not a postcode in Herefordshire"]),
    ("thousands_separators.csv", uploads.fee_zone_clients, {"A1": 7.5, "A2": 10.0},
     ["row 4, column 'easting': easting and northing must be British National Grid metres"]),
    ("hidden_first_sheet.xlsx", uploads.fee_zone_clients, {"A1": 10.0, "A2": 7.5}, []),
    ("hidden_first_sheet.ods", uploads.fee_zone_clients, {"A1": 10.0, "A2": 7.5}, []),
    ("cr_only.csv", uploads.fee_zone_clients, {"A1": 10.0, "A2": 5.0}, []),
    ("mixed_line_endings.csv", uploads.fee_zone_clients, {"A1": 10.0, "A2": 5.0, "A3": 7.0}, []),
    ("utf16_no_bom.csv", uploads.fee_zone_clients, {"A1": 10.0, "A2": 5.0}, []),
    ("utf16_be_no_bom.csv", uploads.fee_zone_clients, {"A1": 10.0}, []),
])
def test_values_are_read_as_meant_or_refused_as_ambiguous(herefordshire, name, reader, kept, problems):
    table = _read(name, herefordshire, reader)
    assert dict(zip(table.clients["client_id"], table.clients["hours_per_week"])) == pytest.approx(kept)
    found = _problems(table)
    assert len(found) == len(problems), found
    for message, expected in zip(found, problems):
        assert message.startswith(expected)


def test_row_numbers_are_the_spreadsheet_rows(herefordshire):
    """Blank lines and a title line above the header count, as in a spreadsheet (CSV and workbook alike)."""
    table = _read("title_and_blank_lines.csv", herefordshire, uploads.round_clients)
    assert dict(zip(table.clients["client_id"], table.clients["row"])) == {"A1": 4, "A3": 9}
    assert "Row 1 above the header (row 3) was read as a title and skipped." in table.notes
    workbook = _read("title_and_blank_rows.xlsx", herefordshire)
    assert dict(zip(workbook.clients["client_id"], workbook.clients["row"])) == {"A1": 5, "A3": 9}


def test_a_hidden_first_sheet_is_skipped_and_said(herefordshire):
    for name in ("hidden_first_sheet.xlsx", "hidden_first_sheet.ods"):
        table = _read(name, herefordshire)
        assert "OLD1" not in table.clients["client_id"].tolist()
        assert table.notes == ["Sheet 'Clients' was read, the first visible sheet of the workbook; hidden sheet(s) "
                               "'Old list' skipped."]


def test_only_a_valid_row_claims_an_id_in_round_lists(herefordshire):
    table = _read("bad_windows_claims_id.csv", herefordshire, uploads.round_clients)
    assert table.clients["client_id"].tolist() == ["A1"] and table.clients["row"].tolist() == [3]
    assert _problems(table) == ["row 2, column 'windows': 'brunch' is not a call window: use morning, lunch, tea, bed "
                                "or a time range such as 08:00-09:30."]


def test_calls_are_whole_numbers_in_round_lists(herefordshire):
    table = _read("fractional_calls.csv", herefordshire, uploads.round_clients)
    assert table.clients["calls_per_day"].tolist() == [2, 3] and table.clients["minutes_per_call"].tolist() == [22.5, 30]


def test_weekly_hours_from_calls_are_said(herefordshire):
    table = _read("fractional_calls.csv", herefordshire)
    assert "Weekly hours = the number of call windows (or calls a day where no windows are given) × minutes a call" \
        in table.notes[0]


def test_placeholder_coordinates_leave_care_homes_to_their_postcodes(rutland):
    table = _read("care_homes_placeholder_coordinates.csv", rutland, uploads.care_homes)
    assert table.homes["name"].tolist() == ["Home A", "Home B", "Home C"] and not table.problems
    assert table.homes["beds"].tolist() == [30, 20, 10]


def test_a_field_over_128_kb_is_read(herefordshire):
    note = "x" * 200_000
    content = f'client_id,postcode,name,hours_per_week\nA1,HR4 9AB,"{note}",10\nA2,HR2 0RG,B,5\n'.encode()
    table = uploads.fee_zone_clients(content, "long_field.csv", herefordshire)
    assert table.clients["name"].tolist() == [note, "B"]
    long_postcode = f'client_id,postcode,hours_per_week\nA1,{note},10\nA2,HR2 0RG,5\n'.encode()
    refused = _problems(uploads.fee_zone_clients(long_postcode, "long_postcode.csv", herefordshire))
    assert refused == ["row 2, column 'postcode': 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxx…xxxxxxxxxxxxxxxxxxxxxxxxxxxxx (200,000 "
                       "characters)' is not a UK postcode; correct it (e.g. 'HR1 2JB') or give lat and lon."]


def test_a_very_long_file_name_is_shortened_in_messages(herefordshire):
    name = "clients " + "x" * 5_000 + ".csv"
    with pytest.raises(InputDataError) as refused:
        uploads.fee_zone_clients(b"client_id,postcode\nA1,HR4 9AB\n", name, herefordshire)
    assert str(refused.value).startswith("'clients xxxxxxxxxxxxxxxxxxxxx…xxxxxxxxxxxxxxxxxxxxxxxxx.csv (5,012 characters)' "
                                         "lacks the column(s)")
    assert len(str(refused.value)) < 400


@pytest.mark.parametrize("name, message", [
    ("zip_not_workbook.csv", "cannot be read as a workbook \\(it is a zip archive but not an .xlsx or .ods workbook\\)"),
    ("repeated_columns.ods", "is too big to read: it has data beyond its first 300 columns"),
    ("repeated_rows.ods", "has more than 20,000 rows of data; the limit for a client list is 20,000"),
    ("markdown_in_headers.csv", "lacks the column\\(s\\): .* Its columns are: 'client_id', "
                                "'!\\[h\\]\\(http://127.0.0.1:9/header.png\\)', '<b>hours</b>'"),
])
def test_hostile_tables_are_refused_with_a_reason(herefordshire, name, message):
    with pytest.raises(InputDataError, match=message):
        _read(name, herefordshire)


def test_care_home_files_have_a_row_limit(rutland):
    with pytest.raises(InputDataError, match="'repeated_rows.ods' has more than 100,000 rows of data; the limit for a "
                                             "care-home file is 100,000"):
        _read("repeated_rows.ods", rutland, uploads.care_homes)


def test_more_care_homes_near_a_council_than_are_measured_is_refused(rutland):
    from layers.care_homes import MAX_CARE_HOMES_NEAR

    repeated = b"name,postcode,beds\n" + b"Oakham House,LE15 6AA,30\n" * (MAX_CARE_HOMES_NEAR + 1)
    with pytest.raises(InputDataError, match=r"'homes.csv' places 2,001 care homes in or within 15 km of Rutland; at "
                                             r"most 2,000 are measured"):
        uploads.care_homes(repeated, "homes.csv", rutland)
    fewer = b"name,postcode,beds\n" + b"Oakham House,LE15 6AA,30\n" * MAX_CARE_HOMES_NEAR
    assert len(uploads.care_homes(fewer, "homes.csv", rutland).homes) == MAX_CARE_HOMES_NEAR


def test_markdown_in_values_is_quoted_as_text(herefordshire):
    with pytest.raises(InputDataError) as refused:
        _read("markdown_in_values.csv", herefordshire)
    problems = refused.value.problems
    assert problems[0].startswith("row 2, column 'postcode': '![x](http://127.0.0.1:9/beacon.png)' is not a UK postcode")
    assert problems[1].startswith("row 3, column 'postcode': '[Fix your file](http://evil.example/fix)'")


# --- Resource exhaustion: generated bombs, read in a fresh process that measures time and memory ---------------------


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bombs")
    subprocess.run([sys.executable, "-m", "tests.hostile_files", "make", str(folder)], cwd=ROOT, check=True)
    measured = subprocess.run([sys.executable, "-m", "tests.hostile_files", "measure", str(folder)], cwd=ROOT,
                              check=True, capture_output=True, text=True, timeout=240)
    return {result["name"]: result for result in json.loads(measured.stdout)}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["two_million_rows.xlsx", "ten_million_empty_cells.xlsx", "one_huge_cell.xlsx",
                                  "a_million_texts.xlsx", "ten_thousand_parts.xlsx", "ten_million_lines.csv",
                                  "care_homes_100001.csv", "repeated_rows.ods", "sparse_gigabyte.csv", "dev_zero.csv",
                                  "named_pipe.csv"])
def test_bombs_are_refused_quickly_in_little_memory(bombs, name):
    """Each generated file is refused with its limit named, having read no more than the limit and one byte, without
    the process growing past 500 MB (about 320 MB of it is the two councils' data, loaded first). How fast:
    python -m bench.uploads."""
    result = bombs[name]
    assert result["expected"] in result["outcome"]
    assert result["outcome"].startswith(f"'{name}' ") or f"{name}' is a" in result["outcome"]
    assert result["bytes_read"] <= result["limit_bytes"] + 1
    assert result["peak_rss_mb"] < 500
    assert result["peak_rss_mb"] - bombs["council data loaded"]["peak_rss_mb"] < 150


@pytest.mark.slow
def test_the_two_million_row_workbook_is_small(bombs):
    assert bombs["two_million_rows.xlsx"]["bytes"] < 1_000_000 and bombs["repeated_rows.ods"]["bytes"] < 1_000


def test_more_addresses_than_one_plan_takes_are_refused_before_measuring(herefordshire):

    postcodes = herefordshire.postcodes.drop_duplicates("geometry").head(rounds.MAX_PLAN_PLACES + 1)
    content = ("client_id,postcode,calls_per_day\n" + "".join(
        f"C{number},{postcode},2\n" for number, postcode in enumerate(postcodes["postcode"]))).encode()
    settings = rounds.RoundSettings.for_council(herefordshire.council)
    with pytest.raises(InputDataError, match=r"3,001 client addresses: one plan of rounds takes at most 3,000"):
        uploads.round_clients(content, "county.csv", herefordshire, settings)
    fewer = content.rsplit(b"\n", 2)[0] + b"\n"  # one address fewer
    assert len(uploads.round_clients(fewer, "county.csv", herefordshire, settings).clients) == rounds.MAX_PLAN_PLACES


# --- Third round: numbers shown as something else, repeated headers, hours that disagree ---------------------------


def test_numbers_shown_as_times_dates_or_percentages_are_refused_and_durations_read(herefordshire):
    """10:30 as a time of day, 25% and a date in an hours column are refused naming the row and the fix; a duration
    ([h]:mm) is read as the hours or minutes it shows, said in a note (XLSX as openpyxl writes it)."""
    table = _read("number_formats.xlsx", herefordshire)
    assert dict(zip(table.clients["client_id"], table.clients["hours_per_week"])) == {"A1": 7.0, "A4": 10.5}
    assert table.clients["minutes_per_call"].tolist() == [30.0, 45.0]
    assert _problems(table) == [
        "row 3, column 'hours_per_week': '10:30' is a time of day in the spreadsheet (stored as 0.4375 of a day), not a "
        "number: enter the number itself (e.g. 10.5 for ten and a half hours) in a cell formatted as Number.",
        "row 4, column 'hours_per_week': '25%' is a percentage in the spreadsheet (stored as 0.25), not a number: "
        "format the column as Number and enter the value itself (25, not 25%).",
        "row 6, column 'hours_per_week': '9 May 2024' is a date in the spreadsheet, not a number: format the column as "
        "Number and enter the value again."]
    assert table.notes == ["2 cell(s) formatted as durations ([h]:mm) were read as the time they show: row 2, column "
                           "'minutes_per_call': 0:30 as 30 minutes; row 5, column 'hours_per_week': 10:30 as 10.5 hours."]


def test_ods_times_dates_and_percentages_are_refused(herefordshire):
    table = _read("number_formats.ods", herefordshire)
    assert table.clients["client_id"].tolist() == ["A6"]
    assert [problem.split(": ", 1)[1].split(" (")[0].split(",")[0] for problem in _problems(table)] == [
        "'10:30' is a time of day in the spreadsheet", "'25%' is a percentage in the spreadsheet",
        "'2024-05-09' is a date in the spreadsheet"]


def test_full_width_digits_are_not_numbers(herefordshire):
    table = _read("full_width_digits.csv", herefordshire)
    assert table.clients["client_id"].tolist() == ["A2"]
    assert _problems(table) == ["row 2, column 'hours_per_week': '１０' is written with digits other than 0–9 (full-width "
                                "or another script's): retype it with the digits 0–9."]


def test_a_password_protected_workbook_is_named_so(herefordshire):
    with pytest.raises(InputDataError, match="'password_protected.xlsx' is a password-protected \\(encrypted\\) "
                                             "workbook, which the tool cannot open. Open it in Excel, remove the "
                                             "password"):
        _read("password_protected.xlsx", herefordshire)
    with pytest.raises(InputDataError, match="old Excel \\(.xls\\) workbook"):
        _read("old_excel_renamed.csv", herefordshire)


def test_repeated_headers_are_reported_not_silently_first_taken(herefordshire):
    with pytest.raises(InputDataError, match="'repeated_headers.csv' has 2 columns headed 'postcode' \\(columns B and "
                                             "D\\) that differ \\(first on row 3: 'HR2 0RG', 'HR1 2AA'\\): the tool "
                                             "cannot tell which to use."):
        _read("repeated_headers.csv", herefordshire)
    table = _read("repeated_headers_same.csv", herefordshire)
    assert table.clients["hours_per_week"].tolist() == [10.0, 5.0]
    assert table.notes == ["Column 'hours_per_week' was read for hours per week; 'hours' could also mean it and was "
                           "left out. Rename or delete it if that is wrong.",
                           "Columns B and D are both headed 'postcode' and hold the same values: column B was read."]


def test_hours_that_disagree_with_the_calls_are_reported_on_every_page(herefordshire):
    expected = ("1 client(s) have hours_per_week that differ from calls a day × minutes a call × days a week (row 3: "
                "10 given, 7 from the calls). Rural fee zones cost hours_per_week; round viability plans the calls. "
                "Correct whichever is wrong.")
    for reader in (uploads.fee_zone_clients, uploads.round_clients):
        table = _read("hours_disagree.csv", herefordshire, reader)
        assert table.notes == [expected] and len(table.clients) == 3


def test_a_client_list_without_its_columns_is_told_the_columns_of_the_page_it_is_for(herefordshire):
    from analyses import rounds

    content = b"name,address\nAnn,1 High St\nBob,2 High St\n"
    with pytest.raises(InputDataError, match=r"Rename them \(e\.g\. client_id, postcode, calls_per_day, minutes_per_call"):
        uploads.round_clients(content, "wrong.csv", herefordshire, rounds.RoundSettings())
    with pytest.raises(InputDataError, match=r"Rename them \(e\.g\. client_id, postcode, hours_per_week\)"):
        uploads.fee_zone_clients(content, "wrong.csv", herefordshire)
