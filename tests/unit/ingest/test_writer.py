"""EventStore against a scripted DynamoDB: a real botocore client whose requests are answered
from its ``before-send`` event, so the writer's own request body, botocore's retries and
error parsing (``CancellationReasons``) are all real, and no request leaves the process."""

from __future__ import annotations

import base64
import json
import os
import time

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError

from cloudtrail_tracker.dal import keys
from cloudtrail_tracker.dal.writer import MAX_ACTIONS, MAX_ATTEMPTS, ActorRegistry, EventStore, TransactionFailed
from cloudtrail_tracker.models import Actor, StoredEvent

TABLE = "t"


class _Body:
    def __init__(self, data: bytes):
        self._data = data

    def stream(self, **_):
        yield self._data


class ScriptedDynamoDB:
    """Records each HTTP request; ``answer(operation, body)`` returns None (success) or an error
    ``(code, extra fields)``."""

    def __init__(self, answer=None, max_attempts: int = 1):
        self.requests: list[tuple[str, dict]] = []
        self._answer = answer or (lambda operation, body: None)
        self.client = boto3.client(
            "dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x",
            config=Config(retries={"mode": "standard", "total_max_attempts": max_attempts}),
        )
        self.client.meta.events.register("before-send", self._send)

    def _send(self, request, event_name: str, **_):
        operation = event_name.rsplit(".", 1)[1]
        body = json.loads(request.body)
        self.requests.append((operation, body))
        error = self._answer(operation, body)
        status, payload = (200, {}) if error is None else (400, {
            "__type": f"com.amazonaws.dynamodb.v20120810#{error[0]}", "message": error[0], **error[1]})
        return AWSResponse(request.url, status, {"x-amzn-RequestId": "r"}, _Body(json.dumps(payload).encode()))

    def transactions(self) -> list[list[dict]]:
        return [body["TransactItems"] for operation, body in self.requests if operation == "TransactWriteItems"]

    def updates(self) -> list[dict]:
        return [body for operation, body in self.requests if operation == "UpdateItem"]


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch):
    monkeypatch.setattr(time, "sleep", lambda seconds: None)


def stored_event(i: int, actor: str = "alice", day: str = "2025-03-06", resources: tuple[str, ...] = (),
                 record: dict | None = None) -> StoredEvent:
    return StoredEvent(
        event_id=f"evt-{i}", event_time=f"{day}T10:00:{i % 60:02d}Z", event_name="RunInstances",
        event_source="ec2.amazonaws.com", service="ec2", actor=Actor(actor, "IAMUser", account="111122223333"),
        account="111122223333", region="us-east-1", source_ip="203.0.113.1", error_code="", read_only=False,
        resources=resources, tracked=(), record=record or {"eventID": f"evt-{i}"},
    )


def event_ids(actions: list[dict]) -> list[str]:
    return [a["Put"]["Item"][keys.PK]["S"][2:] for a in actions
            if "Put" in a and a["Put"]["Item"][keys.PK]["S"].startswith("E#")]


def counted(actions: list[dict]) -> int:
    """Events the actor-day counters of one transaction add (their ``n``)."""
    total = 0
    for action in actions:
        update = action.get("Update")
        if update and update["Key"][keys.PK]["S"].startswith("C#"):
            placeholder = next(name for name, attribute in update["ExpressionAttributeNames"].items() if attribute == "n")
            total += int(update["ExpressionAttributeValues"][":" + placeholder[1:]]["N"])
    return total


def store(dynamodb: ScriptedDynamoDB, events, registry=None) -> EventStore:
    writer = EventStore(dynamodb.client, TABLE, registry=registry)
    for event in events:
        writer.add(event)
    writer.flush()
    return writer


def test_events_are_split_into_transactions_of_at_most_100_actions():
    dynamodb = ScriptedDynamoDB()
    events = [stored_event(i, actor=f"user{i % 7}", resources=(f"arn:aws:ec2:us-east-1:1:instance/i-{i}",))
              for i in range(250)]
    writer = store(dynamodb, events)
    transactions = dynamodb.transactions()
    assert len(transactions) > 5 and all(len(actions) <= MAX_ACTIONS for actions in transactions)
    assert sorted(sum((event_ids(actions) for actions in transactions), [])) == sorted(e.event_id for e in events)
    assert sum(counted(actions) for actions in transactions) == 250
    assert writer.result.stored == 250 and writer.result.duplicates == 0


def item_bytes(actions: list[dict]) -> int:
    """What DynamoDB counts against a transaction's 4 MB: here, the records' bytes."""
    items = [a["Put"]["Item"] for a in actions if "Put" in a]
    return sum(len(base64.b64decode(item["raw"]["B"])) for item in items if "raw" in item)


def test_large_records_are_split_by_bytes():
    dynamodb = ScriptedDynamoDB()
    # ~170 KB compressed each, 5 MB in all: more than one transaction may carry
    events = [stored_event(i, record={"eventID": f"evt-{i}", "policy": os.urandom(150_000).hex()}) for i in range(30)]
    store(dynamodb, events)
    transactions = dynamodb.transactions()
    assert all(item_bytes(actions) < 4_000_000 for actions in transactions)
    assert sorted(sum((event_ids(actions) for actions in transactions), [])) == sorted(e.event_id for e in events)


