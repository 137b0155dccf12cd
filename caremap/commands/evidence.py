"""``python -m caremap evidence``: a council's documented figures beside what the tool recomputes."""

from __future__ import annotations

import argparse

from caremap import api
from caremap.commands import _common, care_homes

NAME = "evidence"
HELP = "a council's documented figures beside the tool's own (CSV)"
DESCRIPTION = ("Each figure of the council's settings with its document, place and year (or why it is assumed), "
               "beside what the tool recomputes from its data where it can: population, rural shares, PCN "
               "localities, hours by district, and homes and beds from a care-home file you give.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _common.add_council(parser)
    care_homes.add_care_homes_option(parser)
    parser.add_argument("--out", required=True, metavar="FILE", help="evidence.csv")


def run(arguments: argparse.Namespace) -> int:
    from analyses import evidence, exports

    council = _common.council_of(arguments)
    homes_file = _common.input_file(arguments.care_homes, "care-home file")
    out = _common.output_file(arguments.out, (".csv",), "evidence file", arguments)
    data = api.load_data(council)
    homes = api.care_homes(data, homes_file).homes if homes_file else None
    table = evidence.evidence_table(data, homes=homes, homes_source=homes_file.name if homes_file else "")
    out.write(exports.csv_bytes(table, [f"Evidence for {council.name}: documented figures beside the tool's own"]))
    checked = int((table["Tool's figure"] != "—").sum())
    print(f"{council.name}: {len(table)} figures, {checked} recomputed by the tool. Wrote {out}.")
    return 0
