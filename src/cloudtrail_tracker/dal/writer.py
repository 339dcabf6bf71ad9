"""Writing events and their counters: exactly once, in few requests.

Events are written in ``TransactWriteItems`` calls of up to 100 actions: each event put
is conditional on the event not being there yet, and the same transaction adds the events
to their daily counters. A redelivered file, a retried Lambda or a second file with the
same eventID makes the condition fail for those events: they are taken out and the rest
written again, so every event is stored and counted once. About 10 requests per 1,000
events, against 2,000-3,000 for the original's put-and-read-modify-write.

Only cancelled transactions are retried here (conflicts, throttled items); throttling, 500s
and timeouts of a request are retried by botocore, as the client's retry config says.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from botocore.exceptions import ClientError

from ..counting import DayCounts, count_events
from ..models import Actor, StoredEvent
from . import keys
from .items import event_item, resource_link_item
from .transact import TransactionSender

MAX_ACTIONS = 100  # TransactWriteItems limit
MAX_TRANSACTION_BYTES = 3_500_000  # limit is 4 MB
MAX_ATTEMPTS = 8  # of a cancelled transaction; botocore retries every other error itself
# Cancellation reasons worth another try (ConditionalCheckFailed means "already stored").
_RETRYABLE = {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"}


@dataclass
class WriteResult:
    stored: int = 0
    duplicates: int = 0
    requests: int = 0


class TransactionFailed(RuntimeError):
    pass


class EventStore:
    """Stores events of one or more files; call :meth:`add` per event, then :meth:`flush`."""

    def __init__(self, client, table_name: str, retention_days: int = 0, on_stored=None, registry=None):
        self._client = client
        self._on_stored = on_stored  # called with each newly stored event
        self._table = table_name
        self._retention_days = retention_days
        self._pending: list[tuple[StoredEvent, dict]] = []
        self._pending_ids: set[str] = set()
        self._pending_actions = 0
        self._pending_bytes = 0
        self._counter_keys: set = set()
        self.result = WriteResult()
        # Shared across the files of one process, so each actor and service is written once a day.
        self._registry = registry or ActorRegistry(client, table_name)
        self._sender = TransactionSender(client, table_name)

    def add(self, event: StoredEvent) -> None:
        if event.event_id in self._pending_ids:  # the same eventID twice in one file
            self.result.duplicates += 1
            return
        item = event_item(event, self._retention_days)
        size = len(item["raw"]["B"]) + 1000  # the summary attributes and keys are well under 1 KB
        new_keys = self._item_keys_of(event) - self._counter_keys
        actions = 1 + len(event.resources) + len(new_keys)
        if self._pending and (
            self._pending_actions + actions > MAX_ACTIONS or self._pending_bytes + size * (1 + len(event.resources)) > MAX_TRANSACTION_BYTES
        ):
            self._write_pending()
            new_keys = self._item_keys_of(event)
            actions = 1 + len(event.resources) + len(new_keys)
        self._pending.append((event, item))
        self._pending_ids.add(event.event_id)
        self._pending_actions += actions
        self._pending_bytes += size * (1 + len(event.resources))
        self._counter_keys |= new_keys

    def _item_keys_of(self, event: StoredEvent) -> set:
        """The shared items (counters, first registrations) an event's transaction updates."""
        return {(event.day, event.actor.name), (event.day, event.account, event.region),
                *self._registry.unregistered(event)}

    def flush(self) -> WriteResult:
        if self._pending:
            self._write_pending()
        return self.result

    def _write_pending(self) -> None:
        pending = self._pending
        self._pending, self._pending_ids, self._counter_keys = [], set(), set()
        self._pending_actions = self._pending_bytes = 0
        reasons: list[str] = []
        for attempt in range(MAX_ATTEMPTS):
            if not pending:
                return
            actions, owners = self._actions(pending)
            self.result.requests += 1
            try:
                self._sender.send(actions)
            except ClientError as error:
                # Throttling, 500s and timeouts were retried by botocore already (the client's retry
                # config); retrying them here too would multiply the attempts and the backoff past
                # the Lambda's timeout. The message fails and SQS tries it again later.
                if error.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                reasons = [r.get("Code", "None") for r in error.response.get("CancellationReasons", [])]
                already_stored = {owners[i] for i, code in enumerate(reasons) if code == "ConditionalCheckFailed"}
                unexpected = {code for code in reasons if code not in _RETRYABLE | {"None", "ConditionalCheckFailed"}}
                if unexpected:
                    raise TransactionFailed(f"DynamoDB refused the transaction: {sorted(unexpected)} {reasons}") from error
                if already_stored:
                    self.result.duplicates += len(already_stored)
                    # Stored by an earlier try whose response or Lambda was lost before lastSeen was set.
                    for index in sorted(already_stored):
                        self.result.requests += self._registry.note(pending[index][0])
                    pending = [entry for index, entry in enumerate(pending) if index not in already_stored]
                else:
                    _backoff(attempt)
                continue
            self.result.stored += len(pending)
            self._registry.mark_registered(event for event, _ in pending)
            for event, _ in pending:
                self.result.requests += self._registry.note(event)
                if self._on_stored:
                    self._on_stored(event)
            return
        raise TransactionFailed(f"a transaction of {len(pending)} events was cancelled {MAX_ATTEMPTS} times in a row "
                                f"(last reasons: {sorted(set(reasons) - {'None'})})")

    def _actions(self, pending: list[tuple[StoredEvent, dict]]) -> tuple[list[dict], list[int]]:
        actions: list[dict] = []
        owners: list[int] = []  # actions[i] belongs to pending[owners[i]]; -1 for counters
        for index, (event, item) in enumerate(pending):
            actions.append({"Put": {
                "TableName": self._table, "Item": item, "ConditionExpression": "attribute_not_exists(pk)",
            }})
            owners.append(index)
            for arn in event.resources:
                actions.append({"Put": {"TableName": self._table, "Item": resource_link_item(event, arn, item)}})
                owners.append(-1)
        per_actor, per_day = count_events([event for event, _ in pending])
        for (day, actor_name), counts in per_actor.items():
            actions.append(self._counter_update(day, counts, actor=counts.actor))
            owners.append(-1)
        for (day, account, region), counts in per_day.items():
            actions.append(self._counter_update(day, counts, account=account, region=region))
            owners.append(-1)
        # An actor or service is listed in the same transaction as its first events (in this
        # process), so a crash between the two can never leave stored events of an unlisted actor.
        for action in self._registry.registrations([event for event, _ in pending], self._table):
            actions.append(action)
            owners.append(-1)
        return actions, owners

    def _counter_update(self, day: str, counts: DayCounts, actor: Actor | None = None, account: str = "", region: str = "") -> dict:
        names: dict[str, str] = {}
        values: dict[str, dict] = {":day": {"S": day}}
        adds = []
        for index, (name, number) in enumerate(sorted(counts.counts.items())):
            names[f"#c{index}"] = name
            values[f":c{index}"] = {"N": str(number)}
            adds.append(f"#c{index} :c{index}")
        sets = ["#day = :day"]
        names["#day"] = "day"
        if actor is not None:
            key = {keys.PK: {"S": keys.counter_pk(day)}, keys.SK: {"S": keys.counter_sk(day, actor.name)}}
            values.update({
                ":actor": {"S": actor.name}, ":type": {"S": actor.type},
                ":byActor": {"S": keys.index_pk("ByActor", actor.name)}, ":ts": {"S": keys.counter_ts(day)},
            })
            names.update({"#actor": "actor", "#type": "actorType", "#byActor": "byActor", "#ts": keys.TS})
            sets += ["#actor = :actor", "#type = :type", "#byActor = :byActor", "#ts = :ts"]
        else:
            key = {keys.PK: {"S": keys.totals_pk(day)}, keys.SK: {"S": keys.totals_sk(day, account, region)}}
            values.update({":account": {"S": account}, ":region": {"S": region}})
            names.update({"#account": "account", "#region": "region"})
            sets += ["#account = :account", "#region = :region"]
        return {"Update": {
            "TableName": self._table, "Key": key,
            "UpdateExpression": f"SET {', '.join(sets)} ADD {', '.join(adds)}",
            "ExpressionAttributeNames": names, "ExpressionAttributeValues": values,
        }}


