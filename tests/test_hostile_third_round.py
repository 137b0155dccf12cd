"""Hostile inputs, third round (issue 21): outputs that never overwrite an input or half-write, file names that never
inject into exports or the terminal, and one reader entry that reads only regular files, and no more than its limit."""

import errno
import io
import os
import resource
import socket
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from caremap import api
from caremap.cli import main
from geo import files
from geo.errors import InputDataError
from geo.files import OutputFile, check_output, read_bounded
from geo.text import safe_line
from layers.user_files import CLIENT_LIST, read_user_file

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = "client_id,postcode,hours_per_week\nC1,LE15 6FQ,10\nC2,LE15 7AT,7.5\n"
"""Two Rutland clients (Oakham, and Ashwell beyond four miles)."""
INJECTED = "x\n=cmd|' -C calc'!A0,+1+2\r\n@SUM(1)\x1b[2J.csv"
"""A file name that breaks out of a comment line, runs formulas and clears the terminal, were it written raw."""


def _clients(folder: Path, name: str = "clients.csv") -> Path:
    path = folder / name
    path.write_text(CLIENTS)
    return path


def _fee_zones(*arguments) -> list[str]:
    return ["fee-zones", "--council", "rutland", "--roads", "estimate", *map(str, arguments)]


# --- One safe-text rule ---------------------------------------------------------------------------------------------


def test_safe_line_escapes_every_control_character_and_keeps_text():
    assert safe_line("a\nb\rc\td\x1b[31m\x9b\u202eevil\u2028") == "a\\nb\\rc\\td\\x1b[31m\\x9b\\u202eevil\\u2028"
    assert safe_line("Zoë's list (2024).csv") == "Zoë's list (2024).csv"


def test_a_file_name_with_line_breaks_stays_in_its_comment_line(tmp_path, capsys):
    clients = _clients(tmp_path, INJECTED)
    out = tmp_path / "zones.csv"
    assert main(_fee_zones("--clients", clients, "--out", out)) == 0
    printed = capsys.readouterr()
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    header = lines.index(next(line for line in lines if line.startswith("row,client_id")))
    assert header > 0 and all(line.startswith("# ") for line in lines[:header])
    assert len(lines) == header + 3  # the header and the two clients: no line added by the name
    assert not any(line.lstrip("'").startswith(("=", "+", "@", "-")) for line in lines)
    demand = next(line for line in lines if line.startswith("# Demand:"))
    assert demand == "# Demand: uploaded client list x\\n=cmd|' -C calc'!A0,'+1+2\\r\\n@SUM(1)\\x1b[2J.csv"
    # The terminal shows the name escaped: nothing of it is acted on, and each printed line is one line.
    assert "\x1b" not in printed.out + printed.err and "\r" not in printed.out
    assert "x\\n=cmd|' -C calc'!A0,+1+2\\r\\n@SUM(1)\\x1b[2J.csv" in printed.out
    assert all(line.startswith(("Base fee:", "straight line:", "road distance", "Wrote", "note:", "warning:"))
               for line in printed.out.splitlines())


def test_a_file_name_with_line_breaks_is_one_line_in_the_about_sheet(tmp_path):
    clients = _clients(tmp_path, INJECTED)
    out = tmp_path / "zones.xlsx"
    assert main(_fee_zones("--clients", clients, "--out", out)) == 0
    about = {row[0]: row[1] for row in openpyxl.load_workbook(out)["About"].iter_rows(min_row=2, values_only=True)}
    assert about["Demand"] == "uploaded client list x\\n=cmd|' -C calc'!A0,+1+2\\r\\n@SUM(1)\\x1b[2J.csv"


def test_the_rounds_csv_keeps_a_hostile_name_in_its_comment_lines(tmp_path, capsys):
    clients = tmp_path / INJECTED
    clients.write_text("client_id,postcode,calls_per_day,minutes_per_call\nC1,LE15 6FQ,1,30\nC2,LE15 7AT,1,30\n")
    out = tmp_path / "plan.csv"
    assert main(["rounds", "--council", "rutland", "--roads", "estimate", "--clients", str(clients), "--seconds", "1",
                 "--out", str(out)]) == 0
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    comments = [line for line in lines if line.startswith("# ")]
    assert len(comments) == 4 and "clients: client list x\\n=cmd|' -C calc'!A0" in comments[0]
    assert comments[3].startswith("# Data vintages: LSOA 2021 boundaries with best-fit ward: LSOA December 2021")
    assert not any(line.lstrip("'").startswith(("=", "+", "@")) for line in lines)
    assert "\x1b" not in capsys.readouterr().out


