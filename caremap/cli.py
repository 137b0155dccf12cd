"""The command line: ``python -m caremap <command> …`` (or ``caremap <command> …`` once installed).

Every command prints what it wrote or found, exits 0 on success and 2 when an input cannot be used, with a
message that names the problem and what to do, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import textwrap

from geo.errors import CareMapError

COMMANDS = ["councils", "evidence", "report", "care_homes", "rounds", "fee_zones", "check", "roads"]
"""Command modules under :mod:`caremap.commands`, in the order ``--help`` lists them."""

EPILOG = textwrap.dedent("""\
    examples:
      python -m caremap councils
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


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit code (0 done, 2 an input could not be used, 130 interrupted)."""
    parser = build_parser()
    arguments = parser.parse_args(argv)
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
