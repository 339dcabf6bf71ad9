"""cloudtrail-tracker: run the stack locally, backfill history, publish the dashboard, import users."""

from __future__ import annotations

import argparse
import sys

from . import backfill, local, prices, publish, users
from .errors import CliError, debug_requested, explain

SUBCOMMANDS = [local, backfill, publish, users, prices]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cloudtrail-tracker", description=__doc__)
    parser.add_argument("--debug", action="store_true",
                        help="on an error, show the traceback too (or set CLOUDTRAIL_TRACKER_DEBUG=1)")
    commands = parser.add_subparsers(dest="command", required=True)
    for module in SUBCOMMANDS:
        module.register(commands)
    for command in commands.choices.values():  # also after the subcommand, where people type it
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args) or 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - every failure is one line (errors.py); --debug re-raises
        if args.debug or debug_requested(argv):
            raise
        failure = error if isinstance(error, CliError) else explain(error, getattr(args, "region_hint", ""))
        print(f"error: {failure}", file=sys.stderr, flush=True)
        return failure.status


if __name__ == "__main__":
    sys.exit(main())
