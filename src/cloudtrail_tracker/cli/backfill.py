"""``cloudtrail-tracker backfill``: start the backfill state machine over a date window, and watch it.

The execution input is documented in docs/backfill.md; starting, uploading and watching are in
``backfill.driver`` (shared with the local stack and the benchmark); ``aws stepfunctions start-execution``
with the same input does the same without this command.
"""

from __future__ import annotations

from pathlib import Path


def register(commands) -> None:
    parser = commands.add_parser(
        "backfill", help="ingest historical logs of a date window through the backfill state machine",
        description="Starts the backfill state machine (found from the stack's outputs, or --state-machine) "
        "for the days --from..--to, prints the execution's ARN and console link (none on the local stack), and with --wait shows "
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
    # --region filters the trail's regions: the stack's own region comes from the AWS configuration.
    parser.set_defaults(run=run, region_hint="set AWS_DEFAULT_REGION to the stack's region (--region only filters the "
                        "trail's regions)")


def run(args) -> int:
    from ..backfill.driver import BackfillClients, start, upload_directory, wait
    from ..backfill.locate import NotFound, find_target
    from ..backfill.request import BackfillRequest, InvalidBackfillInput
    from .aws_session import session as aws_session
    from .errors import CliError

    try:
        # The same validation the Plan task does, so a bad window fails here and not in the cloud.
        BackfillRequest.from_input({"bucket": args.bucket or "-", "from": args.first, "to": args.last,
                                    "accounts": args.accounts, "regions": args.regions,
                                    "concurrency": args.concurrency})
        if args.path and not args.path.is_dir():
            raise InvalidBackfillInput(f"--path {args.path} is not a directory")
        session = aws_session(endpoint_url=args.endpoint_url)
        target = find_target(session, args.stack_name, args.state_machine, args.bucket, args.endpoint_url)
        request = BackfillRequest.from_input({
            "bucket": target.bucket, "prefix": args.prefix, "from": args.first, "to": args.last,
            "accounts": args.accounts, "regions": args.regions, "concurrency": args.concurrency,
        })
    except (InvalidBackfillInput, NotFound) as error:
        raise CliError(str(error)) from None
    clients = BackfillClients.of(session, args.endpoint_url)
    if args.path:
        upload_directory(clients.s3, target.bucket, args.path, args.prefix)
    execution_arn = start(clients.sfn, target.state_machine_arn, request)
    if not args.wait:
        return 0
    return wait(clients, execution_arn, target.table, as_json=args.json)
