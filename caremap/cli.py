"""The command line: ``python -m caremap <command> …`` (or ``caremap <command> …`` once installed).

Every command prints what it wrote or found, exits 0 on success and 2 when an input cannot be used, with a
message that names the problem and what to do, never a traceback. What reaches the terminal follows the one rule
for text outside a data cell (:func:`geo.text.safe_line`): a file name's escape sequences or line breaks are shown
escaped, never acted on.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
import textwrap
from typing import Iterator, TextIO

from geo.errors import CareMapError
from geo.text import safe_line

COMMANDS = ["councils", "setup", "evidence", "report", "care_homes", "rounds", "fee_zones", "check", "roads"]
"""Command modules under :mod:`caremap.commands`, in the order ``--help`` lists them."""

EPILOG = textwrap.dedent("""\
    examples:
      python -m caremap councils
      python -m caremap setup --council Shropshire                   # any English council, offline
      python -m caremap report --council rutland --out rutland.pdf --html rutland.html
      python -m caremap report --council herefordshire --care-homes HSCA_Active_Locations.ods --out report.pdf
      python -m caremap care-homes --council herefordshire --out homes.xlsx
      python -m caremap rounds --council rutland --clients clients.csv --out plan.xlsx
      python -m caremap fee-zones --council herefordshire --radius 5 --out zones.xlsx
      python -m caremap check clients.csv --kind clients --council herefordshire
      python -m caremap roads --council herefordshire                  # download its roads once (internet)
      python -m caremap roads --council herefordshire --pbf herefordshire-latest.osm.pbf

    Figures estimated from straight lines (no road network loaded) are labelled ESTIMATE in every output.
    Run 'python -m caremap <command> --help' for a command's options.""")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command of :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="python -m caremap",
        description="Rural care planner: round viability, rural fee zones and care-home coverage for a council, "
                    "from the command line.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    for name in COMMANDS:
        module = importlib.import_module(f"caremap.commands.{name}")
        sub = commands.add_parser(module.NAME, help=module.HELP, description=module.DESCRIPTION,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


class _SafeTerminal:
    """A text stream that writes each piece as one line (:func:`geo.text.safe_line`), keeping only a line break
    that ends it: ``print`` writes its text and then its line end, so a line break inside a printed file name is
    shown escaped while the lines the command prints stay lines."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        line, end = (text[:-1], "\n") if text.endswith("\n") else (text, "")
        self.stream.write(safe_line(line) + end)
        return len(text)

    def __getattr__(self, name: str):
        return getattr(self.stream, name)


@contextlib.contextmanager
def safe_terminal() -> Iterator[None]:
    """Within the block, everything printed to stdout and stderr follows :func:`geo.text.safe_line`."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _SafeTerminal(sys.stdout), _SafeTerminal(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit code (0 done, 2 an input could not be used, 130 interrupted)."""
    parser = build_parser()
    arguments = parser.parse_args(argv)  # help and usage are the parser's own lines: printed as they are
    with safe_terminal():
        return _run(arguments)


def _run(arguments: argparse.Namespace) -> int:
    try:
        return int(arguments.run(arguments) or 0)
    except CareMapError as error:
        print(f"error: {error}", file=sys.stderr)
        for problem in getattr(error, "problems", [])[:20]:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader stopped early (e.g. `| head`): nothing more to say. Point stdout at nothing so that Python's
        # own flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
