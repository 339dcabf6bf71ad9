"""A DynamoDB bill meter: what DynamoDB on-demand would charge for the requests a client sends.

Attach a :class:`Meter` to a boto3 DynamoDB client (or a session, for the clients it makes
later); it sees every request body as sent (botocore's ``request-created`` event, after any
body swap such as dal/transact.py's) and its outcome (``after-call``), and counts by DynamoDB's
published rules (:data:`RULES`). Item images before and after each write, the items a Query
reads and the table's index definitions come from an unmetered client on the same endpoint
(:class:`TableReader`: BatchGetItem, Query/Scan without filter or projection, DescribeTable),
so the meter works on moto in-process, on moto's server or on anything that speaks DynamoDB.

The pure part (:func:`item_size`, :class:`TableSchema`, :func:`write_cost`, :func:`read_units`,
:func:`stored_bytes`) has no AWS calls and is what tests/unit/test_billing.py checks.
"""

from __future__ import annotations

import base64
import math
import threading
from collections import Counter
from dataclasses import dataclass, field

import orjson

KB = 1024
WRITE_UNIT_BYTES = 1 * KB
READ_UNIT_BYTES = 4 * KB
STORAGE_OVERHEAD = 100  # bytes per stored item and per index entry
INDEX_KIND = "index entries"

RULES = (
    "write units: per item written, max(size before, size after) rounded up to 1 KB, at least 1; "
    "deletes by the deleted item's size",
    "TransactWriteItems: x2 per action on the table (prepare + commit); ConditionCheck = a transactional read "
    "(2 read units per 4 KB: the AWS docs do not price it, this follows the DynamoDB emulators)",
    "a cancelled transaction bills its prepare phase only: 1 unit per KB (reads: 1 per 4 KB) for every action, "
    "no index writes (assumption: AWS documents prepare+commit, not the cancelled case)",
    "a failed conditional PutItem/UpdateItem/DeleteItem consumes its write units; no index writes",
    "global secondary indexes (standard writes, also inside transactions: DynamoDB propagates them after commit): "
    "entry = table keys + index keys + projected attributes; new entry = 1 put, removed = 1 delete, index key "
    "changed = delete + put, projected attributes changed = 1 write, unchanged = 0; each rounded up to 1 KB",
    "BatchWriteItem: per item, as PutItem/DeleteItem",
    "read units: GetItem/BatchGetItem per item by the stored item's size (not the projection) rounded up to 4 KB, "
    "at least 1; Query/Scan by the summed size of every item read (before filters) rounded up to 4 KB per request; "
    "on an index by the entries' sizes; x0.5 unless ConsistentRead",
    "item size: UTF-8 name bytes + value: S/B bytes, N 1 byte per 2 significant digits + 1, BOOL/NULL 1, "
    "L/M 3 + 1 per element + elements, SS/NS/BS the sum of their members",
    "storage: item sizes + index entry sizes, +100 bytes each",
)


# ---------------------------------------------------------------- sizes (pure)

def value_size(value: dict) -> int:
    """Bytes DynamoDB counts for one attribute value (boto3 low-level form: ``{"S": ...}``, B as bytes)."""
    (kind, inner), = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "B":
        return len(inner)
    if kind == "N":
        return number_size(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + value_size(element) for element in inner)
    if kind == "M":
        return 3 + sum(1 + len(name.encode()) + value_size(element) for name, element in inner.items())
    if kind == "SS":
        return sum(len(member.encode()) for member in inner)
    if kind == "NS":
        return sum(number_size(member) for member in inner)
    if kind == "BS":
        return sum(len(member) for member in inner)
    raise ValueError(f"unknown DynamoDB type {kind!r}")


def number_size(text: str) -> int:
    digits = text.lstrip("+-").lower().split("e")[0].replace(".", "").strip("0") or "0"
    return (len(digits) + 1) // 2 + 1


def item_size(item: dict | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / WRITE_UNIT_BYTES))


def read_units(size: int, consistent: bool = False) -> float:
    units = max(1, math.ceil(size / READ_UNIT_BYTES))
    return units if consistent else units / 2


# ---------------------------------------------------------------- table schema (pure)

@dataclass(frozen=True)
class Index:
    name: str
    keys: tuple[str, ...]
    projection: str = "ALL"  # ALL | KEYS_ONLY | INCLUDE
    attributes: frozenset = frozenset()  # INCLUDE's NonKeyAttributes

    def entry(self, item: dict | None, table_keys: tuple[str, ...]) -> dict | None:
        """The index entry ``item`` has (table keys + index keys + projection), or None when it is not in the index."""
        if not item or any(name not in item for name in self.keys):
            return None
        if self.projection == "ALL":
            return dict(item)
        kept = set(table_keys) | set(self.keys)
        if self.projection == "INCLUDE":
            kept |= self.attributes
        return {name: value for name, value in item.items() if name in kept}


