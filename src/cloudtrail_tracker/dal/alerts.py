"""Alerts in the table: one item per rule, dedupe key (the actor, by default) and window, however many
files, retries and writers add to it.

Each write of a flush adds its matching events to the alert's set (``ADD es``: a set union, so a
redelivered file or a retried write adds nothing new) with one UpdateItem per alert, never a read
per event. An alert *fires* when its set reaches the rule's threshold: for the threshold-1 rules
(most) in that same update (``fired = if_not_exists(fired, <time> <token>)``: the writer whose token
comes back fired it), for the others by one conditional update. The writer that fired it lists it
under its day (``/alerts``) and it is published; ``pub`` is set after the publish, and an alert
fired but still unpublished after STALE_FIRE_S (its writer died in between) is published by the
next writer of it rather than never.

A threshold rule counts per threshold window and alerts once per dedupe window: the first window
to reach its threshold takes the dedupe window's marker item; a later one is fired as ``dd``
(deduplicated: never listed nor published).

What a write costs is the alert item's size, rounded up to 1 KB, so an alert keeps its first
MAX_ALERT_EVENTS events (its count then says "at least") and stays near 1 KB. A full alert's
update is refused (and billed); the refusal returns the item, so an alert that filled up before
it was published still is; once full and published it is remembered per execution environment
and not written again.
"""

from __future__ import annotations

import base64
import calendar
import hashlib
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from botocore.exceptions import ClientError

from ..alerts import Match
from ..models import StoredEvent
from . import keys

MAX_ALERT_EVENTS = 10  # events an alert keeps (past the threshold: the first ones; the count says "at least"): ~1 KB items
MAX_TEXT = 512  # of an event id or name in an alert's entries
MAX_SETTLED = 100_000  # full alerts an execution environment remembers (then forgets them all: one refused update each)
STALE_FIRE_S = 900  # fired this long ago and not published: its writer died (a Lambda runs at most 15 minutes)


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
    events: tuple[str, ...]  # the item's entries: "<HH:MM:SS or eventTime>|<eventID>|<eventName>"
    full: bool = False  # it keeps no more events: once published, not written again

    def event_list(self) -> list[dict]:
        return events_of(self.events, self.window_start)


def window_start(event_time: str, minutes: int) -> str:
    """The start of the fixed window of ``minutes`` holding ``event_time`` (UTC, from the epoch)."""
    seconds = calendar.timegm(time.strptime(event_time, "%Y-%m-%dT%H:%M:%SZ"))
    span = max(1, minutes) * 60
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds - seconds % span))


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def fired_time(fired: str | None) -> str | None:
    """The time of a ``fired`` value (``<time> <token>``)."""
    return fired.split(" ", 1)[0] if fired else None


