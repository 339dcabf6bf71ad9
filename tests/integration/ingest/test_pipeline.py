"""S3 -> SQS -> ingest handler -> DynamoDB on moto, through the real bucket notification."""

from __future__ import annotations

import gzip
import json
import os
from collections import Counter
from urllib.parse import unquote_plus

import pytest

from cloudtrail_tracker import clients
from cloudtrail_tracker.dal import keys
from tests.conftest import SAMPLES

KEY = "AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/06/111122223333_CloudTrail_us-east-1_20250306T0320Z_abc.json.gz"


def event(i: int, **extra) -> dict:
    record = {"eventVersion": "1.08", "eventTime": f"2025-03-06T03:{i % 60:02d}:00Z", "eventSource": "ec2.amazonaws.com",
              "eventName": "RunInstances", "awsRegion": "us-east-1", "eventID": f"evt-{i}",
              "recipientAccountId": "111122223333", "requestParameters": {"instanceType": "t3.micro"},
              "userIdentity": {"type": "IAMUser", "userName": f"student{i % 3}", "accountId": "111122223333"}}
    record.update(extra)
    return record


def log_file(records: list[dict]) -> bytes:
    return gzip.compress(json.dumps({"Records": records}).encode())


def counted(aws) -> Counter:
    """Events per actor as the daily counters have them."""
    totals = Counter()
    for (actor, _day), numbers in aws.counts().items():
        totals[actor] += numbers["n"]
    return totals


def stored_ids(aws) -> Counter:
    """eventID -> how many times the table lists it (1 each when stored exactly once)."""
    return Counter(e["eventID"] for e in aws.events())


def test_object_put_in_the_bucket_reaches_dynamodb(aws):
    aws.put_log(KEY, log_file([event(i) for i in range(30)]))
    delivered = aws.drain()
    assert delivered == {"messages": 2, "failedDeliveries": 0}  # the s3:TestEvent, acknowledged, and the file
    events = aws.events()
    assert stored_ids(aws) == {f"evt-{i}": 1 for i in range(30)}
    assert len(aws.files_named()) == 30 and aws.items("E#") == []  # each names its file; no locator by default
    assert {e["actor"] for e in events} == {"student0", "student1", "student2"}
    assert counted(aws) == {"student0": 10, "student1": 10, "student2": 10}
    totals = sum(aws.counts().values(), Counter())
    assert totals["n"] == 30
    assert totals["a:RunInstances:instanceType=t3.micro"] == 30
    assert {i["sk"] for i in aws.items(keys.ACTOR_REGISTRY)} == {"student0", "student1", "student2"}


def test_url_encoded_keys_are_decoded(aws):
    key = "my trail/AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/06/file+name.json.gz"
    aws.put_log(key, log_file([event(1)]))
    aws.drain()
    assert stored_ids(aws) == {"evt-1": 1}


def test_redelivery_leaves_one_copy_and_counts_unchanged(aws):
    aws.put_log(KEY, log_file([event(i) for i in range(25)]))
    aws.drain()
    before_events, before_counts = stored_ids(aws), counted(aws)
    for _ in range(2):  # the same object written again: two more deliveries of the same file
        aws.put_log(KEY, log_file([event(i) for i in range(25)]))
        aws.drain()
    assert stored_ids(aws) == before_events == {f"evt-{i}": 1 for i in range(25)}
    assert counted(aws) == before_counts
    # and the same eventIDs in another file (CloudTrail's own duplicates) change nothing either
    aws.put_log(KEY.replace("abc", "other"), log_file([event(i) for i in range(20, 25)] + [event(99)]))
    aws.drain()
    assert stored_ids(aws) == {**before_events, "evt-99": 1}
    assert sum(counted(aws).values()) == 26


