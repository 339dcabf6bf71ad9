"""One odd record never fails its file: each hostile shape is skipped with a reason or stored
normalised, and the file's other events land, through the real ingest path on moto.

moto does not enforce DynamoDB's key size limits (partition key 2,048 bytes, sort key 1,024)
or its ban on empty key strings, so every test also checks every key written against them.
A record the table keeps the summary of must also read back whole through /events/{id}'s path
(dal/records.py: the record is read from the trail bucket and redacted on the way out).
"""

from __future__ import annotations

import gzip
import json

import pytest

from cloudtrail_tracker import clients
from cloudtrail_tracker.dal import keys

KEY = "AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/06/111122223333_CloudTrail_us-east-1_20250306T0320Z_odd.json.gz"
PARTITION_KEYS = ("pk",)  # storage v2 has no secondary index
SORT_KEYS = ("sk",)


def event(event_id: str, **extra) -> dict:
    record = {"eventVersion": "1.08", "eventTime": "2025-03-06T03:18:09Z", "eventSource": "ec2.amazonaws.com",
              "eventName": "RunInstances", "awsRegion": "us-east-1", "eventID": event_id,
              "recipientAccountId": "111122223333", "requestParameters": {"instanceType": "t3.micro"},
              "userIdentity": {"type": "IAMUser", "userName": "alice", "accountId": "111122223333"}}
    record.update(extra)
    return record


def nested(depth: int) -> dict:
    value: object = "bottom"
    for _ in range(depth):
        value = {"d": value}
    return value