class AlertWriter:
    def __init__(self, client, table_name: str, stats):
        self._client = client
        self._table = table_name
        self._stats = stats  # .requests counts the requests made here
        self._full: set[tuple[str, str]] = set()  # full and published (or deduplicated): another update would change nothing

    def write(self, matched: Iterable[tuple[StoredEvent, Match]]) -> list[FiredAlert]:
        """``matched``: (StoredEvent, alerts.Match) pairs of a flush's owned events; the alerts that fired now."""
        grouped: dict[tuple[str, str], dict] = {}
        entries: dict[tuple[str, str], set[str]] = defaultdict(set)
        for event, match in matched:
            minutes = match.window_minutes if match.threshold > 1 else match.dedupe_minutes
            where = (keys.alert_pk(match.rule_id, match.dedupe_key), window_start(event.event_time, minutes))
            if where in self._full:
                continue
            grouped.setdefault(where, {"match": match, "actor": match.subject or event.actor.name, "account": event.account})
            if len(entries[where]) < _cap(match):  # a threshold must be reachable in one write
                entries[where].add(_entry(event, where[1]))
        fired = []
        for (pk, window), about in grouped.items():
            alert = self._add(pk, window, about, entries[(pk, window)])
            if alert is not None:
                fired.append(alert)
        return fired

    def _add(self, pk: str, window: str, about: dict, entries: set[str]) -> FiredAlert | None:
        match = about["match"]
        cap = _cap(match)
        # The same events give the same token: a retried write of them is still the one that fired it.
        mine = f"{_now()} {_token(entries)}"
        item = self._update(pk, window, match, about, entries, mine)
        events = item.get("es", {}).get("SS", [])
        full = len(events) >= cap
        if "pub" in item or "dd" in item:  # published, or a later window of a dedupe window that alerted already
            if full:
                self._settle(pk, window)
            return None
        if len(events) < match.threshold:
            return None
        fired = item.get("fired", {}).get("S")
        if fired is None:  # a threshold rule at its threshold
            if not self._first_in_dedupe_window(pk, window, match):
                self._fire(pk, window, mine, deduped=True)
                return None
            if not self._fire(pk, window, mine):
                return None  # another writer fired it just now: theirs to publish
            fired = mine
        if _token_of(fired) != _token_of(mine) and not _stale(fired):
            return None  # another writer fired it: theirs to publish (or, should it die, the next writer's after STALE_FIRE_S)
        self._list(pk, window, item)
        return FiredAlert(pk, window, match.rule_id, item.get("title", {}).get("S", match.title), match.severity,
                          item["actor"]["S"], item["acct"]["S"], window, tuple(sorted(events)), full)

    def _update(self, pk: str, window: str, match: Match, about: dict, entries: set[str], mine: str) -> dict:
        """Add ``entries`` to the alert (and, for a threshold-1 rule, fire it if no one has): the item after, or,
        when it was full already, as it is (a refused update is billed like any other)."""
        fire = ", fired = if_not_exists(fired, :f)" if match.threshold <= 1 else ""
        values = {":e": {"SS": sorted(entries)}, ":r": {"S": match.rule_id}, ":s": {"S": match.severity},
                  ":t": {"S": match.title}, ":a": {"S": about["actor"]}, ":c": {"S": about["account"]},
                  ":cap": {"N": str(_cap(match))}}
        if fire:
            values[":f"] = {"S": mine}
        else:
            values[":h"] = {"N": str(match.threshold)}
        self._stats.requests += 1
        try:
            return self._client.update_item(
                TableName=self._table, Key={keys.PK: {"S": pk}, keys.SK: {"S": window}},
                UpdateExpression="ADD es :e SET #r = if_not_exists(#r, :r), sev = if_not_exists(sev, :s), "
                                 "title = if_not_exists(title, :t), actor = if_not_exists(actor, :a), "
                                 "acct = if_not_exists(acct, :c)" + (fire or ", thr = :h"),
                ConditionExpression="attribute_not_exists(es) OR size(es) < :cap",
                ExpressionAttributeNames={"#r": "rule"}, ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD").get("Attributes", {})
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return error.response.get("Item") or {}  # full: what it holds decides whether anything is left to do

    def _first_in_dedupe_window(self, pk: str, window: str, match: Match) -> bool:
        """A threshold rule counts per threshold window but alerts once per dedupe window: whether this threshold
        window is the one that alerts in its dedupe window (the first to reach its threshold takes a marker item;
        whoever writes that window later, any events, finds it its own)."""
        if match.dedupe_minutes <= match.window_minutes:
            return True
        self._stats.requests += 1
        try:
            self._client.put_item(
                TableName=self._table, Item={keys.PK: {"S": pk}, keys.SK: {"S": keys.alert_dedupe_sk(
                    window_start(window, match.dedupe_minutes))}, "win": {"S": window}},
                ConditionExpression="attribute_not_exists(win) OR win = :w", ExpressionAttributeValues={":w": {"S": window}})
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def _fire(self, pk: str, window: str, mine: str, deduped: bool = False) -> bool:
        """Set ``fired`` once; ``deduped``: an earlier window of the dedupe window alerted (this one is never listed)."""
        self._stats.requests += 1
        try:
            self._client.update_item(
                TableName=self._table, Key={keys.PK: {"S": pk}, keys.SK: {"S": window}},
                UpdateExpression="SET fired = :f" + (", dd = :d" if deduped else ""),
                ConditionExpression="attribute_not_exists(fired)",
                ExpressionAttributeValues={":f": {"S": mine}, **({":d": {"BOOL": True}} if deduped else {})})
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

    def _settle(self, pk: str, window: str) -> None:
        if len(self._full) >= MAX_SETTLED:
            self._full.clear()  # bounded memory; forgetting costs one refused update each
        self._full.add((pk, window))

    def published(self, alert: FiredAlert) -> None:
        if alert.full:
            self._settle(alert.pk, alert.sk)
        self._stats.requests += 1
        self._client.update_item(TableName=self._table, Key={keys.PK: {"S": alert.pk}, keys.SK: {"S": alert.sk}},
                                 UpdateExpression="SET pub = :t", ExpressionAttributeValues={":t": {"S": _now()}})


def _entry(event: StoredEvent, window: str) -> str:
    # the time of day only when the window starts that day (it does for windows that divide a day): 12 bytes an entry
    when = event.event_time[11:19] if event.event_time[:10] == window[:10] else event.event_time
    return f"{when}|{event.event_id[:MAX_TEXT]}|{event.event_name[:MAX_TEXT]}"


def events_of(entries: Iterable[str], window: str) -> list[dict]:
    """An alert's entries as events (eventTime, eventID, eventName), oldest first."""
    events = []
    for entry in entries:
        when, event_id, name = (entry.split("|", 2) + ["", ""])[:3]
        if len(when) == 8:  # HH:MM:SS of the window's day
            when = f"{window[:10]}T{when}Z"
        events.append({"eventTime": when, "eventID": event_id, "eventName": name})
    return sorted(events, key=lambda event: (event["eventTime"], event["eventID"]))


def _cap(match: Match) -> int:
    return max(MAX_ALERT_EVENTS, match.threshold)


def _token(entries: set[str]) -> str:
    return hashlib.blake2b("\n".join(sorted(entries)).encode("utf-8", "surrogatepass"), digest_size=6).hexdigest()


def _token_of(fired: str | None) -> str:
    return fired.partition(" ")[2] if fired else ""


def _stale(fired: str | None) -> bool:
    when = fired_time(fired)
    if not when:
        return False
    try:
        return time.time() - calendar.timegm(time.strptime(when, "%Y-%m-%dT%H:%M:%SZ")) > STALE_FIRE_S
    except ValueError:
        return False


class AlertReader:
    def __init__(self, client, table_name: str):
        self._client = client
        self._table = table_name

    def listed(self, days: Iterable[str], keep: Callable[[dict], bool] | None = None, limit: int | None = None) -> list[dict]:
        """The alerts that fired in windows starting on ``days`` (newest day first), newest first: one Query per day,
        one BatchGetItem per 100 alerts read.

        ``keep(entry)``, entry ``{rule, severity, actor, window}`` from the day's list, picks the alerts to read (a
        caller's own, one rule's) before any is read. ``limit``: at most ``limit`` + 1 alerts are returned (one more
        says there are more), the newest; the days after the one that reaches it are not read."""
        pointers: list[tuple[str, str]] = []
        for day in days:
            request = {"TableName": self._table, "KeyConditionExpression": "pk = :p", "ScanIndexForward": False,
                       "ExpressionAttributeValues": {":p": {"S": keys.alert_day_pk(day)}}}
            while True:
                response = self._client.query(**request)
                for item in response.get("Items", []):
                    entry = {"rule": item["rule"]["S"], "severity": item["sev"]["S"], "actor": item["actor"]["S"],
                             "window": item["as"]["S"]}
                    if keep is None or keep(entry):
                        pointers.append((item["ap"]["S"], item["as"]["S"]))
                if "LastEvaluatedKey" not in response:
                    break
                request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
            if limit is not None and len(pointers) > limit:
                break
        if limit is not None and len(pointers) > limit:
            # newest window first: keep the whole window of the (limit + 1)-th, so its alerts' order is exact
            boundary = sorted((window for _, window in pointers), reverse=True)[limit]
            pointers = [p for p in pointers if p[1] >= boundary]
        found: dict[tuple[str, str], dict] = {}
        for start in range(0, len(pointers), 100):
            pending: dict = {self._table: {"Keys": [{keys.PK: {"S": pk}, keys.SK: {"S": sk}} for pk, sk in pointers[start:start + 100]]}}
            for attempt in range(8):
                if attempt:
                    time.sleep(min(2.0, 0.05 * 2 ** attempt))
                response = self._client.batch_get_item(RequestItems=pending)
                for item in response.get("Responses", {}).get(self._table, []):
                    if "dd" not in item:  # deduplicated windows are never listed; this keeps it so should one be
                        found[(item[keys.PK]["S"], item[keys.SK]["S"])] = alert_of(item)
                pending = response.get("UnprocessedKeys") or {}
                if not pending:
                    break
        newest = sorted(found.values(), key=lambda alert: (alert["window"], alert["lastSeen"] or "", alert["id"]), reverse=True)
        return newest if limit is None else newest[:limit + 1]

    def one(self, pk: str, sk: str) -> dict | None:
        item = self._client.get_item(TableName=self._table, Key={keys.PK: {"S": pk}, keys.SK: {"S": sk}}).get("Item")
        return alert_of(item) if item and "fired" in item and "dd" not in item else None


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
    parsed = events_of(item.get("es", {}).get("SS", []), item[keys.SK]["S"])
    return {"id": alert_id(item[keys.PK]["S"], item[keys.SK]["S"]), "rule": item["rule"]["S"], "title": item["title"]["S"],
            "severity": item["sev"]["S"], "actor": item["actor"]["S"], "account": item["acct"]["S"],
            "window": item[keys.SK]["S"], "firstSeen": parsed[0]["eventTime"] if parsed else None,
            "lastSeen": parsed[-1]["eventTime"] if parsed else None, "count": len(parsed),
            "countIsAtLeast": len(parsed) >= MAX_ALERT_EVENTS, "threshold": int(item.get("thr", {}).get("N", "1")),
            "fired": fired_time(item.get("fired", {}).get("S")), "published": item.get("pub", {}).get("S"), "events": parsed}
