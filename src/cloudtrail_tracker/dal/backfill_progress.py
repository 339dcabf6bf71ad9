"""A backfill execution's progress in the events table.

``PROGRESS`` holds live counters the children ADD to as they go (a retried child adds again,
so they are a progress display, not the result); ``P#<prefix>`` holds each child's final
result, put (not added), so the summary read from them is exact whatever was retried.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from . import keys

# ---- the key design of progress items: one partition per execution (``keys.backfill_pk``), the
# ``PROGRESS`` item and a ``P#<day prefix>`` item per child. Every key of these items is built here.


def progress_key(execution: str) -> dict:
    """The live counters' item."""
    return {keys.PK: {"S": keys.backfill_pk(execution)}, keys.SK: {"S": keys.BACKFILL_PROGRESS_SK}}


def prefix_result_key(execution: str, prefix: str) -> dict:
    """A child's final result for one day prefix."""
    return {keys.PK: {"S": keys.backfill_pk(execution)}, keys.SK: {"S": keys.backfill_prefix_sk(prefix)}}


def prefix_results_query(execution: str) -> dict:
    """``Query`` arguments (key condition) of every prefix result of an execution."""
    return {
        "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :sk)",
        "ExpressionAttributeNames": {"#pk": keys.PK, "#sk": keys.SK},
        "ExpressionAttributeValues": {":pk": {"S": keys.backfill_pk(execution)},
                                      ":sk": {"S": keys.BACKFILL_PREFIX_SK}},
    }

TTL_ATTRIBUTE = "expiresAt"  # the table's TTL attribute, as on event items
RETENTION_SECONDS = 30 * 86400  # progress items expire with the table's TTL
MAX_KEPT_FAILED_KEYS = 2000  # per prefix, to stay far under the 400 KB item limit
COUNTERS = ("prefixesDone", "filesListed", "filesDone", "eventsRead", "eventsStored", "duplicates", "filesFailed")


@dataclass
class Progress:
    status: str = ""
    prefixes_total: int = 0
    prefixes_done: int = 0
    files_listed: int = 0
    files_done: int = 0
    events_read: int = 0
    events_stored: int = 0
    duplicates: int = 0
    files_failed: int = 0


class BackfillProgress:
    def __init__(self, client, table_name: str):
        self._client = client
        self._table = table_name

    def start(self, execution: str, prefixes_total: int) -> None:
        item = {**progress_key(execution), "status": {"S": "RUNNING"}, "prefixesTotal": {"N": str(prefixes_total)},
                TTL_ATTRIBUTE: {"N": str(int(time.time()) + RETENTION_SECONDS)}}
        item.update({name: {"N": "0"} for name in COUNTERS})
        self._client.put_item(TableName=self._table, Item=item)

    def add(self, execution: str, **counts: int) -> None:
        """ADD to the live counters (names from :data:`COUNTERS`)."""
        counts = {name: value for name, value in counts.items() if value}
        unknown = set(counts) - set(COUNTERS)
        if unknown:
            raise ValueError(f"unknown progress counters {sorted(unknown)}")
        if not counts:
            return
        names = {f"#c{i}": name for i, name in enumerate(counts)}
        values = {f":c{i}": {"N": str(value)} for i, value in enumerate(counts.values())}
        self._client.update_item(
            TableName=self._table, Key=progress_key(execution),
            UpdateExpression="ADD " + ", ".join(f"#c{i} :c{i}" for i in range(len(counts))),
            ExpressionAttributeNames=names, ExpressionAttributeValues=values,
        )

    def finish(self, execution: str, status: str) -> None:
        self._client.update_item(
            TableName=self._table, Key=progress_key(execution), UpdateExpression="SET #s = :s",
            ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": {"S": status}},
        )

    def get(self, execution: str) -> Progress | None:
        item = self._client.get_item(TableName=self._table, Key=progress_key(execution),
                                     ConsistentRead=True).get("Item")
        if not item:
            return None
        number = lambda name: int(item.get(name, {}).get("N", "0"))  # noqa: E731
        return Progress(
            status=item.get("status", {}).get("S", ""), prefixes_total=number("prefixesTotal"),
            prefixes_done=number("prefixesDone"), files_listed=number("filesListed"),
            files_done=number("filesDone"), events_read=number("eventsRead"),
            events_stored=number("eventsStored"), duplicates=number("duplicates"),
            files_failed=number("filesFailed"),
        )

    def put_prefix_result(self, execution: str, prefix: str, result: dict) -> None:
        """Keep a child's result (``PrefixResult.as_dict()``); failed keys beyond the cap are counted only."""
        kept = dict(result)
        failed = list(kept.get("failedFiles", []))
        kept["failedFiles"] = failed[:MAX_KEPT_FAILED_KEYS]
        kept["failedFilesNotKept"] = max(0, len(failed) - MAX_KEPT_FAILED_KEYS)
        self._client.put_item(TableName=self._table, Item={
            **prefix_result_key(execution, prefix),
            "result": {"S": json.dumps(kept, separators=(",", ":"))},
            TTL_ATTRIBUTE: {"N": str(int(time.time()) + RETENTION_SECONDS)},
        })

    def prefix_results(self, execution: str) -> list[dict]:
        results = []
        paginator = self._client.get_paginator("query")
        for page in paginator.paginate(TableName=self._table, ConsistentRead=True, **prefix_results_query(execution)):
            results += [json.loads(item["result"]["S"]) for item in page.get("Items", [])]
        return results