# (id, the odd record as JSON text, the reason it is counted under, "dropped" or "normalised")
SHAPES = [
    # the table keeps no record (v2), so a record only orjson cannot write is stored as it is ("kept")
    ("integer-over-64-bits", json.dumps(event("odd", requestParameters={"n": 2**70})), None, "kept"),
    ("integer-of-5000-digits", json.dumps(event("odd"))[:-1] + ', "n": ' + "9" * 5000 + "}",
     "json-number-too-long", "dropped"),
    ("nesting-300-deep", json.dumps(event("odd", requestParameters=nested(300))), None, "kept"),
    ("nesting-100000-deep", json.dumps(event("odd"))[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
     "json-too-deep", "dropped"),
    ("lone-surrogate", json.dumps(event("odd", eventName="Run\ud800", requestParameters={"k": "\udfff"})),
     "lone-surrogate", "normalised"),
    ("account-a-number", json.dumps(event("odd", recipientAccountId=111122223333)), "bad-recipientAccountId", "normalised"),
    ("region-a-map", json.dumps(event("odd", awsRegion={"name": "us-east-1"})), "bad-awsRegion", "normalised"),
    ("source-ip-a-list", json.dumps(event("odd", sourceIPAddress=["10.0.0.1"])), "bad-sourceIPAddress", "normalised"),
    ("event-source-empty", json.dumps(event("odd", eventSource="")), "bad-eventSource", "dropped"),
    ("event-time-offset-overflows", json.dumps(event("odd", eventTime="0001-01-01T00:00:00+01:00")),
     "bad-eventTime", "dropped"),
    ("event-time-month-13", json.dumps(event("odd", eventTime="2024-13-45T99:99:99Z")), "bad-eventTime", "dropped"),
    ("event-time-not-digits", json.dumps(event("odd", eventTime="XXXXXXXXXXTXXXXXXXXZ")), "bad-eventTime", "dropped"),
    ("event-time-devanagari", json.dumps(event("odd", eventTime="२०२५-०३-०६T०३:१८:०९Z")), "bad-eventTime", "dropped"),
    ("event-time-far-future", json.dumps(event("odd", eventTime="2099-01-01T00:00:00Z")), "bad-eventTime", "dropped"),
    ("event-name-over-2kb", json.dumps(event("odd", eventName="Run" * 700)), "bad-eventName", "dropped"),
    ("event-id-over-1kb", json.dumps(event("x" * 1100)), "bad-eventID", "dropped"),
    ("error-code-over-1kb", json.dumps(event("odd", errorCode="Denied" * 200)), "bad-errorCode", "dropped"),
    ("resource-arn-over-2kb", json.dumps(event("odd", resources=[{"ARN": "arn:aws:s3:::" + "b" * 2100}])),
     "bad-resource-ARN", "normalised"),
    ("tracked-value-huge", json.dumps(event("odd", requestParameters={"instanceType": "t" * 70_000})),
     "bad-tracked-attribute", "normalised"),
]


def log_file(record_texts: list[str]) -> bytes:
    return gzip.compress(('{"Records": [' + ", ".join(record_texts) + "]}").encode())


def around(odd: str) -> list[str]:
    return [json.dumps(event("good-1")), odd, json.dumps(event("good-2"))]


def stored_ids(aws) -> set[str]:
    """The stored events' ids, each listed once (a duplicate would fail here)."""
    ids = [e["eventID"] for e in aws.events()]
    assert len(ids) == len(set(ids))
    return set(ids)


def reads_back(aws, event_ids: list[str]) -> bool:
    """Every one of ``event_ids`` reads back from the trail bucket, whole and writable as an answer."""
    import orjson

    from cloudtrail_tracker.dal.reader import EventReader
    from cloudtrail_tracker.dal.records import RecordStore

    rows = [row for row in aws.events() if row["eventID"] in event_ids]  # each names its part, so its file
    found = EventReader(aws.dynamodb, aws.resources.table, RecordStore(aws.s3)).records(rows)
    orjson.dumps(found)
    return set(found) == set(event_ids)


def assert_keys_fit(aws) -> None:
    for item in aws.items(""):
        for name in PARTITION_KEYS + SORT_KEYS:
            if name in item:
                limit = 2048 if name in PARTITION_KEYS else 1024
                assert 0 < len(item[name].encode()) <= limit, (name, len(item[name].encode()))


@pytest.mark.parametrize("odd,reason,outcome", [shape[1:] for shape in SHAPES], ids=[shape[0] for shape in SHAPES])
def test_an_odd_record_is_skipped_or_normalised_and_the_rest_of_its_file_lands(aws, odd, reason, outcome):
    from ingest import handler

    aws.put_log(KEY, log_file(around(odd)))
    report = handler.ingester().ingest(aws.resources.bucket, KEY)  # the handler's own ingester, on moto
    stored = stored_ids(aws)
    assert report.records == 3
    if outcome == "dropped":
        assert (report.dropped, report.normalised, report.stored) == ({reason: 1}, {}, 2)
        assert stored == {"good-1", "good-2"}
    else:
        assert (report.dropped, report.normalised, report.stored) == ({}, {reason: 1} if reason else {}, 3)
        assert stored == {"good-1", "good-2", "odd"}
        assert reads_back(aws, ["odd", "good-1", "good-2"])  # the record reads back through /events/{id}'s path
    assert_keys_fit(aws)


@pytest.mark.parametrize("retention_days", ["0", "30"])
def test_a_file_of_every_odd_shape_is_acknowledged_with_its_good_events(aws, monkeypatch, retention_days):
    monkeypatch.setenv("RETENTION_DAYS", retention_days)
    clients.reset()
    odd_records = [shape[1].replace('"odd"', f'"odd-{n}"', 1) for n, shape in enumerate(SHAPES)]
    good = [json.dumps(event(f"good-{n}")) for n in range(len(SHAPES) + 1)]
    interleaved = [text for pair in zip(good, odd_records + [""]) for text in pair if text]
    aws.put_log(KEY, log_file(interleaved))
    delivered = aws.drain()
    assert delivered["failedDeliveries"] == 0 and aws.dead_letters() == []
    stored = stored_ids(aws)
    kept = [f"odd-{n}" for n, shape in enumerate(SHAPES) if shape[3] != "dropped"]
    assert stored == {f"good-{n}" for n in range(len(good))} | set(kept)
    assert reads_back(aws, sorted(stored))
    assert sum(numbers["n"] for numbers in aws.counts().values()) == len(stored)
    # Times that are not real, or in the far future, pin nothing: no odd month, lastSeen never ahead.
    assert {i["sk"] for i in aws.items(keys.MONTH_REGISTRY)} == {"2025-03"}
    assert {i["lastSeen"] for i in aws.items(keys.SERVICE_REGISTRY)} == {"2025-03-06"}
    assert_keys_fit(aws)
