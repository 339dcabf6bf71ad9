"""The bill meter on a real botocore client and moto: it sees the bodies actually sent and their outcomes."""

from __future__ import annotations

from collections import Counter

from cloudtrail_tracker.dal.writer import EventWriter
from cloudtrail_tracker.local.billing import (
    INDEX_KIND,
    Meter,
    TableReader,
    item_size,
    write_units,
)
from cloudtrail_tracker.models import Actor, FileReport, StoredEvent
from tests.stored import scan

INDEXED = "indexed"  # the v2 table has no secondary index: the index rules are checked on one that has


def indexed_table(client) -> str:
    client.create_table(
        TableName=INDEXED, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "byActor", "ts")],
        GlobalSecondaryIndexes=[{"IndexName": "ByActor", "KeySchema": [
            {"AttributeName": "byActor", "KeyType": "HASH"}, {"AttributeName": "ts", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["actor"]}}])
    return INDEXED


def metered(aws):
    meter = Meter(TableReader(aws.session.client("dynamodb")), kind_of=lambda key: key["pk"]["S"].split("#")[0])
    client = aws.session.client("dynamodb")
    meter.attach(client.meta.events)
    return meter, client


def sized(size: int, pk: str, **extra) -> dict:
    item = {"pk": {"S": pk}, "sk": {"S": "EVENT"}, **extra, "d": {"S": ""}}
    from cloudtrail_tracker.local.billing import item_size

    item["d"] = {"S": "x" * (size - item_size(item))}
    return item


def test_transactions_updates_and_reads_are_billed_by_the_rules(aws):
    meter, client = metered(aws)
    table = indexed_table(client)
    meter.take()
    item = sized(1126, "E#1", byActor={"S": "U#alice"}, ts={"S": "2025-03-06T00:00:00Z#1"}, actor={"S": "alice"})
    put = {"Put": {"TableName": table, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}
    client.transact_write_items(TransactItems=[put])
    usage = meter.take()
    assert usage.write_units == {"E": 4, INDEX_KIND: 1}  # 1.1 KB x2 in a transaction; one small ByActor entry

    try:
        client.transact_write_items(TransactItems=[put])
    except client.exceptions.TransactionCanceledException:
        pass
    assert meter.take().write_units == {"E": 2}  # cancelled: the prepare phase, no index write

    client.put_item(TableName=table, Item=sized(4000, "C#2025-03", n={"N": "1"}))
    meter.take()
    client.update_item(TableName=table, Key={"pk": {"S": "C#2025-03"}, "sk": {"S": "EVENT"}},
                       UpdateExpression="ADD n :one", ExpressionAttributeValues={":one": {"N": "1"}})
    assert meter.take().write_units == {"C": 4}

    client.get_item(TableName=table, Key={"pk": {"S": "C#2025-03"}, "sk": {"S": "EVENT"}}, ProjectionExpression="n")
    client.query(TableName=table, IndexName="ByActor", KeyConditionExpression="byActor = :a",
                 ExpressionAttributeValues={":a": {"S": "U#alice"}, ":x": {"S": "nobody"}},
                 FilterExpression="actor = :x")
    usage = meter.take()
    # GetItem by the stored 4 KB item, not the projection; the Query by the entry it read, though it returned none
    assert usage.read_units == {"GetItem": 0.5, "Query": 0.5}
    assert usage.requests == {"GetItem": 1, "Query": 1}


def _event(event_id: str) -> StoredEvent:
    return StoredEvent(
        event_id=event_id, event_time="2025-03-06T10:00:00Z", event_name="RunInstances",
        event_source="ec2.amazonaws.com", service="ec2", actor=Actor("alice", "IAMUser", account="111122223333"),
        account="111122223333", region="us-east-1", source_ip="10.0.0.1", error_code="AccessDenied", read_only=False,
        resources=(), tracked=(),
    )


def _write(client, table: str, events: list[StoredEvent]) -> FileReport:
    writer = EventWriter(client, table)
    report = FileReport()
    sink = writer.file("trail-bucket", "AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/06/f.json.gz", report)
    for ordinal, event in enumerate(events):
        sink.add(event, ordinal)
    sink.close()
    writer.flush()
    return report


def test_the_writers_swapped_batch_bodies_and_claims_are_what_is_billed(aws):
    """One event through the v2 writer: BatchWriteItem billed per item put (its size rounded up to
    1 KB), the claim and registry UpdateItems by the larger of their images; the placeholder item
    botocore serialised before the body swap is never billed, and no index entry is written."""
    meter, client = metered(aws)
    table = aws.resources.table
    report = _write(client, table, [_event("e-1")])
    usage = meter.take()
    assert report.stored == 1
    items = aws.dynamodb.scan(TableName=table)["Items"]
    expected = Counter()
    for item in items:  # every item is new: a put or an update of nothing, billed by its size
        expected[item["pk"]["S"].split("#")[0]] += write_units(item_size(item))
    assert dict(usage.write_units) == dict(expected)
    assert INDEX_KIND not in usage.write_units and "-" not in usage.write_units
    assert set(expected) == {"K", "ACTOR", "SERVICE", "MONTH", "DAY", "ERROR", "EVENT-NAME", "ACCOUNT", "C", "D", "G", "X", "P"}
    batched = [i for i in items if i["pk"]["S"].split("#")[0] in ("C", "E", "D", "G", "U", "X", "P")]
    assert usage.requests["BatchWriteItem"] == 1 and len(batched) == 5  # counts, three pages, calls
    assert usage.requests["UpdateItem"] == 1 + 7  # one claim, seven registry entries
    assert usage.read_units == {}
    count, item_bytes, entry_bytes, entries = meter.stored(table)
    assert count == len(scan(aws.dynamodb, table)) and entries == 0

    # the same event again (a redelivered file): the claim answers "yours", the same items are put again
    again = _write(client, table, [_event("e-1")])
    usage = meter.take()
    assert (again.stored, again.duplicates) == (0, 1)
    assert usage.write_units["K"] == expected["K"] and usage.write_units["C"] == expected["C"]
    assert usage.write_units["E"] == expected["E"] and usage.write_units["D"] == expected["D"]
