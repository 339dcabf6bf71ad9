"""Reading resources (items written by resources.py): what is running, one resource, what an actor created.

Only Query and BatchGetItem: ``/running`` reads the sparse Running index (one Query per account,
of the running resources only), a resource its own partition, an actor's spend their created
entries and those resources' states.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import keys
from .reader import MAX_BATCH_GET, ReadStats
from .resources import StoredResource, change_of, mentions_of, stored_resource_of

MAX_RESOURCE_ITEMS = 2000  # items of one resource id read for /resources/{id} (changes, states, mentions)


@dataclass
class ResourcePartition:
    """Everything stored under one resource id: per (account, region, type) its state and changes; the mentions."""

    states: list[StoredResource] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)  # {place, change, actor, ...} of each change item
    mentions: list[dict] = field(default_factory=list)  # {account, region, eventTime, eventID, eventName, actor, errorCode}
    truncated: bool = False


class ResourceReader:
    def __init__(self, client, table_name: str, stats: ReadStats | None = None):
        self._client = client
        self._table = table_name
        self.stats = stats or ReadStats()

    def running(self, account: str) -> list[StoredResource]:
        """The running resources of ``account`` (the Running index: eventually consistent)."""
        request = {"TableName": self._table, "IndexName": keys.RUNNING_INDEX,
                   "KeyConditionExpression": "#a = :a", "ExpressionAttributeNames": {"#a": keys.RUNNING_PK},
                   "ExpressionAttributeValues": {":a": {"S": account}}}
        return [stored_resource_of(item) for item in self._query(request)]

    def running_everywhere(self, accounts: list[str] | None = None) -> list[StoredResource]:
        """The running resources of ``accounts`` (default: every account the ACCOUNT registry lists, and
        the resources of events naming none)."""
        if accounts is None:
            request = {"TableName": self._table, "KeyConditionExpression": "pk = :pk", "ProjectionExpression": "sk",
                       "ExpressionAttributeValues": {":pk": {"S": keys.ACCOUNT_REGISTRY}}}
            accounts = [item[keys.SK]["S"] for item in self._query(request)] + [keys.NO_ACCOUNT]
        return [resource for account in accounts for resource in self.running(account)]

    def partition(self, resource_id: str) -> ResourcePartition:
        """The items of ``resource_id`` (at most MAX_RESOURCE_ITEMS: ``truncated`` says more exist)."""
        request = {"TableName": self._table, "KeyConditionExpression": "pk = :pk",
                   "ExpressionAttributeValues": {":pk": {"S": keys.resource_pk(resource_id)}}}
        found = ResourcePartition()
        items = self._query(request, limit=MAX_RESOURCE_ITEMS)
        found.truncated = len(items) >= MAX_RESOURCE_ITEMS
        for item in items:
            if "iv" in item:
                found.states.append(stored_resource_of(item))
            elif "k" in item:
                found.changes.append({
                    "change": change_of(item), "account": item["ac"]["S"], "region": item["rg"]["S"],
                    "actor": item["a"]["S"], "actorType": item["at"]["S"], "role": item["ro"]["S"],
                    "sourceIP": item["ip"]["S"], "userAgent": item["ua"]["S"]})
            elif "m" in item:
                for entry in mentions_of(item):
                    found.mentions.append({"account": item["ac"]["S"], "region": item["rg"]["S"], **entry})
        return found

    def created_by(self, actor: str, until: str) -> list[StoredResource]:
        """The resources ``actor`` created up to ``until`` (an eventTime), with their states."""
        request = {"TableName": self._table, "KeyConditionExpression": "pk = :pk AND sk <= :hi",
                   "ExpressionAttributeValues": {":pk": {"S": keys.created_pk(actor)}, ":hi": {"S": f"{until}#{keys.HIGH}"}}}
        wanted = list({(item["rp"]["S"], item["rs"]["S"]): None for item in self._query(request)})
        states: list[StoredResource] = []
        for start in range(0, len(wanted), MAX_BATCH_GET):
            pending = {self._table: {"Keys": [{keys.PK: {"S": pk}, keys.SK: {"S": sk}}
                                              for pk, sk in wanted[start:start + MAX_BATCH_GET]]}}
            while pending:
                response = self._client.batch_get_item(RequestItems=pending)
                got = response.get("Responses", {}).get(self._table, [])
                self.stats.add(1, len(got))
                states.extend(stored_resource_of(item) for item in got)
                pending = response.get("UnprocessedKeys") or {}
        return states

    def _query(self, request: dict, limit: int | None = None) -> list[dict]:
        items: list[dict] = []
        request = dict(request)
        while True:
            response = self._client.query(**request)
            self.stats.add(1, response.get("ScannedCount", 0))
            items.extend(response.get("Items", []))
            if "LastEvaluatedKey" not in response or (limit is not None and len(items) >= limit):
                return items[:limit] if limit is not None else items
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
