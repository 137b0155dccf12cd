"""The command line refuses bad arguments and paths with a message and exit code 2, before computing anything, and
``caremap check`` reads files exactly as the app does."""

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from caremap import api
from caremap.cli import main
from caremap.commands import _common
from geo.errors import InputDataError
from geo.files import OutputFile

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "bad_inputs"
TINY_ROADS = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="caremap tests">
  <node id="1" lat="52.670" lon="-0.730" version="1"/><node id="2" lat="52.670" lon="-0.720" version="1"/>
  <node id="3" lat="52.670" lon="-0.710" version="1"/><node id="4" lat="52.660" lon="-0.720" version="1"/>
  <node id="5" lat="52.680" lon="-0.720" version="1"/>
  <way id="10" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="residential"/></way>
  <way id="11" version="1"><nd ref="4"/><nd ref="2"/><nd ref="5"/><tag k="highway" v="unclassified"/></way>
</osm>
"""
"""Two crossing Oakham streets (invented for the test): five junctions, eight one-way links."""


@pytest.fixture
def no_computing(monkeypatch):
    """Loading a council's data fails the test: the arguments must be refused before."""
    monkeypatch.setattr(api, "load_data", lambda *args, **kwargs: pytest.fail("computed before checking arguments"))


def _report(tmp_path, *arguments) -> list[str]:
    return ["report", "--council", "rutland", "--out", str(tmp_path / "report.pdf"), *arguments]


@pytest.mark.parametrize("arguments, message", [
    (["--minutes", "-5"], "--minutes -5 is not allowed: the drive time a new site should reach, in minutes, must be "
                          "between 1 and 120."),
    (["--minutes", "nan"], "--minutes nan is not allowed"),
    (["--minutes", "inf"], "--minutes inf is not allowed"),
    (["--minutes", "0"], "--minutes 0 is not allowed"),
    (["--year", "3000"], "--year 3000 is not allowed: the projection year must be between 2018 and 2040."),
    (["--year", "-2028"], "--year -2028 is not allowed"),
    (["--sites", "11"], "--sites 11 is not allowed: the number of new sites to suggest must be between 1 and 10."),
    (["--sites", "-1"], "--sites -1 is not allowed"),
])
def test_report_refuses_absurd_numbers_before_computing(tmp_path, capsys, no_computing, arguments, message):
    assert main(_report(tmp_path, *arguments)) == 2
    assert capsys.readouterr().err.startswith(f"error: {message}")


@pytest.mark.parametrize("arguments, message", [
    (["rounds", "--synthetic", "0"], "--synthetic 0 is not allowed: the number of SYNTHETIC clients must be between 1 and 3000."),
    (["rounds", "--synthetic", "-3"], "--synthetic -3 is not allowed"),
    (["rounds", "--carers", "0"], "--carers 0 is not allowed: the number of carers must be between 1"),
    (["rounds", "--radius", "-1"], "--radius -1 is not allowed: the fee-zone radius (miles) must be between 0 and 30."),
    (["rounds", "--radius=-inf"], "--radius -inf is not allowed"),
    (["rounds", "--seconds", "nan"], "--seconds nan is not allowed: the solver's time for a day (seconds) must be "
                                     "between 0.1 and 600."),
    (["rounds", "--seconds", "inf"], "--seconds inf is not allowed"),
    (["rounds", "--seconds", "0"], "--seconds 0 is not allowed"),
    (["rounds", "--seed", "-1"], "--seed -1 is not allowed: the seed must be between 0 and 2147483647."),
    (["rounds", "--seed", "9" * 40], "--seed 999999999999… (40 digits) is not allowed"),
    (["rounds", "--synthetic", "3001"], "--synthetic 3001 is not allowed"),
    (["fee-zones", "--radius", "nan"], "--radius nan is not allowed"),
    (["fee-zones", "--radius", "99"], "--radius 99 is not allowed"),
    (["fee-zones", "--fee", "-1"], "--fee -1 is not allowed: the base fee (£ an hour) must be between 0 and 200."),
    (["fee-zones", "--uplift", "inf"], "--uplift inf is not allowed: the rural uplift (%) must be between 0 and 200."),
    (["fee-zones", "--clients", "no_such_file.csv"], "The client list 'no_such_file.csv' does not exist."),
])
def test_rounds_and_fee_zones_refuse_absurd_numbers_before_computing(tmp_path, capsys, no_computing, arguments,
                                                                    message):
    command, *options = arguments
    assert main([command, "--council", "rutland", "--out", str(tmp_path / "out.csv"), *options]) == 2
    assert capsys.readouterr().err.startswith(f"error: {message}")