def test_escape_sequences_in_an_output_name_are_shown_escaped(tmp_path, capsys):
    out = tmp_path / "evidence\x1b[2J\x07.csv"
    assert main(["evidence", "--council", "rutland", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "\x1b" not in printed and "\x07" not in printed and "evidence\\x1b[2J\\x07.csv" in printed


# --- One output writer ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["same path", "symbolic link", "hard link"])
def test_an_output_that_is_an_input_is_refused_and_the_input_kept(tmp_path, capsys, how):
    clients = _clients(tmp_path)
    out = {"same path": clients, "symbolic link": tmp_path / "zones.csv", "hard link": tmp_path / "zones.csv"}[how]
    if how == "symbolic link":
        out.symlink_to(clients)
    elif how == "hard link":
        os.link(clients, out)
    assert main(_fee_zones("--clients", clients, "--out", out)) == 2
    error = capsys.readouterr().err
    assert f"is the client list {str(clients)!r} this command reads (directly or through a link)" in error
    assert clients.read_text() == CLIENTS


def test_every_kind_of_input_is_protected(tmp_path, capsys):
    homes = tmp_path / "homes.csv"
    homes.write_text("name,postcode,beds\nHome,LE15 6RP,30\n")
    sites = tmp_path / "sites.csv"
    sites.write_text("name,postcode\nSite,LE15 6RP\n")
    roads = tmp_path / "roads.osm"
    roads.write_text("<osm/>")

    def link_to(target: Path, name: str) -> Path:  # an output name of the right kind that leads to an input
        (tmp_path / name).symlink_to(target)
        return tmp_path / name

    cases = [
        (["report", "--council", "rutland", "--care-homes", homes, "--out", tmp_path / "r.pdf", "--html",
          link_to(homes, "copy.html")], "The HTML copy", "care-home file"),
        (["report", "--council", "rutland", "--candidates", sites, "--out", link_to(sites, "r.html")], "The report file",
         "candidate-sites file"),
        (["fee-zones", "--council", "rutland", "--roads", roads, "--out", link_to(roads, "zones.gpkg")],
         "The output file", "road network file"),
        (["evidence", "--council", "rutland", "--care-homes", homes, "--out", link_to(homes, "evidence.csv")],
         "The evidence file", "care-home file"),
        (["fee-zones", "--council", "rutland", "--clients", sites, "--out", sites], "The output file", "client list"),
    ]
    for arguments, output, what in cases:
        assert main(list(map(str, arguments))) == 2
        error = capsys.readouterr().err
        assert error.startswith(f"error: {output}") and f"is the {what} " in error and "this command reads" in error
    assert homes.read_text().startswith("name,postcode") and roads.read_text() == "<osm/>"
    assert sites.read_text().startswith("name,postcode")


def test_the_tools_own_data_is_never_an_output(capsys):
    from geo.settings import settings

    target = settings.data_folder / "tables" / "rutland" / "postcodes.csv"
    before = target.stat().st_mtime_ns
    assert main(["evidence", "--council", "rutland", "--out", str(target)]) == 2
    assert "is inside the tool's own data" in capsys.readouterr().err and target.stat().st_mtime_ns == before


@pytest.mark.parametrize("name, message", [
    ("", "No file name was given for the output file. Give one, e.g. out.csv."),
    ("   ", "No file name was given for the output file."),
    ("a" * 300 + ".csv", "The file name of the output file is 304 bytes long; the folder takes names of at most 255."),
])
def test_an_empty_or_over_long_name_is_refused(tmp_path, capsys, name, message):
    out = name if not name.strip() else str(tmp_path / name)
    assert main(_fee_zones("--out", out)) == 2
    assert capsys.readouterr().err.startswith(f"error: {message}")


def test_an_output_that_is_not_a_regular_file_is_refused(tmp_path, capsys):
    link = tmp_path / "zones.csv"
    link.symlink_to("/dev/null")
    assert main(_fee_zones("--out", link)) == 2
    assert "exists and is not a regular file" in capsys.readouterr().err


def test_a_write_past_the_file_size_limit_leaves_the_earlier_output(tmp_path):
    out = tmp_path / "evidence.csv"
    out.write_text("the earlier, good output\n")

    def limit_file_size():  # a file-size limit of 2 KB: the evidence table is larger
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))

    done = subprocess.run([sys.executable, "-m", "caremap", "evidence", "--council", "rutland", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, preexec_fn=limit_file_size)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"error: The evidence file {str(out)!r} could not be written (File too large); "
                                  f"nothing was written and any earlier file of that name is unchanged.")
    assert out.read_text() == "the earlier, good output\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["evidence.csv"]  # no partial file left


