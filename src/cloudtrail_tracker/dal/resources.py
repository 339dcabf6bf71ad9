"""Resources in the table: their changes, their folded state, who created them, the events naming them.

Written at ingest from the events a flush owns (writer.py), so on the same exactly-once terms:

- a **change** item per (resource, event): a put under a key made of the event's id, so a
  redelivered or retried event rewrites the same item;
- then the resource's **state**: its changes read back (a consistent Query of its partition) and
  folded into lives (resources/lifecycle.py: order-independent, so events arriving out of order end
  right; a create after a delete is a new life, perhaps someone else's). Changes only ever grow, so
  the fold of more changes is the newer one: the state is put only if the stored one folded fewer
  (``v``), and two writers racing on one resource cannot leave the older view. A running state
  carries the sparse Running index's keys, a stopped or deleted one not;
- a **created** entry per create event, under its creator (``/users/{user}/cost``);
- **mentions**: per flush and resource, the events that name it (``/resources/{id}``), for the ids
  of resources the table tracks (a marker item per resource, read with one BatchGetItem per 100
  ids): most ids an event names (security groups, subnets, images) are not resources it tracks,
  and an item each would cost a write unit. Events naming a resource before its first change
  reached the table are not listed.

A resource id alone can name several resources (a bucket and a table both called ``lab``): its
partitions hold each under its account, region and type (its place).
"""

from __future__ import annotations

import random
import time
import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson
from botocore.exceptions import ClientError

from ..models import StoredEvent
from ..resources import Interval, ResourceChange, ResourceState, lives
from . import keys

MAX_BATCH_GET = 100
MAX_USER_AGENT = 256  # of the creator's user agent kept (a tool, not a document)
MAX_MENTIONED = 1000  # resources a flush records mentions of (more: the rest are not listed)
MENTIONS_BYTES = 100_000  # of the events one mentions item lists (for one resource and flush), before compression
MAX_INTERVALS = 500
MAX_REFOLDS = 2000  # resources one flush refolds (more would be a file of thousands of launches: the rest wait for the next)


@dataclass(frozen=True)
class Life:
    """One life of a resource id: from a create (or the first change seen) to its delete."""

    state: ResourceState
    creator: dict | None  # {actor, actorType, role, sourceIP, userAgent, time, eventID}
    deleted_by: dict | None  # {actor, actorType, role, time, eventID}: not where they were or what they ran


@dataclass(frozen=True)
class StoredResource:
    """A resource's lives as the API shows them: the last is its state now."""

    lives: tuple[Life, ...]
    account: str
    region: str

    @property
    def state(self) -> ResourceState:
        return self.lives[-1].state

    @property
    def creator(self) -> dict | None:
        return self.lives[-1].creator

    @property
    def deleted_by(self) -> dict | None:
        return self.lives[-1].deleted_by


def _encode(value) -> bytes:
    return zlib.compress(orjson.dumps(value), 6)


def _decode(blob) -> Any:
    return orjson.loads(zlib.decompress(bytes(blob)))


def backoff(attempt: int) -> None:
    """The wait before retrying what DynamoDB left unprocessed."""
    time.sleep(min(2.0, 0.05 * 2 ** attempt) * (0.5 + random.random() / 2))


