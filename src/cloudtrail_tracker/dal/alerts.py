"""Alerts in the table: one item per rule, dedupe key (the actor, by default) and window, however many
files, retries and writers add to it.

Each write of a flush adds its matching events to the alert's set (``ADD es``: a set union, so a
redelivered file or a retried write adds nothing new) with one UpdateItem per alert, never a read
per event. An alert *fires* when its set reaches the rule's threshold (1 for most rules): a
conditional update sets ``fired`` once, whoever gets there first; then the writer that fired it
lists it under its day (``/alerts``) and it is published (``pub`` set after the publish, so a crash
in between publishes again on the next write of it rather than never).
"""

from __future__ import annotations

import base64
import calendar
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from botocore.exceptions import ClientError

from ..alerts import Match
from ..models import StoredEvent
from . import keys

MAX_ALERT_EVENTS = 25  # events an alert keeps (past the threshold: the first ones; the count says "at least"): its updates stay ~2 KB
MAX_TEXT = 512  # of an event id or name in an alert's entries


@dataclass(frozen=True)
class FiredAlert:
    """An alert that fired in this write: to publish."""

    pk: str
    sk: str
    rule_id: str
    title: str
    severity: str
    actor: str
    account: str
    window_start: str
    events: tuple[str, ...]  # "<eventTime>|<eventID>|<eventName>"


def window_start(event_time: str, minutes: int) -> str:
    """The start of the fixed window of ``minutes`` holding ``event_time`` (UTC, from the epoch)."""
    seconds = calendar.timegm(time.strptime(event_time, "%Y-%m-%dT%H:%M:%SZ"))
    span = max(1, minutes) * 60
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds - seconds % span))


class AlertWriter:
    def __init__(self, client, table_name: str, stats):
        self._client = client
        self._table = table_name
        self._stats = stats  # .requests counts the requests made here

    def write(self, matched: Iterable[tuple[StoredEvent, Match]]) -> list[FiredAlert]:
        """``matched``: (StoredEvent, alerts.Match) pairs of a flush's owned events; the alerts that fired now."""
        grouped: dict[tuple[str, str], dict] = {}
        entries: dict[tuple[str, str], set[str]] = defaultdict(set)
        for event, match in matched:
            minutes = match.window_minutes if match.threshold > 1 else match.dedupe_minutes
            window = window_start(event.event_time, minutes)
            pk = keys.alert_pk(match.rule_id, match.dedupe_key)
            where = (pk, window)
            grouped.setdefault(where, {"match": match, "actor": event.actor.name, "account": event.account})
            if len(entries[where]) < MAX_ALERT_EVENTS:
                entries[where].add(f"{event.event_time}|{event.event_id[:MAX_TEXT]}|{event.event_name[:MAX_TEXT]}")
        fired = []
        for (pk, window), about in grouped.items():
            alert = self._add(pk, window, about, entries[(pk, window)])
            if alert is not None:
                fired.append(alert)
        return fired

    def _add(self, pk: str, window: str, about: dict, entries: set[str]) -> FiredAlert | None:
        match = about["match"]
        cap = max(MAX_ALERT_EVENTS, match.threshold)
        self._stats.requests += 1
        try:
            new = self._client.update_item(
                TableName=self._table, Key={keys.PK: {"S": pk}, keys.SK: {"S": window}},
                UpdateExpression="ADD es :e SET #r = :r, sev = :s, title = :t, actor = if_not_exists(actor, :a), "
                                 "acct = if_not_exists(acct, :c), thr = :h, win = :w",
                ConditionExpression="attribute_not_exists(es) OR size(es) < :cap",
                ExpressionAttributeNames={"#r": "rule"},
                ExpressionAttributeValues={
                    ":e": {"SS": sorted(entries)}, ":r": {"S": match.rule_id}, ":s": {"S": match.severity},
                    ":t": {"S": match.title}, ":a": {"S": about["actor"]}, ":c": {"S": about["account"]},
                    ":h": {"N": str(match.threshold)}, ":w": {"S": window}, ":cap": {"N": str(cap)}},
                ReturnValues="ALL_NEW").get("Attributes", {})
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return None  # full: it has fired long ago
        events = new.get("es", {}).get("SS", [])
        if len(events) < match.threshold or "pub" in new:
            return None
        if not new or ("fired" not in new and not self._fire(pk, window)):
            return None  # another writer fired it: theirs to publish
        self._list(pk, window, new)
        return FiredAlert(pk, window, match.rule_id, match.title, match.severity, new["actor"]["S"], new["acct"]["S"],
                          window, tuple(sorted(events)))

    def _fire(self, pk: str, window: str) -> bool:
        self._stats.requests += 1
        try:
            self._client.update_item(
                TableName=self._table, Key={keys.PK: {"S": pk}, keys.SK: {"S": window}},
                UpdateExpression="SET fired = :now", ConditionExpression="attribute_not_exists(fired)",
                ExpressionAttributeValues={":now": {"S": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}})
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def _list(self, pk: str, window: str, item: dict) -> None:
        """The alert under its day, for ``/alerts`` (an idempotent put)."""
        self._stats.requests += 1
        self._client.put_item(TableName=self._table, Item={
            keys.PK: {"S": keys.alert_day_pk(window[:10])}, keys.SK: {"S": keys.alert_day_sk(window, pk)},
            "ap": {"S": pk}, "as": {"S": window}, "rule": item["rule"], "sev": item["sev"], "actor": item["actor"]})

    def published(self, alert: FiredAlert) -> None:
        self._stats.requests += 1
        self._client.update_item(TableName=self._table, Key={keys.PK: {"S": alert.pk}, keys.SK: {"S": alert.sk}},
                                 UpdateExpression="SET pub = :t",
                                 ExpressionAttributeValues={":t": {"S": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}})


