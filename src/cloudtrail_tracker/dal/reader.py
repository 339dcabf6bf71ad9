"""Reading the table for the query API: every read is a Query on a key or an index, a GetItem
or a BatchGetItem of known keys; never a Scan.

Each method counts the requests it makes and the items DynamoDB read for them
(``ScannedCount``), so callers can bound the work of one API call and tests can measure it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal

from boto3.dynamodb.types import TypeDeserializer

from . import keys
from .items import decode_record

_deserializer = TypeDeserializer()
MAX_BATCH_GET = 100  # BatchGetItem limit
BATCH_GET_ROUNDS = 8  # BatchGetItem calls per chunk before UnprocessedKeys is an error


class InvalidStartKey(ValueError):
    """A start key (from a client's cursor) that no Query of this partition could have returned."""


class UnprocessedKeysError(RuntimeError):
    """BatchGetItem still left keys unprocessed after BATCH_GET_ROUNDS rounds (throttling)."""


def _strings(key, attributes: tuple[str, ...]) -> dict[str, str] | None:
    """``key``'s string values when it has exactly ``attributes``, each a DynamoDB string; else None."""
    if not isinstance(key, dict) or set(key) != set(attributes):
        return None
    if not all(isinstance(v, dict) and set(v) == {"S"} and isinstance(v["S"], str) and v["S"] for v in key.values()):
        return None
    return {name: value["S"] for name, value in key.items()}


@dataclass(frozen=True)
class Partition:
    """One Query target: an index partition (or, with ``index`` None, a table partition) and a
    sort-key range."""

    index: str | None
    value: str  # the full partition key value, e.g. "U#alice"
    low: str
    high: str

    def key_attributes(self) -> tuple[str, ...]:
        if self.index is None:
            return (keys.PK, keys.SK)
        return (keys.PK, keys.SK, keys.TS, keys.index_attribute(self.index))

    def accepts(self, start_key) -> bool:
        """Whether ``start_key`` can resume a Query of this partition: exactly its key attributes, all
        strings, in this partition, its time sort key inside the range (an event's key for an index)."""
        values = _strings(start_key, self.key_attributes())
        if values is None:
            return False
        if self.index is None:
            return values[keys.PK] == self.value and self.low <= values[keys.SK] <= self.high
        return (values[keys.index_attribute(self.index)] == self.value and self.low <= values[keys.TS] <= self.high
                and values[keys.PK].startswith(keys.event_pk("")) and values[keys.SK] == keys.EVENT_SK)


@dataclass(frozen=True)
class Condition:
    """A filter on a summary attribute: ``op`` is ``eq``, ``begins_with`` or ``exists``."""

    attribute: str
    op: str
    value: str | bool | None = None


@dataclass
class Page:
    items: list[dict]
    item_keys: list[dict]  # ExclusiveStartKey that resumes right after items[i]
    last_key: dict | None
    count: int = 0  # matching items (Select=COUNT pages have no items)


@dataclass
class ReadStats:
    requests: int = 0
    items_read: int = 0

    def add(self, requests: int, items_read: int) -> None:
        self.requests += requests
        self.items_read += items_read


def plain(item: dict) -> dict:
    """A wire-format item as Python values (numbers as int)."""
    out = {}
    for name, value in item.items():
        if "B" in value:
            out[name] = value["B"]
            continue
        decoded = _deserializer.deserialize(value)
        out[name] = _numbers(decoded)
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


class EventReader:
    def __init__(self, client, table_name: str):
        self._client = client
        self._table = table_name
        self.stats = ReadStats()

    # ---- event lists
    def query_events(self, partition: Partition, *, limit: int, start_key: dict | None = None,
                     conditions: tuple[Condition, ...] = (), newest_first: bool = True,
                     count_only: bool = False) -> Page:
        """One Query request on ``partition``, at most ``limit`` items evaluated.

        Raises InvalidStartKey when ``start_key`` does not belong to ``partition``."""
        if start_key and not partition.accepts(start_key):
            raise InvalidStartKey(partition.value)
        names = {"#p": keys.PK if partition.index is None else keys.index_attribute(partition.index),
                 "#s": keys.SK if partition.index is None else keys.TS}
        values = {":p": {"S": partition.value}, ":lo": {"S": partition.low}, ":hi": {"S": partition.high}}
        request = {
            "TableName": self._table,
            "KeyConditionExpression": "#p = :p AND #s BETWEEN :lo AND :hi",
            "ScanIndexForward": not newest_first,
            "Limit": limit,
        }
        if partition.index:
            request["IndexName"] = partition.index
        filters = []
        for number, condition in enumerate(conditions):
            names[f"#f{number}"] = condition.attribute
            if condition.op == "exists":
                filters.append(f"attribute_exists(#f{number})")
                continue
            values[f":f{number}"] = {"BOOL": condition.value} if isinstance(condition.value, bool) else {"S": str(condition.value)}
            filters.append(f"begins_with(#f{number}, :f{number})" if condition.op == "begins_with" else f"#f{number} = :f{number}")
        if filters:
            request["FilterExpression"] = " AND ".join(filters)
        if count_only:
            request["Select"] = "COUNT"
        if start_key:
            request["ExclusiveStartKey"] = start_key
        request["ExpressionAttributeNames"] = names
        request["ExpressionAttributeValues"] = values
        response = self._client.query(**request)
        self.stats.add(1, response.get("ScannedCount", 0))
        wire = response.get("Items", [])
        key_names = partition.key_attributes()
        return Page(
            items=[plain(item) for item in wire],
            item_keys=[{name: item[name] for name in key_names if name in item} for item in wire],
            last_key=response.get("LastEvaluatedKey"),
            count=response.get("Count", 0),
        )

    def get_event(self, event_id: str) -> dict | None:
        """The full event item (with ``raw`` as bytes), or None."""
        response = self._client.get_item(TableName=self._table, Key=keys.event_key(event_id))
        item = response.get("Item")
        self.stats.add(1, 1 if item else 0)
        return plain(item) if item else None

    def records(self, event_ids: list[str]) -> dict[str, dict]:
        """eventID -> the full sanitised record, for events whose attributes filters look into."""
        items = self._batch_get([keys.event_key(event_id) for event_id in dict.fromkeys(event_ids)],
                                projection=("eventID", "raw"))
        return {item["eventID"]: decode_record(item["raw"]) for item in items if "raw" in item}

    def latest_events(self, limit: int, actor: str | None = None) -> list[dict]:
        """Up to ``limit`` of the newest events (index items): ``actor``'s, else those of the last day
        a service was seen (from the service registry)."""
        if actor:
            partition = Partition("ByActor", keys.index_pk("ByActor", actor), *keys.time_range("0", "9"))
        else:
            services = self.registry(keys.SERVICE_REGISTRY, limit=1000).items
            last_day = max((item.get("lastSeen", "") for item in services), default="")
            if not last_day:
                return []
            partition = Partition("ByDay", keys.index_pk("ByDay", last_day[:10]),
                                  *keys.time_range(last_day[:10], last_day[:10] + "T23:59:59Z"))
        return self.query_events(partition, limit=limit).items

    # ---- registries
    def registry(self, kind: str, *, limit: int, start_key: dict | None = None, names: tuple[str, ...] = ()) -> Page:
        """Entries of the ACTOR or SERVICE registry (all, or only ``names``).

        Raises InvalidStartKey when ``start_key`` is not an entry key of ``kind``."""
        if start_key is not None:
            values = _strings(start_key, (keys.PK, keys.SK))
            if values is None or values[keys.PK] != kind:
                raise InvalidStartKey(kind)
        if names:
            items = self._batch_get([{keys.PK: {"S": kind}, keys.SK: {"S": name}} for name in names])
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
        """``YYYY-MM`` of the months from ``first_day``'s to ``last_day``'s that have events, oldest
        first (the MONTH registry: one Query whatever the window's length)."""
        return self.registry_names(keys.MONTH_REGISTRY, first_day[:7], last_day[:7])

    def error_codes(self) -> list[str]:
        """Every errorCode ever seen, sorted (the ERROR registry: one Query)."""
        return self.registry_names(keys.ERROR_REGISTRY)

    # ---- daily counters
    def actor_counters(self, actor: str, days: list[str], projection: tuple[str, ...] = ()) -> list[dict]:
        """The actor-day counter items of ``actor`` on ``days`` (missing days have none)."""
        return self._batch_get([keys.counter_key(day, actor) for day in days], projection)

    def actor_active_days(self, actor: str, first_day: str, last_day: str) -> list[str]:
        """The days from ``first_day`` to ``last_day`` on which ``actor`` has a counter (ByActor index,
        keys only): reading only those keeps an actor's long window from costing a read per day."""
        request = {
            "TableName": self._table, "IndexName": "ByActor",
            "KeyConditionExpression": "#p = :p AND #t BETWEEN :lo AND :hi",
            "ExpressionAttributeNames": {"#p": keys.index_attribute("ByActor"), "#t": keys.TS},
            "ExpressionAttributeValues": {":p": {"S": keys.index_pk("ByActor", actor)},
                                          ":lo": {"S": keys.counter_ts(first_day)}, ":hi": {"S": keys.counter_ts(last_day)}},
            "ProjectionExpression": "#t",
        }
        return [item[keys.TS][len(keys.counter_ts("")):] for item in self._paged_query(request)]

    def actor_counter_days(self, actor: str, limit: int) -> list[str]:
        """The latest ``limit`` days on which ``actor`` has a counter (ByActor index, keys only)."""
        response = self._client.query(
            TableName=self._table, IndexName="ByActor", Limit=limit, ScanIndexForward=False,
            KeyConditionExpression="#p = :p AND begins_with(#t, :c)",
            ExpressionAttributeNames={"#p": keys.index_attribute("ByActor"), "#t": keys.TS},
            ExpressionAttributeValues={":p": {"S": keys.index_pk("ByActor", actor)}, ":c": {"S": keys.counter_ts("")}},
        )
        self.stats.add(1, response.get("ScannedCount", 0))
        return [plain(item)[keys.TS][len(keys.counter_ts("")):] for item in response.get("Items", [])]

    def all_actor_counters(self, first_day: str, last_day: str) -> list[dict]:
        """Every actor-day counter item from ``first_day`` to ``last_day``."""
        return self._month_items(keys.counter_pk, first_day, last_day)

    def day_totals(self, first_day: str, last_day: str, projection: tuple[str, ...] = ()) -> list[dict]:
        """Every day-totals item (one per day, account and region) from ``first_day`` to ``last_day``."""
        return self._month_items(keys.totals_pk, first_day, last_day, projection)

    def days_with_events(self, first_day: str, last_day: str) -> list[str]:
        items = self.day_totals(first_day, last_day, projection=(keys.SK,))
        return sorted({keys.day_of_sort(item[keys.SK]) for item in items})

    # ---- actor-day counter rows (course progress): {"actor", "actorType", "day", "counts": {name: n}}
    def actor_day_rows(self, first_day: str, last_day: str, names: list[str] | None = None) -> list[dict]:
        """Every actor's counter rows from ``first_day`` to ``last_day`` (only the counters ``names``
        when given, a projection: a checklist reads a few numbers per actor-day)."""
        return [_counter_row(item) for item in
                self._month_items(keys.counter_pk, first_day, last_day, _row_projection(names))]

    def actor_day_rows_of(self, actor: str, first_day: str, last_day: str, names: list[str] | None = None) -> list[dict]:
        """``actor``'s counter rows in the window (requests grow with active days, not with actors)."""
        items = self.actor_counters(actor, self.actor_active_days(actor, first_day, last_day), _row_projection(names))
        return sorted((_counter_row(item) for item in items), key=lambda row: row["day"])

    def _month_items(self, pk_of, first_day: str, last_day: str, projection: tuple[str, ...] = ()) -> list[dict]:
        low, high = keys.day_range(first_day, last_day)
        items: list[dict] = []
        for month in keys.months_between(first_day, last_day):
            request = {"TableName": self._table,
                       "KeyConditionExpression": "#p = :p AND #s BETWEEN :lo AND :hi",
                       "ExpressionAttributeNames": {"#p": keys.PK, "#s": keys.SK},
                       "ExpressionAttributeValues": {":p": {"S": pk_of(f"{month}-01")}, ":lo": {"S": low}, ":hi": {"S": high}}}
            if projection:
                request["ProjectionExpression"], aliases = _projection(projection)
                request["ExpressionAttributeNames"].update(aliases)
            items.extend(self._paged_query(request))
        return items

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

    # ---- helpers
    def _batch_get(self, item_keys: list[dict], projection: tuple[str, ...] = ()) -> list[dict]:
        """The items of ``item_keys`` (missing ones are skipped), retrying UnprocessedKeys with
        backoff; raises UnprocessedKeysError rather than answer partial data."""
        found: list[dict] = []
        for start in range(0, len(item_keys), MAX_BATCH_GET):
            request: dict = {"Keys": item_keys[start:start + MAX_BATCH_GET]}
            if projection:
                request["ProjectionExpression"], request["ExpressionAttributeNames"] = _projection(projection)
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


def _projection(attributes: tuple[str, ...]) -> tuple[str, dict[str, str]]:
    """ProjectionExpression and its attribute-name aliases (counter names hold ':' and '#')."""
    aliases = {f"#a{n}": name for n, name in enumerate(attributes)}
    return ", ".join(aliases), aliases


def _row_projection(names: list[str] | None) -> tuple[str, ...]:
    return () if names is None else ("actor", "actorType", "day", *names)


def _counter_row(item: dict) -> dict:
    return {"actor": item.get("actor", ""), "actorType": item.get("actorType", ""), "day": item.get("day", ""),
            "counts": {name: int(value) for name, value in item.items() if keys.is_counter(name)}}

