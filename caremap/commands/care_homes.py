"""``python -m caremap care-homes``: the care homes a council's coverage uses, as CSV or XLSX."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from caremap import api
from caremap.commands import _common

if TYPE_CHECKING:
    from layers.care_homes import CareHomeTable

NAME = "care-homes"
HELP = "write the care homes a council's coverage uses (CQC's shipped with the tool, or your file) as CSV or XLSX"
DESCRIPTION = ("Every care home the coverage page, report and commands use for the council: in it and within 15 km "
               "beyond its border, with its CQC Location ID, name, postcode, beds (and whether they are assumed), "
               "whether it is registered for older people, nursing and dementia, and where it is. By default CQC's "
               "homes shipped with the tool; --care-homes gives CQC's current care directory or your list instead. "
               "The About part (CSV comment lines, XLSX first sheet) says where they come from and their date.")


def add_care_homes_option(parser: argparse.ArgumentParser) -> None:
    """``--care-homes FILE``, as every command that uses care homes takes it."""
    parser.add_argument("--care-homes", metavar="FILE", help="CQC care directory (HSCA Active Locations) or a simple "
                                                             "care-home list: CSV, XLSX or ODS; replaces the CQC homes "
                                                             "shipped with the tool")


def care_homes_of(arguments: argparse.Namespace, data, *, warnings=None) -> "CareHomeTable":
    """The care homes a command uses (:func:`caremap.api.care_homes`: ``--care-homes`` or the shipped ones), said
    on the standard output: where they come from, and, for a file, what reading it left out with each problem
    (on ``warnings``, default the standard output)."""
    homes_file = _common.input_file(arguments.care_homes, "care-home file")
    table = api.care_homes(data, homes_file)
    for problem in table.problems:
        print(f"warning: {homes_file.name if homes_file else 'care homes'}: {problem}", file=warnings)
    print(f"Care homes: {table.source}.")
    if not table.shipped or table.left_out():
        print(table.outcome())
    return table


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _common.add_council(parser)
    add_care_homes_option(parser)
    parser.add_argument("--out", required=True, metavar="FILE", help="homes.csv or homes.xlsx")


def run(arguments: argparse.Namespace) -> int:
    from analyses import exports
    from analyses.coverage import place_homes
    from analyses.report import homes_about, homes_table

    council = _common.council_of(arguments)
    _common.input_file(arguments.care_homes, "care-home file")  # checked before anything is read
    out = _common.output_file(arguments.out, (".csv", ".xlsx"), "care-home list", arguments)
    data = api.load_data(council)
    table = care_homes_of(arguments, data)
    homes = place_homes(table.homes, data)
    frame = homes_table(homes, nursing_known="nursing" in table.homes.columns, as_text=False)
    about = homes_about(table, data.council)
    if out.suffix.lower() == ".xlsx":
        out.write(lambda: exports.xlsx_bytes({"care homes": frame}, about))
    else:
        out.write(lambda: exports.csv_bytes(frame, [f"{item}: {detail}" for item, detail in about]))
    print(f"Wrote {out} ({len(frame):,} homes).")
    return 0
