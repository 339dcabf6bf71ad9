"""Aggregates over a window from the counts kept at ingest (never from events)."""

from __future__ import annotations

from collections import Counter

from cloudtrail_tracker.dal.keys import COUNTER_TOTAL, counters_of

from .window import bin_start

TOTAL = COUNTER_TOTAL
_KIND = {"service": "service", "eventName": "event", "errorCode": "error"}  # by -> counter kind


def aggregate(by: str, rows: list[dict], bins: list[str], granularity: str = "day") -> tuple[int, list[dict]]:
    """(total events, [{"key", "count"}]) of actor-day count rows (``{"actor", "day", "counts"}``).

    ``by=day`` lists every bin of ``bins`` (their start days, oldest first; window.bin_starts) with
    the events of its days (zero when none); the others are sorted by count, largest first, then by key.
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
            counts[bin_start(row["day"], granularity, bins[0])] += number
        else:
            for name, value in counters_of(row_counts, _KIND[by]).items():
                if value:
                    counts[name] += int(str(value))
    if by == "day":
        return total, [{"key": key, "count": counts.get(key, 0)} for key in bins]
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