@dataclass(frozen=True)
class TableSchema:
    keys: tuple[str, ...]
    indexes: tuple[Index, ...] = ()

    @classmethod
    def from_description(cls, table: dict) -> TableSchema:
        """From DescribeTable's ``Table`` (global and local secondary indexes alike)."""
        indexes = []
        for index in table.get("GlobalSecondaryIndexes", []) + table.get("LocalSecondaryIndexes", []):
            projection = index.get("Projection", {})
            indexes.append(Index(index["IndexName"], tuple(k["AttributeName"] for k in index["KeySchema"]),
                                 projection.get("ProjectionType", "ALL"),
                                 frozenset(projection.get("NonKeyAttributes", ()))))
        return cls(tuple(k["AttributeName"] for k in table["KeySchema"]), tuple(indexes))

    def key_of(self, item: dict) -> dict:
        return {name: item[name] for name in self.keys}

    def index(self, name: str) -> Index:
        return next(index for index in self.indexes if index.name == name)


def index_write_units(index: Index, before: dict | None, after: dict | None, table_keys: tuple[str, ...]) -> int:
    """Write units a base-table change from ``before`` to ``after`` costs in ``index``."""
    old, new = index.entry(before, table_keys), index.entry(after, table_keys)
    if old is None and new is None or old == new:
        return 0
    if old is None:
        return write_units(item_size(new))
    if new is None:
        return write_units(item_size(old))
    if any(old[name] != new[name] for name in index.keys):
        return write_units(item_size(old)) + write_units(item_size(new))
    return write_units(max(item_size(old), item_size(new)))


@dataclass(frozen=True)
class WriteCost:
    table: float  # write units on the table (ConditionCheck: read units, in ``reads``)
    indexes: int = 0
    reads: float = 0


def write_cost(schema: TableSchema, action: str, before: dict | None, after: dict | None, *,
               transaction: bool = False, succeeded: bool = True, requested: dict | None = None) -> WriteCost:
    """What one write action costs. ``action``: Put, Update, Delete or ConditionCheck; ``before``/``after``:
    the item images (None: absent); ``requested``: a Put's item, for sizing a failed put."""
    if action == "ConditionCheck":
        units = read_units(item_size(before), consistent=True)
        return WriteCost(0, 0, units * (2 if transaction and succeeded else 1))
    size = max(item_size(before), item_size(after if succeeded else requested))
    units = write_units(size) * (2 if transaction and succeeded else 1)
    if not succeeded:
        return WriteCost(units)
    return WriteCost(units, sum(index_write_units(index, before, after, schema.keys) for index in schema.indexes))


def stored_bytes(schema: TableSchema, items) -> tuple[int, int, int]:
    """(item bytes, index entry bytes, index entries) of ``items`` as stored, 100 bytes of overhead each."""
    item_bytes = entry_bytes = entries = 0
    for item in items:
        item_bytes += item_size(item) + STORAGE_OVERHEAD
        for index in schema.indexes:
            entry = index.entry(item, schema.keys)
            if entry is not None:
                entry_bytes += item_size(entry) + STORAGE_OVERHEAD
                entries += 1
    return item_bytes, entry_bytes, entries


# ---------------------------------------------------------------- the meter

@dataclass
class Usage:
    requests: Counter = field(default_factory=Counter)  # per operation
    # Units are floats (an eventually consistent read is half a unit): Counter adds them all the same.
    write_units: Counter = field(default_factory=Counter)  # per item kind (and INDEX_KIND)
    read_units: Counter = field(default_factory=Counter)  # per operation
    unmetered: Counter = field(default_factory=Counter)  # operations the meter has no rule for

    def add(self, other: Usage) -> None:
        for name in ("requests", "write_units", "read_units", "unmetered"):
            getattr(self, name).update(getattr(other, name))

    @property
    def wru(self) -> float:
        return sum(self.write_units.values())

    @property
    def rru(self) -> float:
        return sum(self.read_units.values())


def _decode(value):
    """The wire JSON of a request (B as base64) -> boto3's low-level form (B as bytes)."""
    if isinstance(value, dict):
        if len(value) == 1:
            (kind, inner), = value.items()
            if kind == "B" and isinstance(inner, str):
                return {"B": base64.b64decode(inner)}
            if kind == "BS" and isinstance(inner, list) and all(isinstance(m, str) for m in inner):
                return {"BS": [base64.b64decode(member) for member in inner]}
        return {name: _decode(inner) for name, inner in value.items()}
    if isinstance(value, list):
        return [_decode(inner) for inner in value]
    return value


