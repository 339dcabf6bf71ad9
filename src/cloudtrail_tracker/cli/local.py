"""``cloudtrail-tracker local``: the whole stack on this machine with sample (or your) logs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..local.api_server import DEFAULT_CONCURRENCY


def register(commands) -> None:
    parser = commands.add_parser(
        "local", help="run the whole stack locally on an embedded AWS (moto) with sample or your logs",
        description="Starts moto as the embedded AWS, creates template.yaml's bucket, queues and table, "
        "uploads the log files under --logs, ingests them through S3 -> SQS -> the ingest handler, "
        "prints a summary, then serves the API and dashboard.",
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
                        help="also load the sample history into the bucket and backfill it through the "
                        "Step Functions state machine")
    parser.add_argument("--log-file", type=Path, default=Path("build/local/handlers.log"),
                        help="where the handlers' JSON logs go (default build/local/handlers.log)")
    parser.set_defaults(run=run)


def _at_least_one(value: str) -> int:
    if not value.isdecimal() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of at least 1")
    return int(value)


def run(args) -> int:
    from ..local.stack import default_logs_dir, format_summary, run_ingest

    logs_dir = args.logs or default_logs_dir()
    if not logs_dir.is_dir():
        print(f"error: --logs {logs_dir} is not a directory", file=sys.stderr)
        return 2
    if not args.json:
        print(f"embedded AWS starting; ingesting {logs_dir} ...", file=sys.stderr)
    stack, summary = run_ingest(logs_dir, aws_port=args.aws_port, log_file=args.log_file)
    try:
        print(json.dumps(summary.as_dict(), indent=2) if args.json else format_summary(summary), flush=True)
        if args.backfill:
            from ..local.backfill_runner import run_local_backfill

            status = run_local_backfill(stack, args)
            if args.no_serve:
                return status
        if args.no_serve:
            return 0
        if summary.report.first_day and not args.json:
            # Sample logs are years old: the dashboard's default "last week" would be empty.
            print(f"events span {summary.report.first_day} to {summary.report.last_day}: "
                  f"http://{args.host}:{args.port}/#/overview?from={summary.report.first_day}"
                  f"&to={summary.report.last_day}", flush=True)
        return _serve(stack, args)
    finally:
        stack.stop()


def _serve(stack, args) -> int:
    from ..local.api_server import serve_forever

    return serve_forever(stack, host=args.host, port=args.port, args=args)