@pytest.mark.parametrize("number, reason", [(errno.ENOSPC, "No space left on device"),
                                            (errno.EROFS, "Read-only file system")])
def test_a_disk_error_while_writing_is_a_refusal(tmp_path, monkeypatch, number, reason):
    out = tmp_path / "report.html"
    out.write_text("earlier")

    def fail(*args):
        raise OSError(number, os.strerror(number))

    monkeypatch.setattr(files.os, "replace", fail)
    with pytest.raises(InputDataError, match=f"could not be written \\({reason}\\); nothing was written"):
        OutputFile(out, "report file").write(b"<html>new</html>")
    assert out.read_text() == "earlier" and sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_a_disk_error_inside_openpyxl_is_a_refusal(tmp_path, capsys, monkeypatch):
    from openpyxl.worksheet import _writer

    out = tmp_path / "zones.xlsx"
    out.write_bytes(b"earlier")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(_writer, "create_temporary_file", full)
    assert main(_fee_zones("--out", out)) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"error: The output file {str(out)!r} could not be made (No space left on device) while "
                            f"its content was prepared in the temporary folder")
    assert out.read_bytes() == b"earlier"


def test_a_good_write_replaces_the_output_whole_and_keeps_its_link(tmp_path):
    real = tmp_path / "real.html"
    real.write_text("old")
    os.chmod(real, 0o640)
    link = tmp_path / "link.html"
    link.symlink_to(real)
    check_output(link, what="report file", suffixes=(".html",)).write(b"new")
    assert link.is_symlink() and real.read_text() == "new" and (real.stat().st_mode & 0o777) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.html", "real.html"]


def test_the_api_writes_reports_through_the_same_writer(rutland, tmp_path):
    with pytest.raises(InputDataError, match="No file name was given for the report file"):
        api.write_report(rutland, None, None, "")  # refused before anything is built


# --- One reader entry -----------------------------------------------------------------------------------------------


def _special_files(folder: Path) -> dict[str, Path]:
    fifo = folder / "clients.fifo"
    os.mkfifo(fifo)
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "clients.sock"))
    return {"a named pipe": fifo, "a device": Path("/dev/zero"), "a socket": folder / "clients.sock",
            "a folder": folder}


def test_only_regular_files_are_read_by_check_the_commands_and_the_api(tmp_path, capsys, herefordshire):
    for kind, path in _special_files(tmp_path).items():
        expected = "is a folder, not a file" if kind == "a folder" else f"is {kind}, not a file saved on disk"
        assert main(["check", str(path), "--kind", "clients"]) == 2
        assert expected in capsys.readouterr().err
        assert main(_fee_zones("--clients", path, "--out", tmp_path / "zones.csv")) == 2
        assert expected in capsys.readouterr().err
        with pytest.raises(InputDataError, match=expected):
            api.read_clients(path, herefordshire)
        assert main(["check", str(path), "--kind", "roads", "--council", "rutland"]) == 2
        assert expected in capsys.readouterr().err


def test_a_sparse_gigabyte_is_refused_without_reading_a_byte(tmp_path, capsys, monkeypatch):
    big = tmp_path / "clients.csv"
    with big.open("wb") as handle:
        handle.truncate(2**30)
    monkeypatch.setattr(files.os, "read", lambda *args: pytest.fail("the file was read"))
    assert main(["check", str(big), "--kind", "clients"]) == 2
    assert capsys.readouterr().out.startswith("error: 'clients.csv' is 1024 MB; the limit for a client list is 10 MB.")
    assert main(_fee_zones("--clients", big, "--out", tmp_path / "zones.csv")) == 2
    assert "'clients.csv' is 1024 MB" in capsys.readouterr().err


def test_at_most_the_limit_and_one_byte_is_ever_read(tmp_path, monkeypatch):
    path = tmp_path / "clients.csv"
    path.write_bytes(b"x" * 5000)
    read = []
    real_read = os.read
    monkeypatch.setattr(files.os, "read", lambda fd, n: read.append(n) or real_read(fd, n))

    def check_size(size):  # the size the file claims passes (it grows after the check, say)
        if size > 4000 and read:
            raise InputDataError(f"{size} bytes is too many")

    with pytest.raises(InputDataError, match="4001 bytes is too many"):
        read_bounded(path, what="client list", max_bytes=4000, check_size=check_size)
    assert sum(read) <= 4001
    assert read_user_file(_clients(tmp_path, "ok.csv"), CLIENT_LIST) == CLIENTS.encode()