def test_events_already_stored_are_taken_out_and_the_rest_written_again():
    def answer(operation, body):
        if operation == "TransactWriteItems" and "evt-3" in event_ids(body["TransactItems"]):
            reasons = [{"Code": "ConditionalCheckFailed"} if event_ids([a]) in (["evt-1"], ["evt-3"]) else {"Code": "None"}
                       for a in body["TransactItems"]]
            return "TransactionCanceledException", {"CancellationReasons": reasons}
        return None

    dynamodb = ScriptedDynamoDB(answer)
    writer = store(dynamodb, [stored_event(i) for i in range(5)])
    first, second = dynamodb.transactions()
    assert event_ids(first) == ["evt-0", "evt-1", "evt-2", "evt-3", "evt-4"] and counted(first) == 5
    assert event_ids(second) == ["evt-0", "evt-2", "evt-4"] and counted(second) == 3
    assert (writer.result.stored, writer.result.duplicates) == (3, 2)


def test_a_conflicting_transaction_is_sent_again_whole():
    answers = iter([("TransactionCanceledException", {"CancellationReasons": [{"Code": "TransactionConflict"}]})])

    dynamodb = ScriptedDynamoDB(lambda operation, body: next(answers, None) if operation == "TransactWriteItems" else None)
    writer = store(dynamodb, [stored_event(i) for i in range(3)])
    first, second = dynamodb.transactions()
    assert first == second
    assert writer.result.stored == 3


def test_conflicts_past_the_last_attempt_raise_a_clear_error():
    def answer(operation, body):
        if operation == "TransactWriteItems":
            reasons = [{"Code": "TransactionConflict"}] + [{"Code": "None"}] * (len(body["TransactItems"]) - 1)
            return "TransactionCanceledException", {"CancellationReasons": reasons}
        return None

    dynamodb = ScriptedDynamoDB(answer)
    with pytest.raises(TransactionFailed, match=rf"cancelled {MAX_ATTEMPTS} times.*TransactionConflict"):
        store(dynamodb, [stored_event(i) for i in range(3)])
    assert len(dynamodb.transactions()) == MAX_ATTEMPTS


def test_a_refused_transaction_is_not_retried():
    def answer(operation, body):
        reasons = [{"Code": "ValidationError", "Message": "bad"}] + [{"Code": "None"}] * (len(body["TransactItems"]) - 1)
        return "TransactionCanceledException", {"CancellationReasons": reasons}

    dynamodb = ScriptedDynamoDB(answer)
    with pytest.raises(TransactionFailed, match="ValidationError"):
        store(dynamodb, [stored_event(1)])
    assert len(dynamodb.transactions()) == 1


@pytest.mark.parametrize("code", ["ThrottlingException", "ProvisionedThroughputExceededException"])
def test_throttling_is_retried_by_botocore_only(code):
    """botocore already retried (max_attempts); retrying that again would multiply the attempts and
    the backoff past the Lambda's timeout. The message fails and SQS tries it later."""
    dynamodb = ScriptedDynamoDB(lambda operation, body: (code, {}), max_attempts=3)
    with pytest.raises(ClientError, match=code):
        store(dynamodb, [stored_event(1)])
    assert len(dynamodb.transactions()) == 3


def last_seen_updates(dynamodb: ScriptedDynamoDB) -> set[tuple[str, str]]:
    return {(u["Key"][keys.PK]["S"], u["Key"][keys.SK]["S"]) for u in dynamodb.updates()
            if "lastSeen" in u["ExpressionAttributeNames"].values()}


def test_stored_events_move_last_seen_forward():
    dynamodb = ScriptedDynamoDB()
    store(dynamodb, [stored_event(1)])
    assert last_seen_updates(dynamodb) == {(keys.ACTOR_REGISTRY, "alice"), (keys.SERVICE_REGISTRY, "ec2")}


def test_events_found_already_stored_still_move_last_seen_forward():
    """A transaction applied whose response was lost (or a Lambda killed right after it):
    on the retry or the redelivery every event is already there, and lastSeen must still be set."""
    def answer(operation, body):
        if operation == "TransactWriteItems":
            reasons = [{"Code": "ConditionalCheckFailed" if event_ids([a]) else "None"} for a in body["TransactItems"]]
            return "TransactionCanceledException", {"CancellationReasons": reasons}
        return None

    dynamodb = ScriptedDynamoDB(answer)
    writer = store(dynamodb, [stored_event(1), stored_event(2, actor="bob")])
    assert writer.result.duplicates == 2
    assert last_seen_updates(dynamodb) == {
        (keys.ACTOR_REGISTRY, "alice"), (keys.ACTOR_REGISTRY, "bob"), (keys.SERVICE_REGISTRY, "ec2")}


def test_last_seen_that_failed_is_written_on_the_next_try():
    failures = iter([("ThrottlingException", {})])
    dynamodb = ScriptedDynamoDB(lambda operation, body: next(failures, None) if operation == "UpdateItem" else None)
    registry = ActorRegistry(dynamodb.client, TABLE)
    with pytest.raises(ClientError):
        store(dynamodb, [stored_event(1)], registry)
    dynamodb.requests.clear()
    store(dynamodb, [stored_event(1)], registry)  # the redelivery, in the same warm process
    assert (keys.ACTOR_REGISTRY, "alice") in last_seen_updates(dynamodb)