def test_corrupt_file_goes_to_the_dead_letter_queue_and_the_rest_lands(aws):
    good = [KEY.replace("abc", f"good{i}") for i in range(4)]
    for n, key in enumerate(good):
        aws.put_log(key, log_file([event(n * 10 + i) for i in range(10)]))
    bad_key = KEY.replace("abc", "corrupt")
    aws.put_log(bad_key, b"\x1f\x8b\x08\x00 definitely not deflate data")
    aws.put_log(KEY.replace("abc", "nojson"), b'{"Records": [{"eventName": "x", ')
    aws.drain()
    assert stored_ids(aws) == {f"evt-{i}": 1 for i in range(40)}
    dead = [unquote_plus(r["s3"]["object"]["key"]) for body in aws.dead_letters() for r in body["Records"]]
    assert sorted(dead) == sorted([bad_key, KEY.replace("abc", "nojson")])


def test_digest_and_other_files_are_skipped_not_failed(aws):
    aws.put_log("AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2025/03/06/d.json.gz",
                gzip.compress(b'{"digestStartTime": "x"}'))
    aws.put_log("AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/06/notes.txt", b"hello")
    aws.drain()
    assert aws.events() == [] and aws.items("E#") == [] and aws.dead_letters() == []


def table_text(aws) -> str:
    """Every item of the table, packed pages and counts decoded, as one text."""
    from cloudtrail_tracker.dal import pages

    texts = []
    for item in aws.items(""):
        for name, value in item.items():
            if name in ("s", "c") and isinstance(value, (bytes, bytearray)):
                texts.append(json.dumps(pages.decode(value)))
            elif isinstance(value, (bytes, bytearray)):
                texts.append(bytes(value).decode("latin-1"))
            else:
                texts.append(f"{name}={value}")
    return "\n".join(texts)


def reader(aws):
    from cloudtrail_tracker.dal.reader import EventReader
    from cloudtrail_tracker.dal.records import RecordStore

    return EventReader(aws.dynamodb, aws.resources.table, RecordStore(aws.s3))


def test_oversized_record_and_secrets_through_the_pipeline(aws):
    from cloudtrail_tracker.local.billing import item_size

    secret = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN"
    policy = os.urandom(320_000).hex()
    records = [
        event(1, eventName="PutBucketPolicy", requestParameters={"policy": policy}),
        event(2, eventSource="sts.amazonaws.com", eventName="AssumeRole",
              responseElements={"credentials": {"sessionToken": secret, "accessKeyId": "ASIAEXAMPLE",
                                                "expiration": "soon"}}),
        event(3),
    ]
    aws.put_log(KEY, log_file(records))
    aws.drain()
    assert stored_ids(aws) == {"evt-1": 1, "evt-2": 1, "evt-3": 1}
    # the 640 KB record costs its summary only: no item near the 400 KB limit, the policy is not copied
    raw_items = aws.dynamodb.scan(TableName=aws.resources.table)["Items"]
    assert max(item_size(item) for item in raw_items) < 10_000
    text = table_text(aws)
    assert secret not in text and "ASIAEXAMPLE" not in text and policy[:64] not in text
    # /events/{id} reads the records from the trail bucket, the secrets removed on the way out
    found = reader(aws).records(aws.events())  # the rows as the pages hold them: each names its part, so its file
    assert set(found) == {"evt-1", "evt-2", "evt-3"}
    assert found["evt-1"]["requestParameters"]["policy"] == policy
    decoded = json.dumps(found)
    assert secret not in decoded and "ASIAEXAMPLE" not in decoded
    assert found["evt-2"]["responseElements"]["credentials"]["expiration"] == "soon"


def test_all_sample_files_flow_through(aws):
    keys_put = []
    for path in sorted(SAMPLES.rglob("*")):
        if path.is_file() and path.name.endswith((".json", ".json.gz", ".ndjson")):
            key = path.relative_to(SAMPLES).as_posix()
            aws.put_log(key, path.read_bytes())
            keys_put.append(key)
    aws.drain()
    assert aws.dead_letters() == []
    events = aws.events()
    assert len(events) > 100
    assert set(stored_ids(aws).values()) == {1}
    assert len(aws.files_named()) == len(events)
    assert all(e["actor"] and e["actor"] != "no_user" for e in events)
    assert sum(numbers["n"] for numbers in aws.counts().values()) == len(events)


