"""The counters an event adds 1 to: ``n``, ``e:<eventName>``, ``s:<service>``, ``x:<errorCode>`` and
``a:<eventName>:<attribute>=<value>`` (the tracked request parameters).

Pure; the data-access layer stores each part's counts once (dal/writer.py) and adds them up
when they are read.
"""

from __future__ import annotations

from .models import StoredEvent

TOTAL = "n"
PREFIXES = {"event": "e:", "service": "s:", "error": "x:", "attribute": "a:"}
_EVENT, _SERVICE, _ERROR, _ATTRIBUTE = PREFIXES.values()


def counter_names(event: StoredEvent) -> list[str]:
    """The counters one event adds 1 to."""
    return names_of(event.event_name, event.event_source, event.error_code, event.tracked)


def names_of(event_name: str, event_source: str, error_code: str, tracked) -> list[str]:
    """The counters of an event with these fields (``tracked``: ``attribute=value`` strings)."""
    names = [TOTAL, f"{_EVENT}{event_name}", f"{_SERVICE}{event_source.split('.', 1)[0]}"]
    if error_code:
        names.append(f"{_ERROR}{error_code}")
    names.extend(f"{_ATTRIBUTE}{event_name}:{value}" for value in tracked)
    return names
