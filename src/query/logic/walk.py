"""Walking a :class:`Plan` page by page within one API call's budget.

A call stops when it has ``limit`` items, or when it has spent its budget of requests or items
read (API Gateway gives 29 s and 6 MB), and returns where it stopped (a :class:`ListPosition`:
the partition, the position within it, or that it is finished), which the route wraps in an
opaque cursor.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cloudtrail_tracker.dal.reader import EventPosition, EventReader, Partition

from .cursor import ListPosition
from .errors import BadRequest
from .filters import record_matches
from .plans import Plan

RECORD_PAGE = 100  # items whose records are read in one BatchGetItem
_BAD = ("next is not a cursor this API issued", "start again without next", "next")


@dataclass(frozen=True)
class Budget:
    max_requests: int = 100  # an empty day or month costs one small Query
    max_items_read: int = 20_000  # ~6 MB of index items: the time bound on real DynamoDB


def _from_position(partitions: list[Partition], descending: bool,
                   position: ListPosition | None) -> Iterator[tuple[Partition, EventPosition | None]]:
    """``partitions`` from ``position`` on, each with the start position to use; a position that is
    not in ``partitions``, or a start that does not belong to its partition, is a 400."""
    if position is None:
        for partition in partitions:
            yield partition, None
        return
    if position.partition not in {partition.value for partition in partitions}:
        raise BadRequest(*_BAD)
    for partition in partitions:
        if partition.value == position.partition:
            if position.finished:
                continue
            if position.start is not None and not partition.accepts(position.start):
                raise BadRequest(*_BAD)
            yield partition, position.start
        elif (partition.value < position.partition) if descending else (partition.value > position.partition):
            yield partition, None


def _remaining(plan: Plan, position: ListPosition | None) -> Iterator[tuple[Partition, EventPosition | None]]:
    if not plan.months:
        yield from _from_position(list(plan.partitions), plan.descending_values, position)
        return
    start_month = None
    if position is not None:
        day = Partition.day_of(position.partition)
        start_month = day[:7] if day else None
        if start_month not in plan.months:
            raise BadRequest(*_BAD)
    for month in plan.months:  # newest first
        if start_month and month > start_month:
            continue
        partitions = plan.expand_month(month) if plan.expand_month else []
        yield from _from_position(partitions, True, position if month == start_month else None)


def _over(reader: EventReader, spent_from: tuple[int, int], budget: Budget) -> bool:
    return (reader.stats.requests - spent_from[0] >= budget.max_requests
            or reader.stats.items_read - spent_from[1] >= budget.max_items_read)


def _page_limit(plan: Plan, need: int) -> int:
    # A filter drops items after they are read: read full pages (surplus matches are cut off and
    # the walk resumes after the last one kept), so selective filters do not cost more requests.
    if plan.record_filters:
        return RECORD_PAGE
    if plan.conditions:
        return min(1000, max(need, 100))
    return need


def _stopped(partition: Partition, start: EventPosition | None, last: ListPosition | None) -> ListPosition:
    """Where a walk that ran out of room in ``partition`` (at ``start``) resumes."""
    if start is not None:
        return ListPosition(partition.value, start)
    return last or ListPosition(partition.value)


def walk(reader: EventReader, plan: Plan, limit: int, position: ListPosition | None = None,
         budget: Budget = Budget()) -> tuple[list[dict], ListPosition | None]:
    """Up to ``limit`` matching items from ``position`` on, and the position after them (None at the end)."""
    spent_from = (reader.stats.requests, reader.stats.items_read)
    items: list[dict] = []
    last: ListPosition | None = None  # where the previous partition ended
    for partition, start in _remaining(plan, position):
        while True:
            need = limit - len(items)
            if need <= 0 or _over(reader, spent_from, budget):
                return items, _stopped(partition, start, last)
            page = reader.query_events(partition, limit=_page_limit(plan, need), start_key=start, conditions=plan.conditions)
            candidates = list(zip(page.items, page.item_keys))
            if plan.record_filters and candidates:
                records = reader.records([item for item, _ in candidates])
                candidates = [(item, k) for item, k in candidates if item["eventID"] in records
                              and record_matches(records[item["eventID"]], list(plan.record_filters))]
            if len(candidates) > need:
                taken = candidates[:need]
                items.extend(item for item, _ in taken)
                return items, ListPosition(partition.value, taken[-1][1])
            items.extend(item for item, _ in candidates)
            if not page.last_key:
                last = ListPosition(partition.value, finished=True)
                break
            start = page.last_key
    return items, None


def count(reader: EventReader, plan: Plan, position: ListPosition | None = None,
          budget: Budget = Budget(max_requests=400, max_items_read=200_000)) -> tuple[int, ListPosition | None]:
    """Number of matching items from ``position`` on (Select=COUNT pages when no record filter)."""
    if plan.record_filters:  # the records must be read: walk within the budget
        items, position = walk(reader, plan, budget.max_items_read, position, budget)
        return len(items), position
    spent_from = (reader.stats.requests, reader.stats.items_read)
    total = 0
    last: ListPosition | None = None
    for partition, start in _remaining(plan, position):
        while True:
            if _over(reader, spent_from, budget):
                return total, _stopped(partition, start, last)
            page = reader.query_events(partition, limit=budget.max_items_read, start_key=start,
                                       conditions=plan.conditions, count_only=True)
            total += page.count
            if not page.last_key:
                last = ListPosition(partition.value, finished=True)
                break
            start = page.last_key
    return total, None
