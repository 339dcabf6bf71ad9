"""``cloudtrail-tracker backfill``: start the backfill state machine over a date window, and watch it.

The execution input is documented in docs/backfill.md; ``aws stepfunctions start-execution``
with the same input does the same without this command.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

WAIT_POLL_SECONDS = 1.0


def register(commands) -> None:
    parser = commands.add_parser(
        "backfill", help="ingest historical logs of a date window through the backfill state machine",
        description="Starts the backfill state machine (found from the stack's outputs, or --state-machine) "
        "for the days --from..--to, prints the execution's ARN and console link, and with --wait shows "
        "progress until it ends. Re-running a window is safe: events are stored once.",
    )
    parser.add_argument("--from", dest="first", required=True, metavar="YYYY-MM-DD", help="first day of events")
    parser.add_argument("--to", dest="last", required=True, metavar="YYYY-MM-DD", help="last day of events")
    parser.add_argument("--bucket", help="trail bucket (default: the stack's TrailBucket output)")
    parser.add_argument("--prefix", default="", help="the trail's S3 key prefix, before AWSLogs/ (default none)")
    parser.add_argument("--account", dest="accounts", action="append", metavar="ACCOUNT",
                        help="only this account (repeatable; default every account in the bucket)")
    parser.add_argument("--region", dest="regions", action="append", metavar="REGION",
                        help="only this region (repeatable; default every region)")
    parser.add_argument("--concurrency", type=int, default=10, help="day prefixes ingested at once (default 10)")
    parser.add_argument("--path", type=Path, help="first upload this directory of CloudTrail files into the bucket "
                        "(files already there with the same size are skipped)")
    parser.add_argument("--wait", action="store_true", help="show progress until the execution ends, then the summary")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON (with --wait)")
    parser.add_argument("--state-machine", metavar="NAME_OR_ARN", help="the state machine (default: from the stack)")
    parser.add_argument("--stack-name", help="CloudFormation stack deployed from template.yaml (default cloudtrail-tracker)")
    parser.add_argument("--endpoint-url", help="AWS endpoint, e.g. http://127.0.0.1:PORT of `cloudtrail-tracker local`")
    parser.set_defaults(run=run)


def run(args) -> int:
    import boto3

    from ..backfill.locate import NotFound, find_target
    from ..backfill.request import BackfillRequest, InvalidBackfillInput

    try:
        # The same validation the Plan task does, so a bad window fails here and not in the cloud.
        BackfillRequest.from_input({"bucket": args.bucket or "-", "from": args.first, "to": args.last,
                                    "accounts": args.accounts, "regions": args.regions,
                                    "concurrency": args.concurrency})
        if args.path and not args.path.is_dir():
            raise InvalidBackfillInput(f"--path {args.path} is not a directory")
        session = boto3.session.Session()
        target = find_target(session, args.stack_name, args.state_machine, args.bucket, args.endpoint_url)
        request = BackfillRequest.from_input({
            "bucket": target.bucket, "prefix": args.prefix, "from": args.first, "to": args.last,
            "accounts": args.accounts, "regions": args.regions, "concurrency": args.concurrency,
        })
    except (InvalidBackfillInput, NotFound) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    clients = _Clients(session, args.endpoint_url)
    if args.path:
        upload_directory(clients.s3, target.bucket, args.path, args.prefix)
    execution_arn = start(clients.sfn, target.state_machine_arn, request)
    if not args.wait:
        return 0
    return wait(clients, execution_arn, target.table, as_json=args.json)


class _Clients:
    def __init__(self, session, endpoint_url: str | None):
        self.region = session.region_name
        self.s3 = session.client("s3", endpoint_url=endpoint_url)
        self.sfn = session.client("stepfunctions", endpoint_url=endpoint_url)
        self.dynamodb = session.client("dynamodb", endpoint_url=endpoint_url)


def upload_directory(s3, bucket: str, directory: Path, prefix: str = "", out=None):
    from ..backfill.upload import plan_uploads, upload_missing

    out = out or sys.stderr
    plan = plan_uploads(directory, prefix)
    total = len(plan.uploads)
    interactive = out.isatty()  # a terminal: one line rewritten in place; a file or pipe: one line per update

    def on_file(result):
        done = result.uploaded + result.already_there
        if done % 50 == 0 or done == total:
            line = f"uploading {directory}: {done}/{total}"
            print("\r" + line if interactive else line, end="" if interactive else "\n", file=out, flush=True)

    result = upload_missing(s3, bucket, plan, on_file)
    if interactive and total:
        print(file=out)
    print(f"uploaded {result.uploaded}, already there {result.already_there}, "
          f"left out {result.not_placeable} (not in the AWSLogs layout nor named like a CloudTrail file)",
          file=out, flush=True)
    return result


def execution_name(request, now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    return f"backfill-{request.first_day:%Y%m%d}-{request.last_day:%Y%m%d}-{now:%Y%m%dT%H%M%S%f}"[:80]


def console_link(execution_arn: str) -> str:
    region = execution_arn.split(":")[3]
    return f"https://{region}.console.aws.amazon.com/states/home?region={region}#/v2/executions/details/{execution_arn}"


def start(sfn, state_machine_arn: str, request, out=None) -> str:
    out = out or sys.stdout
    execution_arn = sfn.start_execution(stateMachineArn=state_machine_arn, name=execution_name(request),
                                        input=json.dumps(request.as_input()))["executionArn"]
    print(f"execution  {execution_arn}", file=out)
    print(f"console    {console_link(execution_arn)}", file=out, flush=True)
    return execution_arn


def wait(clients, execution_arn: str, table: str, as_json: bool = False, out=None, err=None) -> int:
    """Show progress on ``err`` until the execution ends; print the summary on ``out``.
    Exit status 0 when it succeeded with no failed file, 1 otherwise."""
    from ..backfill.progress_bar import render
    from ..backfill.summary import format_summary
    from ..dal.backfill_progress import BackfillProgress

    out, err = out or sys.stdout, err or sys.stderr
    progress = BackfillProgress(clients.dynamodb, table)
    name = execution_arn.rsplit(":", 1)[-1]
    started = time.monotonic()
    interactive = err.isatty()
    last_line = ""
    while True:
        described = clients.sfn.describe_execution(executionArn=execution_arn)
        line = render(progress.get(name), described["status"], time.monotonic() - started)
        if line != last_line:
            print(("\r" + line + "\x1b[K") if interactive else line, end="" if interactive else "\n", file=err, flush=True)
            last_line = line
        if described["status"] != "RUNNING":
            break
        time.sleep(WAIT_POLL_SECONDS)
    if interactive:
        print(file=err)
    if described["status"] != "SUCCEEDED":
        print(f"backfill {described['status']}: {described.get('error', '')} {described.get('cause', '')}".strip(),
              file=err)
        return 1
    summary = json.loads(described.get("output") or "{}")
    print(json.dumps(summary, indent=2) if as_json else format_summary(summary), file=out, flush=True)
    return 1 if summary.get("filesFailed") or summary.get("unfinishedPrefixCount") else 0
