"""BatchWriter on a real botocore client whose HTTP requests are answered in the test (a
``before-send`` hook): requests split at 25 items, unprocessed items sent again, and an error
(never a silent loss) when DynamoDB keeps refusing them."""

from __future__ import annotations

import boto3
import orjson
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from cloudtrail_tracker.dal.batch import MAX_ROUNDS, BatchWriter, UnprocessedItemsError


class _Raw:
    def __init__(self, body: bytes):
        self._body = body

    def stream(self, **_):
        yield self._body


def _item(number: int) -> dict:
    return {"pk": {"S": f"P#{number}"}, "sk": {"S": "s"}, "s": {"B": b"\x00\x01"}}


def _on_the_wire(number: int) -> dict:
    return {"PutRequest": {"Item": {**_item(number), "s": {"B": "AAE="}}}}


class Answers:
    """The DynamoDB of these tests: records each request body and answers from a list."""

    def __init__(self, client):
        self.sent: list[list[dict]] = []
        self.replies: list[tuple[int, dict]] = []
        client.meta.events.register("before-send.dynamodb.BatchWriteItem", self._answer)

    def add(self, body: dict, status: int = 200) -> None:
        self.replies.append((status, body))

    def _answer(self, request, **_):
        self.sent.append(orjson.loads(request.body)["RequestItems"]["t"])
        status, body = self.replies.pop(0)
        return AWSResponse(request.url, status, {"x-amzn-requestid": "test"}, _Raw(orjson.dumps(body)))


@pytest.fixture
def stubbed():
    client = boto3.client("dynamodb", region_name="us-east-1",
                          config=boto3.session.Config(retries={"mode": "standard", "max_attempts": 1}))
    answers = Answers(client)
    return client, answers, answers.sent


def test_items_go_in_requests_of_at_most_25(stubbed):
    client, stubber, sent = stubbed
    for _ in range(3):
        stubber.add({"UnprocessedItems": {}})
    writer = BatchWriter(client, "t", sleep=lambda _: None)
    writer.put([_item(n) for n in range(60)])
    assert [len(request) for request in sent] == [25, 25, 10]
    assert writer.requests == 3
    assert [r["PutRequest"]["Item"]["pk"]["S"] for request in sent for r in request] == [f"P#{n}" for n in range(60)]
    assert sent[0][0]["PutRequest"]["Item"]["s"] == {"B": "AAE="}  # binary as DynamoDB's base64


def test_unprocessed_items_are_sent_again(stubbed):
    client, stubber, sent = stubbed
    left = [_on_the_wire(3), _on_the_wire(4)]
    stubber.add({"UnprocessedItems": {"t": left}})
    stubber.add({"UnprocessedItems": {}})
    BatchWriter(client, "t", sleep=lambda _: None).put([_item(n) for n in range(5)])
    assert len(sent[0]) == 5
    assert [r["PutRequest"]["Item"]["pk"]["S"] for r in sent[1]] == ["P#3", "P#4"]
    assert stubber.replies == []


def test_items_still_unprocessed_after_the_last_round_raise(stubbed):
    client, stubber, _ = stubbed
    left = [_on_the_wire(1)]
    for _ in range(MAX_ROUNDS):
        stubber.add({"UnprocessedItems": {"t": left}})
    with pytest.raises(UnprocessedItemsError, match=f"1 items unprocessed after {MAX_ROUNDS} rounds"):
        BatchWriter(client, "t", sleep=lambda _: None).put([_item(1), _item(2)])


def test_a_refused_request_raises(stubbed):
    client, stubber, _ = stubbed
    stubber.add({"__type": "com.amazon.coral.validate#ValidationException",
                 "message": "Item size has exceeded the maximum allowed size"}, status=400)
    with pytest.raises(ClientError, match="maximum allowed size"):
        BatchWriter(client, "t", sleep=lambda _: None).put([_item(1)])