@pytest.mark.parametrize("survives", [0, 1, 2, 3, 5, 8])
def test_actors_are_listed_even_if_the_lambda_dies_right_after_storing_events(aws, survives):
    """Registries are written before the pages: a Lambda killed after any number of DynamoDB
    writes (here: every write after the first ``survives`` fails) leaves no stored event with an
    unlisted actor, and the batch retried on a healthy instance stores every event once."""
    calls = []

    def fail(**_):
        calls.append(1)
        if len(calls) > survives:
            raise RuntimeError("the Lambda was killed")

    clients.reset()
    client = clients.client("dynamodb")  # the handler's: the shared client
    for operation in ("UpdateItem", "BatchWriteItem", "PutItem"):
        client.meta.events.register(f"before-call.dynamodb.{operation}", fail, unique_id=f"kill-{operation}")
    aws.put_log(KEY, log_file([event(i) for i in range(6)]))
    aws.drain()  # the message fails: SQS redelivers it to the same broken instance, then to the DLQ
    for operation in ("UpdateItem", "BatchWriteItem", "PutItem"):
        client.meta.events.unregister(f"before-call.dynamodb.{operation}", unique_id=f"kill-{operation}")
    listed = {i["sk"] for i in aws.items(keys.ACTOR_REGISTRY)}
    assert {e["actor"] for e in aws.events()} <= listed
    assert {actor for actor, _day in aws.counts()} <= listed
    # the message is back (redrive from the DLQ, or a new delivery): every event once, counted once
    clients.reset()
    aws.put_log(KEY, log_file([event(i) for i in range(6)]))
    aws.drain()
    assert stored_ids(aws) == {f"evt-{i}": 1 for i in range(6)}
    assert counted(aws) == {"student0": 2, "student1": 2, "student2": 2}
    assert {i["sk"] for i in aws.items(keys.ACTOR_REGISTRY)} == {"student0", "student1", "student2"}


def test_months_and_error_codes_are_listed(aws):
    aws.put_log(KEY, log_file([event(1), event(2, eventTime="2025-04-01T00:00:00Z", errorCode="AccessDenied")]))
    aws.drain()
    assert {i["sk"] for i in aws.items(keys.MONTH_REGISTRY)} == {"2025-03", "2025-04"}
    assert {i["sk"] for i in aws.items(keys.ERROR_REGISTRY)} == {"AccessDenied"}


def dead_letters_with_reasons(aws) -> dict[str, str]:
    """Key -> the ``reason`` attribute of every message in the dead-letter queue."""
    messages = aws.sqs.receive_message(QueueUrl=aws.resources.dead_letter_url, MaxNumberOfMessages=10,
                                       MessageAttributeNames=["All"]).get("Messages", [])
    return {unquote_plus(r["s3"]["object"]["key"]): m.get("MessageAttributes", {}).get("reason", {}).get("StringValue")
            for m in messages for r in json.loads(m["Body"])["Records"]}


def test_a_corrupt_file_goes_to_the_dead_letter_queue_at_once_with_its_reason(aws, monkeypatch):
    monkeypatch.setenv("DEAD_LETTER_QUEUE_URL", aws.resources.dead_letter_url)
    clients.reset()
    aws.put_log(KEY, log_file([event(i) for i in range(10)]))
    bad_gzip, not_json = KEY.replace("abc", "corrupt"), KEY.replace("abc", "nojson")
    aws.put_log(bad_gzip, b"\x1f\x8b\x08\x00 definitely not deflate data")
    aws.put_log(not_json, b'{"Records": [{"eventName": "x", ')
    delivered = aws.drain()
    assert delivered["failedDeliveries"] == 0  # tried once each: not five identical failures
    assert stored_ids(aws) == {f"evt-{i}": 1 for i in range(10)}
    reasons = dead_letters_with_reasons(aws)
    assert set(reasons) == {bad_gzip, not_json}
    assert "gzip" in reasons[bad_gzip] and bad_gzip in reasons[bad_gzip]
    assert "JSON" in reasons[not_json]


