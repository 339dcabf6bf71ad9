"""Aggregates over a window from the daily counter items kept at ingest (never from events)."""

from __future__ import annotations

from collections import Counter

BY = ("user", "service", "eventName", "day", "errorCode")
TOTAL = "n"
_PREFIX = {"service": "s:", "eventName": "e:", "errorCode": "x:"}


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
            prefix = _PREFIX[by]
            for name, value in item.items():
                if name.startswith(prefix) and value:
                    counts[name[len(prefix):]] += int(value)
    if by == "day":
        return total, [{"key": day, "count": counts.get(day, 0)} for day in days]
    rows = [{"key": key, "count": count} for key, count in counts.items() if count]
    rows.sort(key=lambda row: (-row["count"], row["key"]))
    return total, rows


def services_seen(counter_items: list[dict]) -> list[dict]:
    """Services of an actor's counter items with the last day each was used."""
    last: dict[str, str] = {}
    for item in counter_items:
        for name, value in item.items():
            if name.startswith("s:") and value:
                service = name[2:]
                last[service] = max(last.get(service, ""), item.get("day", ""))
    return [{"name": s, "eventSource": f"{s}.amazonaws.com", "lastSeen": day} for s, day in sorted(last.items())]
