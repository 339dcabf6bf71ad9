"""Resources in the table: their changes, their folded state, who created them, the events naming them.

Written at ingest from the events a part owns (writer.py), so on the same exactly-once terms:

- a **change** item per (resource, event): a put under a key made of the event's id, so a
  redelivered or retried event rewrites the same item;
- then the resource's **state**: its changes read back (a consistent Query of its partition) and
  folded (resources/lifecycle.py: order-independent, so events arriving out of order end right).
  Changes only ever grow, so the fold of more changes is the newer one: the state is put only if
  the stored one folded fewer (``v``). Two writers racing on one resource cannot leave the older
  view. A running state carries the sparse Running index's keys, a stopped or deleted one not;
- a **created** entry per create event, under its creator (``/users/{user}/cost``);
- **mentions**: per flush and resource, the events that name it (``/resources/{id}``), for the ids
  of resources the table tracks (a marker item per resource, read with one BatchGetItem per
  flush): most ids an event names (security groups, subnets, images) are not resources it tracks,
  and an item each would cost a write unit. Events naming a resource before its first change
  reached the table are not listed.

A resource id alone can name several resources (a bucket and a table both called ``lab``):
its partition holds each under its account, region and type.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson
from botocore.exceptions import ClientError

from ..models import StoredEvent
from ..resources import Interval, ResourceChange, ResourceState, fold
from . import keys

MAX_BATCH_GET = 100
MAX_USER_AGENT = 256  # of the creator's user agent kept (a tool, not a document)
MAX_MENTIONED = 1000  # resources a flush records mentions of (more: the rest are not listed)
MENTIONS_BYTES = 100_000  # of the events one mentions item lists (for one resource and flush), before compression
MAX_INTERVALS = 500


@dataclass(frozen=True)
class StoredResource:
    """A resource's state as the API shows it, with its creator and who deleted it."""

    state: ResourceState
    account: str
    region: str
    creator: dict | None  # {actor, actorType, role, sourceIP, userAgent, time, eventID}
    deleted_by: dict | None  # {actor, actorType, role, time, eventID}


def _encode(value) -> bytes:
    return zlib.compress(orjson.dumps(value), 6)


def _decode(blob) -> Any:
    return orjson.loads(zlib.decompress(bytes(blob)))


