"""Issue 9's exactly-once and bounded-item guarantees of storage v2, through the real ingest handler on moto.

Exactly once is read the tests' own way (tests/stored.py): every eventID appears once in the
day pages, and the counts items add up to one per event (a part that stored an event twice, or two
parts that both kept it, would count it twice: pages alone cannot show that, a reader hands a
summary out once). Batches are handed to the handler directly, in a chosen order, so which files
share a batch and which is staged first is what each test says.
"""

from __future__ import annotations

import gzip
import json
import random
import threading
from collections import Counter
from urllib.parse import quote_plus

import pytest

from cloudtrail_tracker import clients
from cloudtrail_tracker.dal import keys
from cloudtrail_tracker.local.billing import item_size
from cloudtrail_tracker.local.driver import LocalContext, sqs_event
from tests.stored import actor_events, counts, events, files_named, scan

ACCOUNT, REGION, ORG = "111122223333", "us-east-1", "o-abc123defg"
DAY = "2025/03/06"
ITEM_LIMIT = 400 * 1024


def account_key(name: str) -> str:
    return f"AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/{DAY}/{ACCOUNT}_CloudTrail_{REGION}_20250306T0320Z_{name}.json.gz"


def org_key(name: str) -> str:
    return (f"AWSLogs/{ORG}/{ACCOUNT}/CloudTrail/{REGION}/{DAY}/"
            f"{ACCOUNT}_CloudTrail_{REGION}_20250306T0325Z_{name}.json.gz")


def record(i: int, **extra) -> dict:
    """Event ``i``: its time spreads events over many 5-minute claim slots and both sides of an hour."""
    second = i * 7 % 7200
    base = {"eventVersion": "1.08", "eventTime": f"2025-03-06T{2 + second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}Z",
            "eventSource": "ec2.amazonaws.com", "eventName": "RunInstances", "awsRegion": REGION,
            "eventID": f"evt-{i:05d}", "recipientAccountId": ACCOUNT,
            "requestParameters": {"instanceType": "t3.micro"},
            "userIdentity": {"type": "IAMUser", "userName": f"user{i % 4}", "accountId": ACCOUNT}}
    base.update(extra)
    return base


def put(aws, key: str, records: list[dict]) -> str:
    aws.s3.put_object(Bucket=aws.resources.bucket, Key=key,
                      Body=gzip.compress(json.dumps({"Records": records}).encode()))
    return key


_messages = iter(range(10**9))


def invoke(aws, log_keys: list[str]) -> dict:
    """One SQS batch, a message per file in this order, to the ingest handler (as Lambda would)."""
    from ingest.handler import lambda_handler

    messages = []
    for key in log_keys:
        body = {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                             "s3": {"bucket": {"name": aws.resources.bucket}, "object": {"key": quote_plus(key)}}}]}
        number = next(_messages)
        messages.append({"MessageId": f"m-{number}", "ReceiptHandle": f"r-{number}", "Body": json.dumps(body)})
    response = lambda_handler(sqs_event(messages, aws.resources.queue_arn, REGION), LocalContext())
    _sent.update({m["MessageId"]: key for m, key in zip(messages, log_keys)})
    return response


_sent: dict[str, str] = {}


def failed_keys(response: dict) -> list[str]:
    """The files of the messages a batch failed (SQS delivers those again, and only those)."""
    return [_sent[failure["itemIdentifier"]] for failure in response["batchItemFailures"]]


def assert_exactly_once(aws, records: list[dict]) -> None:
    """Each of ``records`` stored once and counted once, per actor and day; nothing else stored."""
    items = scan(aws.dynamodb, aws.resources.table)
    listed = Counter(e["eventID"] for e in events(items))
    assert listed == {r["eventID"]: 1 for r in records}
    expected = Counter((r["userIdentity"]["userName"], r["eventTime"][:10]) for r in records)
    counted = {key: numbers["n"] for key, numbers in counts(items).items()}
    assert counted == dict(expected)
    assert set(files_named(items)) == set(listed)  # each names the counts item of its part, which names its file
    by_actor = Counter(e["eventID"] for e in actor_events(items))
    assert by_actor == listed  # each actor's view lists the same events, once