class TableReader:
    """Reads a table's state with an unmetered client: item images, what a Query reads, its schema."""

    def __init__(self, client):
        self._client = client
        self._schemas: dict[str, TableSchema] = {}

    def schema(self, table: str) -> TableSchema:
        if table not in self._schemas:
            self._schemas[table] = TableSchema.from_description(self._client.describe_table(TableName=table)["Table"])
        return self._schemas[table]

    def items(self, table: str, item_keys: list[dict]) -> list[dict | None]:
        """The current item of each key (None when absent), in order."""
        found: dict[bytes, dict] = {}
        schema = self.schema(table)
        unique = list({orjson.dumps(key, option=orjson.OPT_SORT_KEYS, default=_bytes): key for key in item_keys}.values())
        for start in range(0, len(unique), 100):
            request = {table: {"Keys": unique[start:start + 100], "ConsistentRead": True}}
            while request:
                response = self._client.batch_get_item(RequestItems=request)
                for item in response["Responses"].get(table, []):
                    found[_key_id(schema.key_of(item))] = item
                request = response.get("UnprocessedKeys") or {}
        return [found.get(_key_id(key)) for key in item_keys]

    def read_by(self, operation: str, request: dict) -> list[dict]:
        """The items a Query or Scan reads: the same request without filter, projection or Select."""
        kept = {name: value for name, value in request.items()
                if name in ("TableName", "IndexName", "KeyConditionExpression", "ExclusiveStartKey", "Limit",
                            "ScanIndexForward", "ConsistentRead", "Segment", "TotalSegments")}
        expression = kept.get("KeyConditionExpression", "")
        for name in ("ExpressionAttributeNames", "ExpressionAttributeValues"):
            used = {token: value for token, value in request.get(name, {}).items() if token in expression}
            if used:
                kept[name] = used
        call = self._client.query if operation == "Query" else self._client.scan
        return call(**kept).get("Items", [])

    def scan_all(self, table: str):
        kwargs = {"TableName": table}
        while True:
            page = self._client.scan(**kwargs)
            yield from page["Items"]
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


class MotoTableReader(TableReader):
    """The same answers read straight from moto's in-process state: item images and whole-table
    scans without serialising responses (moto's serialiser would take most of a benchmark's time).
    Queries and DescribeTable still go through the client."""

    def __init__(self, client, account: str = "123456789012", region: str = "us-east-1"):
        super().__init__(client)
        from moto.dynamodb.models import dynamodb_backends

        self._backend = dynamodb_backends[account][region]

    def items(self, table: str, item_keys: list[dict]) -> list[dict | None]:
        found = [self._backend.get_item(table, key) for key in item_keys]
        return [item.to_json()["Attributes"] if item is not None else None for item in found]

    def scan_all(self, table: str):
        for item in self._backend.get_table(table).all_items():
            yield item.to_json()["Attributes"]


def _bytes(value):
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    raise TypeError(type(value).__name__)


def _key_id(key: dict) -> bytes:
    return orjson.dumps(key, option=orjson.OPT_SORT_KEYS, default=_bytes)