def test_the_reader_entry_answers_a_file_swapped_for_a_pipe_without_blocking(tmp_path, monkeypatch):
    fifo = tmp_path / "clients.csv"
    os.mkfifo(fifo)
    # The status check is passed (as if the file were swapped for a pipe just after it): opening must not block.
    regular = os.stat(_clients(tmp_path, "ok.csv"))
    monkeypatch.setattr(files, "regular_file", lambda path, what: regular)
    with pytest.raises(InputDataError, match="is no longer a regular file"):
        read_bounded(fifo, what="client list", max_bytes=100, check_size=lambda size: None)


def test_api_readers_share_the_entry(rutland, tmp_path):
    big = tmp_path / "homes.csv"
    with big.open("wb") as handle:
        handle.truncate(51 * 2**20)
    with pytest.raises(InputDataError, match="'homes.csv' is 51 MB; the limit for a care-home file is 50 MB"):
        api.care_homes(rutland, big)
    with pytest.raises(InputDataError, match="is a named pipe"):
        fifo = tmp_path / "sites.csv"
        os.mkfifo(fifo)
        api.candidate_sites(rutland, fifo)


def test_xlsx_about_sheet_of_a_workbook_read_back():
    from analyses import exports

    book = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes({}, [("Source", "a\nb\x1b")])))
    assert book["About"]["B2"].value == "a\\nb\\x1b"


# --- Numeric options --------------------------------------------------------------------------------------------


def test_roads_timeout_is_finite(capsys, monkeypatch):
    monkeypatch.setattr(api, "load_data", lambda *args, **kwargs: pytest.fail("computed before checking options"))
    assert main(["roads", "--council", "rutland", "--timeout", "nan"]) == 2
    assert capsys.readouterr().err.startswith("error: --timeout nan is not allowed: the longest wait for one download "
                                              "request (seconds) must be between 1 and 3600.")


def test_bounds_are_one_reusable_set():
    from geo import checks

    assert checks.SEED.check(7, "seed") == 7 and checks.PROJECTION_YEAR.check(2028.0, "year") == 2028
    assert str(checks.BASE_FEE.check(-0.0, "fee")) == "0.0"  # never "-0"
    with pytest.raises(InputDataError, match="must be a whole number between 1 and 10"):
        checks.NEW_SITES.check(2.5, "sites")
    with pytest.raises(InputDataError, match="'3' is not allowed"):
        checks.NEW_SITES.check("3", "sites")


def test_a_fee_of_minus_zero_is_shown_as_zero(tmp_path, capsys):
    out = tmp_path / "zones.csv"
    assert main(_fee_zones("--fee", "-0", "--uplift", "-0", "--clients", _clients(tmp_path), "--out", out)) == 0
    printed = capsys.readouterr().out
    text = out.read_text(encoding="utf-8-sig")
    assert "-0" not in printed and "£-" not in text and "# Base fee: £0.00 per hour" in text
    assert "uplift £0 a year" in printed


# --- Road networks ----------------------------------------------------------------------------------------------

OAKHAM_STREETS = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="caremap tests">
  <node id="1" lat="52.670" lon="-0.730" version="1"/><node id="2" lat="52.670" lon="-0.720" version="1"/>
  <node id="3" lat="52.670" lon="-0.710" version="1"/><node id="4" lat="52.660" lon="-0.720" version="1"/>
  <node id="5" lat="52.680" lon="-0.720" version="1"/>
  <way id="10" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="residential"/>{oneway}</way>
  <way id="11" version="1"><nd ref="4"/><nd ref="2"/><nd ref="5"/><tag k="highway" v="unclassified"/>{oneway}</way>
