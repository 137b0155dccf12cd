"""Exports: readable workbooks for council staff, full-precision files for analysts, safe for any name."""

import io

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest

from analyses import exports


def _workbook(sheets, about=(("Source", "test"),)):
    return pd.read_excel(io.BytesIO(exports.xlsx_bytes(sheets, list(about))), sheet_name=None)


def test_names_with_control_characters_and_formulas_export_safely():
    names = pd.DataFrame({"name": ["Mrs\x07 Bell\x00", "=HYPERLINK(\"http://x\")", "-12.5", "Tab\there"],
                          "hours_per_week": [1.0, 2.0, 3.0, 4.0]})
    workbook = _workbook({"clients\x01": names}, about=[("File", "list\x1b.csv")])
    sheet = next(name for name in workbook if name != "About")
    assert sheet == "clients"
    # In the workbook a formula stays text as it is (a text cell, never evaluated); in CSV it is defused.
    assert workbook[sheet]["Name"].tolist() == ["Mrs Bell", "=HYPERLINK(\"http://x\")", "-12.5", "Tab\there"]
    book = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes({"clients": names}, [("File", "=cmd")])))
    assert all(cell.data_type == "s" for row in book["clients"].iter_rows(min_row=2, max_col=1) for cell in row)
    assert book["About"]["B2"].data_type == "s" and book["About"]["B2"].value == "=cmd"
    # Outside the data cells (About, comment lines) a control character is shown escaped (geo.text.safe_line).
    assert workbook["About"].iloc[0].tolist() == ["File", "list\\x1b.csv"]
    csv = exports.csv_bytes(names, ["made from list\x1b.csv"]).decode("utf-8-sig")
    assert "\x07" not in csv and "'=HYPERLINK" in csv and csv.startswith("# made from list\\x1b.csv")


def test_comment_lines_stay_comments_and_never_become_formulas():
    lines = ['clients: a, =HYPERLINK("http://x"),-3', "cost £1,234 a year"]
    text = exports.csv_bytes(pd.DataFrame({"a": [1]}), lines).decode("utf-8-sig")
    assert text.splitlines()[:2] == ["# clients: a,' =HYPERLINK('http://x'),-3", "# cost £1,234 a year"]
    assert pd.read_csv(io.StringIO(text), comment="#")["a"].tolist() == [1]


def test_readable_titles_units_rounding_and_flags():
    frame = pd.DataFrame({"pop_65plus": [10.4, 20.6], "pct65_within_10": [33.333, 66.667], "travel_share": [0.2512, 0.5],
                          "cost_per_contact_hour": [19.4549, 21.1], "inside_road": [True, False],
                          "beds_per_1000_85": [101.234, 0.0], "mystery_column": [1.23456, 2.0]})
    table = exports.readable_table(frame)
    assert table.columns.tolist() == ["People aged 65+", "Aged 65+ within 10 minutes (%)",
                                      "Travel share of paid time (%)", "Cost per contact hour (£)",
                                      "Inside the zone (by road)", "Beds per 1,000 aged 85+", "Mystery column"]
    assert table["People aged 65+"].tolist() == [10, 21]
    assert table["Aged 65+ within 10 minutes (%)"].tolist() == [33.3, 66.7]
    assert table["Travel share of paid time (%)"].tolist() == [25.1, 50.0]
    assert table["Cost per contact hour (£)"].tolist() == [19.45, 21.1]
    assert table["Inside the zone (by road)"].tolist() == ["yes", "no"]
    assert table["Mystery column"].tolist() == [1.23, 2.0]
    # Float noise never reaches a reader: 111.00000000000001 is 111.
    assert exports.readable_table(pd.DataFrame({"miles": [111.00000000000001]}))["Miles"].tolist() == [111]


def test_about_sheet_is_a_two_column_table_first():
    data = exports.xlsx_bytes({"a": pd.DataFrame({"x": [1]}), "b": pd.DataFrame({"x": [2]})},
                              [("Method", "straight line"), "a plain note"])
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["About", "a", "b"]
    rows = [tuple(cell.value for cell in row) for row in book["About"].iter_rows()]
    assert rows[0] == ("Item", "Detail") and rows[1] == ("Method", "straight line") and rows[2] == ("Note", "a plain note")
    assert [row[0] for row in rows[-2:]] == ["Produced", "Tool"]


