"""Start a backfill execution and watch it: the client side, shared by ``cloudtrail-tracker backfill``,
``cloudtrail-tracker local --backfill`` and the benchmark (never run in a Lambda)."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..dal.backfill_progress import BackfillProgress
from .progress_bar import render
from .summary import format_summary
from .upload import plan_uploads, upload_missing

WAIT_POLL_SECONDS = 1.0


@dataclass(frozen=True)
class BackfillClients:
    """The clients that start and watch a backfill (a boto3 session's, maybe at another endpoint)."""

    s3: Any
    sfn: Any
    dynamodb: Any

    @classmethod
    def of(cls, session, endpoint_url: str | None = None) -> BackfillClients:
        def client(service: str):
            return session.client(service, endpoint_url=endpoint_url)

        return cls(s3=client("s3"), sfn=client("stepfunctions"), dynamodb=client("dynamodb"))


def upload_directory(s3, bucket: str, directory: Path, prefix: str = "", out=None):
    """Upload what of ``directory`` the bucket lacks (backfill/upload.py), with a progress line on ``out``."""
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
    for line in left_out_lines(directory, plan.not_placeable):
        print(line, file=out, flush=True)
    if not plan.uploads:
        print(f"warning: {directory} has no CloudTrail log files. {CLOUDTRAIL_FILE_SHAPE}", file=out, flush=True)
    return result


CLOUDTRAIL_FILE_SHAPE = ("Expected what a trail delivers: AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/"
                         "<account>_CloudTrail_<region>_<YYYYMMDD>T<HHMM>Z_<id>.json.gz, each a JSON "
                         '{"Records": [...]}; a folder of such files named that way works too.')
LEFT_OUT_SHOWN = 10


def left_out_lines(directory: Path, left_out: list[Path]) -> list[str]:
    """Which files were left out and why, so the user can rename or move them (the first few)."""
    if not left_out:
        return []
    lines = ["left out (the backfill finds a file only by its day's key: move it under "
             "AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/ or name it "
             "<account>_CloudTrail_<region>_<YYYYMMDD>T<HHMM>Z_<id>.json.gz):"]
    lines += [f"  {path.relative_to(directory).as_posix()}" for path in left_out[:LEFT_OUT_SHOWN]]
    if len(left_out) > LEFT_OUT_SHOWN:
        lines.append(f"  ... and {len(left_out) - LEFT_OUT_SHOWN} more")
    return lines


def execution_name(request, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return f"backfill-{request.first_day:%Y%m%d}-{request.last_day:%Y%m%d}-{now:%Y%m%dT%H%M%S%f}"[:80]


def console_link(execution_arn: str, endpoint_url: str = "") -> str:
    """The execution's page in the AWS console; none (``""``) when the endpoint is not AWS's (the local stack)."""
    if endpoint_url and not endpoint_url.rstrip("/").endswith(".amazonaws.com"):
        return ""
    region = execution_arn.split(":")[3]
    return f"https://{region}.console.aws.amazon.com/states/home?region={region}#/v2/executions/details/{execution_arn}"


def start(sfn, state_machine_arn: str, request, out=None) -> str:
    out = out or sys.stdout
    execution_arn = sfn.start_execution(stateMachineArn=state_machine_arn, name=execution_name(request),
                                        input=json.dumps(request.as_input()))["executionArn"]
    print(f"execution  {execution_arn}", file=out)
    link = console_link(execution_arn, getattr(sfn.meta, "endpoint_url", ""))
    if link:
        print(f"console    {link}", file=out)
    out.flush()
    return execution_arn


def wait(clients, execution_arn: str, table: str, as_json: bool = False, out=None, err=None) -> int:
    """Show progress on ``err`` until the execution ends; print the summary on ``out``.
    Exit status 0 when it succeeded with no failed file, 1 otherwise."""
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
