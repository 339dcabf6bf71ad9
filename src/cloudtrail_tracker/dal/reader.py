"""Reading the table for the query API: every read is a Query on a key, a GetItem or a BatchGetItem
of known keys; never a Scan.

Event lists read pages (pages.py): a Query of one view partition, newest page first, merged into
one newest-first stream of summaries (pages of different files overlap in time, but a page spans at
most PAGE_SPAN_S, so a summary can be handed out once every page that could hold a newer one has been
read). A walk resumes at a position ``{"t": eventTime, "i": eventID}``: the pages whose newest event
is at most PAGE_SPAN_S after it are read again and what was handed out is skipped.

Each method counts the requests it makes and the summaries or items it read, so callers can bound
the work of one API call and tests can measure it.
"""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from boto3.dynamodb.types import TypeDeserializer

from .. import counting
from . import keys, pages

_deserializer = TypeDeserializer()
PAGES_PER_QUERY = 25  # pages a Query returns at most (each up to ~50 KB compressed)
ROWS_PER_CALL = 5000  # summaries one query_events call looks at before it hands back a position
MAX_BATCH_GET = 100  # BatchGetItem limit
BATCH_GET_ROUNDS = 8  # BatchGetItem calls per chunk before UnprocessedKeys is an error
_EVENT_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def _is_time(value: str) -> bool:
    """Whether ``value`` is an eventTime (``YYYY-MM-DDTHH:MM:SSZ``, a real moment): a walk resumes there."""
    if not _EVENT_TIME.fullmatch(value):
        return False
    try:
        datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return False
    return True


class InvalidStartKey(ValueError):
    """A start position (from a client's cursor) that no walk of this partition could have returned."""


class UnprocessedKeysError(RuntimeError):
    """BatchGetItem still left keys unprocessed after BATCH_GET_ROUNDS rounds (throttling)."""


@dataclass(frozen=True)
class Partition:
    """One view partition (``D#<day>``, ``U#<actor>``, ``X#<day>``) and the time range wanted in it."""

    value: str
    low: str  # eventTime bounds, inclusive
    high: str

    def accepts(self, start_key) -> bool:
        """Whether ``start_key`` is a position inside this partition's range."""
        if not isinstance(start_key, dict) or set(start_key) != {"t", "i"}:
            return False
        event_time, event_id = start_key["t"], start_key["i"]
        return (isinstance(event_time, str) and isinstance(event_id, str) and _is_time(event_time)
                and self.low <= event_time <= self.high and 0 < len(event_id) <= keys.MAX_EVENT_ID_BYTES)


@dataclass(frozen=True)
class Condition:
    """A filter on a summary field: ``op`` is ``eq``, ``begins_with``, ``exists`` or ``contains`` (a list)."""

    attribute: str
    op: str
    value: str | bool | None = None

    def matches(self, row: dict) -> bool:
        value = row.get(self.attribute)
        if self.op == "eq":
            return value == self.value
        if self.op == "begins_with":
            return isinstance(value, str) and value.startswith(self.value)
        if self.op == "exists":
            return bool(value)
        if self.op == "contains":
            return isinstance(value, list) and self.value in value
        raise ValueError(f"unknown condition {self.op!r}")


@dataclass
class Page:
    items: list[dict]
    item_keys: list[dict]  # the position that resumes right after items[i]
    last_key: dict | None  # where to resume; None: the partition is finished
    count: int = 0  # matching summaries (count_only calls return no items)


@dataclass
class ReadStats:
    requests: int = 0
    items_read: int = 0

    def add(self, requests: int, items_read: int) -> None:
        self.requests += requests
        self.items_read += items_read


def plain(item: dict) -> dict:
    """A wire-format item as Python values (numbers as int, binary as bytes)."""
    out = {}
    for name, value in item.items():
        if "B" in value:
            out[name] = bytes(value["B"])
            continue
        out[name] = _numbers(_deserializer.deserialize(value))
    return out


