"""cloudtrail-tracker: run the stack locally, backfill history, publish the dashboard."""

from __future__ import annotations

import argparse
import sys

from . import backfill, local, publish

SUBCOMMANDS = [local, backfill, publish]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cloudtrail-tracker", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for module in SUBCOMMANDS:
        module.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args) or 0


if __name__ == "__main__":
    sys.exit(main())
