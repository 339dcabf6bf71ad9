"""Reading the table for the query API: every read is a Query on a key, a GetItem or a BatchGetItem
of known keys; never a Scan.

Event lists read pages (pages.py): a Query of one view partition (an actor's: of its own and of its
group's, merged, the group's other actors skipped), newest page first, merged into one newest-first
stream of summaries (pages of different files overlap in time, but a page spans at
most PAGE_SPAN_S, so a summary can be handed out once every page that could hold a newer one has been
read). A walk resumes at an :class:`EventPosition` (eventTime, eventID): the pages whose newest event
is at most PAGE_SPAN_S after it are read again and what was handed out is skipped.

Callers name what they read by meaning (an actor's events, a day's events or failures, a registry,
the days with events); the key strings stay in keys.py and here.

Each method counts the requests it makes and the summaries or items it read, so callers can bound
the work of one API call and tests can measure it.
"""

from __future__ import annotations

import heapq
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from boto3.dynamodb.types import TypeDeserializer

from .. import counting
from . import keys, pages

_deserializer = TypeDeserializer()
PAGES_PER_QUERY = 25  # pages a Query returns at most (each up to ~50 KB compressed)
ROWS_PER_CALL = 5000  # summaries one query_events call looks at before it hands back a position
DECODED_PER_CALL = 4 * ROWS_PER_CALL  # other actors' summaries it skips (an actor's group pages hold them) before it stops
LOOKBACK_DECODED = 10 * DECODED_PER_CALL  # summaries an unbounded look back at one actor's latest days decodes
ABOVE_EVERY_ID = "\U0010ffff"  # an eventID position above every real one: "resume with all events of that second"
AT_SLACK_S = 60  # how far an event's time may be from the ``at`` it is looked up by
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


@dataclass(frozen=True, order=True)
class EventPosition:
    """Where a walk of a partition stands: right after the event (``event_time``, ``event_id``)
    (walks run newest first, so what sorts after it is still to come)."""

    event_time: str
    event_id: str


@dataclass(frozen=True)
class Partition:
    """One view partition (every event of a day, one actor's events, the failed calls of a day) and
    the time range wanted in it. ``value`` names it: opaque outside the DAL (a cursor carries it)."""

    value: str
    low: str  # eventTime bounds, inclusive
    high: str
    group: str = ""  # an actor's: its group's partition, read with it for the rows of ``actor`` (keys.OWN_PAGE_EVENTS)
    actor: str = ""

    @classmethod
    def of_actor(cls, actor: str, low: str = "0000-01-01T00:00:00Z", high: str = "9999-12-31T23:59:59Z") -> Partition:
        return cls(keys.page_pk(keys.VIEW_ACTOR, actor), low, high, keys.actor_group_pk(actor), actor)

    @classmethod
    def of_day(cls, day: str, low: str, high: str, failures_only: bool = False) -> Partition:
        """``day``'s events (or only its failed calls) between ``low`` and ``high``."""
        return cls(keys.page_pk(keys.VIEW_ERRORS if failures_only else keys.VIEW_ALL, day), low, high)

    @staticmethod
    def day_of(value: str) -> str | None:
        """The day (``YYYY-MM-DD``) of a day partition's ``value``; None for any other value."""
        return keys.day_of_page_pk(value)

    def accepts(self, start: object) -> bool:
        """Whether ``start`` is a position inside this partition's range."""
        if not isinstance(start, EventPosition):
            return False
        event_time, event_id = start.event_time, start.event_id
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
            return isinstance(value, str) and isinstance(self.value, str) and value.startswith(self.value)
        if self.op == "exists":
            return bool(value)
        if self.op == "contains":
            return isinstance(value, list) and self.value in value
        raise ValueError(f"unknown condition {self.op!r}")


@dataclass
class Page:
    items: list[dict]
    item_keys: list[EventPosition]  # the position that resumes right after items[i]
    last_key: EventPosition | None  # where to resume; None: the partition is finished
    count: int = 0  # matching summaries (count_only calls return no items)


@dataclass
class RegistryPage:
    entries: list[dict]  # the entries' attributes, ``name`` among them
    after: str | None  # where the next page starts (the registry's own position); None: the last page


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


def _entry(item: dict) -> dict:
    """A registry item as its entry: its attributes, named (``name``; older items: their sort key)."""
    entry = {name: value for name, value in item.items() if name not in (keys.PK, keys.SK)}
    entry["name"] = item.get("name") or item.get(keys.SK, "")
    return entry