class ResourceWriter:
    """Writes what the events of a flush change (see the module docstring)."""

    def __init__(self, client, table_name: str, batch, stats):
        self._client = client
        self._table = table_name
        self._batch = batch  # dal/batch.BatchWriter
        self._stats = stats  # .requests counts the requests made here
        self._marked: set[str] = set()  # ids whose marker the last tracked() read
        self.refolded: list[dict] = []  # the state items the last write() put (what runs now, before the index has them)

    def write(self, events: Iterable[StoredEvent]) -> None:
        """``events``: a flush's owned events that change resources."""
        items: dict[tuple[str, str], dict] = {}  # by key: one event may name a resource twice
        touched: dict[tuple[str, str], None] = {}
        for event in events:
            for change in event.changes:
                place = keys.resource_place(event.account, event.region, change.resource_type)
                pk = keys.resource_pk(change.resource_id)
                if change.resource_id not in self._marked:
                    items[(pk, keys.RESOURCE_MARKER_SK)] = {keys.PK: {"S": pk}, keys.SK: {"S": keys.RESOURCE_MARKER_SK}}
                change_item = self._change_item(pk, place, change, event)
                items[(pk, change_item[keys.SK]["S"])] = change_item
                touched[(change.resource_id, place)] = None
                if change.kind == "create":
                    sort_key = keys.created_sk(change.event_time, place, change.resource_id, change.event_id)
                    items[(keys.created_pk(event.actor.name), sort_key)] = {
                        keys.PK: {"S": keys.created_pk(event.actor.name)}, keys.SK: {"S": sort_key},
                        "rp": {"S": keys.state_pk(change.resource_id)}, "rs": {"S": place},
                    }
        self._batch.put(list(items.values()))
        self.refolded = []
        for resource_id, place in list(touched)[:MAX_REFOLDS]:
            self._refold(resource_id, place)

    def tracked(self, events: Iterable[StoredEvent]) -> set[str]:
        """The ids ``events`` name (or change) that are resources the table tracks (at most MAX_MENTIONED asked)."""
        events = list(events)
        changed = {change.resource_id for event in events for change in event.changes}
        asked = sorted(changed | {resource_id for event in events for resource_id in event.mentions})[:MAX_MENTIONED]
        found: set[str] = set()
        for start in range(0, len(asked), MAX_BATCH_GET):
            by_pk = {keys.resource_pk(i): i for i in asked[start:start + MAX_BATCH_GET]}
            pending: dict = {self._table: {"Keys": [{keys.PK: {"S": pk}, keys.SK: {"S": keys.RESOURCE_MARKER_SK}} for pk in by_pk],
                                           "ProjectionExpression": "pk"}}
            for attempt in range(8):
                if attempt:
                    backoff(attempt)
                self._stats.requests += 1
                response = self._client.batch_get_item(RequestItems=pending)
                found.update(by_pk[item[keys.PK]["S"]] for item in response.get("Responses", {}).get(self._table, []))
                pending = response.get("UnprocessedKeys") or {}
                if not pending:
                    break
        self._marked = found  # their markers exist: write() need not put them again
        return found | changed

    def mentions(self, tag: str, events: Iterable[StoredEvent], tracked: set[str], expiry) -> list[dict]:
        """The mentions items of a flush's owned events (``tag``: the flush's), of the ``tracked`` ids; a retried
        flush writes them again under a new tag (readers take each event once)."""
        named: dict[tuple[str, str, str], list[list]] = defaultdict(list)
        sizes: dict[tuple[str, str, str], int] = defaultdict(int)
        for event in events:
            for resource_id in event.mentions:
                if resource_id not in tracked:
                    continue
                where = (resource_id, event.account, event.region)
                if where not in named and len(named) >= MAX_MENTIONED:
                    continue
                entry = [event.event_time, event.event_id, event.event_name, event.actor.name, event.error_code]
                size = sum(len(text.encode("utf-8", "surrogatepass")) for text in entry) + 16
                if sizes[where] + size <= MENTIONS_BYTES:  # bounded whatever the names hold
                    named[where].append(entry)
                    sizes[where] += size
        items: list[dict] = []
        for (resource_id, account, region), entries in named.items():
            entries.sort(reverse=True)
            items.append(expiry({
                keys.PK: {"S": keys.mentions_pk(resource_id)},
                keys.SK: {"S": keys.resource_mentions_sk(entries[0][0], f"{tag}.{len(items)}")},
                "ac": {"S": account}, "rg": {"S": region}, "m": {"B": _encode(entries)},
            }, entries[0][0]))
        return items

    @staticmethod
    def _change_item(pk: str, place: str, change: ResourceChange, event: StoredEvent) -> dict:
        actor = event.actor
        item = {
            keys.PK: {"S": pk}, keys.SK: {"S": keys.resource_change_sk(place, change.event_time, change.event_id)},
            "ty": {"S": change.resource_type}, "id": {"S": change.resource_id}, "k": {"S": change.kind},
            "t": {"S": change.event_time}, "e": {"S": change.event_id}, "n": {"S": change.event_name},
            "ac": {"S": event.account}, "rg": {"S": event.region},
            "a": {"S": actor.name}, "at": {"S": actor.type}, "ro": {"S": actor.role},
            "ip": {"S": event.source_ip}, "ua": {"S": event.user_agent[:MAX_USER_AGENT]},
            "z": {"M": {name: {"S": value} for name, value in change.attributes}},
        }
        if change.arn:
            item["arn"] = {"S": change.arn}
        return item

    def _refold(self, resource_id: str, place: str) -> None:
        changes = self._changes(keys.resource_pk(resource_id), place)
        if not changes:
            return
        state = state_item_of(resource_id, place, changes)
        if self.put_state(state):
            self.refolded.append(state)

    def put_state(self, state_item: dict) -> bool:
        """Put a state unless the stored one folded more changes; whether it was put."""
        self._stats.requests += 1
        try:
            self._client.put_item(
                TableName=self._table, Item=state_item,
                ConditionExpression="attribute_not_exists(v) OR v < :v",
                ExpressionAttributeValues={":v": state_item["v"]},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False  # a writer that read more changes of this resource already put its state: that one stands
        return True

    def _changes(self, pk: str, place: str) -> list[dict]:
        request = {"TableName": self._table, "ConsistentRead": True,
                   "KeyConditionExpression": "pk = :pk AND begins_with(sk, :c)",
                   "ExpressionAttributeValues": {":pk": {"S": pk}, ":c": {"S": f"{place}C#"}}}
        found: list[dict] = []
        while True:
            self._stats.requests += 1
            response = self._client.query(**request)
            found.extend(response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def change_of(item: dict) -> ResourceChange:
    return ResourceChange(
        resource_type=item["ty"]["S"], resource_id=item["id"]["S"], arn=item.get("arn", {}).get("S", ""),
        kind=item["k"]["S"], event_id=item["e"]["S"], event_time=item["t"]["S"], event_name=item["n"]["S"],
        attributes=tuple(sorted((name, value["S"]) for name, value in item.get("z", {}).get("M", {}).items())),
    )


def _creator(item: dict) -> dict:
    return {"actor": item["a"]["S"], "actorType": item["at"]["S"], "role": item["ro"]["S"],
            "sourceIP": item["ip"]["S"], "userAgent": item["ua"]["S"], "time": item["t"]["S"], "eventID": item["e"]["S"]}


def _deleter(item: dict) -> dict:
    return {"actor": item["a"]["S"], "actorType": item["at"]["S"], "role": item["ro"]["S"], "time": item["t"]["S"],
            "eventID": item["e"]["S"]}


def _life_of(state: ResourceState, by_id: dict[str, dict]) -> list:
    created = by_id.get(state.created_event_id or "")
    deleted = by_id.get(state.deleted_event_id or "")
    return [state.state, state.created_at, state.deleted_at, _creator(created) if created else None,
            _deleter(deleted) if deleted else None, dict(sorted(state.attributes.items())),
            [[i.state, i.start, i.end] for i in state.intervals[-MAX_INTERVALS:]], state.changes]


def state_item_of(resource_id: str, place: str, change_items: list[dict]) -> dict:
    """The state item of a resource from its change items (a pure function of the set of them)."""
    folded = lives(change_of(item) for item in change_items)
    by_id = {item["e"]["S"]: item for item in change_items}
    current, first = folded[-1], change_items[0]
    item: dict = {
        keys.PK: {"S": keys.state_pk(resource_id)}, keys.SK: {"S": place},
        "ty": {"S": current.resource_type}, "id": {"S": current.resource_id},
        "arn": {"S": next((life.arn for life in reversed(folded) if life.arn), "")},
        "ac": first["ac"], "rg": first["rg"], "st": {"S": current.state}, "bs": {"BOOL": current.bills_when_stopped},
        "v": {"N": str(sum(life.changes for life in folded))},  # every distinct change of the id here: only grows
        "lv": {"B": _encode([_life_of(life, by_id) for life in folded])},
    }
    if current.state == "running":
        item[keys.RUNNING_PK] = {"S": first["ac"]["S"] or keys.NO_ACCOUNT}
        item[keys.RUNNING_SK] = {"S": keys.running_sk(first["rg"]["S"], current.resource_type, current.resource_id)}
    return item


def stored_resource_of(item: dict) -> StoredResource:
    """A state item (table or Running index) as a :class:`StoredResource`."""
    resource_type, resource_id, arn = item["ty"]["S"], item["id"]["S"], item.get("arn", {}).get("S", "")
    bills = item.get("bs", {}).get("BOOL", False)
    found = []
    for state, created_at, deleted_at, creator, deleted_by, attributes, intervals, changes in _decode(item["lv"]["B"]):
        found.append(Life(ResourceState(
            resource_type=resource_type, resource_id=resource_id, arn=arn, state=state, created_at=created_at,
            created_event_id=(creator or {}).get("eventID"), deleted_at=deleted_at,
            deleted_event_id=(deleted_by or {}).get("eventID"), attributes=attributes,
            intervals=tuple(Interval(s, start, end) for s, start, end in intervals), changes=changes,
            bills_when_stopped=bills), creator, deleted_by))
    return StoredResource(tuple(found), item["ac"]["S"], item["rg"]["S"])


def mentions_of(item: dict) -> list[dict]:
    """The events a mentions item lists: ``{eventTime, eventID, eventName, actor, errorCode}``."""
    return [{"eventTime": t, "eventID": e, "eventName": n, "actor": a, "errorCode": x} for t, e, n, a, x in _decode(item["m"]["B"])]