def assert_bounded(aws) -> None:
    """Every item under DynamoDB's 400 KB and every key within its limits (moto checks neither)."""
    raw = []
    kwargs = {"TableName": aws.resources.table}
    while True:
        page = aws.dynamodb.scan(**kwargs)
        raw += page["Items"]
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    for item in raw:
        size = item_size(item)
        assert size < ITEM_LIMIT, (item["pk"]["S"][:80], size)
        pk, sk = item["pk"]["S"].encode(), item["sk"]["S"].encode()
        assert 0 < len(pk) <= keys.MAX_PK_BYTES and 0 < len(sk) <= keys.MAX_SK_BYTES, (len(pk), len(sk))
        for name in item:  # attribute names (claims are named by eventIDs) are limited to 64 KB
            assert len(name.encode()) <= 65_535


# ---- (a) an account trail and an organization trail delivering the same events into one bucket
EVENTS = [record(i) for i in range(120)]


def account_files(aws) -> list[str]:
    return [put(aws, account_key("A1"), EVENTS[:50]), put(aws, account_key("A2"), EVENTS[50:])]


def org_files(aws) -> list[str]:  # the same records, cut elsewhere and in another order
    return [put(aws, org_key("O1"), EVENTS[:33][::-1]), put(aws, org_key("O2"), EVENTS[33:90]),
            put(aws, org_key("O3"), EVENTS[90:][::-1])]


@pytest.mark.parametrize("order", ["account-first", "org-first", "interleaved"])
def test_account_and_organization_trails_in_one_batch_store_each_event_once(aws, order):
    account, org = account_files(aws), org_files(aws)
    batch = {"account-first": account + org, "org-first": org + account,
             "interleaved": [org[0], account[0], org[1], account[1], org[2]]}[order]
    assert invoke(aws, batch) == {"batchItemFailures": []}
    assert_exactly_once(aws, EVENTS)


@pytest.mark.parametrize("first", ["account", "org"])
def test_account_and_organization_trails_in_separate_batches_store_each_event_once(aws, first):
    account, org = account_files(aws), org_files(aws)
    batches = [account, org] if first == "account" else [org, account]
    for batch in batches:
        assert invoke(aws, batch) == {"batchItemFailures": []}
    assert_exactly_once(aws, EVENTS)
    # and every later redelivery, alone or mixed with the other trail's files, changes nothing
    assert invoke(aws, [account[1], org[1], account[0]]) == {"batchItemFailures": []}
    assert invoke(aws, org + account) == {"batchItemFailures": []}
    assert_exactly_once(aws, EVENTS)


def test_a_redelivered_owner_staged_after_the_other_trails_copy_keeps_its_counts(aws):
    """The organization trail's file owns its events (stored first); the account trail's copy of
    part of them comes in one batch with a redelivery of that file, and is staged first: the
    owner must still write its counts with all its events, not lose those the copy also holds."""
    whole = put(aws, org_key("whole"), EVENTS)
    assert invoke(aws, [whole]) == {"batchItemFailures": []}
    assert_exactly_once(aws, EVENTS)
    part = put(aws, account_key("part"), EVENTS[10:70])
    assert invoke(aws, [part, whole]) == {"batchItemFailures": []}
    assert_exactly_once(aws, EVENTS)


# ---- (b) a file delivered three times, and a batch whose write failed midway, retried
BIG = [record(i) for i in range(1300)]


def fail_after(client, operation: str, calls: int):
    """Make ``client`` raise on every ``operation`` after its first ``calls``; returns the undo."""
    made = []

    def hook(**_):
        made.append(1)
        if len(made) > calls:
            raise RuntimeError(f"injected: the Lambda died after {calls} {operation} calls")

    unique = f"fail-{operation}-{calls}"
    client.meta.events.register(f"before-call.dynamodb.{operation}", hook, unique_id=unique)
    return lambda: client.meta.events.unregister(f"before-call.dynamodb.{operation}", unique_id=unique)


