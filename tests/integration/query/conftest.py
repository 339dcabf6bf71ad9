"""The samples ingested through the real path (S3 -> SQS -> ingest handler -> DynamoDB) on
in-process moto, and a way to call the query handler with API Gateway events."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
import pytest
from moto import mock_aws

from cloudtrail_tracker import clients
from cloudtrail_tracker.local.api_server import proxy_event, simulated_claims
from cloudtrail_tracker.local.driver import LocalContext, drain_queue
from cloudtrail_tracker.local.resources import create_stack_resources
from cloudtrail_tracker.local.template import (
    function_environment,
    load_template,
    project_root,
)

REGION = "us-east-1"
SAMPLES = project_root() / "samples"
LOG_SUFFIXES = (".json", ".json.gz", ".gz", ".ndjson", ".jsonl")
ALL_TIME = {"from": "2010-01-01", "to": "2030-12-31"}


class Api:
    """Calls the real query handler the way API Gateway does; returns (status, JSON body)."""

    def __init__(self, handler):
        self._handler = handler

    def get(self, path: str, params: dict | None = None, as_user: str | None = None, claims: dict | None = None):
        from urllib.parse import urlencode

        raw = path + ("?" + urlencode(params) if params else "")
        event = proxy_event("GET", raw, {"Host": "test"}, claims=claims or (simulated_claims(as_user) if as_user else None))
        response = self._handler(event, LocalContext(function_name="QueryFunction"))
        return response["statusCode"], json.loads(response["body"]) if response.get("body") else None

    def ok(self, path: str, params: dict | None = None, **kwargs):
        status, body = self.get(path, params, **kwargs)
        assert status == 200, (path, params, body)
        return body

    def walk(self, path: str, params: dict, **kwargs) -> list[dict]:
        """Every row of a list, following `next`."""
        rows, cursor = [], None
        for _ in range(10_000):
            page = self.ok(path, {**params, **({"next": cursor} if cursor else {})}, **kwargs)
            rows.extend(page["items"])
            cursor = page["next"]
            if not cursor:
                return rows
        raise AssertionError("the cursor never ended")


def ingest_samples(session, template) -> dict:
    resources = create_stack_resources(session, template)
    os.environ.update(function_environment(template, "IngestFunction"))
    os.environ["TABLE_NAME"] = resources.table
    s3 = session.client("s3")
    for path in sorted(p for p in SAMPLES.rglob("*") if p.is_file() and p.name.lower().endswith(LOG_SUFFIXES)):
        s3.upload_file(str(path), resources.bucket, path.relative_to(SAMPLES).as_posix())
    import ingest.handler

    clients.reset()
    drain_queue(session.client("sqs"), resources.queue_url, resources.queue_arn, REGION, ingest.handler.lambda_handler)
    return {"table": resources.table}


@pytest.fixture(scope="module")  # not "package": without __init__.py that lives for the whole session and keeps moto open
def sample_stack():
    """moto with the samples ingested; yields (dynamodb client, table name)."""
    saved = dict(os.environ)
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION,
                       "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_DISABLED": "true",
                       "POWERTOOLS_LOG_LEVEL": "WARNING", "AUTH_MODE": "none"})
    os.environ.pop("AWS_ENDPOINT_URL", None)
    with mock_aws():
        session = boto3.session.Session(region_name=REGION)
        info = ingest_samples(session, load_template())
        clients.reset()
        yield session.client("dynamodb"), info["table"]
        clients.reset()
    os.environ.clear()
    os.environ.update(saved)


@contextmanager
def stack_with_logs(logs: list[tuple[str, bytes]], env: dict[str, str] | None = None) -> Iterator[tuple[Api, object]]:
    """A stack of its own on in-process moto (AUTH_MODE none, plus ``env``) with ``logs`` ((key, body) log files)
    put in its bucket and ingested through SQS and the ingest handler; (the query handler's Api, the AwsStack)."""
    from cloudtrail_tracker import settings
    from cloudtrail_tracker.local.resources import create_stack_resources
    from tests.conftest import AwsStack

    saved = dict(os.environ)
    os.environ.update({"AUTH_MODE": "none", **(env or {})})
    try:
        with mock_aws():
            session = boto3.session.Session(region_name=REGION)
            aws = AwsStack(session, create_stack_resources(session, load_template()))
            os.environ["TABLE_NAME"] = aws.resources.table
            settings.reset()
            clients.reset()
            for key, body in logs:
                aws.put_log(key, body)
            aws.drain()
            clients.reset()
            from query.handler import lambda_handler

            yield Api(lambda_handler), aws
    finally:
        os.environ.clear()
        os.environ.update(saved)
        settings.reset()
        clients.reset()


@pytest.fixture(scope="module")  # not "package": without __init__.py that lives for the whole session and keeps moto open
def api(sample_stack) -> Api:
    from query.handler import lambda_handler

    return Api(lambda_handler)


@pytest.fixture(scope="module")  # not "package": without __init__.py that lives for the whole session and keeps moto open
def stored_items(sample_stack) -> list[dict]:
    """Every item of the table, read with a Scan (the test's own ground truth, not the API's way)."""
    from tests.stored import scan

    client, table = sample_stack
    return scan(client, table)


@pytest.fixture(scope="module")  # not "package": without __init__.py that lives for the whole session and keeps moto open
def stored_events(stored_items) -> list[dict]:
    """Every stored event's summary, once each (decoded from the D# pages by tests/stored.py)."""
    from tests.stored import events, summaries_per_event

    assert set(summaries_per_event(stored_items).values()) == {1}, "an eventID stored at two positions"
    return events(stored_items)


@pytest.fixture(scope="module")
def sample_records_by_id() -> dict[str, dict]:
    """eventID -> the record as the sample file holds it (the ground truth for record fields)."""
    from cloudtrail_tracker.event_builder import event_id_of
    from tests.conftest import sample_records

    found: dict[str, dict] = {}
    for _, record in sample_records():
        event_id = event_id_of(record)
        if event_id:
            found.setdefault(event_id, record)
    return found
