"""``python -m caremap report``: the care-home coverage report (PDF or HTML), as the app's page writes it."""

from __future__ import annotations

import argparse
import sys

from caremap import api
from caremap.commands import _common
from geo import checks

NAME = "report"
HELP = "write the care-home coverage report (PDF or HTML)"
DESCRIPTION = ("Measures how far older people are from care-home beds (drive times, E2SFCA access, projected need, "
               "gaps, suggested sites) and writes the report. Care homes come from the CQC care directory you give "
               "(--care-homes) or, for Rutland, from the homes tagged in its OpenStreetMap extract.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _common.add_council(parser)
    parser.add_argument("--care-homes", metavar="FILE", help="CQC care directory (HSCA Active Locations) or a simple "
                                                             "care-home list: CSV, XLSX or ODS")
    parser.add_argument("--year", type=int, default=2028, help="projection year, 2018-2040 (default 2028)")
    _common.add_roads(parser)
    parser.add_argument("--sites", type=int, default=3, help="new sites to suggest, 1-10 (default 3)")
    parser.add_argument("--minutes", type=float, default=20.0,
                        help="drive time a suggested site should reach, 1-120 minutes (default 20)")
    parser.add_argument("--site-measure", choices=("reach", "access"), default="reach",
                        help="choose sites by people aged 65+ brought within --minutes (reach) or by the E2SFCA access "
                             "gap they close (access)")
    parser.add_argument("--candidates", metavar="FILE", help="your candidate sites (name and postcode or latitude/"
                                                             "longitude); default the council's towns and villages")
    parser.add_argument("--out", required=True, metavar="FILE", help="report.pdf or report.html")
    parser.add_argument("--html", metavar="FILE", help="also write an HTML copy here")


def run(arguments: argparse.Namespace) -> int:
    checks.PROJECTION_YEAR.check(arguments.year, "--year")
    checks.NEW_SITES.check(arguments.sites, "--sites")
    checks.SITE_MINUTES.check(arguments.minutes, "--minutes")
    council = _common.council_of(arguments)
    homes_file = _common.input_file(arguments.care_homes, "care-home file")
    candidates_file = _common.input_file(arguments.candidates, "candidate-sites file")
    out = _common.output_file(arguments.out, (".pdf", ".html"), "report file", arguments)
    html_copy = _common.output_file(arguments.html, (".html",), "HTML copy", arguments) if arguments.html else None
    if homes_file is None and not council.osm_extract:
        print(f"error: {council.name} has no care-home data in the tool: give --care-homes with the CQC care "
              f"directory (CSV, XLSX or ODS).", file=sys.stderr)
        return 2
    from analyses import report as reporting

    data = api.load_data(council)
    engine = _common.travel_engine(arguments, council, data)
    table = api.care_homes(data, homes_file)
    for problem in table.problems:
        print(f"warning: {homes_file.name if homes_file else 'care homes'}: {problem}", file=sys.stderr)
    source = (f"{homes_file.name} ({len(table.homes)} homes)" if homes_file else
              f"care homes and assisted-living places tagged in OpenStreetMap ({len(table.homes)})")
    candidates = api.candidate_sites(data, candidates_file) if candidates_file else None
    built = reporting.build_report(data, table.homes, engine, homes_source=source, year=arguments.year,
                                   sites=arguments.sites, site_minutes=arguments.minutes, notes=list(table.notes),
                                   measure=arguments.site_measure, candidates=candidates)
    out.write(lambda: reporting.to_html(built).encode("utf-8") if out.suffix.lower() == ".html" else
              reporting.to_pdf(built))
    if html_copy:
        html_copy.write(lambda: reporting.to_html(built).encode("utf-8"))
    print(f"Wrote {out}{f' and {html_copy}' if html_copy else ''} ({council.name}, {arguments.year}, {engine.label}).")
    return 0