class EventReader:
    """``record_store`` (records.py) reads full records from the trail bucket when asked for them."""

    def __init__(self, client, table_name: str, record_store=None):
        self._client = client
        self._table = table_name
        self._records = record_store
        self.stats = ReadStats()

    def records(self, rows: list[dict]) -> dict[str, dict]:
        """eventID -> the full sanitised record of each summary row (from the trail bucket: one read per log file)."""
        files = self.files_of(rows)
        return self._records.records([(bucket, key, event_id) for event_id, (bucket, key) in files.items()])

    def files_of(self, rows: list[dict]) -> dict[str, tuple[str, str]]:
        """eventID -> (bucket, key) of each row's log file, from the counts item of the part the row names
        (a row without one, of a page written before summaries named their part or given by id alone: its
        locator, if the table has one)."""
        named: dict[str, str] = {}  # eventID -> sk of the counts item naming its file
        by_id: list[str] = []
        for row in rows:
            if row.get("file"):
                named[row["eventID"]] = keys.file_counts_sk(row["eventTime"][:10], row["file"])
            else:
                by_id.append(row["eventID"])
        if by_id:
            locators = self._batch_get([keys.locator_key(event_id) for event_id in dict.fromkeys(by_id)])
            named |= {keys.event_id_of_locator(item[keys.PK]): item["c"] for item in locators if "c" in item}
        counts_keys = [keys.counts_key(sk) for sk in dict.fromkeys(named.values())]
        files = {item[keys.SK]: (item["fb"], item["fk"])
                 for item in self._batch_get(counts_keys, projection=(keys.SK, "fb", "fk")) if "fk" in item}
        return {event_id: files[sk] for event_id, sk in named.items() if sk in files}

    def summary_at(self, event_id: str, at: str) -> dict | None:
        """The summary row of ``event_id``, whose eventTime is ``at`` to within AT_SLACK_S: the pages of that
        time read, newest first (of both days when the slack crosses a midnight)."""
        low, high = pages.shift(at, -AT_SLACK_S), pages.shift(at, AT_SLACK_S)
        for day in dict.fromkeys((at[:10], low[:10], high[:10])):
            partition = Partition.of_day(day, max(low, f"{day}T00:00:00Z"), min(high, f"{day}T23:59:59Z"))
            start = None
            while True:  # a busy minute may hold more than one call's worth of summaries
                found = self.query_events(partition, limit=1, start_key=start, conditions=(Condition("eventID", "eq", event_id),))
                if found.items:
                    return found.items[0]
                if found.last_key is None:
                    break
                start = found.last_key
        return None

    def record_of(self, row: dict) -> tuple[dict, str] | None:
        """(the full sanitised record, its log file's key) of the event of summary ``row`` (or of
        ``{"eventID": ...}``: by its locator), or None (no such event or locator, or its log file is gone)."""
        event_id = row["eventID"]
        files = self.files_of([row])
        if event_id not in files:
            return None
        bucket, key = files[event_id]
        record = self._records.records([(bucket, key, event_id)]).get(event_id)
        return (record, key) if record is not None else None

    # ---- event lists
    def query_events(self, partition: Partition, *, limit: int, start_key: EventPosition | None = None,
                     conditions: tuple[Condition, ...] = (), count_only: bool = False) -> Page:
        """Up to ``limit`` summaries of ``partition`` matching ``conditions``, newest first, after
        ``start_key``; at most ROWS_PER_CALL looked at, and about DECODED_PER_CALL of other actors' summaries
        skipped (an actor's group pages hold them). Raises InvalidStartKey for a foreign start key."""
        if start_key is not None and not partition.accepts(start_key):
            raise InvalidStartKey(partition.value)
        after = (start_key.event_time, start_key.event_id) if start_key else None  # handed out already: this and newer
        top = after[0] if after else partition.high
        low, high = keys.page_range(partition.low, pages.shift(top, keys.PAGE_SPAN_S))
        per_request = PAGES_PER_QUERY if count_only else max(2, min(PAGES_PER_QUERY, limit // 20 + 2))
        streams = [self._pages(partition.value, low, high, per_request)]
        if partition.group:
            streams.append(self._pages(partition.group, low, high, per_request))
        found: list[dict] = []
        found_keys: list[EventPosition] = []
        matched = 0
        looked = 0
        skipped = 0  # other actors' summaries of the group pages, in the range still to walk
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
                        found_keys.append(EventPosition(*last))
            return True

        # the pages of both partitions, newest first (an actor's own pages and its group's interleave in time)
        for item in heapq.merge(*streams, key=lambda page: page[keys.SK]["S"], reverse=True):
            newest = keys.newest_time_of_page(item[keys.SK]["S"])
            if not hand_out(newest) or (not count_only and matched >= limit):
                return self._stopped(found, found_keys, matched, last)
            if skipped >= DECODED_PER_CALL and newest < top:
                # everything newer than this page is handed out; resume at the last row looked at (the caller's
                # own) or, when there is none, right above this page: either is past where this call started
                resume = EventPosition(*last) if last else EventPosition(newest, ABOVE_EVERY_ID)
                return Page(items=found, item_keys=found_keys, count=matched, last_key=resume)
            summaries = pages.decode(item["s"]["B"])
            self.stats.add(0, len(summaries))
            of_group = item[keys.PK]["S"] != partition.value
            for summary in summaries:
                position = pages.position_of(summary)
                if partition.low <= position[0] <= partition.high and (after is None or position < after):
                    if not of_group or pages.actor_of(summary) == partition.actor:
                        pending.append(pages.row_of(summary))
                    else:
                        skipped += 1
        if not hand_out(None) or pending:
            return self._stopped(found, found_keys, matched, last)
        return Page(items=found, item_keys=found_keys, last_key=None, count=matched)

    def _pages(self, pk: str, low: str, high: str, per_request: int) -> Iterator[dict]:
        """The pages of partition ``pk`` whose sk is between ``low`` and ``high``, newest first (Query by Query)."""
        request = {
            "TableName": self._table, "ScanIndexForward": False, "Limit": per_request,
            "KeyConditionExpression": "#p = :p AND #s BETWEEN :lo AND :hi",
            "ExpressionAttributeNames": {"#p": keys.PK, "#s": keys.SK},
            "ExpressionAttributeValues": {":p": {"S": pk}, ":lo": {"S": low}, ":hi": {"S": high}},
        }
        while True:
            response = self._client.query(**request)
            self.stats.add(1, 0)
            yield from response.get("Items", [])
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    @staticmethod
    def _stopped(found, found_keys, matched, last) -> Page:
        return Page(items=found, item_keys=found_keys, count=matched,
                    last_key=EventPosition(*last) if last else None)

    def event_record(self, event_id: str, at: str | None = None) -> tuple[dict, str] | None:
        """(the full sanitised record, its log file's key) of ``event_id``, or None (no such event, or its
        log file is gone). ``at``: its eventTime (found from the day's pages); None: by its locator alone."""
        row = {"eventID": event_id} if at is None else self.summary_at(event_id, at)
        return self.record_of(row) if row else None

    def latest_events(self, limit: int, actor: str | None = None) -> list[dict]:
        """Up to ``limit`` of the newest summaries: ``actor``'s, else those of the last day with events."""
        if actor:
            partition = Partition.of_actor(actor)
        else:
            days = self.registry_names(keys.DAY_REGISTRY)
            if not days:
                return []
            partition = Partition.of_day(days[-1], f"{days[-1]}T00:00:00Z", f"{days[-1]}T23:59:59Z")
        return self.query_events(partition, limit=limit).items

    # ---- registries
    def actors(self, *, limit: int, after: str | None = None) -> RegistryPage:
        """A page of the actors with events (the ACTOR registry), after position ``after``."""
        return self._registry(keys.ACTOR_REGISTRY, limit, after)

    def services(self, *, limit: int, after: str | None = None) -> RegistryPage:
        """A page of the services with events (the SERVICE registry), after position ``after``."""
        return self._registry(keys.SERVICE_REGISTRY, limit, after)

    def actor_entries(self, names: list[str]) -> list[dict]:
        """The ACTOR registry entries of ``names`` (those that exist), sorted."""
        return self._entries(keys.ACTOR_REGISTRY, names)

    def service_entries(self, names: list[str]) -> list[dict]:
        """The SERVICE registry entries of ``names`` (those that exist), sorted."""
        return self._entries(keys.SERVICE_REGISTRY, names)

    def _entries(self, kind: str, names: list[str]) -> list[dict]:
        items = self._batch_get([keys.registry_key(kind, name) for name in dict.fromkeys(names)])
        items.sort(key=lambda item: item[keys.SK])
        return [_entry(item) for item in items]

    def _registry(self, kind: str, limit: int, after: str | None) -> RegistryPage:
        """Entries of a registry. Raises InvalidStartKey when ``after`` is no position a page of it
        could have returned."""
        request = {"TableName": self._table, "KeyConditionExpression": "#p = :p",
                   "ExpressionAttributeNames": {"#p": keys.PK}, "ExpressionAttributeValues": {":p": {"S": kind}},
                   "Limit": limit}
        if after is not None:
            # DynamoDB refuses an empty or oversized key string (a 500, not a 400)
            if not isinstance(after, str) or not after or len(after.encode("utf-8", "surrogatepass")) > keys.MAX_SK_BYTES:
                raise InvalidStartKey(kind)
            request["ExclusiveStartKey"] = keys.registry_start(kind, after)
        response = self._client.query(**request)
        self.stats.add(1, response.get("ScannedCount", 0))
        last = response.get("LastEvaluatedKey")
        return RegistryPage(entries=[_entry(plain(item)) for item in response.get("Items", [])],
                            after=last[keys.SK]["S"] if last else None)

    def actor_services_by_day(self, actor: str, max_days: int, max_events: int) -> list[dict]:
        """``{"day", "counts": {"s:<service>": n}}`` of ``actor``'s latest ``max_days`` days with
        events (at most ``max_events`` of their newest events), from the actor's pages, newest
        first: however long ago they were (but no more than LOOKBACK_DECODED summaries decoded: a light
        actor's group pages hold others' events too)."""
        partition = Partition.of_actor(actor)
        per_day: dict[str, dict[str, int]] = defaultdict(dict)
        start, looked, decoded_before = None, 0, self.stats.items_read
        while looked < max_events and self.stats.items_read - decoded_before < LOOKBACK_DECODED:
            page = self.query_events(partition, limit=min(ROWS_PER_CALL, max_events - looked), start_key=start)
            for row in page.items:
                day = row["eventTime"][:10]
                if day not in per_day and len(per_day) >= max_days:
                    return [{"day": d, "counts": c} for d, c in per_day.items()]
                name = keys.COUNTER_PREFIXES["service"] + row["eventSource"].split(".", 1)[0]
                per_day[day][name] = per_day[day].get(name, 0) + 1
            looked += len(page.items)
            if page.last_key is None:
                break
            start = page.last_key
        return [{"day": d, "counts": c} for d, c in per_day.items()]

    def registry_names(self, kind: str, first: str | None = None, last: str | None = None) -> list[str]:
        """The names (``sk``) of every entry of registry ``kind`` (from ``first`` to ``last`` when
        given), sorted: one keys-only Query of the registry's partition (more only past 1 MB)."""
        condition, values = "#p = :p", {":p": {"S": kind}}
        if first is not None and last is not None:
            condition += " AND #s BETWEEN :lo AND :hi"
            values.update({":lo": {"S": first}, ":hi": {"S": last}})
        request = {"TableName": self._table, "KeyConditionExpression": condition,
                   "ExpressionAttributeNames": {"#p": keys.PK, "#s": keys.SK},
                   "ExpressionAttributeValues": values, "ProjectionExpression": "#s"}
        return [item[keys.SK] for item in self._paged_query(request)]

    def months_with_events(self, first_day: str, last_day: str) -> list[str]:
        """``YYYY-MM`` of the months from ``first_day``'s to ``last_day``'s that have events,
        sorted. One month: that month, unread (its days tell as much, for the same one request)."""
        spanned = keys.months_between(first_day, last_day)
        if len(spanned) <= 1:
            return spanned
        return self.registry_names(keys.MONTH_REGISTRY, first_day[:7], last_day[:7])

    def days_with_events(self, first_day: str, last_day: str) -> list[str]:
        """``YYYY-MM-DD`` of the days from ``first_day`` to ``last_day`` that have events."""
        return self.registry_names(keys.DAY_REGISTRY, first_day, last_day)

    def error_codes(self) -> list[str]:
        """Every errorCode ever seen, sorted (the ERROR registry: one Query)."""
        return self.registry_names(keys.ERROR_REGISTRY)

    def has_name(self, registry: str, name: str) -> bool:
        """Whether registry ``registry`` (a keys.NAME_REGISTRIES key: ``actor``, ``service``,
        ``eventName``, ``errorCode``, ``account``) lists exactly ``name``: one GetItem."""
        key = keys.registry_key(keys.NAME_REGISTRIES[registry], name)
        response = self._client.get_item(TableName=self._table, Key=key, ProjectionExpression="#n",
                                         ExpressionAttributeNames={"#n": "name"})
        item = response.get("Item")
        self.stats.add(1, 1 if item else 0)
        # a long name's key is cut and hashed (keys.bounded): the entry's name tells it apart
        return item is not None and plain(item).get("name", name) == name

    def known_names(self, registry: str) -> list[str]:
        """Every name registry ``registry`` (as for :meth:`has_name`) lists, sorted: one Query of its
        partition (more only past 1 MB), the names as given (not their cut keys)."""
        request = {"TableName": self._table, "KeyConditionExpression": "#p = :p",
                   "ExpressionAttributeNames": {"#p": keys.PK, "#s": keys.SK, "#n": "name"},
                   "ExpressionAttributeValues": {":p": {"S": keys.NAME_REGISTRIES[registry]}},
                   "ProjectionExpression": "#s, #n"}
        return sorted(item.get("name") or item[keys.SK] for item in self._paged_query(request))

    def oldest_registered_day(self, registry: str) -> str | None:
        """The oldest ``firstSeen`` of registry ``registry``'s entries (None when it has none): the
        EVENT-NAME and ACCOUNT lists are complete only for days from there on (older tables were
        written before they existed). One Query, as :meth:`known_names`."""
        request = {"TableName": self._table, "KeyConditionExpression": "#p = :p",
                   "ExpressionAttributeNames": {"#p": keys.PK, "#f": "firstSeen"},
                   "ExpressionAttributeValues": {":p": {"S": keys.NAME_REGISTRIES[registry]}},
                   "ProjectionExpression": "#f"}
        days = [item["firstSeen"] for item in self._paged_query(request) if item.get("firstSeen")]
        return min(days) if days else None

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
        """``actor``'s counts per day, from the actor's pages (reads grow with the actor's events and its
        group's light actors', not with the class)."""
        per: dict[str, Counter] = defaultdict(Counter)
        actor_type = ""
        wanted = set(names) if names is not None else None
        partition = Partition.of_actor(actor, f"{first_day}T00:00:00Z", f"{last_day}T23:59:59Z")
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


    # ---- long windows and the data's span (appended: /aggregates over years, /span)
    def actor_day_rows_in_months_with_events(self, first_day: str, last_day: str,
                                             names: list[str] | None = None) -> list[dict]:
        """:meth:`actor_day_rows`, reading only the months the MONTH registry lists: a 12-year window
        over a few hundred days with events costs one registry Query plus one per month with events,
        not one per month of the window. Windows of at most two months read their months directly
        (the registry Query would cost as much as the month it may skip)."""
        spanned = keys.months_between(first_day, last_day)
        if len(spanned) <= 2:
            return self.actor_day_rows(first_day, last_day, names)
        rows: list[dict] = []
        for month in self.registry_names(keys.MONTH_REGISTRY, first_day[:7], last_day[:7]):
            # each month's rows come sorted by (day, actor) and months ascend: the whole stays sorted
            rows.extend(self.actor_day_rows(max(first_day, f"{month}-01"), min(last_day, f"{month}-31"), names))
        return rows

    def day_span(self) -> tuple[str | None, str | None]:
        """(first, last) day with events in the whole table (the DAY registry's ends: two Queries of one
        key each), (None, None) when it is empty."""
        ends = []
        for forward in (True, False):
            response = self._client.query(
                TableName=self._table, KeyConditionExpression="#p = :p", ScanIndexForward=forward, Limit=1,
                ExpressionAttributeNames={"#p": keys.PK, "#s": keys.SK}, ProjectionExpression="#s",
                ExpressionAttributeValues={":p": {"S": keys.DAY_REGISTRY}})
            self.stats.add(1, response.get("ScannedCount", 0))
            items = response.get("Items", [])
            ends.append(items[0][keys.SK]["S"] if items else None)
        return ends[0], ends[1]

    def actor_day_span(self, actor: str) -> tuple[str | None, str | None]:
        """(first, last) day of ``actor``'s events: its ACTOR registry entry's firstSeen and lastSeen (one
        GetItem; its events may be in its group's pages, which the ends of its own pages would not tell)."""
        entries = self.actor_entries([actor])
        if not entries:
            return None, None
        return entries[0].get("firstSeen") or None, entries[0].get("lastSeen") or entries[0].get("firstSeen") or None