def _numbers(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    if isinstance(value, set):
        return sorted(_numbers(v) for v in value)
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    return value


def _position(key: dict) -> tuple[str, str]:
    return key["t"], key["i"]


class EventReader:
    """``record_store`` (records.py) reads full records from the trail bucket when asked for them."""

    def __init__(self, client, table_name: str, record_store=None):
        self._client = client
        self._table = table_name
        self._records = record_store
        self.stats = ReadStats()

    def records(self, event_ids: list[str]) -> dict[str, dict]:
        """eventID -> the full sanitised record (from the trail bucket: one read per log file)."""
        files = self.files_of(event_ids)
        return self._records.records([(bucket, key, event_id) for event_id, (bucket, key) in files.items()])

    def files_of(self, event_ids: list[str]) -> dict[str, tuple[str, str]]:
        """eventID -> (bucket, key) of its log file: the locators, then the counts items they name."""
        locators = self._batch_get([keys.locator_key(event_id) for event_id in dict.fromkeys(event_ids)])
        named = {item[keys.PK][2:]: item["c"] for item in locators if "c" in item}
        counts_keys = [{keys.PK: {"S": keys.counts_pk(sk)}, keys.SK: {"S": sk}} for sk in dict.fromkeys(named.values())]
        files = {item[keys.SK]: (item["fb"], item["fk"])
                 for item in self._batch_get(counts_keys, projection=(keys.SK, "fb", "fk")) if "fk" in item}
        return {event_id: files[sk] for event_id, sk in named.items() if sk in files}

    # ---- event lists
    def query_events(self, partition: Partition, *, limit: int, start_key: dict | None = None,
                     conditions: tuple[Condition, ...] = (), count_only: bool = False) -> Page:
        """Up to ``limit`` summaries of ``partition`` matching ``conditions``, newest first, after
        ``start_key``; at most ROWS_PER_CALL looked at. Raises InvalidStartKey for a foreign start key."""
        if start_key is not None and not partition.accepts(start_key):
            raise InvalidStartKey(partition.value)
        after = _position(start_key) if start_key else None  # handed out already: this and newer
        top = after[0] if after else partition.high
        low, high = keys.page_range(partition.low, pages.shift(top, keys.PAGE_SPAN_S))
        request = {
            "TableName": self._table, "ScanIndexForward": False,
            "KeyConditionExpression": "#p = :p AND #s BETWEEN :lo AND :hi",
            "ExpressionAttributeNames": {"#p": keys.PK, "#s": keys.SK},
            "ExpressionAttributeValues": {":p": {"S": partition.value}, ":lo": {"S": low}, ":hi": {"S": high}},
            "Limit": PAGES_PER_QUERY if count_only else max(2, min(PAGES_PER_QUERY, limit // 20 + 2)),
        }
        found: list[dict] = []
        found_keys: list[dict] = []
        matched = 0
        looked = 0
        pending: list[dict] = []  # summaries read and not yet handed out
        last: tuple[str, str] | None = None  # the last summary looked at

        def hand_out(bound: str | None) -> bool:
            """Look at the pending summaries newer than ``bound`` (all when None), newest first;
            False once the call has its ``limit`` or its budget."""
            nonlocal matched, looked, last
            pending.sort(key=pages.position_of, reverse=True)
            while pending and (bound is None or pending[0]["eventTime"] > bound):
                if looked >= ROWS_PER_CALL or (not count_only and matched >= limit):
                    return False
                row = pending.pop(0)
                if pages.position_of(row) == last:  # the same summary in two pages (a retried file)
                    continue
                looked += 1
                last = pages.position_of(row)
                if all(condition.matches(row) for condition in conditions):
                    matched += 1
                    if not count_only:
                        found.append(row)
                        found_keys.append({"t": last[0], "i": last[1]})
            return True

        while True:
            response = self._client.query(**request)
            self.stats.add(1, 0)
            for item in response.get("Items", []):
                newest = item[keys.SK]["S"][:20]
                if not hand_out(newest) or (not count_only and matched >= limit):
                    return self._stopped(found, found_keys, matched, last)
                summaries = pages.decode(item["s"]["B"])
                self.stats.add(0, len(summaries))
                for summary in summaries:
                    position = pages.position_of(summary)
                    if partition.low <= position[0] <= partition.high and (after is None or position < after):
                        pending.append(pages.row_of(summary))
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        if not hand_out(None) or pending:
            return self._stopped(found, found_keys, matched, last)
        return Page(items=found, item_keys=found_keys, last_key=None, count=matched)

    @staticmethod
    def _stopped(found, found_keys, matched, last) -> Page:
        return Page(items=found, item_keys=found_keys, count=matched,
                    last_key={"t": last[0], "i": last[1]} if last else None)

    def event_record(self, event_id: str) -> tuple[dict, str] | None:
        """(the full sanitised record, its log file's key) of ``event_id``, or None (no such event,
        or its log file is gone)."""
        files = self.files_of([event_id])
        if event_id not in files:
            return None
        bucket, key = files[event_id]
        record = self._records.records([(bucket, key, event_id)]).get(event_id)
        return (record, key) if record is not None else None

    def latest_events(self, limit: int, actor: str | None = None) -> list[dict]:
        """Up to ``limit`` of the newest summaries: ``actor``'s, else those of the last day with events."""
        if actor:
            partition = Partition(keys.page_pk(keys.VIEW_ACTOR, actor), "0000-00-00T00:00:00Z", "9999-12-31T23:59:59Z")
        else:
            days = self.registry_names(keys.DAY_REGISTRY)
            if not days:
                return []
            partition = Partition(keys.page_pk(keys.VIEW_ALL, days[-1]), f"{days[-1]}T00:00:00Z", f"{days[-1]}T23:59:59Z")
        return self.query_events(partition, limit=limit).items

    # ---- registries
    def registry(self, kind: str, *, limit: int, start_key: dict | None = None, names: tuple[str, ...] = ()) -> Page:
        """Entries of a registry (all, or only ``names``). Raises InvalidStartKey when ``start_key``
        is not an entry key of ``kind``."""
        if start_key is not None:
            if not (isinstance(start_key, dict) and set(start_key) == {keys.PK, keys.SK}
                    and start_key[keys.PK] == {"S": kind} and isinstance(start_key[keys.SK], dict)
                    and set(start_key[keys.SK]) == {"S"} and isinstance(start_key[keys.SK]["S"], str)
                    and start_key[keys.SK]["S"]):  # DynamoDB refuses an empty key string (a 500, not a 400)
                raise InvalidStartKey(kind)
        if names:
            items = self._batch_get([keys.registry_key(kind, name) for name in names])
            items.sort(key=lambda item: item[keys.SK])
            return Page(items=items, item_keys=[], last_key=None, count=len(items))
        request = {"TableName": self._table, "KeyConditionExpression": "#p = :p",
                   "ExpressionAttributeNames": {"#p": keys.PK}, "ExpressionAttributeValues": {":p": {"S": kind}},
                   "Limit": limit}
        if start_key:
            request["ExclusiveStartKey"] = start_key
        response = self._client.query(**request)
        self.stats.add(1, response.get("ScannedCount", 0))
        wire = response.get("Items", [])
        return Page(items=[plain(item) for item in wire],
                    item_keys=[{keys.PK: item[keys.PK], keys.SK: item[keys.SK]} for item in wire],
                    last_key=response.get("LastEvaluatedKey"), count=len(wire))

    def registry_names(self, kind: str, first: str | None = None, last: str | None = None) -> list[str]:
        """The names (``sk``) of every entry of registry ``kind`` (from ``first`` to ``last`` when
        given), sorted: one keys-only Query of the registry's partition (more only past 1 MB)."""
        request = {"TableName": self._table, "KeyConditionExpression": "#p = :p",
                   "ExpressionAttributeNames": {"#p": keys.PK, "#s": keys.SK},
                   "ExpressionAttributeValues": {":p": {"S": kind}}, "ProjectionExpression": "#s"}
        if first is not None and last is not None:
            request["KeyConditionExpression"] += " AND #s BETWEEN :lo AND :hi"
            request["ExpressionAttributeValues"].update({":lo": {"S": first}, ":hi": {"S": last}})
        return [item[keys.SK] for item in self._paged_query(request)]

    def months_with_events(self, first_day: str, last_day: str) -> list[str]:
        """``YYYY-MM`` of the months from ``first_day``'s to ``last_day``'s that have events."""
        return self.registry_names(keys.MONTH_REGISTRY, first_day[:7], last_day[:7])

    def days_with_events(self, first_day: str, last_day: str) -> list[str]:
        """``YYYY-MM-DD`` of the days from ``first_day`` to ``last_day`` that have events."""
        return self.registry_names(keys.DAY_REGISTRY, first_day, last_day)

    def error_codes(self) -> list[str]:
        """Every errorCode ever seen, sorted (the ERROR registry: one Query)."""
        return self.registry_names(keys.ERROR_REGISTRY)

    # ---- counts: rows {"actor", "actorType", "day", "counts": {name: n}}, one per actor and day
    def actor_day_rows(self, first_day: str, last_day: str, names: list[str] | None = None) -> list[dict]:
        """Every actor's counts per day from ``first_day`` to ``last_day`` (only ``names`` when given),
        summed from the counts items the parts wrote: never from the events."""
        per: dict[tuple[str, str], Counter] = defaultdict(Counter)
        types: dict[str, str] = {}
        wanted = set(names) if names is not None else None
        low, high = keys.day_range(first_day, last_day)
        for month in keys.months_between(first_day, last_day):
            request = {"TableName": self._table, "KeyConditionExpression": "#p = :p AND #s BETWEEN :lo AND :hi",
                       "ExpressionAttributeNames": {"#p": keys.PK, "#s": keys.SK},
                       "ExpressionAttributeValues": {":p": {"S": keys.counts_pk(f"{month}-01")},
                                                     ":lo": {"S": low}, ":hi": {"S": high}}}
            for item in self._paged_query(request):
                for actor, actor_type, counts in pages.decode(item["c"]):
                    types[actor] = actor_type
                    row = per[(actor, item["day"])]
                    row.update(counts if wanted is None else {n: v for n, v in counts.items() if n in wanted})
        return [{"actor": actor, "actorType": types[actor], "day": day, "counts": dict(counts)}
                for (actor, day), counts in sorted(per.items(), key=lambda entry: (entry[0][1], entry[0][0]))]

    def actor_day_rows_of(self, actor: str, first_day: str, last_day: str, names: list[str] | None = None) -> list[dict]:
        """``actor``'s counts per day, from the actor's own pages (reads grow with the actor's events,
        not with the class)."""
        per: dict[str, Counter] = defaultdict(Counter)
        actor_type = ""
        wanted = set(names) if names is not None else None
        partition = Partition(keys.page_pk(keys.VIEW_ACTOR, actor), f"{first_day}T00:00:00Z", f"{last_day}T23:59:59Z")
        start = None
        while True:
            page = self.query_events(partition, limit=keys.PAGE_ROWS * 10, start_key=start)
            for row in page.items:
                actor_type = row["actorType"]
                names_of_row = counting.names_of(row["eventName"], row["eventSource"], row["errorCode"], row["tracked"])
                per[row["eventTime"][:10]].update(n for n in names_of_row if wanted is None or n in wanted)
            if page.last_key is None:
                break
            start = page.last_key
        return [{"actor": actor, "actorType": actor_type, "day": day, "counts": dict(per[day])} for day in sorted(per)]

    # ---- helpers
    def _paged_query(self, request: dict) -> list[dict]:
        """Every item of a Query (following LastEvaluatedKey), as plain values."""
        items: list[dict] = []
        request = dict(request)
        while True:
            response = self._client.query(**request)
            self.stats.add(1, response.get("ScannedCount", 0))
            items.extend(plain(item) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return items
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _batch_get(self, item_keys: list[dict], projection: tuple[str, ...] = ()) -> list[dict]:
        """The items of ``item_keys`` (missing ones skipped), retrying UnprocessedKeys; raises
        UnprocessedKeysError rather than answer partial data."""
        found: list[dict] = []
        for start in range(0, len(item_keys), MAX_BATCH_GET):
            request: dict = {"Keys": item_keys[start:start + MAX_BATCH_GET]}
            if projection:
                aliases = {f"#a{n}": name for n, name in enumerate(projection)}
                request["ProjectionExpression"], request["ExpressionAttributeNames"] = ", ".join(aliases), aliases
            pending = {self._table: request}
            for attempt in range(BATCH_GET_ROUNDS):
                if attempt:
                    time.sleep(min(1.0, 0.05 * 2 ** (attempt - 1)))
                response = self._client.batch_get_item(RequestItems=pending)
                got = response.get("Responses", {}).get(self._table, [])
                self.stats.add(1, len(got))
                found.extend(plain(item) for item in got)
                pending = response.get("UnprocessedKeys") or {}
                if not pending:
                    break
            else:
                left = len(pending.get(self._table, {}).get("Keys", []))
                raise UnprocessedKeysError(f"BatchGetItem left {left} keys unprocessed after {BATCH_GET_ROUNDS} rounds")
        return found

