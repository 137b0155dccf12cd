"""``python -m caremap report``: the care-home coverage report (PDF or HTML), as the app's page writes it."""

from __future__ import annotations

import argparse
import sys

from caremap import api
from caremap.commands import _common, care_homes
from geo import checks
from geo.errors import InputDataError

NAME = "report"
HELP = "write the care-home coverage report (PDF or HTML)"
DESCRIPTION = ("Measures how far older people are from care-home beds (drive times, E2SFCA access, projected need, "
               "gaps, suggested sites) and writes the report. Care homes are CQC's shipped with the tool for the council "
               "(in it and within 15 km beyond its border), or CQC's current care directory or your list "
               "(--care-homes), which replaces them.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _common.add_council(parser)
    care_homes.add_care_homes_option(parser)
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
    parser.add_argument("--author", default="", metavar="NAME", help="the author, on the title page")
    parser.add_argument("--organisation", default="", metavar="NAME", help="the organisation, on the title page")
    parser.add_argument("--status", choices=tuple(STATUSES), default="draft",
                        help="the report's status, on the title page and every page's header (default draft)")


STATUSES = ("draft", "for-comment", "final")
"""The statuses a report can carry (:data:`analyses.report.STATUSES`; listed here so that --help loads no analysis)."""
TEXT_CHARS = 120
"""Longest author or organisation name taken."""


def run(arguments: argparse.Namespace) -> int:
    checks.PROJECTION_YEAR.check(arguments.year, "--year")
    checks.NEW_SITES.check(arguments.sites, "--sites")
    checks.SITE_MINUTES.check(arguments.minutes, "--minutes")
    for option, text in (("--author", arguments.author), ("--organisation", arguments.organisation)):
        if len(text) > TEXT_CHARS or any(ord(character) < 32 for character in text):
            raise InputDataError(f"{option} must be at most {TEXT_CHARS} characters on one line.")
    council = _common.council_of(arguments)
    _common.input_file(arguments.care_homes, "care-home file")  # checked before anything is computed
    candidates_file = _common.input_file(arguments.candidates, "candidate-sites file")
    out = _common.output_file(arguments.out, (".pdf", ".html"), "report file", arguments)
    html_copy = _common.output_file(arguments.html, (".html",), "HTML copy", arguments) if arguments.html else None
    from analyses import report as reporting

    data = api.load_data(council)
    engine = _common.travel_engine(arguments, council, data)
    table = care_homes.care_homes_of(arguments, data, warnings=sys.stderr)
    candidates = api.candidate_sites(data, candidates_file) if candidates_file else None
    authorship = reporting.Authorship(arguments.author.strip(), arguments.organisation.strip(), arguments.status)
    built = reporting.build_report(data, table.homes, engine, year=arguments.year, sites=arguments.sites,
                                   site_minutes=arguments.minutes, measure=arguments.site_measure,
                                   candidates=candidates, authorship=authorship, **reporting.homes_details(table))
    head = built.headline
    print(f"Shortfall (+) or spare (−) of beds for people aged 65+ in {arguments.year}: {head.sentence()}")
    for line in built.site_lines():
        print(f"Suggested site {line}")
    out.write(lambda: reporting.to_html(built).encode("utf-8") if out.suffix.lower() == ".html" else
              reporting.to_pdf(built))
    if html_copy:
        html_copy.write(lambda: reporting.to_html(built).encode("utf-8"))
    print(f"Wrote {out}{f' and {html_copy}' if html_copy else ''} ({council.name}, {arguments.year}, {engine.label}).")
    return 0
