"""``python -m caremap setup``: set up any English social-care council, offline, from the national data shipped with
the tool."""

from __future__ import annotations

import argparse
import sys
import time

from geo.errors import InputDataError

NAME = "setup"
HELP = "set up any of England's 153 social-care councils from the national data shipped with the tool (offline)"
DESCRIPTION = ("Cuts the council's areas, people, postcodes, GP practices and PCN localities, practices and care homes "
               "within 15 km beyond its border out of the national data shipped with the tool, and writes its settings "
               "file in your folder (CAREMAP_HOME; never inside the tool's folder). No council document is held for it, "
               "so every figure is a labelled national default or assumption (the fee rule and the 300-hour threshold "
               "are Herefordshire's, offered as what-ifs). Then every command and the app accept it by name, slug or "
               "GSS code. The four bundled councils (Herefordshire, Hertfordshire, Rutland, Worcestershire) already "
               "carry their documents' figures and are left as they are.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--council", metavar="NAME", help="its name as ONS writes it (case and punctuation forgiven: "
                                                         "'Herefordshire' for 'Herefordshire, County of') or its GSS "
                                                         "code (E06000019)")
    which.add_argument("--all", action="store_true", help="all 153, reading the national data once (a few minutes)")


def run(arguments: argparse.Namespace) -> int:
    from layers import setup

    if arguments.council is not None and not arguments.council.strip():
        raise InputDataError("--council is empty: give a council's name or GSS code (python -m caremap councils "
                             "--available lists them).")
    if not arguments.all:
        print(setup.setup_council(arguments.council).describe())
        return 0
    start = time.perf_counter()
    done = setup.Setup()
    bundled, count = [], 0
    for number, target in enumerate(done.councils, start=1):
        result = done.run(target)
        if result.summary is None:
            bundled.append(result.council.name)
            continue
        count += 1
        notes = f"; {len(result.summary.notes)} note(s)" if result.summary.notes else ""
        print(f"[{number:3}/{len(done.councils)}] {result.council.name}: {result.status} ({result.seconds:.1f} s{notes})")
        for note in result.summary.notes:
            print(f"        {note}")
        sys.stdout.flush()
    print(f"{count} councils set up in {time.perf_counter() - start:.0f} s. Bundled with their documents' figures and "
          f"left as they are: {', '.join(bundled)}.")
    return 0