class ActorRegistry:
    """The lists of actors and services (``/users``, ``/services``).

    An entry is created inside the transaction of its first events in this process
    (:meth:`registrations`); ``lastSeen`` is then moved forward once per name and day by
    :meth:`note`, which returns the write requests it spent."""

    def __init__(self, client, table_name: str):
        self._client = client
        self._table = table_name
        self._seen: dict[tuple[str, str], str] = {}
        self._registered: set[tuple[str, str]] = set()

    @staticmethod
    def _entries(event: StoredEvent) -> list[tuple[str, str, dict[str, str]]]:
        actor = event.actor
        entries = [
            (keys.ACTOR_REGISTRY, actor.name, {"actorType": actor.type, "role": actor.role, "account": event.account}),
            (keys.SERVICE_REGISTRY, event.service, {"eventSource": event.event_source}),
            (keys.MONTH_REGISTRY, event.day[:7], {}),
        ]
        if event.error_code:
            entries.append((keys.ERROR_REGISTRY, event.error_code, {}))
        return entries

    def unregistered(self, event: StoredEvent) -> set[tuple[str, str]]:
        return {(kind, name) for kind, name, _ in self._entries(event) if (kind, name) not in self._registered}

    def registrations(self, events: list[StoredEvent], table: str) -> list[dict]:
        """Update actions creating the entries of ``events`` not yet registered by this process."""
        actions, done = [], set()
        for event in events:
            for kind, name, fields in self._entries(event):
                if (kind, name) in self._registered or (kind, name) in done:
                    continue
                done.add((kind, name))
                update = _registry_update(kind, name, fields, "firstSeen", event.day, only_if_absent=True)
                actions.append({"Update": {"TableName": table, **update}})
        return actions

    def mark_registered(self, events) -> None:
        for event in events:
            self._registered.update((kind, name) for kind, name, _ in self._entries(event))

    def note(self, event: StoredEvent) -> int:
        actor = event.actor
        return self._upsert(keys.ACTOR_REGISTRY, actor.name, event.day,
                            {"actorType": actor.type, "role": actor.role, "account": event.account}) + \
            self._upsert(keys.SERVICE_REGISTRY, event.service, event.day, {"eventSource": event.event_source})

    def _upsert(self, kind: str, name: str, day: str, fields: dict[str, str]) -> int:
        if self._seen.get((kind, name), "") >= day:
            return 0
        try:
            self._client.update_item(
                TableName=self._table, **_registry_update(kind, name, fields, "lastSeen", day),
                ConditionExpression="attribute_not_exists(#day) OR #day < :day",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
        self._seen[(kind, name)] = day  # only once written: a failed write is tried again next time
        return 1


def _registry_update(kind: str, name: str, fields: dict[str, str], day_attribute: str, day: str,
                     only_if_absent: bool = False) -> dict:
    """Key and SET expression of a registry entry: its name, ``fields`` and ``day_attribute`` (as ``#day``)."""
    names = {"#name": "name", "#day": day_attribute}
    values = {":name": {"S": name}, ":day": {"S": day}}
    sets = ["#name = :name", "#day = if_not_exists(#day, :day)" if only_if_absent else "#day = :day"]
    for index, (field, value) in enumerate(fields.items()):
        if value:
            names[f"#f{index}"] = field
            values[f":f{index}"] = {"S": value}
            sets.append(f"#f{index} = :f{index}")
    return {"Key": {keys.PK: {"S": kind}, keys.SK: {"S": name}}, "UpdateExpression": "SET " + ", ".join(sets),
            "ExpressionAttributeNames": names, "ExpressionAttributeValues": values}


def _backoff(attempt: int) -> None:
    time.sleep(min(2.0, 0.05 * 2**attempt) * random.random())