class AlertReader:
    def __init__(self, client, table_name: str):
        self._client = client
        self._table = table_name

    def listed(self, days: Iterable[str]) -> list[dict]:
        """The alerts that fired in windows starting on ``days``, newest first (one Query per day, one BatchGetItem per 100)."""
        pointers: list[tuple[str, str]] = []
        for day in days:
            request = {"TableName": self._table, "KeyConditionExpression": "pk = :p", "ScanIndexForward": False,
                       "ExpressionAttributeValues": {":p": {"S": keys.alert_day_pk(day)}}}
            while True:
                response = self._client.query(**request)
                pointers.extend((item["ap"]["S"], item["as"]["S"]) for item in response.get("Items", []))
                if "LastEvaluatedKey" not in response:
                    break
                request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        found: dict[tuple[str, str], dict] = {}
        for start in range(0, len(pointers), 100):
            pending: dict = {self._table: {"Keys": [{keys.PK: {"S": pk}, keys.SK: {"S": sk}} for pk, sk in pointers[start:start + 100]]}}
            for attempt in range(8):
                if attempt:
                    time.sleep(min(2.0, 0.05 * 2 ** attempt))
                response = self._client.batch_get_item(RequestItems=pending)
                for item in response.get("Responses", {}).get(self._table, []):
                    found[(item[keys.PK]["S"], item[keys.SK]["S"])] = alert_of(item)
                pending = response.get("UnprocessedKeys") or {}
                if not pending:
                    break
        return sorted(found.values(), key=lambda alert: (alert["window"], alert["lastSeen"] or "", alert["id"]), reverse=True)

    def one(self, pk: str, sk: str) -> dict | None:
        item = self._client.get_item(TableName=self._table, Key={keys.PK: {"S": pk}, keys.SK: {"S": sk}}).get("Item")
        return alert_of(item) if item and "fired" in item else None


def alert_id(pk: str, sk: str) -> str:
    """An alert's id in the API: its key, URL-safe."""
    return base64.urlsafe_b64encode(f"{pk}\n{sk}".encode("utf-8", "surrogatepass")).decode().rstrip("=")


def alert_key(alert_id_text: str) -> tuple[str, str] | None:
    """(pk, sk) of an alert id, None when it is not one."""
    try:
        text = base64.urlsafe_b64decode(alert_id_text + "=" * (-len(alert_id_text) % 4)).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    pk, _, sk = text.partition("\n")
    return (pk, sk) if pk.startswith("AL#") and sk else None


def alert_of(item: dict) -> dict:
    events = sorted(item.get("es", {}).get("SS", []))
    parsed = [dict(zip(("eventTime", "eventID", "eventName"), entry.split("|", 2))) for entry in events]
    return {"id": alert_id(item[keys.PK]["S"], item[keys.SK]["S"]), "rule": item["rule"]["S"], "title": item["title"]["S"],
            "severity": item["sev"]["S"], "actor": item["actor"]["S"], "account": item["acct"]["S"],
            "window": item[keys.SK]["S"], "firstSeen": parsed[0]["eventTime"] if parsed else None,
            "lastSeen": parsed[-1]["eventTime"] if parsed else None, "count": len(parsed),
            "countIsAtLeast": len(parsed) >= MAX_ALERT_EVENTS, "threshold": int(item.get("thr", {}).get("N", "1")),
            "fired": item.get("fired", {}).get("S"), "published": item.get("pub", {}).get("S"), "events": parsed}
