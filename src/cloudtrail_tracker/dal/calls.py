"""What each actor called, per write (a flush of several log files) and day: the input of
least-privilege policies.

Every event counts here, the ones the noise filter drops too (a policy needs the Describe, List
and Get calls it drops). One item per flush and day (more only past CALLS_BYTES): per actor, each
distinct (eventSource, eventName, denied) with how often and up to MAX_ARNS resource ARNs and
passed roles. One item per flush, not per file: a file's item would cost a write unit for a few
hundred bytes.

A policy needs the set of calls, not their number, and the numbers are approximate: the calls of
dropped events are not deduplicated (an event delivered by two trails counts twice), and a
retried flush writes its calls again under a new tag.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import orjson

from ..models import Actor, Call
from . import keys
from .reader import ReadStats

CALLS_BYTES = 200_000  # JSON of one calls item, before compression
MAX_ARNS = 20  # resource ARNs (and passed roles) kept per call, actor and flush


@dataclass(frozen=True)
class CallRow:
    """An actor's calls of one (eventSource, eventName, denied), as read back."""

    actor: str
    actor_type: str
    role: str
    day: str
    event_source: str
    event_name: str
    denied: bool
    count: int
    resources: tuple[str, ...]
    passed_roles: tuple[str, ...]


def calls_items(tag: str, calls: Iterable[Call], expiry) -> list[dict]:
    """The calls items of one flush, named by its ``tag`` (``expiry(item, event_time)`` adds the retention TTL)."""
    grouped: dict[str, dict[tuple, dict[tuple, list]]] = defaultdict(lambda: defaultdict(dict))
    for call in calls:
        actor = call.actor
        calls_of_actor = grouped[call.day][(actor.name, actor.type, actor.role)]
        what = (call.event_source, call.event_name, call.denied)
        entry = calls_of_actor.get(what)
        if entry is None:
            entry = calls_of_actor[what] = [0, {}, {}]
        entry[0] += 1
        for arn in call.resources:
            if len(entry[1]) < MAX_ARNS:
                entry[1][arn] = None
        for role in call.passed_roles:
            if len(entry[2]) < MAX_ARNS:
                entry[2][role] = None
    items = []
    for day, per_actor in grouped.items():
        chunks: list[list] = [[]]
        size = 0
        for (name, actor_type, role), per_call in sorted(per_actor.items()):
            head = len(name.encode("utf-8", "surrogatepass")) + len(role.encode("utf-8", "surrogatepass")) + 32
            rows: list[list] = []
            for (source, event, denied), (count, arns, roles) in sorted(per_call.items()):
                row = [source, event, int(denied), count, list(arns), list(roles)]
                length = len(orjson.dumps(row))  # UTF-8 bytes, ARNs included (at most MAX_ARNS of 2 KB each)
                if size + head + length > CALLS_BYTES and (rows or chunks[-1]):
                    if rows:  # an actor's rows may go on in the next item
                        chunks[-1].append([name, actor_type, role, rows])
                        rows = []
                    chunks.append([])
                    size = 0
                rows.append(row)
                size += length
            chunks[-1].append([name, actor_type, role, rows])
            size += head
        for number, chunk in enumerate(chunks):
            item = {keys.PK: {"S": keys.calls_pk(day)}, keys.SK: {"S": keys.calls_sk(day, tag, number)},
                    "c": {"B": zlib.compress(orjson.dumps(chunk), 6)}}
            items.append(expiry(item, f"{day}T23:59:59Z"))
    return items


class CallReader:
    def __init__(self, client, table_name: str, stats: ReadStats | None = None):
        self._client = client
        self._table = table_name
        self.stats = stats or ReadStats()

    def calls(self, first_day: str, last_day: str, months: Iterable[str] | None = None) -> Iterator[CallRow]:
        """Every call row of the days ``first_day``..``last_day`` (``months``: only these ``YYYY-MM``,
        e.g. the months with events; default every month of the window)."""
        for month in months if months is not None else keys.months_between(first_day, last_day):
            low, high = keys.day_range(max(first_day, f"{month}-01"), min(last_day, f"{month}-31"))
            request = {"TableName": self._table, "KeyConditionExpression": "pk = :pk AND sk BETWEEN :lo AND :hi",
                       "ExpressionAttributeValues": {":pk": {"S": keys.calls_pk(month)}, ":lo": {"S": low}, ":hi": {"S": high}}}
            while True:
                response = self._client.query(**request)
                self.stats.add(1, response.get("ScannedCount", 0))
                for item in response.get("Items", []):
                    day = item[keys.SK]["S"][:10]
                    for name, actor_type, role, rows in orjson.loads(zlib.decompress(bytes(item["c"]["B"]))):
                        for source, event, denied, count, arns, roles in rows:
                            yield CallRow(name, actor_type, role, day, source, event, bool(denied), count,
                                          tuple(arns), tuple(roles))
                if "LastEvaluatedKey" not in response:
                    break
                request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def actor_of(row: CallRow) -> Actor:
    return Actor(row.actor, row.actor_type, row.role)
