"""local/moto_speed.py: a Query on patched moto reads only its partition and answers exactly what DynamoDB (and
unpatched moto) answers: key conditions, order, limits and pages, from any thread; Scans and index Queries as before."""

from __future__ import annotations

import threading

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models.table import Table

from cloudtrail_tracker.local import moto_speed


@pytest.fixture
def client():
    moto_speed.apply()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="t", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "g")],
            GlobalSecondaryIndexes=[{"IndexName": "Sevens", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                     "Projection": {"ProjectionType": "ALL"}}])
        for p in range(5):
            for n in range(30):
                item = {"pk": {"S": f"P{p}"}, "sk": {"S": f"{n:03d}"}}
                if n % 7 == 0:
                    item["g"] = {"S": "seven"}
                client.put_item(TableName="t", Item=item)
        yield client


def _sks(client, **request) -> list[str]:
    found, start = [], None
    while True:
        page = client.query(TableName="t", **request, **({"ExclusiveStartKey": start} if start else {}))
        found += [item.get("sk", {}).get("S") for item in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            return found


def test_a_query_answers_its_partition_in_order_with_limits_and_pages(client):
    assert getattr(Table, "_partition_queries", False)
    keys = {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "P3"}}}
    assert _sks(client, **keys) == [f"{n:03d}" for n in range(30)]
    assert _sks(client, **keys, ScanIndexForward=False, Limit=7) == [f"{n:03d}" for n in reversed(range(30))]
    between = {"KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b",
               "ExpressionAttributeValues": {":p": {"S": "P1"}, ":a": {"S": "005"}, ":b": {"S": "012"}}}
    assert _sks(client, **between, Limit=3) == [f"{n:03d}" for n in range(5, 13)]
    assert _sks(client, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "nope"}}) == []


def test_index_queries_and_scans_are_moto_s_own(client):
    index = client.query(TableName="t", IndexName="Sevens", KeyConditionExpression="g = :g",
                         ExpressionAttributeValues={":g": {"S": "seven"}})["Items"]
    assert len(index) == 5 * 5  # n in 0, 7, 14, 21, 28 of each partition
    assert client.scan(TableName="t")["Count"] == 150


def test_queries_from_many_threads_each_get_their_own_partition(client):
    wrong: list[str] = []

    def ask(partition: str) -> None:
        for _ in range(20):
            items = client.query(TableName="t", KeyConditionExpression="pk = :p",
                                 ExpressionAttributeValues={":p": {"S": partition}})["Items"]
            if len(items) != 30 or {item["pk"]["S"] for item in items} != {partition}:
                wrong.append(partition)

    threads = [threading.Thread(target=ask, args=(f"P{p}",)) for p in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