</osm>
"""
"""Two crossing Oakham streets (invented for the test), two-way or one-way."""


def _streets(folder: Path, *, one_way: bool) -> Path:
    path = folder / ("one_way.osm" if one_way else "streets.osm")
    path.write_text(OAKHAM_STREETS.format(oneway='<tag k="oneway" v="yes"/>' if one_way else ""))
    return path


def test_a_one_way_network_that_never_leads_back_is_refused(tmp_path, capsys):
    from geo.errors import RoadNetworkError
    from routing.builder import network_from_osm_file
    from routing.osm import graph_from_osm_file
    from routing.settings import RoutingSettings

    one_way = _streets(tmp_path, one_way=True)
    message = ("'one_way.osm': the largest part of its roads in which every junction can reach every other holds 1 of "
               "its 5 road nodes (20.0%) and 0 links: not a network to measure travel on.")
    for build in (network_from_osm_file, graph_from_osm_file):  # the app's builder and the OSMnx reference alike
        with pytest.raises(RoadNetworkError) as refused:
            build(one_way, RoutingSettings())
        assert str(refused.value).startswith(message)
    assert main(["check", str(one_way), "--kind", "roads", "--council", "rutland"]) == 2
    assert capsys.readouterr().out.startswith(f"error: {message}")
    # The same streets both ways are a network (5 junctions, 8 links), however small.
    assert main(["check", str(_streets(tmp_path, one_way=False)), "--kind", "roads", "--council", "rutland"]) == 0


@pytest.mark.slow
def test_a_network_covering_part_of_the_council_is_warned_about_everywhere(tmp_path, capsys):
    streets = _streets(tmp_path, one_way=False)
    out = tmp_path / "zones.xlsx"
    assert main(["fee-zones", "--council", "rutland", "--roads", str(streets), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    warning = printed.splitlines()[0]
    assert warning.startswith("warning: Only ") and warning.endswith(
        "of Rutland's postcodes are within 1 km of a road in this network: it may cover another area, and travel from "
        "the rest is measured from roads far away.")
    about = {row[0]: row[1] for row in openpyxl.load_workbook(out)["About"].iter_rows(min_row=2, values_only=True)}
    assert about["Travel times"] == f"Road network: OpenStreetMap, streets.osm. WARNING: {warning[9:]}"
    plan = tmp_path / "plan.csv"
    assert main(["rounds", "--council", "rutland", "--roads", str(streets), "--synthetic", "4", "--seconds", "1",
                 "--out", str(plan)]) == 0
    assert capsys.readouterr().out.startswith(warning)
    assert f"# Travel times: Road network: OpenStreetMap, streets.osm. WARNING: {warning[9:]}" in \
        plan.read_text(encoding="utf-8-sig")
    # A network that covers the council says nothing of the kind.
    assert main(["fee-zones", "--council", "rutland", "--out", str(tmp_path / "zones.csv")]) == 0
    assert "warning" not in capsys.readouterr().out


# --- Text drawn by matplotlib ------------------------------------------------------------------------------------


def test_drawn_text_is_never_mathematical_notation():
    from matplotlib.figure import Figure

    from analyses.report.maps import drawn_text

    assert drawn_text("$x^{$ Farm") == r"\$x^{\$ Farm" and drawn_text("a\nb") == "a\\nb"
    figure = Figure()
    for name in ["$\\frac{1}{0}$ House", "$x^{$ Farm", "C:\\new\\$5 Hall", "\\$ sign", "$$"]:
        text = figure.text(0, 0, drawn_text(name))
        figure.savefig(io.BytesIO(), format="png")  # mathtext would raise here
        assert text._preprocess_math(text.get_text()) == (name, False)


def test_site_names_with_dollars_draw_in_the_report(tmp_path, capsys):
    sites = tmp_path / "sites.csv"
    sites.write_text("name,postcode\n$\\frac{1}{0}$ House,LE15 6RP\nC:\\new\\$5 Hall,LE15 8AA\n")
    out = tmp_path / "report.html"
    assert main(["report", "--council", "rutland", "--candidates", str(sites), "--sites", "2", "--out", str(out)]) == 0
    html = out.read_text()
    assert "$\\frac{1}{0}$ House" in html and "C:\\new\\$5 Hall" in html and html.count("data:image/png") == 3


def test_the_tools_own_files_are_replaced_whole_or_not_at_all(tmp_path):
    from geo.files import replaced_whole

    target = tmp_path / "new" / "layer.geojson"  # a folder not there yet is made
    with replaced_whole(target) as partial:
        assert partial.name == target.name and partial.parent.parent == target.parent  # the writer sees the name
        partial.write_text("first", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "first"
    with pytest.raises(OSError):
        with replaced_whole(target) as partial:
            partial.write_text("half", encoding="utf-8")
            raise OSError("disk full")
    assert target.read_text(encoding="utf-8") == "first"  # the previous file kept whole
    assert sorted(path.name for path in target.parent.iterdir()) == ["layer.geojson"]  # nothing left beside it
