"""``python -m caremap councils``: the councils the tool knows, and each one's figures with their sources."""

from __future__ import annotations

import argparse

from geo.council import list_councils
from geo.figures import figure_text
from layers.social_care import council_by_name

NAME = "councils"
HELP = "list the councils, or one council's figures and where each comes from"
DESCRIPTION = ("Without --council: the councils ready to use (bundled with their own figures, or set up from the "
               "national data). With --available: all 153 English social-care councils and which are ready. With "
               "--council: every figure of that council's settings file, documented (with document and place) or "
               "assumed (with why).")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--council", metavar="NAME", help="show this council's figures")
    which.add_argument("--available", action="store_true",
                       help="list all 153 English social-care councils that can be set up, with their GSS codes")


def _available() -> int:
    from layers.social_care import social_care_councils

    ready = {council.gss_code: council for council in list_councils() if council.gss_code}
    councils = social_care_councils()
    for council in councils:
        known = ready.get(council.code)
        status = f"bundled, {known.whose_figures}" if known and known.bundled else f"set up as '{known.slug}'" if known else \
            "python -m caremap setup --council " + council.slug
        print(f"{council.code}  {council.short_name:38} {council.kind:21} {status}")
    print(f"{len(councils)} councils: {sum(council.code in ready for council in councils)} ready to use.")
    return 0


def run(arguments: argparse.Namespace) -> int:
    if arguments.available:
        return _available()
    if not arguments.council:
        for council in list_councils():
            roads = "bundled road network" if council.osm_extract else "no bundled roads"
            origin = f"bundled, {council.whose_figures}" if council.bundled else "set up from national data, assumed figures"
            print(f"{council.slug:15} {council.name}{' (default)' if council.is_default else ''}; {origin}; {roads}")
        print("Set up any other English social-care council: python -m caremap setup --council NAME (list them with "
              "--available).")
        return 0
    council = council_by_name(arguments.council)
    print(f"{council.name}: {len(council.figures)} figures"
          + ("" if council.bundled else " (set up from the national data: no council document held)"))
    for figure in council.figures.values():
        print(f"- {figure.label}: {figure_text(figure)}")
        print(f"    {figure.source}")
    return 0