def test_points_become_longitude_and_latitude_and_geopackage_keeps_precision(tmp_path):
    points = gpd.GeoDataFrame({"value": [np.pi]}, geometry=gpd.points_from_xy([350897.0], [239976.0]), crs=27700)
    table = exports.readable_table(points)
    assert table.columns.tolist() == ["Value", "Longitude (degrees)", "Latitude (degrees)"]
    assert table["Value"].tolist() == [3.14]
    path = tmp_path / "layer.gpkg"
    path.write_bytes(exports.gpkg_bytes({"points": points}))
    assert gpd.read_file(path)["value"].iloc[0] == np.pi


@pytest.mark.slow
def test_fee_zone_workbook_from_the_command_line_reads_as_it_is(tmp_path):
    from caremap import cli

    out = tmp_path / "zones.xlsx"
    assert cli.main(["fee-zones", "--council", "rutland", "--roads", "estimate", "--out", str(out)]) == 0
    book = pd.read_excel(out, sheet_name=None)
    assert list(book)[:2] == ["About", "postcodes"] and "LSOA 2021" in book and "PCN locality" in book
    about = dict(zip(book["About"]["Item"], book["About"]["Detail"]))
    assert about["Radius"].startswith("4 miles from the settlement point (") and about["Demand"].startswith("SYNTHETIC")
    assert about["Rural uplift"].startswith("20% (") and "what-if" not in about["Rural uplift"]
    assert "ESTIMATE" in about["Travel times"]
    lsoa = book["LSOA 2021"]
    assert lsoa.columns[:2].tolist() == ["Area", "LSOA code"]
    assert lsoa["Area"].str.contains(r" ward \(E01", regex=True).all()  # a name people use beside every code
    assert "People aged 65+ outside (by road)" in lsoa.columns
    postcodes = book["postcodes"]
    assert {"Ward", "Ward code", "District", "District code"} <= set(postcodes.columns)
    assert set(postcodes["District"]) == {"Rutland"} and postcodes["Ward"].notna().all()


def test_one_client_list_serves_every_page(herefordshire):
    from analyses import rounds, uploads

    # A list prepared for rounds (no hours_per_week; one client gives windows instead of calls, one gives windows
    # that disagree with its calls, one no days).
    content = (b"client_id,postcode,calls_per_day,minutes_per_call,windows,days_per_week\n"
               b"R1,HR4 9AB,2,30,,7\nR2,HR2 0RG,,45,morning;lunch;tea,5\nR3,HR1 2AA,4,15,,\nR4,HR1 2AA,3,20,tea,\n")
    fee = uploads.fee_zone_clients(content, "round_list.csv", herefordshire)
    assert fee.clients["hours_per_week"].tolist() == [2 * 30 * 7 / 60, 3 * 45 * 5 / 60, 4 * 15 * 7 / 60, 1 * 20 * 7 / 60]
    assert any("number of call windows" in note for note in fee.notes) and fee.problems == []
    settings = rounds.RoundSettings.for_council(herefordshire.council)
    rounds_table = uploads.round_clients(content, "round_list.csv", herefordshire, settings)
    assert rounds_table.clients["client_id"].tolist() == ["R1", "R2", "R3", "R4"]
    # The rounds plan the same contact hours as the fee zones cost.
    planned = rounds.weekly_contact_hours(rounds_table.clients, settings)
    assert np.allclose(planned.to_numpy(), fee.clients["hours_per_week"].to_numpy(), rtol=1e-12)


def test_more_calls_than_named_windows_need_times(herefordshire):
    from analyses import rounds, uploads

    content = b"client_id,postcode,calls_per_day,minutes_per_call\nF1,HR4 9AB,5,30\nF2,HR4 9AB,4,30\n"
    table = uploads.round_clients(content, "five.csv", herefordshire, rounds.RoundSettings.for_council(herefordshire.council))
    assert table.clients["client_id"].tolist() == ["F2"]
    assert "5 calls a day but no windows" in table.problems[0].message and table.problems[0].row == 2


def test_a_list_without_any_weekly_hours_is_refused(herefordshire):
    from analyses import uploads
    from geo.errors import InputDataError

    content = b"client_id,postcode,minutes_per_call\nF1,HR4 9AB,30\n"
    with pytest.raises(InputDataError, match="no row gives weekly hours"):
        uploads.fee_zone_clients(content, "no_hours.csv", herefordshire)


