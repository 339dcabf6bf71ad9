"""The lists of actors, services, months, days, error codes, event names and accounts with events
(``/users``, ``/services``, the walks' day lists, the query API's name lookups).

An entry is written before the first events it lists (so no stored event has an unlisted actor),
and then once per name and newer (or, for actors and services, older) day per process: a few requests per
file, not per event. An actor's and a service's firstSeen and lastSeen are the ends of its days.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from ..models import StoredEvent
from . import keys


class Registries:
    def __init__(self, client, table: str):
        self._client = client
        self._table = table
        # (kind, name) -> (the day its firstSeen is at most, the newest day written) by this process
        self._written: dict[tuple[str, str], tuple[str | None, str | None]] = {}
        self.requests = 0

    def record(self, events: list[StoredEvent]) -> None:
        """List the names of ``events`` not yet written by this process for their days."""
        span: dict[tuple[str, str], tuple[str, str, dict[str, str]]] = {}  # (kind, name) -> (oldest day, newest day, fields)
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
                seen = span.get((kind, name))
                if seen is None:
                    span[(kind, name)] = (day, day, fields)
                else:
                    oldest, newest, kept = seen
                    span[(kind, name)] = (min(oldest, day), max(newest, day), fields if day > newest else kept)
        for (kind, name), (oldest, day, fields) in span.items():
            tracks_days = kind in (keys.ACTOR_REGISTRY, keys.SERVICE_REGISTRY)
            first, last = self._written.get((kind, name), (None, None))
            if last is None or (tracks_days and day > last):
                self._write(kind, name, fields, day, tracks_days)
                first, last = min(day, first or day), max(day, last or day)
            if tracks_days and first is not None and oldest < first:  # an older day than this process wrote
                self._move_first_seen_back(kind, name, oldest)
                first = oldest
            self._written[(kind, name)] = (first, last)

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
            self._move_first_seen_back(kind, name, day)

    def _move_first_seen_back(self, kind: str, name: str, day: str) -> None:
        self.requests += 1
        try:
            self._client.update_item(
                TableName=self._table, Key=keys.registry_key(kind, name),
                UpdateExpression="SET #first = :day", ConditionExpression="#first > :day",
                ExpressionAttributeNames={"#first": "firstSeen"}, ExpressionAttributeValues={":day": {"S": day}})
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
