"""Makers of hostile workbooks for the bad-input tests: minimal XLSX and ODS writers that stream, so a
two-million-row sheet costs a second and a few megabytes to write, and can say what real writers never do
(hidden first sheets, repeated rows, DTDs, cells past column XFD).

``python -m tests.hostile_files`` rewrites the small workbooks committed in ``tests/bad_inputs/``;
``python -m tests.hostile_files make FOLDER`` writes the generated bombs there, and ``… measure FOLDER`` reads
each through the reader entry of the command line and API (:func:`layers.user_files.read_user_file`) and the app's
upload functions, and prints the outcomes, seconds, bytes read and memory as JSON.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Iterable
from xml.sax.saxutils import escape

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
HIDDEN_STYLE = ' table:style-name="hidden"'
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
ODS_NAMESPACES = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                  'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
                  'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
                  'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"')


def xlsx_cell(value: object) -> str:
    """One XLSX cell (no reference: readers count columns): numbers as numbers, anything else as inline text."""
    if value is None or value == "":
        return "<c/>"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"<c><v>{value!r}</v></c>"
    return f'<c t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def xlsx_row(values: Iterable[object]) -> str:
    return "<row>" + "".join(xlsx_cell(value) for value in values) + "</row>"


def write_xlsx(target, sheets: list[tuple[str, Iterable[str], str]], *, head: str = "",
               parts: dict[str, str] | None = None) -> None:
    """Write a workbook to ``target`` (a path or a binary file).

    ``sheets`` holds (name, row XML strings, state: "visible" or "hidden"); the rows are written as they come,
    so a generator of two million rows never sits in memory. ``head`` goes before the root element (e.g. a DTD);
    ``parts`` are written as given, in place of the usual part of that name or besides them.
    """
    listed = "".join(f'<sheet name="{escape(name)}" sheetId="{n}" state="{state}" r:id="rId{n}"/>'
                     for n, (name, _, state) in enumerate(sheets, start=1))
    links = "".join(f'<Relationship Id="rId{n}" Type="{RELS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                    for n in range(1, len(sheets) + 1))
    small = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                               'content-types"/>',
        "xl/workbook.xml": f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>{listed}</sheets>'
                           "</workbook>",
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                                      f'package/2006/relationships">{links}</Relationships>',
    } | (parts or {})
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in small.items():
            archive.writestr(name, text)
        for n, (_, rows, _) in enumerate(sheets, start=1):
            with archive.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as part:
                part.write(f'<?xml version="1.0"?>{head}<worksheet xmlns="{MAIN}"><sheetData>'.encode())
                batch = []
                for row in rows:
                    batch.append(row)
                    if len(batch) == 10_000:
                        part.write("".join(batch).encode())
                        batch = []
                part.write(("".join(batch) + "</sheetData></worksheet>").encode())


def xlsx_bytes(sheets: list[tuple[str, list[list[object]], str]]) -> bytes:
    """A small workbook from rows of values."""
    buffer = io.BytesIO()
    write_xlsx(buffer, [(name, [xlsx_row(row) for row in rows], state) for name, rows, state in sheets])
    return buffer.getvalue()


def ods_cell(value: object, *, repeat: int = 1) -> str:
    repeated = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    if value is None or value == "":
        return f"<table:table-cell{repeated}/>"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (f'<table:table-cell{repeated} office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>")
    return f'<table:table-cell{repeated} office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'


def ods_row(values: Iterable[object], *, repeat: int = 1) -> str:
    repeated = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{repeated}>" + "".join(ods_cell(value) for value in values) + "</table:table-row>"


def ods_bytes(tables: list[tuple[str, list[str], bool]]) -> bytes:
    """An ODS workbook of (name, row XML strings, hidden) tables; hidden tables use a style with display false."""
    body = "".join(f'<table:table table:name="{escape(name)}"{HIDDEN_STYLE if hidden else ""}>' + "".join(rows)
                   + "</table:table>" for name, rows, hidden in tables)
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NAMESPACES}>'
               '<office:automatic-styles><style:style style:name="hidden" style:family="table">'
               '<style:table-properties table:display="false"/></style:style></office:automatic-styles>'
               f"<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    return buffer.getvalue()


CLIENT_HEADER = ["client_id", "postcode", "hours_per_week"]
CARE_HOME_HEADER = ["name", "postcode", "beds"]
FORMATTED_ROWS = [  # client, postcode, hours (value, number format), minutes a call (value, format), calls a day
    ("A1", "HR4 9AB", (7, "General"), (30 / 1440, "[h]:mm"), 2),  # 7 hours; 0:30 read as 30 minutes
    ("A2", "HR2 0RG", (10.5 / 24, "h:mm"), (30, "General"), 2),  # 10:30, a time of day: refused
    ("A3", "HR1 2AA", (0.25, "0%"), (30, "General"), 2),  # 25%: refused
    ("A4", "HR4 9AB", (10.5 / 24, "[h]:mm"), (45, "General"), 2),  # 10:30 as a duration: 10.5 hours
    ("A5", "HR2 0RG", (45421, "d/m/yyyy"), (30, "General"), 2),  # a date (9 May 2024): refused
]
"""Clients whose numbers a workbook shows as times, durations, percentages and dates."""


def formatted_workbooks() -> dict[str, bytes]:
    """``number_formats.xlsx`` (written by openpyxl, as Excel stores number formats) and ``number_formats.ods`` (time,
    percentage and date cells as LibreOffice writes them) from :data:`FORMATTED_ROWS`."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["client_id", "postcode", "hours_per_week", "minutes_per_call", "calls_per_day"])
    for row, (client, postcode, hours, minutes, calls) in enumerate(FORMATTED_ROWS, start=2):
        sheet.append([client, postcode, hours[0], minutes[0], calls])
        sheet.cell(row=row, column=3).number_format = hours[1]
        sheet.cell(row=row, column=4).number_format = minutes[1]
    xlsx = io.BytesIO()
    book.save(xlsx)
    office = {"h:mm": ('office:value-type="time" office:time-value="PT10H30M00S"', "10:30"),
              "0%": ('office:value-type="percentage" office:value="0.25"', "25%"),
              "d/m/yyyy": ('office:value-type="date" office:date-value="2024-05-09"', "09/05/2024")}
    rows = [ods_row(["client_id", "postcode", "hours_per_week", "minutes_per_call", "calls_per_day"])]
    for client, postcode, hours, _, calls in FORMATTED_ROWS[1:3] + FORMATTED_ROWS[4:]:
        kind, shown = office[hours[1]]
        rows.append("<table:table-row>" + ods_cell(client) + ods_cell(postcode)
                    + f"<table:table-cell {kind}><text:p>{shown}</text:p></table:table-cell>" + ods_cell(30)
                    + ods_cell(calls) + "</table:table-row>")
    rows.append(ods_row(["A6", "HR4 9AB", 7, 30, 2]))
    return {"number_formats.xlsx": xlsx.getvalue(), "number_formats.ods": ods_bytes([("Clients", rows, False)])}


