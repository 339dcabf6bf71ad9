"""What a resource has cost so far: its billed hours (from its running/stopped intervals) times its rate.

An interval is any object with ``state`` ("running" or "stopped"), ``start`` and ``end`` (``None``: still
open, so it ends at ``now``), times as CloudTrail writes them ("YYYY-MM-DDTHH:MM:SSZ"). Stopped hours count only
for resources that bill while stopped (a stopped instance does not, its volume or an Elastic IP does).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from .table import Rate

SECONDS_PER_HOUR = 3600


class Interval(Protocol):
    @property
    def state(self) -> str: ...
    @property
    def start(self) -> str: ...
    @property
    def end(self) -> str | None: ...


def parse_time(text: str) -> datetime:
    """A CloudTrail time ("2026-12-01T10:00:00Z", fractions allowed) as an aware UTC datetime."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _day_start(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC)


def _billed_spans(intervals: Iterable[Interval], bills_when_stopped: bool, now: datetime,
                  window_start: datetime | None, window_end: datetime | None) -> list[tuple[datetime, datetime]]:
    """The billed parts of ``intervals``, cut to the window and to ``now`` (nothing is billed after now)."""
    billed_states = {"running", "stopped"} if bills_when_stopped else {"running"}
    spans = []
    for interval in intervals:
        if interval.state not in billed_states:
            continue
        start = parse_time(interval.start)
        end = now if interval.end is None else min(parse_time(interval.end), now)
        if window_start is not None:
            start = max(start, window_start)
        if window_end is not None:
            end = min(end, window_end)
        if end > start:
            spans.append((start, end))
    return spans


def billed_hours(intervals: Iterable[Interval], bills_when_stopped: bool, now: str,
                 start: str | None = None, end: str | None = None) -> float:
    """Hours billed (running, plus stopped if ``bills_when_stopped``) up to ``now``, within [start, end] if given."""
    spans = _billed_spans(intervals, bills_when_stopped, parse_time(now),
                          parse_time(start) if start else None, parse_time(end) if end else None)
    return sum((stop - begin).total_seconds() for begin, stop in spans) / SECONDS_PER_HOUR


def cost_so_far(intervals: Iterable[Interval], rate: Rate, bills_when_stopped: bool, now: str) -> float | None:
    """Dollars billed up to ``now``; None when the rate is unknown or billed by use; 0.0 when free."""
    if rate.basis == "free":
        return 0.0
    if rate.dollars_per_hour is None:
        return None
    return billed_hours(intervals, bills_when_stopped, now) * rate.dollars_per_hour


def cost_by_day(intervals: Iterable[Interval], rate: Rate, bills_when_stopped: bool, first_day: str, last_day: str,
                now: str) -> dict[str, float] | None:
    """Dollars per UTC day for the days ``first_day``..``last_day`` (inclusive), each day's hours up to ``now``."""
    if rate.dollars_per_hour is None and rate.basis != "free":
        return None
    price = rate.dollars_per_hour or 0.0
    spans = _billed_spans(list(intervals), bills_when_stopped, parse_time(now), None, None)
    days: dict[str, float] = {}
    day = _day_start(first_day)
    last = _day_start(last_day)
    while day <= last:
        after = day + timedelta(days=1)
        seconds = sum((min(stop, after) - max(begin, day)).total_seconds()
                      for begin, stop in spans if stop > day and begin < after)
        days[day.date().isoformat()] = seconds / SECONDS_PER_HOUR * price
        day = after
    return days
