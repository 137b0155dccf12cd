"""``python -m caremap setup``: set up any English social-care council, offline, from the national data shipped with
the tool, and bring it up to date from the publishers (online, from the downloads already cached, or from files
downloaded by hand)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from geo.errors import InputDataError

NAME = "setup"
HELP = ("set up any of England's 153 social-care councils from the national data shipped with the tool (offline), "
        "and bring it up to date from the publishers")
DESCRIPTION = ("Cuts the council's areas, people, postcodes, GP practices and PCN localities, practices and care homes "
               "within 15 km beyond its border out of the national data shipped with the tool, and writes its settings "
               "file in your folder (CAREMAP_HOME; never inside the tool's folder). No council document is held for it, "
               "so every figure is a labelled national default or assumption (the fee rule and the 300-hour threshold "
               "are Herefordshire's, offered as what-ifs). Then every command and the app accept it by name, slug or "
               "GSS code. The four bundled councils (Herefordshire, Hertfordshire, Rutland, Worcestershire) already "
               "carry their own figures (their documents', or Rutland's labelled assumptions) and are left as they are. "
               "With --refresh, the national data are first brought up to date from their publishers (ONS, Nomis, OS, "
               "NHS ODS, CQC): a source that cannot be reached falls back to its last download in the cache, or to the "
               "copy the tool has, and says how old that is. --offline uses the cache only; --from FOLDER reads the "
               "publishers' files downloaded by hand in a browser (recognised by their content, whatever their names) "
               "and says which it found and which it lacks. Without --council or --all, every council set up so far is "
               "cut again from the refreshed data. The council's settings record the date of every layer.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from layers.refresh import SOURCE_NAMES

    which = parser.add_mutually_exclusive_group()
    which.add_argument("--council", metavar="NAME", help="its name as ONS writes it (case and punctuation forgiven: "
                                                         "'Herefordshire' for 'Herefordshire, County of') or its GSS "
                                                         "code (E06000019)")
    which.add_argument("--all", action="store_true", help="all 153, reading the national data once (a few minutes)")
    parser.add_argument("--refresh", nargs="?", const="all", metavar="SOURCE",
                        help=f"bring the national data up to date from the publishers first: 'all' (the default) or "
                             f"some of {', '.join(SOURCE_NAMES)}, separated by commas (needs internet unless --offline "
                             f"or --from)")
    parser.add_argument("--offline", action="store_true",
                        help="refresh from the publishers' files already downloaded into the cache, asking nothing")
    parser.add_argument("--from", dest="from_folder", metavar="FOLDER",
                        help="refresh from the publishers' files downloaded by hand into FOLDER (CQC care directory, "
                             "epraccur and the ePCN workbook, Code-Point Open or ONSPD, ONS boundary and lookup files, "
                             "Nomis CSVs, ONS projections)")


def _sources(arguments: argparse.Namespace) -> list[str] | None:
    """The sources of --refresh (None: all, or what a --from folder holds)."""
    if arguments.refresh is None:
        return None
    names = [name.strip() for name in arguments.refresh.split(",") if name.strip()]
    if not names:
        raise InputDataError("--refresh is empty: give 'all' or the sources to refresh.")
    return names


def run(arguments: argparse.Namespace) -> int:
    from layers import setup

    if arguments.council is not None and not arguments.council.strip():
        raise InputDataError("--council is empty: give a council's name or GSS code (python -m caremap councils "
                             "--available lists them).")
    refreshing = arguments.refresh is not None or arguments.offline or arguments.from_folder is not None
    if arguments.offline and arguments.from_folder is not None:
        raise InputDataError("--offline and --from cannot go together: --offline reads the cache, --from a folder of "
                             "files downloaded by hand.")
    if not refreshing and arguments.council is None and not arguments.all:
        raise InputDataError("Say which council: --council NAME, or --all (or bring the national data up to date with "
                             "--refresh, --offline or --from FOLDER).")
    if refreshing:
        return _bring_up_to_date(arguments)
    if not arguments.all:
        _print_lines(setup.setup_council(arguments.council).describe())
        return 0
    _setup_all()
    return 0


def _bring_up_to_date(arguments: argparse.Namespace) -> int:
    from layers import refresh, setup

    if arguments.from_folder is not None and Path(arguments.from_folder).is_dir():
        _print_lines(refresh.recognise(arguments.from_folder).report())  # what it holds and lacks, before reading it
    started = time.perf_counter()
    done = setup.bring_up_to_date(None if arguments.all else arguments.council, sources=_sources(arguments),
                                  offline=arguments.offline, from_folder=arguments.from_folder,
                                  progress=_Printer().line, recut=not arguments.all)
    print(f"Done in {time.perf_counter() - started:.0f} s.")
    for warning in done.warnings():  # a source from the cache (how old) or kept as it was (its date), and why
        _print_lines(f"warning: {warning}")
    for result in done.results:
        _print_lines(result.describe())
        if result.summary is None:
            print("  Its bundled layers are kept as they are (they go with its documents); councils set up from the "
                  "national data take the refreshed tables.")
    if arguments.all:
        _setup_all()
    if not done.results and not arguments.all:
        print("No council set up from the national data yet: python -m caremap setup --council NAME takes the "
              "refreshed data.")
    if done.kept_shipped:
        print(f"error: {', '.join(done.kept_shipped)} could not be refreshed and kept the copy the tool had (see "
              f"why above).", file=sys.stderr)
        return 2
    return 0


def _print_lines(text: str, indent: str = "") -> None:
    """Text of several lines, each printed as a line of its own (a line break inside one print is shown escaped)."""
    for line in text.splitlines():
        print(f"{indent}{line}")


class _Printer:
    """Prints each progress message once, as it comes."""

    def __init__(self) -> None:
        self.last = ""

    def line(self, fraction: float, message: str) -> None:
        if message != self.last:
            print(f"[{fraction:4.0%}] {message}", flush=True)
            self.last = message


def _setup_all() -> None:
    from layers import setup

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
    print(f"{count} councils set up in {time.perf_counter() - start:.0f} s. Bundled with their own figures and "
          f"left as they are: {', '.join(bundled)}.")