class Meter:
    """Counts requests, write and read units of the clients it is attached to.

    ``kind_of(key)`` names the kind of item a primary key belongs to (the WRU split); index
    entries are always counted as :data:`INDEX_KIND`."""

    WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")
    READS = ("GetItem", "BatchGetItem", "Query", "Scan")
    FREE = ("DescribeTable", "ListTables", "DescribeTimeToLive")

    def __init__(self, reader: TableReader, kind_of=lambda key: "items"):
        self._reader = reader
        self._kind_of = kind_of
        self._local = threading.local()
        self._lock = threading.Lock()
        self.usage = Usage()

    def attach(self, events) -> None:
        """Meter the client (``client.meta.events``) or session (``session.events``) behind ``events``."""
        events.register("request-created.dynamodb", self._on_request)
        events.register("after-call.dynamodb", self._on_response)

    def take(self) -> Usage:
        """The usage so far; counting starts again from zero."""
        with self._lock:
            usage, self.usage = self.usage, Usage()
        return usage

    # -- hooks
    def _on_request(self, request, operation_name: str, **_):
        body = _decode(orjson.loads(request.body)) if request.body else {}
        self._local.pending = (operation_name, body, self._before(operation_name, body))

    def _on_response(self, http_response, parsed, model, **_):
        operation, body, before = getattr(self._local, "pending", (model.name, {}, None))
        self._local.pending = None
        error = (parsed or {}).get("Error", {}).get("Code", "") if http_response.status_code >= 300 else ""
        usage = Usage()
        usage.requests[operation] += 1
        if operation in self.WRITES:
            self._count_writes(usage, operation, body, before, error, parsed or {})
        elif operation in self.READS:
            if not error:
                usage.read_units[operation] += self._read_cost(operation, body, before, parsed or {})  # type: ignore[assignment]
        elif operation not in self.FREE:
            usage.unmetered[operation] += 1
        with self._lock:
            self.usage.add(usage)

    # -- writes
    def _actions(self, operation: str, body: dict) -> list[tuple[str, str, dict, dict | None]]:
        """(action, table, key, requested item) of each item a write request touches."""
        if operation == "TransactWriteItems":
            out = []
            for entry in body.get("TransactItems", []):
                (action, op), = entry.items()
                out.append(self._action(action, op["TableName"], op))
            return out
        if operation == "BatchWriteItem":
            return [self._action("Put" if "PutRequest" in request else "Delete", table,
                                 request.get("PutRequest") or request.get("DeleteRequest"))
                    for table, requests in body.get("RequestItems", {}).items() for request in requests]
        return [self._action(operation[:-len("Item")], body["TableName"], body)]

    def _action(self, action: str, table: str, op: dict) -> tuple[str, str, dict, dict | None]:
        if action == "Put":
            return action, table, self._reader.schema(table).key_of(op["Item"]), op["Item"]
        return action, table, op["Key"], None

    def _before(self, operation: str, body: dict):
        if operation in self.WRITES:
            return self._images(self._actions(operation, body))
        if operation == "GetItem":
            return self._reader.items(body["TableName"], [body["Key"]])
        if operation == "BatchGetItem":
            return {table: self._reader.items(table, request["Keys"]) for table, request in body["RequestItems"].items()}
        return None

    def _images(self, actions) -> list[dict | None]:
        by_table: dict[str, list[int]] = {}
        for position, (_, table, _, _) in enumerate(actions):
            by_table.setdefault(table, []).append(position)
        images: list[dict | None] = [None] * len(actions)
        for table, positions in by_table.items():
            for position, item in zip(positions, self._reader.items(table, [actions[p][2] for p in positions])):
                images[position] = item
        return images

    def _count_writes(self, usage: Usage, operation: str, body: dict, before, error: str, parsed: dict) -> None:
        actions = self._actions(operation, body)
        transaction = operation == "TransactWriteItems"
        if error and error not in ("TransactionCanceledException", "ConditionalCheckFailedException"):
            return  # validation errors and throttling are not billed
        succeeded = not error
        after = self._images(actions) if succeeded else before
        unprocessed = set()
        if operation == "BatchWriteItem":
            for table, requests in (parsed.get("UnprocessedItems") or {}).items():
                schema = self._reader.schema(table)
                for request in requests:
                    put = request.get("PutRequest")
                    unprocessed.add((table, _key_id(schema.key_of(put["Item"]) if put else request["DeleteRequest"]["Key"])))
        for (action, table, key, requested), old, new in zip(actions, before, after):
            if (table, _key_id(key)) in unprocessed:
                continue
            cost = write_cost(self._reader.schema(table), action, old, new, transaction=transaction,
                              succeeded=succeeded, requested=requested)
            usage.write_units[self._kind_of(key)] += cost.table  # type: ignore[assignment]
            if cost.indexes:
                usage.write_units[INDEX_KIND] += cost.indexes
            if cost.reads:
                usage.read_units["ConditionCheck"] += cost.reads  # type: ignore[assignment]

    # -- reads
    def _read_cost(self, operation: str, body: dict, before, parsed: dict) -> float:
        if operation == "GetItem":
            return read_units(item_size(before[0]), body.get("ConsistentRead", False))
        if operation == "BatchGetItem":
            unprocessed = parsed.get("UnprocessedKeys") or {}
            total = 0.0
            for table, request in body["RequestItems"].items():
                skipped = {_key_id(key) for key in unprocessed.get(table, {}).get("Keys", [])}
                for key, item in zip(request["Keys"], before[table]):
                    if _key_id(key) not in skipped:
                        total += read_units(item_size(item), request.get("ConsistentRead", False))
            return total
        if any(name in body for name in ("FilterExpression", "ProjectionExpression", "Select", "AttributesToGet")):
            items = self._reader.read_by(operation, body)  # what was read, not what was returned
        else:
            items = parsed.get("Items", [])
        if body.get("IndexName"):
            schema = self._reader.schema(body["TableName"])
            index = schema.index(body["IndexName"])
            items = [entry for item in items if (entry := index.entry(item, schema.keys)) is not None]
        return read_units(sum(item_size(item) for item in items), body.get("ConsistentRead", False))

    # -- storage
    def stored(self, table: str) -> tuple[int, int, int, int]:
        """(items, item bytes, index entry bytes, index entries) of ``table`` now."""
        schema = self._reader.schema(table)
        count = 0

        def counted():
            nonlocal count
            for item in self._reader.scan_all(table):
                count += 1
                yield item

        item_bytes, entry_bytes, entries = stored_bytes(schema, counted())
        return count, item_bytes, entry_bytes, entries