def committed_workbooks() -> dict[str, bytes]:
    """The small workbooks kept in ``tests/bad_inputs/``, by file name."""
    stale = [CLIENT_HEADER, ["OLD1", "HR4 9AB", 99]]
    clients = [CLIENT_HEADER, ["A1", "HR4 9AB", 10], ["A2", "HR2 0RG", 7.5]]
    titled = [["Client list, March"], [], [None, None, None], CLIENT_HEADER, ["A1", "HR4 9AB", 10], [], [],
              ["A2", "HR9 9ZZ", 5], ["A3", "HR2 0RG", 3]]
    return {
        "hidden_first_sheet.xlsx": xlsx_bytes([("Old list", stale, "hidden"), ("Clients", clients, "visible")]),
        "hidden_first_sheet.ods": ods_bytes([("Old list", [ods_row(row) for row in stale], True),
                                             ("Clients", [ods_row(row) for row in clients], False)]),
        "title_and_blank_rows.xlsx": xlsx_bytes([("Clients", titled, "visible")]),
        "long_numeric_ids.ods": ods_bytes([("Clients", [ods_row(CLIENT_HEADER),
                                                        ods_row([12345678901234567890, "HR4 9AB", 10]),
                                                        ods_row([12345678901234567891, "HR2 0RG", 5])], False)]),
        "repeated_rows.ods": ods_bytes([("Homes", [ods_row(CARE_HOME_HEADER),
                                                   ods_row(["Rutland Care Village", "LE15 6RP", 30], repeat=300_000),
                                                   ods_row([""], repeat=1_048_000)], False)]),
        "repeated_columns.ods": ods_bytes([("Clients", [ods_row(CLIENT_HEADER),
                                                        "<table:table-row>" + ods_cell("A1") + ods_cell("HR4 9AB")
                                                        + ods_cell("x", repeat=100_000) + "</table:table-row>"], False)]),
        **formatted_workbooks(),
    }




