"""Fixtures shared by every test folder: sample records, and the stack on in-process moto."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cloudtrail_tracker import clients
from cloudtrail_tracker.local import moto_speed

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"

# No test may reach a real AWS account, whatever the machine's environment says.
for _name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
    os.environ.pop(_name, None)
os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
    "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "CloudTrailTracker", "POWERTOOLS_LOG_LEVEL": "WARNING",
})
moto_speed.apply()  # in-process moto answers a Query from its partition, not by sorting the whole table


def sample_files() -> list[Path]:
    return sorted(p for p in SAMPLES.rglob("*") if p.is_file() and p.name.endswith((".json", ".json.gz", ".ndjson")))


def sample_records() -> list[tuple[str, dict]]:
    """(source file, record) for every record in the shipped samples."""
    from cloudtrail_tracker.logfile import iter_records

    records = []
    for path in sample_files():
        with path.open("rb") as stream:
            records += [(path.relative_to(SAMPLES).as_posix(), record) for record in iter_records(stream)]
    return records


@pytest.fixture
def aws():
    """An in-process moto account with the stack's table, queues and trail bucket from template.yaml."""
    import boto3
    from moto import mock_aws

    from cloudtrail_tracker.local.resources import create_stack_resources
    from cloudtrail_tracker.local.template import load_template

    with mock_aws():
        session = boto3.session.Session(region_name="us-east-1")
        resources = create_stack_resources(session, load_template())
        os.environ["TABLE_NAME"] = resources.table
        clients.reset()
        yield AwsStack(session, resources)
        clients.reset()


class AwsStack:
    def __init__(self, session, resources):
        self.session = session
        self.resources = resources
        self.s3 = session.client("s3")
        self.sqs = session.client("sqs")
        self.dynamodb = session.client("dynamodb")

    def put_log(self, key: str, body: bytes) -> None:
        self.s3.put_object(Bucket=self.resources.bucket, Key=key, Body=body)

    def drain(self) -> dict:
        from cloudtrail_tracker.local.driver import drain_queue
        from ingest.handler import lambda_handler

        r = self.resources
        return drain_queue(self.sqs, r.queue_url, r.queue_arn, r.region, lambda_handler)

    def items(self, prefix: str = "") -> list[dict]:
        """Every item whose pk starts with ``prefix`` (a Scan: fine in a test, never in the product)."""
        from tests.stored import scan

        return [item for item in scan(self.dynamodb, self.resources.table) if item["pk"].startswith(prefix)]

    def events(self) -> list[dict]:
        """Every stored event's summary, once (see tests/stored.py)."""
        from tests.stored import events

        return events(self.items())

    def files_named(self) -> dict[str, tuple[str, str]]:
        """eventID -> (bucket, key) of the log file each stored event's summary names (see tests/stored.py)."""
        from tests.stored import files_named

        return files_named(self.items())

    def counts(self):
        """(actor, day) -> counters, added up over the parts that wrote them."""
        from tests.stored import counts

        return counts(self.items())

    def dead_letters(self) -> list[dict]:
        messages = self.sqs.receive_message(QueueUrl=self.resources.dead_letter_url, MaxNumberOfMessages=10)
        return [json.loads(m["Body"]) for m in messages.get("Messages", [])]
