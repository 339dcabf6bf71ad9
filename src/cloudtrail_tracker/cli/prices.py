"""``cloudtrail-tracker prices refresh|show``: rebuild the price table from the AWS Price List API, or print it.

Without AWS credentials nothing changes: the table in use (the shipped prices.json, hand-entered as of its date)
stays. The building is in ``pricing.price_list``; this module asks, writes and reports.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from .errors import FAILED, CliError

SOURCE = ("AWS Price List API (pricing:GetProducts), on-demand list prices: EC2 Linux shared tenancy, RDS MySQL "
          "(standing for MySQL/MariaDB/PostgreSQL), ElastiCache Redis; fetched by `cloudtrail-tracker prices refresh` "
          "on the date below")


def register(commands) -> None:
    from ..pricing.table import SHIPPED_TABLE

    parser = commands.add_parser("prices", help="the price table behind the cost estimates")
    actions = parser.add_subparsers(dest="action", required=True)
    refresh = actions.add_parser(
        "refresh", help="rebuild the price table from the AWS Price List API",
        description="Asks the AWS Price List API (pricing:GetProducts, needs AWS credentials) for today's on-demand "
        "prices of every section of the table in each region, and writes the new table. Without credentials the "
        "table in use is left as it is.",
    )
    refresh.add_argument("--output", type=Path, default=SHIPPED_TABLE,
                         help=f"where to write the table (default: the package's {SHIPPED_TABLE.name})")
    refresh.add_argument("--regions", help="comma-separated regions (default: the current table's)")
    refresh.add_argument("--profile", help="AWS profile to use (default: your AWS configuration's)")
    refresh.set_defaults(run=run_refresh, region_hint="the Price List API is called in us-east-1")
    show = actions.add_parser("show", help="print the price table's date, source and prices")
    show.add_argument("--region", help="print this region's prices (default: a count per region)")
    show.add_argument("--table", type=Path, help="a table file other than the package's prices.json")
    show.set_defaults(run=run_show)


def run_refresh(args, pricing_client: Any = None, out: TextIO | None = None) -> int:
    """Fetch, build, check and write the table; ``pricing_client`` replaces the one made from the profile."""
    from ..pricing import price_list
    from ..pricing.table import SHIPPED_TABLE, PriceTable, PriceTableError, forget_loaded_tables, price_table

    out = out or sys.stdout
    in_place = args.output.exists() and args.output.resolve() != SHIPPED_TABLE.resolve()
    try:
        current = price_table(str(args.output) if in_place else None)
    except PriceTableError:  # a broken table at --output is about to be replaced: the shipped one is what is used
        current, in_place = price_table(), False
    which = f"the price table at {args.output}" if in_place else "the shipped price table"
    kept = f"{which} (as of {current.date}) stays in use"
    regions = [r.strip() for r in args.regions.split(",") if r.strip()] if args.regions else list(current.regions)
    if not regions:
        raise CliError("--regions names no region: pass e.g. --regions us-east-1,eu-west-1")
    client = pricing_client or _pricing_client(args.profile, kept)
    today = datetime.now(UTC).date().isoformat()
    try:
        answers = price_list.fetch_answers(client, regions)
    except Exception as error:  # noqa: BLE001 - any failure of the calls: say it, and that nothing changed
        from .errors import explain

        raise CliError(f"{explain(error)}; {kept}", FAILED) from None
    try:
        document = price_list.build_table(answers, regions, today, SOURCE)
    except PriceTableError as error:
        raise CliError(f"the Price List API's answers make no valid table ({error}); {kept}", FAILED) from None
    _write(args.output, document)
    forget_loaded_tables()
    for line in summary_lines(PriceTable(document), regions):
        print(line, file=out)
    print(f"wrote {args.output}", file=out, flush=True)
    return 0


def _pricing_client(profile: str | None, kept: str) -> Any:
    import boto3
    from botocore.exceptions import ProfileNotFound

    from ..pricing.price_list import PRICE_LIST_REGION

    try:
        session = boto3.session.Session(profile_name=profile, region_name=PRICE_LIST_REGION)
    except ProfileNotFound:
        raise CliError(f"no AWS profile {profile!r} (see `aws configure list-profiles`); {kept}") from None
    if session.get_credentials() is None:
        raise CliError("no AWS credentials to call the Price List API (run `aws configure` or pass --profile); "
                       f"{kept}")
    return session.client("pricing", region_name=PRICE_LIST_REGION)


def _write(path: Path, document: dict[str, Any]) -> None:
    """Write then rename, so a reader never sees half a table."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(document, indent=1) + "\n")
    os.replace(partial, path)


def price_count(value: Any) -> int:
    """How many prices a section holds (an RDS class counts each deployment)."""
    if isinstance(value, dict):
        return sum(price_count(inner) for inner in value.values())
    return 1


def summary_lines(table, regions: list[str]) -> list[str]:
    """One line per section: how many prices, in how many of ``regions``, as of the table's date."""
    from ..pricing.table import SECTIONS

    lines = []
    for section in SECTIONS:
        found = {region: table.section(region, section) for region in regions}
        counted = {region: price_count(value) for region, value in found.items() if value is not None}
        missing = [region for region in regions if region not in counted]
        line = f"{section}: {sum(counted.values())} prices in {len(counted)}/{len(regions)} regions, as of {table.date}"
        lines.append(line + (f" (none for {', '.join(missing)})" if missing else ""))
    return lines


def run_show(args, out: TextIO | None = None) -> int:
    from ..pricing.table import SECTIONS, PriceTableError, price_table

    out = out or sys.stdout
    try:
        table = price_table(str(args.table) if args.table else None)
    except FileNotFoundError:
        raise CliError(f"{args.table}: no such file") from None
    except PriceTableError as error:
        raise CliError(str(error)) from None
    print(f"prices as of {table.date} ({table.currency})", file=out)
    print(f"source: {table.source}", file=out)
    print("(dollars per hour; ebs_gb_month per GB-month; rds per hour single-az / multi-az)", file=out)
    if not args.region:
        for line in summary_lines(table, list(table.regions)):
            print(line, file=out)
        return 0
    if args.region not in table.regions:
        raise CliError(f"no prices for region {args.region} (the table has {', '.join(table.regions)})")
    for section in SECTIONS:
        value = table.section(args.region, section)
        if value is None:
            print(f"{section}: unknown", file=out)
        elif isinstance(value, dict):
            for name, price in value.items():
                shown = ", ".join(f"{k} {v:g}" for k, v in price.items()) if isinstance(price, dict) else f"{price:g}"
                print(f"{section} {name}: {shown}", file=out)
        else:
            print(f"{section}: {value:g}", file=out)
    out.flush()
    return 0
