"""The ACTOR registry's firstSeen and lastSeen are the ends of an actor's days (a non-admin's /span reads
them), whatever order one process meets the days in, with a few requests per name, not per event."""

from __future__ import annotations

from cloudtrail_tracker.dal import keys
from cloudtrail_tracker.dal.registries import Registries
from cloudtrail_tracker.models import Actor, StoredEvent


def _event(day: str, n: int = 0, actor: str = "alice") -> StoredEvent:
    return StoredEvent(event_id=f"{day}-{n:04d}", event_time=f"{day}T10:00:{n % 60:02d}Z", event_name="RunInstances",
                       event_source="ec2.amazonaws.com", service="ec2", actor=Actor(actor, "IAMUser", account="111122223333"),
                       account="111122223333", region="us-east-1", source_ip="198.51.100.7", error_code="", read_only=False,
                       resources=(), tracked=())


def _ends(client, actor: str = "alice") -> tuple[str, str]:
    item = client.get_item(TableName="t", Key=keys.registry_key(keys.ACTOR_REGISTRY, actor))["Item"]
    return item["firstSeen"]["S"], item["lastSeen"]["S"]


def test_one_process_meeting_a_newer_day_first_still_moves_first_seen_back(client):
    registries = Registries(client, "t")
    registries.record([_event("2025-03-06")])
    registries.record([_event("2025-03-04")])  # a backfill of older logs, in the same process
    assert _ends(client) == ("2025-03-04", "2025-03-06")
    before = registries.requests
    registries.record([_event("2025-03-05"), _event("2025-03-06", 1)])  # inside the ends: nothing to write for alice
    assert _ends(client) == ("2025-03-04", "2025-03-06")
    assert registries.requests - before == 1  # the new DAY entry, nothing for alice or ec2
    registries.record([_event("2025-03-07")])
    assert _ends(client) == ("2025-03-04", "2025-03-07")


def test_a_write_spanning_days_lists_its_oldest_as_first_seen(client):
    registries = Registries(client, "t")
    registries.record([_event("2025-03-10", n) for n in range(50)] + [_event("2025-03-09", n) for n in range(50)])
    assert _ends(client) == ("2025-03-09", "2025-03-10")
    # and another process that saw only the newer day does not move it forward
    Registries(client, "t").record([_event("2025-03-10", 99)])
    assert _ends(client) == ("2025-03-09", "2025-03-10")
