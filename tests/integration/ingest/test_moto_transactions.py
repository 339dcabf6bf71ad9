"""The moto fix the local stack installs keeps DynamoDB's transaction semantics."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from cloudtrail_tracker.local import moto_patches


@pytest.fixture
def table():
    moto_patches.apply()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}])
        yield client


def put(pk, condition=True):
    action = {"TableName": "t", "Item": {"pk": {"S": pk}, "sk": {"S": "x"}, "v": {"N": "1"}}}
    if condition:
        action["ConditionExpression"] = "attribute_not_exists(pk)"
    return {"Put": action}


def add(pk, n):
    return {"Update": {"TableName": "t", "Key": {"pk": {"S": pk}, "sk": {"S": "x"}}, "UpdateExpression": "ADD v :n",
                       "ExpressionAttributeValues": {":n": {"N": str(n)}}}}


def value(client, pk):
    item = client.get_item(TableName="t", Key={"pk": {"S": pk}, "sk": {"S": "x"}}).get("Item")
    return item and int(item["v"]["N"])


def test_all_or_nothing_with_reasons(table):
    table.transact_write_items(TransactItems=[put("a"), add("counter", 5)])
    with pytest.raises(ClientError) as raised:
        table.transact_write_items(TransactItems=[put("b"), put("a"), add("counter", 7)])
    reasons = [r["Code"] for r in raised.value.response["CancellationReasons"]]
    assert reasons == ["None", "ConditionalCheckFailed", "None"]
    assert value(table, "b") is None and value(table, "counter") == 5


def test_a_failing_update_rolls_back_what_was_written(table):
    table.transact_write_items(TransactItems=[put("a")])
    bad = {"Update": {"TableName": "t", "Key": {"pk": {"S": "a"}, "sk": {"S": "x"}}, "UpdateExpression": "ADD v :n",
                      "ExpressionAttributeValues": {":n": {"S": "not a number"}}}}
    with pytest.raises(ClientError):
        table.transact_write_items(TransactItems=[put("new", condition=False), add("counter", 1), bad])
    assert value(table, "new") is None and value(table, "counter") is None and value(table, "a") == 1


def test_two_actions_on_one_item_are_refused(table):
    with pytest.raises(ClientError, match="multiple operations"):
        table.transact_write_items(TransactItems=[put("a"), add("a", 1)])
