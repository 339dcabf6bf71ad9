"""``from``/``to`` of a request -> a UTC window, with the original's spellings accepted."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from .errors import BadRequest

DEFAULT_DAYS = 7  # the last 7 days, today included
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A raw "+" in a query string arrives as a space: "...T10:00:00 02:00" means "...T10:00:00+02:00".
_SPACE_OFFSET = re.compile(r"(\d{2}:\d{2}:\d{2}(?:\.\d+)?) (\d{2}:?\d{2})$")
_HINT = ("use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, optionally ending in Z or an offset such as +02:00 "
         "(UTC when absent; in a URL write + as %2B)")
# Bounds of from/to (in UTC): far enough apart for any trail, and clear of datetime's limits
# (year 1 and 9999, where an offset or the default 7-day span would overflow).
EARLIEST = datetime(2005, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, 23, 59, 59, tzinfo=UTC)
_RANGE_HINT = "from and to must lie between 2005-01-01 and 9999-12-30 (UTC)"
FIRST_POSSIBLE_DAY = "2013-11-01"  # CloudTrail launched in November 2013: no event is older


def searched_days(first_day: str, last_day: str, today: date | None = None) -> tuple[str, str] | None:
    """The part of [first_day, last_day] that can hold events (CloudTrail's launch to tomorrow, for
    clock skew), so month-by-month look-ups skip impossible months; None when nothing is left."""
    latest = ((today or date.today()) + timedelta(days=1)).isoformat()
    first, last = max(first_day, FIRST_POSSIBLE_DAY), min(last_day, latest)
    return (first, last) if first <= last else None


@dataclass(frozen=True)
class Window:
    start: str  # YYYY-MM-DDTHH:MM:SSZ, inclusive
    end: str  # inclusive

    @property
    def day_count(self) -> int:
        return (date.fromisoformat(self.last_day) - date.fromisoformat(self.first_day)).days + 1

    @property
    def first_day(self) -> str:
        return self.start[:10]

    @property
    def last_day(self) -> str:
        return self.end[:10]

    def days(self) -> list[str]:
        """Every day of the window, oldest first."""
        first = date.fromisoformat(self.first_day)
        return [(first + timedelta(days=n)).isoformat() for n in range(self.day_count)]


def time_text(instant: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` of a UTC instant (isoformat: always four digits of year, unlike %Y)."""
    return instant.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def parse_instant(value: str, parameter: str, end_of_day: bool) -> datetime:
    """The UTC instant of ``value``, between :data:`EARLIEST` and :data:`LATEST`."""
    instant = _parse(value, parameter, end_of_day)
    if not EARLIEST <= instant <= LATEST:
        raise BadRequest(f"{parameter}={value!r} is outside the dates this API answers", _RANGE_HINT, parameter)
    return instant


def _parse(value: str, parameter: str, end_of_day: bool) -> datetime:
    text = _SPACE_OFFSET.sub(r"\1+\2", value.strip())
    if _DATE_ONLY.match(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise BadRequest(f"{parameter}={value!r} is not a valid date", _HINT, parameter) from None
        return datetime.combine(day, time(23, 59, 59) if end_of_day else time(0, 0, 0), tzinfo=UTC)
    if len(text) < 19 or text[10] not in "T ":
        raise BadRequest(f"{parameter}={value!r} is not a date or a date and time", _HINT, parameter)
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"{parameter}={value!r} is not a date or a date and time", _HINT, parameter) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC).replace(microsecond=0)
    except OverflowError:  # an offset pushed it past year 1 or 9999
        raise BadRequest(f"{parameter}={value!r} is outside the dates this API answers", _RANGE_HINT, parameter) from None


def parse_window(start: str | None, end: str | None, now: datetime | None = None,
                 default_days: int = DEFAULT_DAYS) -> Window:
    """The window of ``from``/``to``; missing ends default to the last ``default_days`` days
    including today (a date-only ``to`` includes that whole day)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    last = parse_instant(end, "to", end_of_day=True) if end else datetime.combine(now.date(), time(23, 59, 59), tzinfo=UTC)
    if start:
        first = parse_instant(start, "from", end_of_day=False)
    else:
        first = max(EARLIEST, datetime.combine(last.date() - timedelta(days=default_days - 1), time(0, 0, 0), tzinfo=UTC))
    if first > last:
        raise BadRequest(f"from ({time_text(first)}) is after to ({time_text(last)})",
                         "give a from that is before or equal to to", "from")
    return Window(time_text(first), time_text(last))


# ---- bins of a window (/aggregates?by=day): whole days, weeks or months
GRANULARITIES = ("day", "week", "month")
AUTO_DAY_MAX = 92  # auto: day bins up to about a quarter ...
AUTO_WEEK_MAX = 732  # ... week bins up to two years, month bins beyond (at most ~100 bins or so per chart)


def choose_granularity(requested: str, day_count: int) -> str:
    """``requested`` unless it is ``auto``: then day, week or month by the window's length."""
    if requested != "auto":
        return requested
    if day_count <= AUTO_DAY_MAX:
        return "day"
    return "week" if day_count <= AUTO_WEEK_MAX else "month"


def bin_start(day: str, granularity: str, first_day: str) -> str:
    """The key of the bin ``day`` falls in: its own day, the Monday of its week or the 1st of its
    month, clipped to ``first_day`` (the window's first bin starts where the window does)."""
    if granularity == "day":
        start = day
    elif granularity == "week":
        parsed = date.fromisoformat(day)
        start = (parsed - timedelta(days=parsed.weekday())).isoformat()
    else:
        start = day[:8] + "01"
    return max(start, first_day)  # ISO dates compare as text


def bin_starts(first_day: str, last_day: str, granularity: str) -> list[str]:
    """Every bin key of [first_day, last_day], oldest first."""
    first, last = date.fromisoformat(first_day), date.fromisoformat(last_day)
    keys = [first_day]
    if granularity == "day":
        step = first + timedelta(days=1)
    elif granularity == "week":
        step = first + timedelta(days=7 - first.weekday())
    else:
        step = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    while step <= last:
        keys.append(step.isoformat())
        if granularity == "day":
            step += timedelta(days=1)
        elif granularity == "week":
            step += timedelta(days=7)
        else:
            step = (step.replace(day=28) + timedelta(days=4)).replace(day=1)
    return keys
