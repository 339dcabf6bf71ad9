"""One resource's changes -> its state: running / stopped / deleted since when, with what size.

The changes arrive in any order and some twice (SQS redelivery, overlapping backfills), so ``fold`` sorts
them by time and drops repeated event ids: the same set of changes always gives the same state. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from .catalog import load_catalog
from .extract import ResourceChange

MAX_INTERVALS = 500  # a state item stays small; older intervals are merged into the first

# Same-second ties: create, then start, resize, stop, delete. A start on a running instance succeeds (a
# no-op) while a start on a stopping one fails, so "start then stop" is the order in which both calls of a
# same-second pair can have succeeded; delete last because nothing follows it.
KIND_ORDER = {"create": 0, "start": 1, "resize": 2, "stop": 3, "delete": 4}


@dataclass(frozen=True, slots=True)
class Interval:
    state: str  # "running" | "stopped"
    start: str  # time
    end: str | None  # None: still in this state


@dataclass(frozen=True, slots=True)
class ResourceState:
    resource_type: str
    resource_id: str
    arn: str
    state: str  # "running" | "stopped" | "deleted" | "unknown"
    created_at: str | None  # None when the create event was not seen
    created_event_id: str | None
    deleted_at: str | None
    deleted_event_id: str | None
    attributes: dict[str, str]  # current size attributes (latest value of each, in time order)
    intervals: tuple[Interval, ...]  # time-ordered; contiguous within each life of the resource
    changes: int  # distinct changes folded
    bills_when_stopped: bool
    intervals_merged: bool = False  # True when older intervals were merged into the first (MAX_INTERVALS)


def _key(change: ResourceChange) -> tuple[str, ...]:
    # an event id names one call; without one, the call is known by its time, kind and name
    return (change.event_id,) if change.event_id else ("", change.event_time, change.kind, change.event_name)


def _seconds(time: str) -> float | None:
    try:
        return datetime.fromisoformat(time.replace("Z", "+00:00")).timestamp()
    except (ValueError, AttributeError):
        return None


def _merge_oldest(intervals: list[Interval]) -> list[Interval]:
    """Keep the newest MAX_INTERVALS - 1 intervals; the older ones become one, in the state that covered
    most of their time (the last one's state when times cannot be read)."""
    cut = len(intervals) - (MAX_INTERVALS - 1)
    older, newer = intervals[:cut], intervals[cut:]
    totals: dict[str, float] = {}
    for interval in older:
        start, end = _seconds(interval.start), _seconds(interval.end or "")
        if start is not None and end is not None:
            totals[interval.state] = totals.get(interval.state, 0.0) + max(0.0, end - start)
    state = max(totals, key=lambda s: totals[s]) if totals else older[-1].state
    return [Interval(state, older[0].start, older[-1].end), *newer]


def fold(changes: Iterable[ResourceChange]) -> ResourceState:
    """The state of one resource from its changes (any order, duplicates ignored); ValueError when empty
    or when the changes are about more than one resource."""
    distinct: dict[tuple[str, ...], ResourceChange] = {}
    for change in changes:
        distinct.setdefault(_key(change), change)
    if not distinct:
        raise ValueError("fold needs at least one change")
    ordered = sorted(distinct.values(), key=lambda c: (c.event_time, KIND_ORDER.get(c.kind, 2), c.event_id))
    first = ordered[0]
    if any((c.resource_type, c.resource_id) != (first.resource_type, first.resource_id) for c in ordered):
        raise ValueError(f"fold is per resource: got changes for more than {first.resource_type} {first.resource_id}")
    resource_type = load_catalog().types.get(first.resource_type)
    can_stop = resource_type.can_stop if resource_type else True

    arn = ""
    state: str | None = None  # None: not known yet
    created_at: str | None = None
    created_event_id: str | None = None
    deleted_at: str | None = None
    deleted_event_id: str | None = None
    attributes: dict[str, str] = {}
    intervals: list[Interval] = []

    def enter(new_state: str, time: str) -> None:
        nonlocal state
        if intervals and intervals[-1].end is None:
            if intervals[-1].state == new_state:
                state = new_state
                return
            intervals[-1] = Interval(intervals[-1].state, intervals[-1].start, time)
        intervals.append(Interval(new_state, time, None))
        state = new_state

    for change in ordered:
        if state == "deleted":
            if change.kind != "create":
                continue  # nothing happens to a deleted resource
            # the same id created again (bucket, table and DB names are reused): a new life begins
            deleted_at = deleted_event_id = created_at = created_event_id = None
            attributes = {}
            state = None
        arn = arn or change.arn
        attributes.update(change.attributes)
        if change.kind == "create":
            if created_at is None:
                created_at, created_event_id = change.event_time, change.event_id
            enter("running", change.event_time)
        elif change.kind == "start":
            enter("running", change.event_time)
        elif change.kind == "stop":
            enter("stopped", change.event_time)
        elif change.kind == "delete":
            if intervals and intervals[-1].end is None:
                intervals[-1] = Interval(intervals[-1].state, intervals[-1].start, change.event_time)
            state = "deleted"
            deleted_at, deleted_event_id = change.event_time, change.event_id
        elif state is None and not can_stop:
            enter("running", change.event_time)  # a type that cannot be stopped runs while it exists

    merged = len(intervals) > MAX_INTERVALS
    if merged:
        intervals = _merge_oldest(intervals)
    return ResourceState(
        resource_type=first.resource_type,
        resource_id=first.resource_id,
        arn=arn,
        state=state or "unknown",
        created_at=created_at,
        created_event_id=created_event_id,
        deleted_at=deleted_at,
        deleted_event_id=deleted_event_id,
        attributes=attributes,
        intervals=tuple(intervals),
        changes=len(ordered),
        bills_when_stopped=resource_type.bills_when_stopped if resource_type else False,
        intervals_merged=merged,
    )


MAX_LIVES = 20  # of one id kept (the newest): a name reused more often keeps its latest lives


def lives(changes: Iterable[ResourceChange]) -> list[ResourceState]:
    """The lives of one id, oldest first, each folded on its own: a create after a delete starts a new
    one (a bucket, table or database name reused, perhaps by someone else). The last is its state now."""
    distinct: dict[tuple[str, ...], ResourceChange] = {}
    for change in changes:
        distinct.setdefault(_key(change), change)
    if not distinct:
        raise ValueError("lives needs at least one change")
    ordered = sorted(distinct.values(), key=lambda c: (c.event_time, KIND_ORDER.get(c.kind, 2), c.event_id))
    groups: list[list[ResourceChange]] = [[]]
    deleted = False
    for change in ordered:
        if deleted and change.kind == "create":
            groups.append([])
            deleted = False
        groups[-1].append(change)
        deleted = deleted or change.kind == "delete"
    return [fold(group) for group in groups[-MAX_LIVES:]]
