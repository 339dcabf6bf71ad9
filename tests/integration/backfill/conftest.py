"""The backfill state machine from template.yaml on in-process moto, its Lambdas running our handlers."""

from __future__ import annotations

import gzip
import json
import os
import re
import time
from datetime import date
from pathlib import Path

import pytest

from cloudtrail_tracker import clients

MOTO_CONFIG = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}


class BackfillStack:
    def __init__(self, session, resources, work_bucket: str, state_machine_arn: str):
        self.session = session
        self.resources = resources
        self.work_bucket = work_bucket
        self.state_machine_arn = state_machine_arn
        self.s3 = session.client("s3")
        self.dynamodb = session.client("dynamodb")
        self.sfn = session.client("stepfunctions")
        self.runs = 0

    def upload(self, root: Path, paths: list[Path]) -> None:
        for path in paths:
            self.s3.upload_file(str(path), self.resources.bucket, path.relative_to(root).as_posix())

    def run(self, execution_input: dict, timeout: float = 120) -> dict:
        """Start an execution and wait for its end; returns describe_execution plus the parsed output."""
        self.runs += 1  # moto names an unnamed execution "None": always name it, as the CLI does
        arn = self.sfn.start_execution(stateMachineArn=self.state_machine_arn, name=f"test-run-{self.runs}",
                                       input=json.dumps(execution_input))["executionArn"]
        deadline = time.monotonic() + timeout
        while True:
            described = self.sfn.describe_execution(executionArn=arn)
            if described["status"] != "RUNNING":
                break
            assert time.monotonic() < deadline, "execution did not end in time"
            time.sleep(0.1)
        described["result"] = json.loads(described.get("output") or "{}")
        return described

    def items(self) -> list[dict]:
        from tests.stored import scan

        return scan(self.dynamodb, self.resources.table)

    def events(self) -> list[dict]:
        """Every stored event's summary (tests/stored.py: each summary once)."""
        from tests.stored import events

        return events(self.items())

    def stored_event_ids(self, days: list[str]) -> list[str]:
        """eventIDs of the stored events of ``days`` (a list, so an event stored twice, under two
        times, would show; the same event twice at one place is what counted_events() catches)."""
        return [e["eventID"] for e in self.events() if e["eventTime"][:10] in days]

    def event_item_count(self) -> int:
        """Every stored event, of any day, as the pages list them; the files they name and the counts
        must agree (each names its log file, and each event counted once)."""
        from tests.stored import counts, files_named

        items = self.items()
        listed = {e["eventID"] for e in self.events()}
        assert set(files_named(items)) == listed
        assert sum(numbers["n"] for numbers in counts(items).values()) == len(listed)
        return len(listed)


_DAY_FOLDER = re.compile(r"/CloudTrail/[a-z0-9-]+/(\d{4})/(\d{2})/(\d{2})/[^/]+\.json\.gz$")


def _dropped_name_prefixes() -> tuple[str, ...]:
    """template.yaml's DropEventPrefixes default: what the deployed (and the local) functions drop."""
    from cloudtrail_tracker.local.template import load_template

    default = load_template()["Parameters"]["DropEventPrefixes"]["Default"]
    return tuple(p.strip().lower() for p in default.split(",") if p.strip())


def _always_kept() -> dict[tuple[str, str], str]:
    """template.yaml's KeepEvents default, read as its parameter documents it: (source, name) -> flag."""
    from cloudtrail_tracker.local.template import load_template

    kept = {}
    for entry in load_template()["Parameters"]["KeepEvents"]["Default"].split(","):
        service, name = entry.split(":")
        name, _, flag = name.partition("(")
        kept[(f"{service}.amazonaws.com", name)] = flag.rstrip(")")
    return kept


def _kept_read(record: dict, kept: dict[tuple[str, str], str]) -> bool:
    flag = kept.get((record["eventSource"], record["eventName"]))
    return flag is not None and (not flag or (record.get("requestParameters") or {}).get(flag) is True)


def expected_event_ids(root: Path, paths: list[Path], first: date, last: date) -> set[str]:
    """What a backfill of first..last must store, from the raw files and the documented rules alone
    (not the code under test): the records of log files (``.../CloudTrail/<region>/YYYY/MM/DD/*.json.gz``,
    not digests) delivered on those days or one day either side, whose eventTime is on those days,
    except names starting with a dropped prefix unless the call failed (KeepFailedCalls) or is a
    sensitive read (KeepEvents)."""
    dropped = _dropped_name_prefixes()
    kept = _always_kept()
    ids = set()
    for path in paths:
        folder = _DAY_FOLDER.search(path.relative_to(root).as_posix())
        if not folder:
            continue
        delivered = date(*map(int, folder.groups()))
        if not (first.toordinal() - 1 <= delivered.toordinal() <= last.toordinal() + 1):
            continue
        for record in json.loads(gzip.decompress(path.read_bytes()))["Records"]:
            if not first.isoformat() <= record["eventTime"][:10] <= last.isoformat():
                continue
            if (record["eventName"].lower().startswith(dropped) and not record.get("errorCode")
                    and not _kept_read(record, kept)):
                continue
            ids.add(record["eventID"])
    return ids


@pytest.fixture
def expected_ids():
    return expected_event_ids


@pytest.fixture
def backfill_aws():
    import boto3
    from moto import mock_aws

    from cloudtrail_tracker.local import lambda_bridge
    from cloudtrail_tracker.local.resources import create_stack_resources
    from cloudtrail_tracker.local.statemachine import create_state_machine
    from cloudtrail_tracker.local.template import load_template

    saved = {name: os.environ.get(name) for name in ("TABLE_NAME", "BACKFILL_BUCKET")}
    with mock_aws(config=MOTO_CONFIG), lambda_bridge.installed():
        session = boto3.session.Session(region_name="us-east-1")
        template = load_template()
        resources = create_stack_resources(session, template)
        work_bucket = "cloudtrail-tracker-backfill-work"
        session.client("s3").create_bucket(Bucket=work_bucket)
        os.environ.update({"TABLE_NAME": resources.table, "BACKFILL_BUCKET": work_bucket})
        clients.reset()
        try:
            arn = create_state_machine(session, template, "BackfillStateMachine", "backfill-test",
                                       {"TABLE_NAME": resources.table, "BACKFILL_BUCKET": work_bucket},
                                       {"BackfillWorkBucket": work_bucket})
            yield BackfillStack(session, resources, work_bucket, arn)
        finally:
            clients.reset()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
