"""Folding one resource's changes into its state: order-independent, duplicates ignored, delete final,
stop/start intervals, resize attributes; checked for every type in the catalog."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from cloudtrail_tracker.resources import Interval, ResourceChange, fold, load_catalog
from cloudtrail_tracker.resources.lifecycle import MAX_INTERVALS

T1, T2, T3, T4, T5 = "2025-03-06T09:00:00Z", "2025-03-06T10:00:00Z", "2025-03-06T11:00:00Z", "2025-03-06T12:00:00Z", "2025-03-06T13:00:00Z"
TYPES = sorted(load_catalog().types)


def change(kind: str, time: str, *, type_id: str = "ec2-instance", resource_id: str = "r-1", event_id: str | None = None,
           attributes: dict[str, str] | None = None, arn: str = "") -> ResourceChange:
    return ResourceChange(
        resource_type=type_id, resource_id=resource_id, arn=arn, kind=kind, event_id=event_id or f"{kind}-{time}",
        event_time=time, event_name=f"{kind}-call", attributes=tuple(sorted((attributes or {}).items())),
    )


def life_of(type_id: str) -> tuple[list[ResourceChange], list[Interval], dict[str, str]]:
    """A whole life: create, stop and start (if the type has them), resize (if it has one), delete;
    with the intervals and attributes a person would write down for it."""
    resource_type = load_catalog().types[type_id]
    name = resource_type.attributes[0][0] if resource_type.attributes else "size"
    changes = [change("create", T1, type_id=type_id, attributes={name: "small"}, arn=f"arn:aws:x:::{type_id}")]
    if resource_type.can_stop:
        changes += [change("stop", T2, type_id=type_id), change("start", T3, type_id=type_id)]
        intervals = [Interval("running", T1, T2), Interval("stopped", T2, T3), Interval("running", T3, T5)]
    else:
        intervals = [Interval("running", T1, T5)]
    attributes = {name: "small"}
    if resource_type.events("resize"):
        changes.append(change("resize", T4, type_id=type_id, attributes={name: "large"}))
        attributes = {name: "large"}
    changes.append(change("delete", T5, type_id=type_id))
    return changes, intervals, attributes


@pytest.mark.parametrize("type_id", TYPES)
def test_a_whole_life_in_order(type_id):
    changes, intervals, attributes = life_of(type_id)
    state = fold(changes)
    assert state.state == "deleted"
    assert (state.created_at, state.created_event_id) == (T1, f"create-{T1}")
    assert (state.deleted_at, state.deleted_event_id) == (T5, f"delete-{T5}")
    assert list(state.intervals) == intervals
    assert state.attributes == attributes
    assert state.changes == len(changes)
    assert state.arn == f"arn:aws:x:::{type_id}"
    assert state.bills_when_stopped is load_catalog().types[type_id].bills_when_stopped


@pytest.mark.parametrize("type_id", TYPES)
def test_arrival_order_and_redelivery_do_not_matter(type_id):
    changes, _, _ = life_of(type_id)
    expected = fold(changes)
    shuffler = random.Random(type_id)
    for _ in range(10):
        redelivered = changes + [replace(c, event_name="again") for c in shuffler.sample(changes, k=2)]
        shuffler.shuffle(redelivered)
        assert fold(redelivered) == expected


@pytest.mark.parametrize("type_id", TYPES)
def test_delete_seen_before_create_still_ends_deleted(type_id):
    state = fold([change("delete", T5, type_id=type_id), change("create", T1, type_id=type_id)])
    assert state.state == "deleted" and state.created_at == T1 and state.deleted_at == T5
    assert list(state.intervals) == [Interval("running", T1, T5)]


@pytest.mark.parametrize("type_id", TYPES)
def test_still_running_before_delete(type_id):
    changes, intervals, _ = life_of(type_id)
    state = fold(changes[:-1])
    assert state.state == "running" and state.deleted_at is None
    assert state.intervals[-1].end is None and state.intervals[-1].state == "running"
    assert state.intervals[:-1] == tuple(intervals[:-1])


@pytest.mark.parametrize("type_id", [t for t in TYPES if load_catalog().types[t].can_stop])
def test_only_stop_and_start_seen(type_id):
    # arrival order start, stop; times say stop came first
    state = fold([change("start", T3, type_id=type_id), change("stop", T2, type_id=type_id)])
    assert state.state == "running" and state.created_at is None
    assert list(state.intervals) == [Interval("stopped", T2, T3), Interval("running", T3, None)]
    stopped = fold([change("stop", T2, type_id=type_id)])
    assert stopped.state == "stopped" and list(stopped.intervals) == [Interval("stopped", T2, None)]


@pytest.mark.parametrize("type_id", [t for t in TYPES if load_catalog().types[t].events("resize")])
def test_only_a_resize_seen(type_id):
    state = fold([change("resize", T4, type_id=type_id, attributes={"size": "large"})])
    assert state.attributes == {"size": "large"} and state.created_at is None
    if load_catalog().types[type_id].can_stop:
        assert state.state == "unknown" and state.intervals == ()
    else:  # a type that cannot be stopped runs whenever it exists
        assert state.state == "running" and list(state.intervals) == [Interval("running", T4, None)]


def test_stop_and_start_in_the_same_second_order_start_first():
    for arrival in (["stop", "start"], ["start", "stop"]):
        changes = [change("create", T1)] + [change(kind, T2, event_id=f"{kind}-same") for kind in arrival]
        state = fold(changes)
        assert state.state == "stopped"
        assert list(state.intervals) == [Interval("running", T1, T2), Interval("stopped", T2, None)]


def test_nothing_happens_after_delete():
    state = fold([change("create", T1), change("delete", T2), change("start", T3), change("stop", T4),
                  change("resize", T5, attributes={"instanceType": "x"})])
    assert state.state == "deleted" and state.deleted_at == T2
    assert list(state.intervals) == [Interval("running", T1, T2)]
    assert state.attributes == {}


def test_a_name_created_again_after_delete_starts_a_new_life():
    state = fold([change("create", T1, attributes={"size": "1"}), change("delete", T2), change("create", T4, attributes={"tier": "2"})])
    assert state.state == "running" and state.created_at == T4 and state.deleted_at is None
    assert state.attributes == {"tier": "2"}
    assert list(state.intervals) == [Interval("running", T1, T2), Interval("running", T4, None)]


def test_repeated_stops_make_one_interval():
    state = fold([change("create", T1), change("stop", T2), change("stop", T3), change("start", T4)])
    assert list(state.intervals) == [Interval("running", T1, T2), Interval("stopped", T2, T4), Interval("running", T4, None)]
    assert state.changes == 4


def test_resizes_apply_in_time_order_not_arrival_order():
    state = fold([change("resize", T3, attributes={"instanceType": "t3.large"}),
                  change("create", T1, attributes={"instanceType": "t3.micro"}),
                  change("resize", T2, attributes={"instanceType": "t3.small", "ebs": "gp3"})])
    assert state.attributes == {"instanceType": "t3.large", "ebs": "gp3"}


def test_changes_without_an_event_id_are_told_apart_by_time_and_kind():
    state = fold([change("create", T1, event_id=""), change("create", T1, event_id=""), change("stop", T2, event_id="")])
    assert state.changes == 2 and state.state == "stopped"


def test_intervals_are_bounded_and_the_oldest_merged():
    times = [f"2025-03-{1 + n // 1440:02d}T{(n // 60) % 24:02d}:{n % 60:02d}:00Z" for n in range(1200)]
    changes = [change("create", times[0])] + [change("stop" if n % 2 else "start", t) for n, t in enumerate(times[1:], 1)]
    state = fold(changes)
    assert len(state.intervals) == MAX_INTERVALS and state.intervals_merged
    assert state.intervals[0].start == times[0] and state.intervals[-1].end is None
    assert all(a.end == b.start for a, b in zip(state.intervals, state.intervals[1:]))
    assert not fold(changes[:100]).intervals_merged


def test_fold_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        fold([])


def test_fold_is_per_resource():
    with pytest.raises(ValueError, match="per resource"):
        fold([change("create", T1, resource_id="a"), change("delete", T2, resource_id="b")])


def test_state_from_real_extracted_changes():
    """The extraction's own output folds: RunInstances (real record) then a later StopInstances of the same id."""
    import json
    from pathlib import Path

    from cloudtrail_tracker.resources import changes_of

    lines = (Path(__file__).with_name("records") / "panther.ndjson").read_text(encoding="utf-8").splitlines()
    records = {r["_panther_test_name"]: r for r in map(json.loads, lines)}
    run = records["Single vulnerable AMI Launched"]
    stop = json.loads(json.dumps(records["CloudTrail Instances Were Stopped"]).replace("i-EXAMPLE56126103cb", "i-00000000000000000"))
    created = changes_of(run, event_id=run["eventID"], event_time="2024-04-02T15:13:06Z", account="123456789012", region="us-west-2")
    stopped = [c for c in changes_of(stop, event_id=stop["eventID"], event_time="2024-04-03T09:00:00Z", account="123456789012",
                                     region="us-west-2") if c.resource_id == "i-00000000000000000"]
    state = fold(stopped + created)
    assert state.state == "stopped" and state.attributes == {"instanceType": "t3a.micro"}
    assert state.arn == "arn:aws:ec2:us-west-2:123456789012:instance/i-00000000000000000"
    assert list(state.intervals) == [Interval("running", "2024-04-02T15:13:06Z", "2024-04-03T09:00:00Z"),
                                     Interval("stopped", "2024-04-03T09:00:00Z", None)]