def test_report_refuses_bad_paths_before_computing(tmp_path, capsys, monkeypatch, no_computing):
    cases = [
        (["report", "--council", "rutland", "--out", str(tmp_path / "missing" / "r.pdf")],
         f"The folder of the report file ({tmp_path / 'missing'}) does not exist."),
        (["report", "--council", "rutland", "--out", str(tmp_path)], f"The report file {str(tmp_path)!r} is a folder."),
        (["report", "--council", "rutland", "--out", str(tmp_path / "r.docx")],
         f"The report file {str(tmp_path / 'r.docx')!r} should end in .pdf or .html."),
        (_report(tmp_path, "--care-homes", str(tmp_path)), f"The care-home file {str(tmp_path)!r} is a folder"),
        (_report(tmp_path, "--care-homes", str(tmp_path / "homes.csv")), f"The care-home file "
                                                                           f"{str(tmp_path / 'homes.csv')!r} does not exist"),
        (_report(tmp_path, "--html", str(tmp_path / "none" / "r.html")), "The folder of the HTML copy"),
    ]
    for arguments, message in cases:
        assert main(arguments) == 2
        error = capsys.readouterr().err
        assert error.startswith(f"error: {message}"), error
    # An unwritable folder (root may write anywhere, so the permission check itself is made to say no).
    monkeypatch.setattr(_common.os, "access", lambda path, mode: False)
    assert main(_report(tmp_path)) == 2
    assert f"The report file {str(tmp_path / 'report.pdf')!r} cannot be written (permissions)" in capsys.readouterr().err


def test_a_write_that_fails_late_is_a_message(tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("x")
    with pytest.raises(InputDataError, match="The report file .* could not be written \\(Not a directory\\)"):
        OutputFile(blocker / "report.pdf", "report file").write(b"%PDF")


def test_a_mistyped_number_is_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["report", "--council", "rutland", "--out", "r.pdf", "--year", "soon"])
    assert stopped.value.code == 2 and "invalid int value: 'soon'" in capsys.readouterr().err


