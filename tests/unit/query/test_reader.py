"""The reader's retries and start-key checks, on a fake DynamoDB client (no AWS)."""

from __future__ import annotations

import pytest

from cloudtrail_tracker.dal import keys, reader as reader_module
from cloudtrail_tracker.dal.reader import EventReader, InvalidStartKey, Partition, UnprocessedKeysError


class FakeClient:
    """batch_get_item leaves the first ``stuck`` answers' keys unprocessed; query answers ``days``."""

    def __init__(self, stuck: int, days: tuple[str, ...] = ()):
        self.stuck = stuck
        self.days = days
        self.batch_calls = 0
        self.queries: list[dict] = []

    def batch_get_item(self, RequestItems):
        self.batch_calls += 1
        (table, request), = RequestItems.items()
        if self.batch_calls <= self.stuck:
            return {"Responses": {table: []}, "UnprocessedKeys": {table: request}}
        return {"Responses": {table: [{**key, "actor": {"S": "alice"}, "day": {"S": key["sk"]["S"][:10]},
                                       "n": {"N": "2"}, "e:RunInstances": {"N": "1"}} for key in request["Keys"]]}}

    def query(self, **request):
        self.queries.append(request)
        return {"Items": [{keys.TS: {"S": keys.counter_ts(day)}} for day in self.days], "ScannedCount": len(self.days)}


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    waited: list[float] = []
    monkeypatch.setattr(reader_module.time, "sleep", waited.append)
    return waited


def test_batch_get_never_returns_partial_data(sleeps):
    client = FakeClient(stuck=10_000)
    with pytest.raises(UnprocessedKeysError):
        EventReader(client, "t").records(["a", "b"])
    assert client.batch_calls == reader_module.BATCH_GET_ROUNDS
    assert len(sleeps) == reader_module.BATCH_GET_ROUNDS - 1 and sleeps == sorted(sleeps) and sleeps[0] > 0


def test_actor_day_rows_retry_unprocessed_keys_with_backoff(sleeps):
    client = FakeClient(stuck=2, days=("2024-01-02", "2024-01-01"))
    rows = EventReader(client, "t").actor_day_rows_of("alice", "2024-01-01", "2024-01-31", names=["e:RunInstances"])
    assert [row["day"] for row in rows] == ["2024-01-01", "2024-01-02"]
    assert rows[0]["counts"] == {"n": 2, "e:RunInstances": 1} and rows[0]["actor"] == "alice"
    assert client.batch_calls == 3 and len(sleeps) == 2 and sleeps[0] < sleeps[1]
    query = client.queries[0]
    assert query["IndexName"] == "ByActor"
    assert query["ExpressionAttributeValues"][":lo"] == {"S": keys.counter_ts("2024-01-01")}


def test_actor_day_rows_stop_when_keys_stay_unprocessed(sleeps):
    with pytest.raises(UnprocessedKeysError):
        EventReader(FakeClient(stuck=10_000, days=("2024-01-01",)), "t").actor_day_rows_of("alice", "2024-01-01", "2024-01-31")


PARTITION = Partition("ByService", "S#s3", *keys.time_range("2024-01-01T00:00:00Z", "2024-01-31T23:59:59Z"))
GOOD = {"pk": {"S": "E#1"}, "sk": {"S": "EVENT"}, "ts": {"S": "2024-01-05T10:00:00Z#1"}, "byService": {"S": "S#s3"}}


@pytest.mark.parametrize("key", [
    {**GOOD, "byService": {"S": "S#ec2"}},
    {**GOOD, "ts": {"S": "2024-02-01T00:00:00Z#1"}},
    {**GOOD, "ts": {"S": "2023-12-31T23:59:59Z#1"}},
    {**GOOD, "pk": {"S": "C#2024-01"}},
    {**GOOD, "sk": {"S": "2024-01-05#alice"}},
    {**GOOD, "ts": {"N": "1"}},
    {**GOOD, "ts": {"S": 1}},
    {**GOOD, "byDay": {"S": "D#2024-01-05"}},
    {k: v for k, v in GOOD.items() if k != "ts"},
    "pk", None, [],
])
def test_start_keys_must_belong_to_the_partition(key):
    assert PARTITION.accepts(GOOD)
    assert not PARTITION.accepts(key)
    with pytest.raises(InvalidStartKey):
        EventReader(FakeClient(0), "t").query_events(PARTITION, limit=1, start_key=key or {"x": {"S": "y"}})