def test_a_message_that_is_not_an_s3_notification_goes_to_the_dead_letter_queue_at_once(aws, monkeypatch):
    monkeypatch.setenv("DEAD_LETTER_QUEUE_URL", aws.resources.dead_letter_url)
    clients.reset()
    aws.sqs.send_message(QueueUrl=aws.resources.queue_url, MessageBody="not json at all")
    assert aws.drain()["failedDeliveries"] == 0
    messages = aws.sqs.receive_message(QueueUrl=aws.resources.dead_letter_url, MessageAttributeNames=["All"])["Messages"]
    assert [m["Body"] for m in messages] == ["not json at all"]
    assert messages[0]["MessageAttributes"]["reason"]["StringValue"].startswith("not an S3 notification")


def test_a_throttled_read_is_retried_not_dead_lettered(aws, monkeypatch):
    from botocore.exceptions import ClientError

    monkeypatch.setenv("DEAD_LETTER_QUEUE_URL", aws.resources.dead_letter_url)
    clients.reset()
    throttled = []

    def slow_down_once(**_):
        if not throttled:
            throttled.append(True)
            raise ClientError({"Error": {"Code": "SlowDown", "Message": "injected"}}, "GetObject")

    clients.client("s3").meta.events.register("before-call.s3.GetObject", slow_down_once)  # the handler's client
    aws.put_log(KEY, log_file([event(i) for i in range(5)]))
    delivered = aws.drain()
    assert throttled and delivered["failedDeliveries"] == 1  # failed once, then redelivered and read
    assert stored_ids(aws) == {f"evt-{i}": 1 for i in range(5)}
    assert aws.dead_letters() == []


@pytest.mark.filterwarnings("ignore:No application metrics")  # add_metric is the test's: Powertools sees none
def test_each_invocation_publishes_its_metrics(aws, monkeypatch):
    """One value per metric per invocation (the batch's), and one CorruptFiles per corrupt file."""
    from cloudtrail_tracker.observability import metrics

    published: Counter = Counter()

    def add_metric(name, unit, value, **_):
        published[name] += value

    monkeypatch.setattr(metrics, "add_metric", add_metric)  # Powertools' public API, on the handler's Metrics
    monkeypatch.setenv("DEAD_LETTER_QUEUE_URL", aws.resources.dead_letter_url)
    clients.reset()
    aws.put_log(KEY, log_file([event(i) for i in range(10)] + [event(i, eventName="ListBuckets") for i in range(10, 13)]))
    aws.put_log(KEY.replace("abc", "corrupt"), b"\x1f\x8b\x08\x00 definitely not deflate data")
    aws.drain()
    assert published == {"FilesRead": 1, "EventsStored": 10, "EventsDuplicate": 0, "EventsDropped": 3,
                         "CorruptFiles": 1, "DynamoDBWriteRequests": published["DynamoDBWriteRequests"]}
    assert published["DynamoDBWriteRequests"] > 0


def test_each_written_message_reports_to_the_listeners_and_a_removed_listener_hears_nothing(aws):
    """The local stack's summary comes from this hook (local/stack.py), not from log text."""
    from ingest import handler

    heard = []
    handler.add_report_listener(heard.append)
    try:
        aws.put_log(KEY, log_file([event(i) for i in range(12)]))
        aws.put_log(KEY.replace("abc", "two"), log_file([event(i) for i in range(10, 15)]))
        aws.drain()
    finally:
        handler.remove_report_listener(heard.append)
    files = [report for report in heard if report.files]  # the bucket's s3:TestEvent reports no file
    assert len(heard) == 3 and len(files) == 2
    assert sorted(report.records for report in files) == [5, 12]
    # 10 and 11 are in both files: whichever came second found them stored
    assert (sum(r.stored for r in files), sum(r.duplicates for r in files)) == (15, 2)
    aws.put_log(KEY.replace("abc", "three"), log_file([event(40)]))
    aws.drain()
    assert len(heard) == 3