@pytest.mark.parametrize("operation,calls", [("BatchWriteItem", 0), ("BatchWriteItem", 1), ("BatchWriteItem", 3),
                                             ("BatchWriteItem", 5), ("UpdateItem", 2), ("UpdateItem", 9)])
def test_a_file_delivered_three_times_and_a_batch_retried_after_a_failed_write_are_exact(aws, monkeypatch, operation, calls):
    """The batch holds a file twice and another that overlaps its second part; its write dies after
    ``calls`` requests, in a write made while staging (the writer holds at most BUFFER_EVENTS
    events: made small here) or in the batch's last one. Retried, then delivered a third time: exact."""
    from cloudtrail_tracker.dal import writer

    monkeypatch.setattr(writer, "BUFFER_EVENTS", 1000)
    big = put(aws, account_key("big"), BIG[:1100])  # two parts
    other = put(aws, org_key("other"), BIG[900:])  # overlaps the first file's second part
    undo = fail_after(clients.client("dynamodb"), operation, calls)  # the handler's client
    try:
        again = failed_keys(invoke(aws, [big, other, big]))  # the file twice in one batch, and the write dies midway
    finally:
        undo()
    assert again  # SQS delivers what failed again (what the batch acknowledged is gone from the queue)
    assert invoke(aws, again) == {"batchItemFailures": []}  # the retry, on the same instance
    clients.reset()  # and the third delivery, on a fresh one
    assert invoke(aws, [big]) == {"batchItemFailures": []}
    assert_exactly_once(aws, BIG)
    assert aws.dead_letters() == []


# ---- (c) bounded items whatever the records hold
CJK = [chr(c) for c in range(0x4E00, 0x9FFF)]  # 3 bytes each in UTF-8


def cjk(rng: random.Random, characters: int) -> str:
    return "".join(rng.choice(CJK) for _ in range(characters))


def hostile_calls(shape: str) -> list[dict]:
    """450 failed RunInstances of one actor, each with its own instanceType (and, in the UTF-8 shape,
    its own error code as long as a key allows), beside other actors' events of that account, region, day."""
    rng = random.Random(9)
    calls = []
    for n in range(450):
        if shape == "ascii-1kb-instance-types":
            instance_type, error = f"{n:04d}" + "x" * 1020, "Client.InvalidParameterValue"
        else:  # the longest value a counter may be named by, and the longest error code, in 3-byte characters
            instance_type, error = cjk(rng, 240), cjk(rng, 299)
        calls.append(record(10_000 + n, eventTime=f"2025-03-06T03:{n % 10:02d}:{n % 60:02d}Z", errorCode=error,
                            errorMessage="x" * 2000, requestParameters={"instanceType": instance_type},
                            userIdentity={"type": "IAMUser", "userName": "mallory", "accountId": ACCOUNT}))
    return calls + [record(i) for i in range(200)]


@pytest.mark.parametrize("shape", ["ascii-1kb-instance-types", "utf8-tracked-values-and-error-codes"])
def test_one_actor_with_hundreds_of_distinct_values_writes_only_bounded_items(aws, monkeypatch, shape):
    monkeypatch.setenv("DEAD_LETTER_QUEUE_URL", aws.resources.dead_letter_url)
    clients.reset()
    calls = hostile_calls(shape)
    rng = random.Random(4)
    rng.shuffle(calls)
    assert invoke(aws, [put(aws, account_key("hostile"), calls)]) == {"batchItemFailures": []}
    assert aws.dead_letters() == []
    assert_bounded(aws)
    assert_exactly_once(aws, calls)
    totals = counts(scan(aws.dynamodb, aws.resources.table))[("mallory", "2025-03-06")]
    assert totals["e:RunInstances"] == 450
    errors = {name for name in totals if name.startswith("x:")}
    assert len(errors) == (1 if shape.startswith("ascii") else 450)
    if not shape.startswith("ascii"):  # tracked: one counter per value, each counted once
        tracked = [name for name in totals if name.startswith("a:RunInstances:instanceType=")]
        assert len(tracked) == 450 and {totals[name] for name in tracked} == {1}


