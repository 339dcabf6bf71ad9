"""A cursor holds a position, never a list that grows with the data: with 400 distinct error codes
the `/errors` cursor stays small (API Gateway bounds the request line and headers) and the walk
still returns every failed call once."""

from __future__ import annotations

import json
import os
from urllib.parse import urlencode

import pytest

from cloudtrail_tracker import clients

CODES = [f"Code{number:03d}.{'x' * 40}" for number in range(400)]  # long-ish codes, like "Client.UnauthorizedOperation"
MAX_CURSOR_CHARS = 1024


def _failed_calls():
    from cloudtrail_tracker.models import Actor, StoredEvent

    actor = Actor(name="student001", type="IAMUser", account="111122223333")
    for number, code in enumerate(CODES):
        yield StoredEvent(
            event_id=f"{number:04d}-failed", event_time=f"2020-05-{1 + number % 28:02d}T10:00:00Z",
            event_name="RunInstances", event_source="ec2.amazonaws.com", service="ec2", actor=actor,
            account=actor.account, region="eu-west-1", source_ip="10.0.0.1", error_code=code, read_only=False,
            resources=(), tracked=(),
        )


@pytest.fixture
def failures_of_400_codes(aws, monkeypatch):
    from cloudtrail_tracker.dal.writer import EventWriter
    from cloudtrail_tracker.models import FileReport

    for name, value in {"AUTH_MODE": "none", "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_DISABLED": "true",
                        "POWERTOOLS_LOG_LEVEL": "WARNING", "TABLE_NAME": os.environ["TABLE_NAME"]}.items():
        monkeypatch.setenv(name, value)
    writer = EventWriter(aws.dynamodb, aws.resources.table)
    report = FileReport()
    sink = writer.file(aws.resources.bucket, "AWSLogs/111122223333/CloudTrail/eu-west-1/2020/05/failed.json.gz", report)
    for ordinal, event in enumerate(_failed_calls()):
        sink.add(event, ordinal)
    sink.close()
    writer.flush()
    assert report.stored == len(CODES) and report.duplicates == 0
    clients.reset()
    yield
    clients.reset()


def _get(path: str, params: dict) -> dict:
    from cloudtrail_tracker.local.api_server import proxy_event
    from cloudtrail_tracker.local.driver import LocalContext
    from query.handler import lambda_handler

    response = lambda_handler(proxy_event("GET", f"{path}?{urlencode(params)}", {"Host": "test"}),
                              LocalContext(function_name="QueryFunction"))
    assert response["statusCode"] == 200, response
    return json.loads(response["body"])


@pytest.mark.slow  # moto answers each Query by reading the whole table
def test_errors_cursor_stays_small_with_400_codes_and_the_walk_returns_every_row_once(failures_of_400_codes):
    params = {"from": "2020-05-01", "to": "2020-05-31", "limit": 30}  # pages end between codes and inside the walk
    rows, cursor, longest = [], None, 0
    while True:
        page = _get("/errors", {**params, **({"next": cursor} if cursor else {})})
        rows.extend(page["items"])
        cursor = page["next"]
        if not cursor:
            break
        longest = max(longest, len(cursor))
    assert longest <= MAX_CURSOR_CHARS, longest
    assert len(rows) == len(CODES) == len({row["eventID"] for row in rows})
    assert {row["errorCode"] for row in rows} == set(CODES)
