"""The lists of actors, services, months, days, error codes, event names and accounts with events
(``/users``, ``/services``, the walks' day lists, the query API's name lookups).

An entry is written before the first events it lists (so no stored event has an unlisted actor),
and then once per name and newer day per process: a few requests per file, not per event.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from ..models import StoredEvent
from . import keys


class Registries:
    def __init__(self, client, table: str):
        self._client = client
        self._table = table
        self._written: dict[tuple[str, str], str] = {}  # (kind, name) -> newest day written
        self.requests = 0

    def record(self, events: list[StoredEvent]) -> None:
        """List the names of ``events`` not yet written by this process for their day."""
        newest: dict[tuple[str, str], tuple[str, dict[str, str]]] = {}
        # one (actor, service, day, error, event name) per distinct combination: far fewer than events
        for actor, account, source, service, day, error, event_name in {
                (e.actor, e.account, e.event_source, e.service, e.day, e.error_code, e.event_name) for e in events}:
            entries = [
                (keys.ACTOR_REGISTRY, actor.name, {"actorType": actor.type, "role": actor.role, "account": account}),
                (keys.SERVICE_REGISTRY, service, {"eventSource": source}),
                (keys.MONTH_REGISTRY, day[:7], {}),
                (keys.DAY_REGISTRY, day, {}),
                (keys.EVENT_NAME_REGISTRY, event_name, {}),
            ]
            if error:
                entries.append((keys.ERROR_REGISTRY, error, {}))
            if account:
                entries.append((keys.ACCOUNT_REGISTRY, account, {}))
            for kind, name, fields in entries:
                seen = newest.get((kind, name))
                if seen is None or day > seen[0]:
                    newest[(kind, name)] = (day, fields)
        for (kind, name), (day, fields) in newest.items():
            written = self._written.get((kind, name))
            tracks_last_seen = kind in (keys.ACTOR_REGISTRY, keys.SERVICE_REGISTRY)
            if written is not None and (not tracks_last_seen or written >= day):
                continue
            self._write(kind, name, fields, day, tracks_last_seen)
            self._written[(kind, name)] = max(day, written or "")

    def _write(self, kind: str, name: str, fields: dict[str, str], day: str, tracks_last_seen: bool) -> None:
        names = {"#name": "name", "#first": "firstSeen"}
        values = {":name": {"S": name}, ":day": {"S": day}}
        sets = ["#name = :name", "#first = if_not_exists(#first, :day)"]
        for number, (field, value) in enumerate(fields.items()):
            if value:
                names[f"#f{number}"] = field
                values[f":f{number}"] = {"S": value}
                sets.append(f"#f{number} = :f{number}")
        request = {"TableName": self._table, "Key": keys.registry_key(kind, name),
                   "ExpressionAttributeNames": names, "ExpressionAttributeValues": values}
        if tracks_last_seen:
            names["#last"] = "lastSeen"
            sets.append("#last = :day")
            request["ConditionExpression"] = "attribute_not_exists(#last) OR #last < :day"
        self.requests += 1
        try:
            self._client.update_item(UpdateExpression="SET " + ", ".join(sets), **request)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            # seen on a later day already (a backfill of older logs): only firstSeen may move back
            self.requests += 1
            try:
                self._client.update_item(
                    TableName=self._table, Key=keys.registry_key(kind, name),
                    UpdateExpression="SET #first = :day", ConditionExpression="#first > :day",
                    ExpressionAttributeNames={"#first": "firstSeen"}, ExpressionAttributeValues={":day": {"S": day}})
            except ClientError as again:
                if again.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
