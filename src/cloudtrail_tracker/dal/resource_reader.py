"""Reading resources (items written by resources.py): what is running, one resource, what an actor created.

Only Query and BatchGetItem: ``/running`` reads the sparse Running index (one Query per account,
of the running resources only), a resource its states, its newest changes and mentions, an actor's
spend their created entries and those resources' states.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import keys
from .reader import ReadStats, UnprocessedKeysError
from .resources import MAX_BATCH_GET, StoredResource, backoff, change_of, mentions_of, stored_resource_of

MAX_CHANGES_READ = 1000  # a resource's newest changes read for /resources/{id}
MAX_MENTIONS_READ = 100  # mentions items (each: a flush's events naming it) read for /resources/{id}


@dataclass
class ResourcePartition:
    """What is stored under one resource id: per (account, region, type) its state; its newest changes and mentions."""

    states: list[StoredResource] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)  # {change, account, region, actor, ...} of each change item
    mentions: list[dict] = field(default_factory=list)  # {account, region, eventTime, eventID, eventName, actor, errorCode}
    truncated: bool = False  # older changes or mentions exist than were read


class ResourceReader:
    def __init__(self, client, table_name: str, stats: ReadStats | None = None):
        self._client = client
        self._table = table_name
        self.stats = stats or ReadStats()

    def running(self, account: str) -> list[StoredResource]:
        """The running resources of ``account`` (the Running index: eventually consistent)."""
        return [stored_resource_of(item) for item in self.running_items(account)]

    def running_items(self, account: str) -> list[dict]:
        """The state items of what runs in ``account``, as the Running index holds them."""
        request = {"TableName": self._table, "IndexName": keys.RUNNING_INDEX,
                   "KeyConditionExpression": "#a = :a", "ExpressionAttributeNames": {"#a": keys.RUNNING_PK},
                   "ExpressionAttributeValues": {":a": {"S": account}}}
        return self._query(request)[0]

    def running_everywhere(self, accounts: list[str] | None = None) -> list[StoredResource]:
        """The running resources of ``accounts`` (default: every account the ACCOUNT registry lists, and
        the resources of events naming none)."""
        if accounts is None:
            request = {"TableName": self._table, "KeyConditionExpression": "pk = :pk", "ProjectionExpression": "sk",
                       "ExpressionAttributeValues": {":pk": {"S": keys.ACCOUNT_REGISTRY}}}
            accounts = [item[keys.SK]["S"] for item in self._query(request)[0]] + [keys.NO_ACCOUNT]
        return [resource for account in accounts for resource in self.running(account)]

    def partition(self, resource_id: str) -> ResourcePartition:
        """The states of ``resource_id`` (every place), its newest changes and mentions."""
        found = ResourcePartition()
        states, _ = self._query(self._request(keys.state_pk(resource_id)))
        found.states = [stored_resource_of(item) for item in states]
        if not found.states:
            return found
        changes, more_changes = self._query(self._request(keys.resource_pk(resource_id), newest_first=True), MAX_CHANGES_READ)
        for item in changes:
            if "k" in item:
                found.changes.append({
                    "change": change_of(item), "account": item["ac"]["S"], "region": item["rg"]["S"],
                    "actor": item["a"]["S"], "actorType": item["at"]["S"], "role": item["ro"]["S"]})
        mentions, more_mentions = self._query(self._request(keys.mentions_pk(resource_id), newest_first=True), MAX_MENTIONS_READ)
        for item in mentions:
            found.mentions.extend({"account": item["ac"]["S"], "region": item["rg"]["S"], **entry} for entry in mentions_of(item))
        found.truncated = more_changes or more_mentions
        return found

    def created_by(self, actor: str, until: str) -> list[StoredResource]:
        """The resources ``actor`` created up to ``until`` (an eventTime), with their states."""
        request = {"TableName": self._table, "KeyConditionExpression": "pk = :pk AND sk <= :hi",
                   "ExpressionAttributeValues": {":pk": {"S": keys.created_pk(actor)}, ":hi": {"S": f"{until}#{keys.HIGH}"}}}
        wanted = list({(item["rp"]["S"], item["rs"]["S"]): None for item in self._query(request)[0]})
        states: list[StoredResource] = []
        for start in range(0, len(wanted), MAX_BATCH_GET):
            pending: dict = {self._table: {"Keys": [{keys.PK: {"S": pk}, keys.SK: {"S": sk}}
                                                    for pk, sk in wanted[start:start + MAX_BATCH_GET]]}}
            for attempt in range(8):
                if attempt:
                    backoff(attempt)
                response = self._client.batch_get_item(RequestItems=pending)
                got = response.get("Responses", {}).get(self._table, [])
                self.stats.add(1, len(got))
                states.extend(stored_resource_of(item) for item in got)
                pending = response.get("UnprocessedKeys") or {}
                if not pending:
                    break
            else:
                raise UnprocessedKeysError("BatchGetItem left keys unprocessed after 8 rounds")
        return states

    def _request(self, pk: str, newest_first: bool = False) -> dict:
        return {"TableName": self._table, "KeyConditionExpression": "pk = :pk", "ScanIndexForward": not newest_first,
                "ExpressionAttributeValues": {":pk": {"S": pk}}}

    def _query(self, request: dict, limit: int | None = None) -> tuple[list[dict], bool]:
        """(the items, whether more were left unread past ``limit``)."""
        items: list[dict] = []
        request = dict(request)
        while True:
            if limit is not None:
                request["Limit"] = limit - len(items)
            response = self._client.query(**request)
            self.stats.add(1, response.get("ScannedCount", 0))
            items.extend(response.get("Items", []))
            more = "LastEvaluatedKey" in response
            if not more or (limit is not None and len(items) >= limit):
                return items, more
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