def test_resource_link_start_keys():
    links = Partition(None, "R#arn:aws:s3:::b", *keys.time_range("2024-01-01T00:00:00Z", "2024-01-31T23:59:59Z"))
    assert links.accepts({"pk": {"S": "R#arn:aws:s3:::b"}, "sk": {"S": "2024-01-05T10:00:00Z#1"}})
    assert not links.accepts({"pk": {"S": "R#arn:aws:s3:::other"}, "sk": {"S": "2024-01-05T10:00:00Z#1"}})
    assert not links.accepts({"pk": {"S": "R#arn:aws:s3:::b"}, "sk": {"S": "2025-01-05T10:00:00Z#1"}})


def test_registry_start_keys_must_be_of_the_registry():
    store = EventReader(FakeClient(0), "t")
    for key in ({"pk": {"S": "SERVICE"}, "sk": {"S": "ec2"}}, {"pk": {"S": "ACTOR"}}, {"pk": {"S": "ACTOR"}, "sk": {"N": "1"}}):
        with pytest.raises(InvalidStartKey):
            store.registry(keys.ACTOR_REGISTRY, limit=1, start_key=key)


def test_counter_names_helpers():
    item = {"n": 3, "s:ec2": 2, "e:RunInstances": 1, "x:AccessDenied": 1, "a:RunInstances:instanceType=t2": 1, "actor": "a"}
    assert keys.counters_of(item, "service") == {"ec2": 2}
    assert keys.counters_of(item, "error") == {"AccessDenied": 1}
    assert [name for name in item if keys.is_counter(name)] == ["n", "s:ec2", "e:RunInstances", "x:AccessDenied",
                                                                  "a:RunInstances:instanceType=t2"]


class RegistryClient:
    """query answers the registry entries ``names`` in two pages (a LastEvaluatedKey after the first)."""

    def __init__(self, names: list[str]):
        self.names = names
        self.queries: list[dict] = []

    def query(self, **request):
        self.queries.append(request)
        half = len(self.names) // 2
        if "ExclusiveStartKey" in request:
            return {"Items": [{keys.SK: {"S": n}} for n in self.names[half:]], "ScannedCount": len(self.names) - half}
        return {"Items": [{keys.SK: {"S": n}} for n in self.names[:half]], "ScannedCount": half,
                "LastEvaluatedKey": {keys.PK: {"S": "x"}, keys.SK: {"S": self.names[half - 1]}}}


def test_months_and_error_codes_come_from_one_keys_only_registry_query():
    client = RegistryClient(["2024-01", "2025-06"])
    store = EventReader(client, "t")
    assert store.months_with_events("2013-01-01", "2026-03-10") == ["2024-01", "2025-06"]
    first = client.queries[0]
    assert first["ExpressionAttributeValues"] == {":p": {"S": keys.MONTH_REGISTRY}, ":lo": {"S": "2013-01"},
                                                  ":hi": {"S": "2026-03"}}
    assert "BETWEEN" in first["KeyConditionExpression"] and first["ProjectionExpression"] == "#s"
    assert store.stats.requests == 2  # a page past 1 MB is followed
    client = RegistryClient(["AccessDenied", "Throttling"])
    store = EventReader(client, "t")
    assert store.error_codes() == ["AccessDenied", "Throttling"]
    assert client.queries[0]["ExpressionAttributeValues"] == {":p": {"S": keys.ERROR_REGISTRY}}