def test_numbers_read_as_people_expect():
    frame = pd.DataFrame({"hours_outside": [4.5, 2.5, 1234.4], "beds_per_1000_65": [4.44, 20.96, 0.05],
                          "annual_uplift": [10922916.4, 17501.5, 3.0], "name": ["", None, ""],
                          "hours_per_week": [7.25, 2.5, 14.0]})
    table = exports.readable_table(frame)
    assert table.iloc[:, 0].tolist() == [5, 3, 1234]  # halves round up, not to even
    assert table.iloc[:, 1].tolist() == [4.4, 21.0, 0.1]  # rates per 1,000 keep a decimal
    assert table.iloc[:, 2].tolist() == [10922916, 17502, 3]  # money totals in whole pounds
    assert table.iloc[:, 3].tolist() == [7.3, 2.5, 14.0]  # one client's hours keep a decimal
    assert "Name" not in table.columns  # a column empty throughout is left out
    book = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes({"zones": frame}, [("Source", "test")])))
    sheet = book["zones"]
    assert [sheet.cell(row=2, column=column).number_format for column in (1, 2, 3, 4)] == [
        "#,##0", "#,##0.0", "#,##0", "#,##0.0"]
    # Pounds with pence show both digits of the pence, though the column needs only one (£12.50, not £12.5).
    money = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes({"rounds": pd.DataFrame({"cost": [12.5, 3.0]})},
                                                                 [("Source", "test")])))["rounds"]
    assert money.cell(row=2, column=1).number_format == "#,##0.00"


@pytest.mark.slow
def test_fee_zones_command_costs_a_client_list_with_what_ifs(tmp_path, capsys):
    import pandas as pd

    from caremap.cli import main

    clients = tmp_path / "clients.csv"
    # Four Oakham and Uppingham postcodes within 4 miles of a centre, one at Ashwell (4.8 miles out), one unknown.
    clients.write_text("client_id,postcode,hours_per_week\nC0,LE15 0SA,5\nC1,LE15 6FQ,10\nC2,LE15 7AT,7.5\n"
                       "C3,LE15 8AA,14\nC4,LE15 8SR,3\nC9,ZZ99 9ZZ,4\n")
    out = tmp_path / "zones.xlsx"
    code = main(["fee-zones", "--council", "rutland", "--clients", str(clients), "--fee", "21", "--uplift", "15",
                 "--reading", "road", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0 and "'ZZ99 9ZZ' is not a postcode in Rutland" in printed
    assert "straight line: 1 of 5 clients outside" in printed
    book = pd.read_excel(out, sheet_name=None)
    about = dict(zip(book["About"]["Item"], book["About"]["Detail"]))
    assert about["Base fee"] == "£21.00 per hour (what-if value chosen by the user)"
    assert about["Rural uplift"].startswith("15% (what-if") and about["Demand"] == "uploaded client list clients.csv"
    assert about["Banded schemes costed on"] == "road distance"
    listed = book["clients"]
    assert listed["Hours per week"].tolist() == [5, 10, 7.5, 14, 3]
    assert listed["Inside the zone (straight line)"].tolist() == ["yes", "yes", "no", "yes", "yes"]
    radii = book["radius what-if"].set_index(["Radius (miles)", "Reading"])
    # Only C2's 7.5 hours are outside 4 miles: 7.5 h × £21 × 15% × 52 weeks.
    assert radii.loc[(4, "straight"), "Annual uplift (£)"] == pytest.approx(7.5 * 21 * 0.15 * 52, abs=0.5)
    assert radii.loc[(4, "straight"), "Clients outside"] == 1
    schemes = book["banded schemes"].set_index("Scheme")
    assert schemes.index.str.startswith("Illustrative").sum() == 2 and len(schemes) == 4
    # The what-if rule is costed beside the council's, on the same hours: the About sheet's cost by road.
    assert schemes.loc["What-if rule (4 mi, 15%)", "Annual uplift (£)"] == pytest.approx(7.5 * 21 * 0.15 * 52, abs=0.5)
    assert schemes.loc["Current rule (4 mi, 20%)", "Annual uplift (£)"] == pytest.approx(7.5 * 21 * 0.20 * 52, abs=0.5)
