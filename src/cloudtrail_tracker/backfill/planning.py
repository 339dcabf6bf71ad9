"""Which day prefixes a window needs: pure date and key arithmetic, unit-tested without AWS.

A log file's key date is its *delivery* date: events of the last minutes of a day arrive in
files of the next day, and a file can hold a few events of the day before. So the prefixes
read cover one day more at each end, and events outside the window are not stored.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

DAY_PREFIX_RE = re.compile(
    r"^(?P<root>(?:.*/)?AWSLogs/)(?:(?P<org>o-[a-z0-9]{4,32})/)?(?P<account>\d{12})/CloudTrail/"
    r"(?P<region>[a-z0-9-]+)/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/$"
)


def read_window(first_day: date, last_day: date) -> tuple[date, date]:
    """The delivery dates to read for events of ``first_day``..``last_day``."""
    return first_day - timedelta(days=1), last_day + timedelta(days=1)


def months_of(first: date, last: date) -> list[tuple[int, int]]:
    """(year, month) of every month that has a day in ``first``..``last``."""
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def logs_root(prefix: str) -> str:
    """``<prefix>/AWSLogs/``: where a trail with S3 key prefix ``prefix`` writes."""
    prefix = prefix.strip("/")
    return f"{prefix}/AWSLogs/" if prefix else "AWSLogs/"


def month_prefix(region_prefix: str, year: int, month: int) -> str:
    return f"{region_prefix}{year:04d}/{month:02d}/"


def day_of(prefix: str) -> date | None:
    """The delivery date a day prefix names, or None when it is not a day prefix."""
    match = DAY_PREFIX_RE.match(prefix)
    if not match:
        return None
    try:
        return date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return None


def in_window(prefix: str, first: date, last: date) -> bool:
    day = day_of(prefix)
    return day is not None and first <= day <= last


def wanted(name: str, allowed: tuple[str, ...]) -> bool:
    return not allowed or name in allowed


def event_in_window(event_day: str, first_day: date, last_day: date) -> bool:
    return first_day.isoformat() <= event_day <= last_day.isoformat()
