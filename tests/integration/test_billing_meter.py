"""The bill meter on a real botocore client and moto: it sees the bodies actually sent and their outcomes."""

from __future__ import annotations

from cloudtrail_tracker.dal.writer import EventStore
from cloudtrail_tracker.local.billing import INDEX_KIND, Meter, TableReader
from cloudtrail_tracker.models import Actor, StoredEvent


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
    table = aws.resources.table
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


def test_the_event_stores_swapped_transaction_bodies_are_what_is_billed(aws):
    meter, client = metered(aws)
    event = StoredEvent(
        event_id="e-1", event_time="2025-03-06T10:00:00Z", event_name="RunInstances",
        event_source="ec2.amazonaws.com", service="ec2", actor=Actor("alice", "IAMUser", account="111122223333"),
        account="111122223333", region="us-east-1", source_ip="10.0.0.1", error_code="", read_only=False,
        resources=(), tracked=(), record={"eventName": "RunInstances", "requestParameters": {"n": 1}},
    )
    store = EventStore(client, aws.resources.table)
    store.add(event)
    store.flush()
    usage = meter.take()
    assert usage.read_units == {}  # not the placeholder ConditionCheck botocore serialised
    assert usage.write_units["E"] == 2 and usage.write_units[INDEX_KIND] == 5 + 1  # 5 (ByError is sparse)
    # + the new actor-day counter's ByActor entry
    assert usage.write_units["C"] > 0 and usage.write_units["T"] > 0
    count, item_bytes, entry_bytes, entries = meter.stored(aws.resources.table)
    assert count == len(aws.items("")) and entries == 5 + 1  # the event in 5 indexes, its counter in ByActor
