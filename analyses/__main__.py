"""Command line: ``python -m analyses report --council rutland --care-homes FILE --out report.pdf``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo.council import load_council
from geo.errors import CareMapError


def _report(arguments: argparse.Namespace) -> int:
    from analyses import report as reporting
    from layers.care_homes import care_homes_from_osm, read_care_homes
    from layers.catalog import DATA_DIR
    from layers.council_data import load_council_data
    from routing.sources import BUNDLED, ESTIMATE, UPLOAD, build_engine

    council = load_council(arguments.council)
    data = load_council_data(council)
    if arguments.roads in (BUNDLED, ESTIMATE):
        engine = build_engine(council, arguments.roads)
    else:
        engine = build_engine(council, UPLOAD, upload=Path(arguments.roads))
    notes: list[str] = []
    if arguments.care_homes:
        path = Path(arguments.care_homes)
        table = read_care_homes(path.read_bytes(), path.name, data.postcodes, data.outline, council.name)
        source = f"{path.name} ({len(table.homes)} homes)"
        for problem in table.problems:
            print(f"warning: {path.name}: {problem}", file=sys.stderr)
    elif council.osm_extract:
        table = care_homes_from_osm(DATA_DIR / council.osm_extract, data.outline)
        source = f"care homes and assisted-living places tagged in OpenStreetMap ({len(table.homes)})"
    else:
        print(f"error: {council.name} has no care-home data in the tool: give --care-homes with the CQC care "
              f"directory (CSV, XLSX or ODS).", file=sys.stderr)
        return 2
    notes += table.notes
    built = reporting.build_report(data, table.homes, source, engine, arguments.year, sites=arguments.sites,
                                   site_minutes=arguments.minutes, notes=notes)
    out = Path(arguments.out)
    if out.suffix.lower() == ".html":
        out.write_text(reporting.to_html(built), encoding="utf-8")
    else:
        out.write_bytes(reporting.to_pdf(built))
    if arguments.html:
        Path(arguments.html).write_text(reporting.to_html(built), encoding="utf-8")
    print(f"Wrote {out} ({council.name}, {arguments.year}, {engine.label}).")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analyses", description="Rural care planner from the command line.")
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="write the care-home coverage report (PDF or HTML)")
    report.add_argument("--council", required=True, help="council slug or name, e.g. rutland")
    report.add_argument("--care-homes", help="CQC care directory or simple care-home CSV/XLSX/ODS")
    report.add_argument("--year", type=int, default=2028, help="projection year (default 2028)")
    report.add_argument("--roads", default="bundled",
                        help="'bundled' (default where the council has one), 'estimate', or an .osm.pbf/.osm/.graphml file")
    report.add_argument("--sites", type=int, default=3, help="number of new sites to suggest")
    report.add_argument("--minutes", type=float, default=20.0, help="drive time a suggested site should reach")
    report.add_argument("--out", required=True, help="report.pdf or report.html")
    report.add_argument("--html", help="also write an HTML copy here")
    arguments = parser.parse_args(argv)
    try:
        if arguments.roads == "bundled" and not load_council(arguments.council).osm_extract:
            arguments.roads = "estimate"
        return _report(arguments)
    except CareMapError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
