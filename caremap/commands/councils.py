"""``python -m caremap councils``: the councils the tool knows, and each one's figures with their sources."""

from __future__ import annotations

import argparse

from geo.council import figure_text, list_councils, load_council

NAME = "councils"
HELP = "list the councils, or one council's figures and where each comes from"
DESCRIPTION = ("Without --council: the councils with settings. With --council: every figure of that council's "
               "settings file, documented (with document and place) or assumed (with why).")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--council", metavar="NAME", help="show this council's figures")


def run(arguments: argparse.Namespace) -> int:
    if not arguments.council:
        for council in list_councils():
            roads = "bundled road network" if council.osm_extract else "no bundled roads"
            print(f"{council.slug:15} {council.name}{' (default)' if council.is_default else ''}; {roads}")
        return 0
    council = load_council(arguments.council)
    print(f"{council.name}: {len(council.figures)} figures")
    for figure in council.figures.values():
        print(f"- {figure.label}: {figure_text(figure)}")
        print(f"    {figure.source}")
    return 0
