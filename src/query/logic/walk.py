"""Walking a :class:`Plan` page by page within one API call's budget.

A call stops when it has ``limit`` items, or when it has spent its budget of requests or items
read (API Gateway gives 29 s and 6 MB), and returns where it stopped: the partition, the
DynamoDB start key within it (or ``x``: the partition is finished), which the route wraps in an
opaque cursor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from cloudtrail_tracker.dal.reader import Partition

from .errors import BadRequest
from .filters import record_matches
from .plans import Plan

RECORD_PAGE = 100  # items whose records are read in one BatchGetItem
_BAD = ("next is not a cursor this API issued", "start again without next", "next")


@dataclass(frozen=True)
class Budget:
    max_requests: int = 100  # an empty day or month costs one small Query
    max_items_read: int = 20_000  # ~6 MB of index items: the time bound on real DynamoDB


def _month_of(value: str) -> str:
    return value.split("#", 1)[-1][:7]


def _from_position(partitions: list[Partition], descending: bool, position: dict | None) -> Iterator[tuple[Partition, dict | None]]:
    """``partitions`` from ``position`` on, each with the start key to use; a position that is not
    in ``partitions``, or a start key that does not belong to its partition, is a 400."""
    if not position:
        for partition in partitions:
            yield partition, None
        return
    value, key, finished = position["p"], position.get("k"), bool(position.get("x"))
    if value not in {partition.value for partition in partitions}:
        raise BadRequest(*_BAD)
    for partition in partitions:
        if partition.value == value:
            if finished:
                continue
            if key is not None and not partition.accepts(key):
                raise BadRequest(*_BAD)
            yield partition, key
        elif (partition.value < value) if descending else (partition.value > value):
            yield partition, None


def _remaining(plan: Plan, position: dict | None) -> Iterator[tuple[Partition, dict | None]]:
    if position is not None and not isinstance(position.get("p"), str):
        raise BadRequest(*_BAD)
    if not plan.months:
        yield from _from_position(list(plan.partitions), plan.descending_values, position)
        return
    start_month = _month_of(position["p"]) if position else None
    if start_month and start_month not in plan.months:
        raise BadRequest(*_BAD)
    for month in plan.months:  # newest first
        if start_month and month > start_month:
            continue
        partitions = plan.expand_month(month)
        yield from _from_position(partitions, True, position if month == start_month else None)


def _over(reader, spent_from: tuple[int, int], budget: Budget) -> bool:
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


def walk(reader, plan: Plan, limit: int, position: dict | None = None, budget: Budget = Budget()) -> tuple[list[dict], dict | None]:
    """Up to ``limit`` matching items from ``position`` on, and the position after them (None at the end)."""
    spent_from = (reader.stats.requests, reader.stats.items_read)
    items: list[dict] = []
    last: dict | None = None  # where the previous partition ended
    for partition, key in _remaining(plan, position):
        while True:
            need = limit - len(items)
            if need <= 0 or _over(reader, spent_from, budget):
                return items, ({"p": partition.value, "k": key} if key else last or {"p": partition.value, "k": None})
            page = reader.query_events(partition, limit=_page_limit(plan, need), start_key=key, conditions=plan.conditions)
            candidates = list(zip(page.items, page.item_keys))
            if plan.record_filters and candidates:
                records = reader.records([item["eventID"] for item, _ in candidates])
                candidates = [(item, k) for item, k in candidates if item["eventID"] in records
                              and record_matches(records[item["eventID"]], list(plan.record_filters))]
            if len(candidates) > need:
                taken = candidates[:need]
                items.extend(item for item, _ in taken)
                return items, {"p": partition.value, "k": taken[-1][1]}
            items.extend(item for item, _ in candidates)
            if not page.last_key:
                last = {"p": partition.value, "x": 1}
                break
            key = page.last_key
    return items, None


def count(reader, plan: Plan, position: dict | None = None,
          budget: Budget = Budget(max_requests=400, max_items_read=200_000)) -> tuple[int, dict | None]:
    """Number of matching items from ``position`` on (Select=COUNT pages when no record filter)."""
    if plan.record_filters:  # the records must be read: walk within the budget
        items, position = walk(reader, plan, budget.max_items_read, position, budget)
        return len(items), position
    spent_from = (reader.stats.requests, reader.stats.items_read)
    total = 0
    last: dict | None = None
    for partition, key in _remaining(plan, position):
        while True:
            if _over(reader, spent_from, budget):
                return total, ({"p": partition.value, "k": key} if key else last or {"p": partition.value, "k": None})
            page = reader.query_events(partition, limit=budget.max_items_read, start_key=key,
                                       conditions=plan.conditions, count_only=True)
            total += page.count
            if not page.last_key:
                last = {"p": partition.value, "x": 1}
                break
            key = page.last_key
    return total, None
