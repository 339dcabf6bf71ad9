"""``cloudtrail-tracker local``: the whole stack on this machine with sample (or your) logs."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, timedelta
from pathlib import Path

from ..local.api_server import DEFAULT_CONCURRENCY
from .errors import CliError


def register(commands) -> None:
    parser = commands.add_parser(
        "local", help="run the whole stack locally on an embedded AWS (moto) with sample or your logs",
        description="Starts moto as the embedded AWS, creates template.yaml's bucket, queues and table, "
        "uploads the log files under --logs, ingests them through S3 -> SQS -> the ingest handler "
        "(or, with --backfill or --from/--to, through the backfill state machine), prints a summary, "
        "then serves the API and dashboard.",
    )
    parser.add_argument("--logs", type=Path, default=None,
                        help="directory of CloudTrail files, AWSLogs layout or flat, .json or .json.gz "
                        "(default: the sample logs shipped in samples/)")
    parser.add_argument("--port", type=int, default=3000, help="port of the API and dashboard (default 3000)")
    parser.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
    parser.add_argument("--aws-port", type=int, default=None, help="port of the embedded AWS (default: a free one)")
    parser.add_argument("--no-serve", action="store_true", help="exit after the ingest summary")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--as-user", default=None, metavar="ACTOR",
                        help="serve the API as a signed-in non-admin who owns ACTOR (tries tenant scoping); "
                        "an X-Tracker-As-User header can then not change it. Default: no auth, everything "
                        "visible, and a request may sign in with the header X-Tracker-As-User: ACTOR")
    parser.add_argument("--api-concurrency", type=_at_least_one, default=DEFAULT_CONCURRENCY, metavar="N",
                        help="concurrent Lambda instances (worker processes) answering the API "
                        f"(default {DEFAULT_CONCURRENCY})")
    parser.add_argument("--backfill", action="store_true",
                        help="ingest through the Step Functions backfill state machine instead: with --logs, "
                        "DIR's files (AWSLogs layout, or named as CloudTrail names them) for the days "
                        "--from..--to (default every day they cover); without --logs, the samples are ingested "
                        "as usual and generated sample history is backfilled")
    parser.add_argument("--from", dest="first", metavar="YYYY-MM-DD",
                        help="first day of the backfill (implies --backfill; with --to): with --logs, only "
                        "DIR's events of --from..--to are stored")
    parser.add_argument("--to", dest="last", metavar="YYYY-MM-DD",
                        help="last day of the backfill (implies --backfill; with --from)")
    parser.add_argument("--lab-day", nargs="?", const="yesterday", default=None, metavar="YYYY-MM-DD",
                        help="also ingest a generated class lab day (students launching, stopping and forgetting "
                        "instances, a database, a NAT gateway: the Running view's data) of that day (default yesterday)")
    parser.add_argument("--webhook", metavar="URL", default=None,
                        help="post each alert to URL (a Slack or Teams incoming webhook, or any URL taking JSON) "
                        "through the webhook function, as the deployed stack does")
    parser.add_argument("--log-file", type=Path, default=Path("build/local/handlers.log"),
                        help="where the handlers' JSON logs go (default build/local/handlers.log)")
    parser.set_defaults(run=run)


def _at_least_one(value: str) -> int:
    if not value.isdecimal() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of at least 1")
    return int(value)


def _window(args) -> tuple[date, date] | None:
    from ..backfill.request import InvalidBackfillInput, parse_day

    if args.first is None and args.last is None:
        return None
    if args.first is None or args.last is None:
        raise CliError(f"--{'to' if args.first else 'from'} is missing: give both --from and --to (YYYY-MM-DD)")
    try:
        first, last = parse_day(args.first, "--from"), parse_day(args.last, "--to")
    except InvalidBackfillInput as error:
        raise CliError(str(error)) from None
    if first > last:
        raise CliError(f"--from {first} is after --to {last}")
    return first, last


def _lab_day(value: str) -> date:
    if value == "yesterday":
        return date.today() - timedelta(days=1)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CliError(f"--lab-day {value!r} is not a day: write YYYY-MM-DD, or give no value for yesterday") from None


def _with_lab_day(stack, summary, day: date, out_dir: Path):
    """``summary`` plus the ingest of a lab day generated for ``day`` under ``out_dir``."""
    import shutil

    from ..backfill.lab_day import generate_lab_day

    shutil.rmtree(out_dir, ignore_errors=True)
    lab = generate_lab_day(out_dir, day=day)
    loaded = stack.load(out_dir)
    summary.uploaded += loaded.uploaded
    summary.report.add(loaded.report)
    summary.dead_letters.update(loaded.dead_letters)
    print(f"lab day {day}: {lab.records} records, {len(lab.resources)} resources created, "
          f"{sum(r.state == 'running' for r in lab.resources)} left running", file=sys.stderr, flush=True)
    return summary


def _check_ports(args) -> None:
    """Fail before the ingest (which takes a while) rather than after it, or never (moto's server hangs)."""
    from ..local.stack import PortInUse, ensure_free

    if args.aws_port is not None and not args.no_serve and args.aws_port == args.port:
        raise CliError(f"--aws-port and --port are both {args.port}: give them different ports")
    try:
        if args.aws_port is not None:
            ensure_free("127.0.0.1", args.aws_port, "--aws-port")
        if not args.no_serve:
            ensure_free(args.host, args.port, "--port")
    except PortInUse as error:
        raise CliError(str(error)) from None


def run(args) -> int:
    from ..local.stack import LocalStack, PortInUse, default_logs_dir, format_summary

    logs_dir = args.logs or default_logs_dir()
    if not logs_dir.is_dir():
        raise CliError(f"--logs {logs_dir} is not a directory: give the folder holding your CloudTrail files "
                       "(e.g. the AWSLogs folder's parent)")
    window = _window(args)
    backfill = args.backfill or window is not None
    _check_ports(args)
    if not args.json:
        print(f"embedded AWS starting; {'backfilling' if backfill and args.logs else 'ingesting'} {logs_dir} ...",
              file=sys.stderr)
    try:
        stack = LocalStack(aws_port=args.aws_port, log_file=args.log_file).start()
    except PortInUse as error:
        raise CliError(str(error)) from None
    stack.deliver_alerts(args.webhook)
    try:
        status, span = 0, window
        if backfill and args.logs:
            from ..local.backfill_runner import default_window, run_local_backfill

            # The user's logs go through the backfill only: events outside the window are then not stored.
            status = run_local_backfill(stack, args, logs_dir=args.logs, window=window)
            span = span or default_window(args.logs)
        else:
            summary = stack.load(logs_dir)
            if args.lab_day:
                summary = _with_lab_day(stack, summary, _lab_day(args.lab_day), args.log_file.parent / "lab-day")
            print(json.dumps(summary.as_dict(), indent=2) if args.json else format_summary(summary), flush=True)
            for warning in summary.warnings:
                print(f"warning: {warning}", file=sys.stderr, flush=True)
            if summary.report.first_day:
                span = (date.fromisoformat(summary.report.first_day), date.fromisoformat(summary.report.last_day))
            if backfill:
                from ..local.backfill_runner import run_local_backfill

                status = run_local_backfill(stack, args, window=window)
        if args.no_serve:
            return status
        if span and not args.json:
            # Sample logs are years old: the dashboard's default "last week" would be empty.
            print(f"events span {span[0]} to {span[1]}: "
                  f"http://{args.host}:{args.port}/#/overview?from={span[0]}&to={span[1]}", flush=True)
        return _serve(stack, args)
    finally:
        stack.stop()


def _serve(stack, args) -> int:
    from ..local.api_server import serve_forever

    return serve_forever(stack, host=args.host, port=args.port, args=args)
