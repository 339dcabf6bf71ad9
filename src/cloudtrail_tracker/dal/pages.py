"""Event summaries packed into pages: many events per item, so a write costs bytes, not items.

A summary is a short list (its fields in SUMMARY order) and a page is one compressed list of
them, newest first. DynamoDB bills a write by the KB, rounded up per item: thirty summaries in
one 2 KB page cost 2 units, where thirty items (and their index entries) cost thirty or more.
A retried file can leave its summaries in two pages: readers hand each (eventTime, eventID) out once.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta

import orjson

from ..models import StoredEvent
from . import keys

# The summary fields, in the order a packed summary holds them (``tracked``: the tracked request
# parameters, ``attribute=value``).
SUMMARY = ("eventTime", "eventID", "eventName", "eventSource", "actor", "actorType", "role", "account",
           "region", "sourceIP", "errorCode", "readOnly", "resources", "tracked")
# Fields appended after SUMMARY's, newest last (``console``: console_sessions.console_marker, "" for most
# events; ``file``: the tag of the event's part, whose counts item names its log file, so a summary leads to its
# record without a locator). Pages written before a field existed hold shorter summaries: their rows lack it.
APPENDED = ("console", "file")
PACKED = SUMMARY + APPENDED
_TIME, _ID, _ACTOR = 0, 1, SUMMARY.index("actor")


def summary_of(event: StoredEvent, part_tag: str = "") -> list:
    """``part_tag``: keys.part_tag of the part that stores the event ("" for a row rebuilt from a record)."""
    actor = event.actor
    return [event.event_time, event.event_id, event.event_name, event.event_source, actor.name, actor.type,
            actor.role, event.account, event.region, event.source_ip, event.error_code, event.read_only,
            list(event.resources), list(event.tracked), event.console, part_tag]


def row_of(summary: list) -> dict:
    """A packed summary as a dict of PACKED names (an older, shorter summary: of the names it holds)."""
    return dict(zip(PACKED, summary))


def position_of(summary_or_row) -> tuple[str, str]:
    """Where a summary sorts: (eventTime, eventID); pages and walks run newest first."""
    if isinstance(summary_or_row, dict):
        return summary_or_row["eventTime"], summary_or_row["eventID"]
    return summary_or_row[_TIME], summary_or_row[_ID]


def actor_of(summary: list) -> str:
    return summary[_ACTOR]


def encode(summaries: list[list]) -> bytes:
    return zlib.compress(orjson.dumps(summaries), 1)


def decode(blob: bytes) -> list[list]:
    return orjson.loads(zlib.decompress(bytes(blob)))


def shift(event_time: str, seconds: int) -> str:
    """``event_time`` (``YYYY-MM-DDTHH:MM:SSZ``) moved by ``seconds``, clamped to years 1..9999."""
    moment = datetime.strptime(event_time[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    try:
        moment += timedelta(seconds=seconds)
    except OverflowError:
        return "9999-12-31T23:59:59Z" if seconds > 0 else "0001-01-01T00:00:00Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment.year >= 1000 else "1000-01-01T00:00:00Z"


def split(entries: list[tuple[list, int]]) -> list[list[list]]:
    """``entries`` (summary, its JSON length; newest first) cut into pages of at most PAGE_ROWS summaries, PAGE_BYTES of
    JSON and PAGE_SPAN_S seconds from newest to oldest, so a walk that resumes at a time only has
    to re-read the pages whose newest event is within PAGE_SPAN_S of it."""
    pages: list[list[list]] = []
    current: list[list] = []
    size = 0
    oldest_allowed = ""
    for summary, length in entries:
        if current and (len(current) >= keys.PAGE_ROWS or size + length > keys.PAGE_BYTES
                        or summary[_TIME] < oldest_allowed):
            pages.append(current)
            current, size = [], 0
        if not current:
            oldest_allowed = shift(summary[_TIME], -keys.PAGE_SPAN_S)
        current.append(summary)
        size += length
    if current:
        pages.append(current)
    return pages
