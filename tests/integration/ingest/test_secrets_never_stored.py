"""Records with planted secrets, ingested through the real path (S3 -> SQS -> ingest handler ->
DynamoDB on in-process moto): no secret is in the table, in `/events/{id}`, or findable with a
`params`/`value` filter; the identifiers people search for still are."""

from __future__ import annotations

import gzip
import json
import os
from collections import Counter

import boto3
import pytest
from flatten_json import flatten
from moto import mock_aws

from cloudtrail_tracker import clients
from tests.hostile_records import ACCOUNT, KEPT_VALUES, SECRET_SHAPES, at
from tests.integration.query.conftest import Api

REGION = "us-east-1"
KEY = f"AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/2025/03/06/{ACCOUNT}_CloudTrail_{REGION}_20250306T0300Z_hostile.json.gz"
DAY = {"from": "2025-03-06", "to": "2025-03-06"}


@pytest.fixture(scope="module")
def stack():
    """moto with the hostile and the kept records ingested; yields (dynamodb client, table, Api)."""
    from cloudtrail_tracker.local.driver import drain_queue
    from cloudtrail_tracker.local.resources import create_stack_resources
    from cloudtrail_tracker.local.template import function_environment, load_template

    saved = dict(os.environ)
    os.environ.update({"AUTH_MODE": "none"})
    with mock_aws():
        session = boto3.session.Session(region_name=REGION)
        template = load_template()
        resources = create_stack_resources(session, template)
        os.environ.update(function_environment(template, "IngestFunction"))
        os.environ["TABLE_NAME"] = resources.table
        records = [shape.record for shape in SECRET_SHAPES] + [kept[1] for kept in KEPT_VALUES]
        session.client("s3").put_object(Bucket=resources.bucket, Key=KEY,
                                         Body=gzip.compress(json.dumps({"Records": records}).encode()))
        import ingest.handler
        from query.handler import lambda_handler

        clients.reset()
        drained = drain_queue(session.client("sqs"), resources.queue_url, resources.queue_arn, REGION,
                              ingest.handler.lambda_handler)
        assert drained["failedDeliveries"] == 0
        clients.reset()
        yield session.client("dynamodb"), resources.table, Api(lambda_handler)
        clients.reset()
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="module")
def table_text(stack) -> str:
    """Every item of the table, records decoded, as one JSON text."""
    from cloudtrail_tracker.dal.reader import plain

    client, table, _ = stack
    items, kwargs = [], {"TableName": table}
    while True:
        page = client.scan(**kwargs)
        items += [plain(item) for item in page["Items"]]
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    from cloudtrail_tracker.dal import pages
    from tests.stored import events

    stored = Counter(e["eventID"] for e in events(items))
    assert set(stored.values()) == {1} and len(stored) == len(SECRET_SHAPES) + len(KEPT_VALUES)
    for item in items:  # the packed summaries and counts, as text
        for name in ("s", "c"):
            if isinstance(item.get(name), (bytes, bytearray)):
                item[name] = pages.decode(item[name])
    return json.dumps(items, default=str)


def count(api: Api, name: str, value: str) -> int:
    """Events whose flattened record has ``name`` == ``value`` (list syntax: values may hold commas)."""
    return api.ok("/scan", {**DAY, "params": str([name]), "value": str([value]), "count": "true"})["count"]


@pytest.mark.parametrize("shape", SECRET_SHAPES, ids=lambda s: s.id)
def test_no_planted_secret_in_the_table(shape, table_text):
    assert [s for s in shape.secrets if s in table_text] == []


@pytest.mark.parametrize("shape", SECRET_SHAPES, ids=lambda s: s.id)
def test_no_planted_secret_in_the_event_detail(shape, stack):
    detail = stack[2].ok(f"/events/{shape.record['eventID']}", {"at": shape.record["eventTime"]})
    text = json.dumps(detail)
    assert [s for s in shape.secrets if s in text] == []
    assert "<redacted>" in text


@pytest.mark.parametrize("shape", SECRET_SHAPES, ids=lambda s: s.id)
def test_no_filter_finds_a_planted_secret(shape, stack):
    holding = {name: str(value) for name, value in flatten(shape.record, "_").items()
               if any(s in str(value) for s in shape.secrets)}
    assert holding, "the shape plants its secrets in the record"
    assert {name: count(stack[2], name, value) for name, value in holding.items()} == dict.fromkeys(holding, 0)


@pytest.mark.parametrize(("id", "record", "kept"), KEPT_VALUES, ids=[k[0] for k in KEPT_VALUES])
def test_identifiers_are_still_found(id, record, kept, stack):
    api = stack[2]
    detail = api.ok(f"/events/{record['eventID']}", {"at": record["eventTime"]})["record"]
    assert [(path, at(detail, path)) for path, _ in kept] == kept
    path, value = kept[0]  # and a filter finds it (one per record: each filter is a query)
    assert count(api, path.replace(".", "_"), str(value)) >= 1