def test_every_key_fits_whatever_the_record_holds(aws, monkeypatch):
    """Names as long as a record may make them, in 4-byte characters, feed every key."""
    monkeypatch.setenv("DEAD_LETTER_QUEUE_URL", aws.resources.dead_letter_url)
    clients.reset()
    emoji = "\U0001F600"
    records = [
        record(1, eventID=emoji * 128),  # 512 bytes: the longest eventID kept
        record(2, userIdentity={"type": "IAMUser", "userName": emoji * 5000, "accountId": ACCOUNT}),
        record(3, userIdentity={"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/" + "r" * 3000 + "/" + emoji * 3000,
                                "sessionContext": {"sessionIssuer": {"userName": "r" * 3000}}}),
        record(4, eventSource=emoji * 200 + ".amazonaws.com", errorCode=emoji * 225, eventName=emoji * 225),
        record(5, awsRegion=emoji * 64, recipientAccountId=emoji * 64),
        record(6, resources=[{"ARN": "arn:aws:s3:::" + emoji * 500}] * 20, sourceIPAddress=emoji * 64),
    ]
    key = f"AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/{DAY}/" + "k" * 700 + ".json.gz"  # S3 keys take up to 1,024 bytes
    assert invoke(aws, [put(aws, key, records)]) == {"batchItemFailures": []}
    assert aws.dead_letters() == []
    stored = Counter(e["eventID"] for e in aws.events())
    assert set(stored.values()) == {1} and len(stored) == len(records)
    assert_bounded(aws)
    for kind in (keys.ACTOR_REGISTRY, keys.SERVICE_REGISTRY, keys.ERROR_REGISTRY):
        assert aws.items(kind)  # listed, under bounded names


# ---- (d) a claim item that fills while two files claim the same slot
@pytest.mark.parametrize("cut_in_after", [0, 1, 3])
def test_a_full_claim_item_between_two_files_still_gives_exactly_once(aws, monkeypatch, cut_in_after):
    """CLAIM_CAP small: the slot's root fills and its children take over, while a second Lambda
    instance claims the same slot in the middle of the first one's claims (its whole write runs
    before the first one's ``cut_in_after``-th claim request)."""
    from cloudtrail_tracker.ingest_service import FileIngester
    from cloudtrail_tracker.settings import StoreSettings

    monkeypatch.setattr(keys, "CLAIM_CAP", 5)
    one_slot = [record(i, eventTime=f"2025-03-06T03:{20 + i % 5:02d}:{i % 60:02d}Z") for i in range(300)]
    first = put(aws, account_key("first"), one_slot[:200])
    second = put(aws, org_key("second"), one_slot[100:][::-1])
    settings = StoreSettings.from_env()
    client = aws.session.client("dynamodb")  # the first instance's
    ingesters = [FileIngester(aws.session.client("s3"), dynamodb, settings)
                 for dynamodb in (client, aws.session.client("dynamodb"))]
    calls, cut_in = [], threading.Event()

    def other_instance_cuts_in(**_):
        calls.append(1)
        if len(calls) > cut_in_after and not cut_in.is_set():
            cut_in.set()
            ingesters[1].ingest(aws.resources.bucket, second)

    client.meta.events.register("before-call.dynamodb.UpdateItem", other_instance_cuts_in, unique_id="cut-in")
    report = ingesters[0].ingest(aws.resources.bucket, first)
    client.meta.events.unregister("before-call.dynamodb.UpdateItem", unique_id="cut-in")
    assert cut_in.is_set()
    assert_exactly_once(aws, one_slot)
    claims = [item for item in scan(aws.dynamodb, aws.resources.table) if item["pk"].startswith("K#")]
    assert len(claims) > 1  # the root filled: children hold the rest
    assert report.stored + report.duplicates == 200
    # both files again, each on the other instance: nothing changes
    ingesters[1].ingest(aws.resources.bucket, first)
    ingesters[0].ingest(aws.resources.bucket, second)
    assert_exactly_once(aws, one_slot)
