"""Every key fits DynamoDB's limits whatever a record holds; long values stay apart."""

from __future__ import annotations

from cloudtrail_tracker.dal import keys


def _bytes(value: str) -> int:
    return len(value.encode("utf-8", "surrogatepass"))


def test_long_values_are_bounded_and_distinct():
    a, b = "é" * 5000 + "a", "é" * 5000 + "b"
    assert _bytes(keys.bounded(a, 900)) <= 900
    assert keys.bounded(a, 900) != keys.bounded(b, 900)
    assert keys.bounded("alice", 900) == "alice"


def test_keys_fit_dynamodb_limits():
    huge = "x" * 10_000
    assert _bytes(keys.page_pk(keys.VIEW_ACTOR, huge)) <= keys.MAX_PK_BYTES
    assert _bytes(keys.locator_key(huge)["pk"]["S"]) <= keys.MAX_PK_BYTES
    assert _bytes(keys.claim_pk(huge, huge, "2024-01-15T10:07:00Z")) <= keys.MAX_PK_BYTES
    assert _bytes(keys.registry_key(keys.ACTOR_REGISTRY, huge)["sk"]["S"]) <= keys.MAX_SK_BYTES
    assert _bytes(keys.page_sk("2024-01-15T10:07:00Z", keys.part_tag("b", huge, 12), 3)) <= keys.MAX_SK_BYTES
    assert _bytes(keys.claim_entry(huge, keys.part_tag("b", "k", 0))) <= keys.MAX_EVENT_ID_BYTES + 20


def test_claim_slots_are_five_minutes_and_children_split_by_hash():
    assert keys.claim_pk("1", "r", "2024-01-15T10:07:59Z") == keys.claim_pk("1", "r", "2024-01-15T10:05:00Z")
    assert keys.claim_pk("1", "r", "2024-01-15T10:10:00Z") != keys.claim_pk("1", "r", "2024-01-15T10:09:59Z")
    assert keys.claim_sk("any", 0) == "0"
    children = {keys.claim_sk(f"id-{n}", 2) for n in range(200)}
    assert children == {"2.0", "2.1", "2.2", "2.3"}
