"""Aggregates over a window from the daily counter items kept at ingest (never from events)."""

from __future__ import annotations

from collections import Counter

from cloudtrail_tracker.dal.keys import COUNTER_TOTAL, counters_of

BY = ("user", "service", "eventName", "day", "errorCode")
TOTAL = COUNTER_TOTAL
_KIND = {"service": "service", "eventName": "event", "errorCode": "error"}  # by -> counter kind


def aggregate(by: str, items: list[dict], days: list[str]) -> tuple[int, list[dict]]:
    """(total events, [{"key", "count"}]) of counter items (actor-day or day-totals items).

    ``by=day`` lists every day of ``days`` oldest first (zero when none); the others are sorted
    by count, largest first, then by key.
    """
    counts: Counter = Counter()
    total = 0
    for item in items:
        number = int(item.get(TOTAL, 0))
        total += number
        if by == "user":
            counts[item.get("actor", "")] += number
        elif by == "day":
            counts[item.get("day", "")] += number
        else:
            for name, value in counters_of(item, _KIND[by]).items():
                if value:
                    counts[name] += int(value)
    if by == "day":
        return total, [{"key": day, "count": counts.get(day, 0)} for day in days]
    rows = [{"key": key, "count": count} for key, count in counts.items() if count]
    rows.sort(key=lambda row: (-row["count"], row["key"]))
    return total, rows


def services_seen(counter_items: list[dict]) -> list[dict]:
    """Services of an actor's counter items with the last day each was used."""
    last: dict[str, str] = {}
    for item in counter_items:
        for service, value in counters_of(item, "service").items():
            if value:
                last[service] = max(last.get(service, ""), item.get("day", ""))
    return [{"name": s, "eventSource": f"{s}.amazonaws.com", "lastSeen": day} for s, day in sorted(last.items())]
