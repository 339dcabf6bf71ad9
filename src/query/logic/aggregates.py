"""Aggregates over a window from the counts kept at ingest (never from events)."""

from __future__ import annotations

from collections import Counter

from cloudtrail_tracker.dal.keys import COUNTER_TOTAL, counters_of

TOTAL = COUNTER_TOTAL
_KIND = {"service": "service", "eventName": "event", "errorCode": "error"}  # by -> counter kind


def aggregate(by: str, rows: list[dict], days: list[str]) -> tuple[int, list[dict]]:
    """(total events, [{"key", "count"}]) of actor-day count rows (``{"actor", "day", "counts"}``).

    ``by=day`` lists every day of ``days`` oldest first (zero when none); the others are sorted
    by count, largest first, then by key.
    """
    counts: Counter = Counter()
    total = 0
    for row in rows:
        row_counts = row["counts"]
        number = int(row_counts.get(TOTAL, 0))
        total += number
        if by == "user":
            counts[row["actor"]] += number
        elif by == "day":
            counts[row["day"]] += number
        else:
            for name, value in counters_of(row_counts, _KIND[by]).items():
                if value:
                    counts[name] += int(str(value))
    if by == "day":
        return total, [{"key": day, "count": counts.get(day, 0)} for day in days]
    rows_out = [{"key": key, "count": count} for key, count in counts.items() if count]
    rows_out.sort(key=lambda row: (-row["count"], row["key"]))
    return total, rows_out


def services_seen(rows: list[dict]) -> list[dict]:
    """Services of an actor's count rows with the last day each was used."""
    last: dict[str, str] = {}
    for row in rows:
        for service, value in counters_of(row["counts"], "service").items():
            if value:
                last[service] = max(last.get(service, ""), row["day"])
    return [{"name": s, "eventSource": f"{s}.amazonaws.com", "lastSeen": day} for s, day in sorted(last.items())]