class ResourceWriter:
    """Writes what the events of a flush change (see the module docstring)."""

    def __init__(self, client, table_name: str, batch, stats):
        self._client = client
        self._table = table_name
        self._batch = batch  # dal/batch.BatchWriter
        self._stats = stats  # .requests counts the requests made here
        self._marked: set[str] = set()  # ids whose marker the last tracked() read

    def write(self, events: Iterable[StoredEvent], expiry) -> None:
        """``events``: a flush's owned events; ``expiry(item, event_time)`` adds the retention TTL (mentions only:
        a resource outlives its events' retention)."""
        items: list[dict] = []
        touched: dict[tuple[str, str], None] = {}
        marked: set[str] = set()
        for event in events:
            for change in event.changes:
                place = keys.resource_place(event.account, event.region, change.resource_type)
                pk = keys.resource_pk(change.resource_id)
                items.append(self._change_item(pk, place, change, event))
                if pk not in marked and change.resource_id not in self._marked:
                    marked.add(pk)
                    items.append({keys.PK: {"S": pk}, keys.SK: {"S": keys.RESOURCE_MARKER_SK}})
                touched[(pk, place)] = None
                if change.kind == "create":
                    items.append({
                        keys.PK: {"S": keys.created_pk(event.actor.name)},
                        keys.SK: {"S": keys.created_sk(change.event_time, place, change.resource_id)},
                        "rp": {"S": pk}, "rs": {"S": keys.resource_state_sk(place)},
                    })
        self._batch.put(items)
        for pk, place in touched:
            self._refold(pk, place)

    def tracked(self, events: Iterable[StoredEvent]) -> set[str]:
        """The ids ``events`` name (or change) that are resources the table tracks."""
        events = list(events)
        changed = {change.resource_id for event in events for change in event.changes}
        asked = sorted({resource_id for event in events for resource_id in event.mentions} | changed)
        found: set[str] = set()
        for start in range(0, len(asked), MAX_BATCH_GET):
            by_pk = {keys.resource_pk(i): i for i in asked[start:start + MAX_BATCH_GET]}
            pending: dict = {self._table: {"Keys": [{keys.PK: {"S": pk}, keys.SK: {"S": keys.RESOURCE_MARKER_SK}} for pk in by_pk],
                                           "ProjectionExpression": "pk"}}
            while pending:
                self._stats.requests += 1
                response = self._client.batch_get_item(RequestItems=pending)
                found.update(by_pk[item[keys.PK]["S"]] for item in response.get("Responses", {}).get(self._table, []))
                pending = response.get("UnprocessedKeys") or {}
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
                size = sum(len(text) for text in entry) + 16
                if sizes[where] + size <= MENTIONS_BYTES:  # bounded whatever the names hold
                    named[where].append(entry)
                    sizes[where] += size
        items = []
        for (resource_id, account, region), entries in named.items():
            entries.sort(reverse=True)
            items.append(expiry({
                keys.PK: {"S": keys.resource_pk(resource_id)},
                keys.SK: {"S": keys.resource_mentions_sk(account, region, entries[0][0], tag)},
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

    def _refold(self, pk: str, place: str) -> None:
        changes = self._changes(pk, place)
        if not changes:
            return
        state_item = state_item_of(pk, place, changes)
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
            # a writer that read more changes of this resource already put its state: that one stands

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


def _who(item: dict) -> dict:
    return {"actor": item["a"]["S"], "actorType": item["at"]["S"], "role": item["ro"]["S"],
            "sourceIP": item["ip"]["S"], "userAgent": item["ua"]["S"], "time": item["t"]["S"],
            "eventID": item["e"]["S"]}


def state_item_of(pk: str, place: str, change_items: list[dict]) -> dict:
    """The state item of a resource from its change items (a pure function of the set of them)."""
    state = fold(change_of(item) for item in change_items)
    by_id = {item["e"]["S"]: item for item in change_items}
    first = change_items[0]
    item: dict = {
        keys.PK: {"S": pk}, keys.SK: {"S": keys.resource_state_sk(place)},
        "ty": {"S": state.resource_type}, "id": {"S": state.resource_id}, "arn": {"S": state.arn},
        "ac": first["ac"], "rg": first["rg"], "st": {"S": state.state}, "v": {"N": str(state.changes)},
        "z": {"M": {name: {"S": value} for name, value in sorted(state.attributes.items())}},
        "iv": {"B": _encode([[i.state, i.start, i.end] for i in state.intervals[-MAX_INTERVALS:]])},
        "bs": {"BOOL": state.bills_when_stopped},
    }
    if state.created_event_id and state.created_event_id in by_id:
        item["cb"] = {"B": _encode(_who(by_id[state.created_event_id]))}
    if state.deleted_at:
        item["da"] = {"S": state.deleted_at}
        if state.deleted_event_id and state.deleted_event_id in by_id:
            item["db"] = {"B": _encode(_who(by_id[state.deleted_event_id]))}
    if state.created_at:
        item["ca"] = {"S": state.created_at}
    if state.state == "running":
        item[keys.RUNNING_PK] = {"S": first["ac"]["S"] or keys.NO_ACCOUNT}
        item[keys.RUNNING_SK] = {"S": keys.running_sk(first["rg"]["S"], state.resource_type, state.resource_id)}
    return item


def stored_resource_of(item: dict) -> StoredResource:
    """A state item (table or Running index) as a :class:`StoredResource`."""
    intervals = tuple(Interval(state, start, end) for state, start, end in _decode(item["iv"]["B"]))
    state = ResourceState(
        resource_type=item["ty"]["S"], resource_id=item["id"]["S"], arn=item.get("arn", {}).get("S", ""),
        state=item["st"]["S"], created_at=item.get("ca", {}).get("S"),
        created_event_id=None, deleted_at=item.get("da", {}).get("S"), deleted_event_id=None,
        attributes={name: value["S"] for name, value in item.get("z", {}).get("M", {}).items()},
        intervals=intervals, changes=int(item["v"]["N"]), bills_when_stopped=item.get("bs", {}).get("BOOL", False),
    )
    creator = _decode(item["cb"]["B"]) if "cb" in item else None
    deleted_by = _decode(item["db"]["B"]) if "db" in item else None
    return StoredResource(state, item["ac"]["S"], item["rg"]["S"], creator, deleted_by)


def mentions_of(item: dict) -> list[dict]:
    """The events a mentions item lists: ``{eventTime, eventID, eventName, actor, errorCode}``."""
    return [{"eventTime": t, "eventID": e, "eventName": n, "actor": a, "errorCode": x} for t, e, n, a, x in _decode(item["m"]["B"])]