def test_the_report_command_never_shows_a_traceback(tmp_path):
    done = subprocess.run([sys.executable, "-m", "caremap", "report", "--council", "rutland", "--out",
                           str(tmp_path / "r.pdf"), "--minutes", "nan"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2 and done.stderr.startswith("error: --minutes nan") and "Traceback" not in done.stderr


# --- caremap check ------------------------------------------------------------------------------------------------


def _check(capsys, *arguments) -> tuple[int, list[str]]:
    code = main(["check", *map(str, arguments)])
    return code, capsys.readouterr().out.splitlines()


def test_check_lists_problems_and_the_pages_a_client_list_suits(capsys):
    code, lines = _check(capsys, CORPUS / "duplicate_ids.csv", "--kind", "clients")
    assert code == 0
    assert lines == [
        "'duplicate_ids.csv', read as a client list for Herefordshire, as the app reads it.",
        "Round viability: 2 client(s) usable; 1 row(s) left out.",
        "  note: The file gives hours_per_week but no calls: round viability plans one call a day of 30 minutes, 7 "
        "days a week, for each client (3.5 hours) whatever its hours; rural fee zones cost hours_per_week. Give "
        "calls_per_day (or windows) and minutes_per_call to plan the real calls.",
        "  row 3, column 'client_id': client id 'A1' is already used on row 2; give each client a unique id.",
        "Rural fee zones: 2 client(s) usable; 1 row(s) left out.",
        "  row 3, column 'client_id': client id 'A1' is already used on row 2; give each client a unique id.",
        "Summary: usable for round viability (2 clients, 1 row left out); usable for rural fee zones (2 clients, 1 "
        "row left out).",
    ]


def test_check_says_when_a_list_suits_rounds_but_not_fee_zones(capsys):
    code, lines = _check(capsys, CORPUS / "missing_hours_column.csv", "--kind", "clients")
    assert code == 0
    assert lines[-1] == "Summary: usable for round viability (1 clients, 0 rows left out); not for rural fee zones."
    assert "lacks the column(s): hours_per_week, or minutes_per_call with calls_per_day or windows" in lines[2]


def test_check_prints_hostile_values_as_they_are_and_exits_2(capsys):
    code, lines = _check(capsys, CORPUS / "markdown_in_values.csv", "--kind", "clients", "--council", "herefordshire")
    assert code == 2
    assert "  row 2, column 'postcode': '![x](http://127.0.0.1:9/beacon.png)' is not a UK postcode; correct it (e.g. " \
           "'HR1 2JB') or give lat and lon." in lines
    assert lines[-1] == "Summary: not for round viability; not for rural fee zones."


def test_check_reads_care_homes_and_refuses_a_bomb(capsys):
    code, lines = _check(capsys, CORPUS / "care_homes_bad_beds.csv", "--kind", "care-homes")
    assert code == 0 and [line for line in lines[1:] if not line.startswith("  note:")] == [
        "  row 2, column 'beds': 'lots' is not a number of beds.",
        "  row 3, column 'beds': 5000 beds is not plausible for a care home (1–1000).",
        "Summary: usable, 1 home(s) in Herefordshire: 1 care home(s) read; 2 row(s) left out: 2 with a problem to "
        "fix (each listed)."]
    code, lines = _check(capsys, CORPUS / "repeated_rows.ods", "--kind", "care-homes", "--council", "rutland")
    assert code == 2 and lines[-1] == "Summary: not usable."
    assert "'repeated_rows.ods' has more than 100,000 rows of data; the limit for a care-home file is 100,000" in lines[1]


def test_check_refuses_a_file_over_the_limit_without_reading_it(tmp_path, capsys, monkeypatch):
    big = tmp_path / "clients.csv"
    with big.open("wb") as handle:
        handle.truncate(11 * 2**20)  # sparse: nothing is written, and reading it would cost 11 MB
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("the whole file was read"))
    code, lines = _check(capsys, big, "--kind", "clients")
    assert code == 2
    assert lines == ["error: 'clients.csv' is 11 MB; the limit for a client list is 10 MB. Split the file (e.g. by "
                     "locality) or keep only the needed columns.", "Summary: not usable."]


def test_check_reads_roads_and_leaves_nothing_on_disk(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temporary"))
    (tmp_path / "temporary").mkdir()
    roads = tmp_path / "oakham.osm"
    roads.write_text(TINY_ROADS)
    code, lines = _check(capsys, roads, "--kind", "roads", "--council", "rutland")
    assert code == 0 and lines == ["Summary: usable: a road network of 5 junctions and 8 road links (Road network: "
                                   "OpenStreetMap, oakham.osm)."]
    code, lines = _check(capsys, CORPUS / "corrupt.osm.pbf", "--kind", "roads", "--council", "rutland")
    assert code == 2 and "'corrupt.osm.pbf' is not a readable OpenStreetMap file" in lines[0]
    assert lines[-1] == "Summary: not usable as a road network."
    assert list((tmp_path / "temporary").iterdir()) == []


def test_check_reads_roads_within_the_apps_upload_limits(capsys, monkeypatch):
    from routing.limits import RoadLimits

    # Rutland's extract fits the app's limits; with uploads capped below it, check refuses it as the app would.
    monkeypatch.setattr(RoadLimits, "for_uploads", classmethod(lambda cls: cls(max_way_nodes=1_000)))
    code, lines = _check(capsys, ROOT / "data" / "osm" / "rutland-latest.osm.pbf", "--kind", "roads",
                         "--council", "rutland")
    assert code == 2 and "road nodes" in lines[0] and lines[-1] == "Summary: not usable as a road network."
    # The refusal is remembered for those limits only: with the real ones the same file is read afresh and accepted.
    monkeypatch.undo()
    code, lines = _check(capsys, ROOT / "data" / "osm" / "rutland-latest.osm.pbf", "--kind", "roads",
                         "--council", "rutland")
    assert code == 0 and lines[-1].startswith("Summary: usable"), lines


def test_check_never_ends_in_a_traceback(capsys, monkeypatch):
    from analyses import uploads

    monkeypatch.setattr(uploads, "care_homes", lambda *args: 1 / 0)
    code, lines = _check(capsys, CORPUS / "care_homes_bad_beds.csv", "--kind", "care-homes")
    assert code == 2 and lines[-2:] == ["error: the file could not be checked (ZeroDivisionError: division by zero). "
                                        "Please report this with the file.", "Summary: not checked."]
    code = main(["check", str(CORPUS / "missing.csv"), "--kind", "clients"])
    assert code == 2 and "The file" in capsys.readouterr().err


def test_a_reader_that_stops_early_gets_no_traceback():
    # The reader (as `| head` does) closes the pipe before the command writes: every write then fails.
    command = subprocess.Popen([sys.executable, "-m", "caremap", "councils", "--council", "herefordshire"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    command.stdout.close()
    errors = command.stderr.read().decode()
    assert command.wait(timeout=120) == 0 and errors == ""