# --- Generated bombs: small files that stand for huge tables --------------------------------------------------------


def _many_parts(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for n in range(10_001):
            archive.writestr(f"xl/media/{n}.bin", b"")


def make_bombs(folder: Path) -> dict[str, tuple[str, str]]:
    """Write the generated bombs into ``folder``; return file name -> (reader, pattern of the refusal message)."""
    folder.mkdir(parents=True, exist_ok=True)
    compact = "<row><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row>"
    write_xlsx(folder / "two_million_rows.xlsx",
               [("Clients", (xlsx_row(CLIENT_HEADER) if n == 0 else compact for n in range(2_000_001)), "visible")])
    write_xlsx(folder / "ten_million_empty_cells.xlsx",
               [("Clients", [xlsx_row(CLIENT_HEADER), "<row>" + "<c/>" * 10_000_000 + "</row>"], "visible")])
    write_xlsx(folder / "one_huge_cell.xlsx", [("Clients", [xlsx_row(CLIENT_HEADER), xlsx_row(["x" * 2_000_000])],
                                                "visible")])
    write_xlsx(folder / "a_million_texts.xlsx", [("Clients", [xlsx_row(CLIENT_HEADER)], "visible")], parts={
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}">' + "".join(f"<si><t>{n}</t></si>" for n in range(1_000_000))
                                + "</sst>",
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                                      f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
                                      f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
                                      "</Relationships>"})
    _many_parts(folder / "ten_thousand_parts.xlsx")
    (folder / "ten_million_lines.csv").write_bytes(b"client_id,postcode,hours_per_week\n" + b"\n" * 10_000_000)
    (folder / "care_homes_100001.csv").write_bytes(b"name,postcode,beds\n" + b"Home,LE15 6RP,30\n" * 100_001)
    (folder / "repeated_rows.ods").write_bytes((CORPUS / "repeated_rows.ods").read_bytes())
    with (folder / "sparse_gigabyte.csv").open("wb") as handle:
        handle.truncate(2**30)  # a gigabyte on the scale, nothing on the disk
    os.symlink("/dev/zero", folder / "dev_zero.csv")
    os.mkfifo(folder / "named_pipe.csv")  # nobody ever writes to it: reading it would wait for ever
    rows = "has more than {:,} rows of data"
    return {
        "two_million_rows.xlsx": ("clients", rows.format(20_000)),
        "ten_million_empty_cells.xlsx": ("clients", "it holds more than 2,000,000 cells"),
        "one_huge_cell.xlsx": ("clients", "a cell holds more than 1,000,000 characters"),
        "a_million_texts.xlsx": ("clients", "it holds more than 400,000 different texts"),
        "ten_thousand_parts.xlsx": ("clients", "it has more than 10,000 parts"),
        "ten_million_lines.csv": ("clients", "it has more than 1,048,576 lines"),
        "care_homes_100001.csv": ("care-homes", rows.format(100_000)),
        "repeated_rows.ods": ("care-homes", rows.format(100_000)),
        "sparse_gigabyte.csv": ("clients", "is 1024 MB; the limit for a client list is 10 MB"),
        "dev_zero.csv": ("clients", "is a device, not a file saved on disk"),
        "named_pipe.csv": ("clients", "is a named pipe, not a file saved on disk"),
    }


MANIFEST = "bombs.json"


def peak_memory_mb() -> float:
    """This process's peak resident memory, MB: VmHWM, which starts afresh when a process starts (ru_maxrss would
    carry over the memory of the process that started it)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 1024


def bytes_read() -> int | None:
    """Bytes this process has read so far by any read call (``rchar`` of /proc/self/io, which counts the reading of
    /proc/self/io too; None elsewhere)."""
    try:
        with open("/proc/self/io", "rb", buffering=0) as handle:
            status = handle.read(4096).decode()
    except OSError:
        return None
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("rchar:"))


def measure(folder: Path) -> list[dict]:
    """Read every bomb listed in ``folder``'s manifest as the command line does (the reader entry
    :func:`layers.user_files.read_user_file`, then the app's upload function), in this process: the outcome,
    seconds, the bytes the process read meanwhile (any read call: the limit and one byte at most) and its peak
    resident memory (MB) after loading the council data and after each file (a high-water mark: it only grows)."""
    import time

    from analyses import uploads
    from geo.council import load_council
    from geo.errors import CareMapError
    from layers.council_data import load_council_data
    from layers.user_files import CARE_HOME_LIST, CLIENT_LIST, read_user_file

    bombs = json.loads((folder / MANIFEST).read_text())
    data = {"clients": load_council_data(load_council("herefordshire")),
            "care-homes": load_council_data(load_council("rutland"))}
    readers = {"clients": uploads.fee_zone_clients, "care-homes": uploads.care_homes}
    limits = {"clients": CLIENT_LIST, "care-homes": CARE_HOME_LIST}
    # Good files of each format first, so that no import is counted as a bomb's reading.
    good = [("client_id", "name", "postcode", "hours_per_week", "beds"), ("A1", "Home", "LE15 6RP", 10, 30)]
    (folder / "warm_up.csv").write_text("\n".join(",".join(map(str, row)) for row in good) + "\n")
    (folder / "warm_up.xlsx").write_bytes(xlsx_bytes([("Sheet", good, "visible")]))
    (folder / "warm_up.ods").write_bytes(ods_bytes([("Sheet", [ods_row(row) for row in good], False)]))
    for kind, reader in readers.items():
        for suffix in ("csv", "xlsx", "ods"):
            reader(read_user_file(folder / f"warm_up.{suffix}", limits[kind]), f"warm_up.{suffix}", data["care-homes"])
    results = [{"name": "council data loaded", "peak_rss_mb": peak_memory_mb()}]
    for name, (kind, expected) in bombs.items():
        path = folder / name
        size = path.stat().st_size if path.is_file() else 0
        asking = bytes_read()
        start, before = time.perf_counter(), bytes_read()
        asking = None if before is None else before - asking  # what reading /proc/self/io itself adds
        try:
            readers[kind](read_user_file(path, limits[kind]), name, data[kind])
            outcome = "read"
        except CareMapError as error:
            outcome = str(error)
        read = None if before is None else bytes_read() - before - asking
        results.append({"name": name, "bytes": size, "limit_bytes": limits[kind].max_bytes, "bytes_read": read,
                        "expected": expected, "outcome": outcome, "seconds": time.perf_counter() - start,
                        "peak_rss_mb": peak_memory_mb()})
    return results


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["make"]:
        (Path(sys.argv[2]) / MANIFEST).write_text(json.dumps(make_bombs(Path(sys.argv[2]))))
    elif sys.argv[1:2] == ["measure"]:
        print(json.dumps(measure(Path(sys.argv[2]))))
    else:
        for name, content in committed_workbooks().items():
            (CORPUS / name).write_bytes(content)
            print(f"wrote {name} ({len(content):,} bytes)")
