"""Daily counters of a set of events: per actor and day, and per day, account and region.

Pure arithmetic; the data-access layer adds these to the table in the same transaction
as the events themselves, so a count never includes an event twice.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .models import Actor, StoredEvent

TOTAL = "n"
# The other counters are named by kind: e:<eventName>, s:<service>, x:<errorCode>, a:<eventName>:<attr>=<value>.
PREFIXES = {"event": "e:", "service": "s:", "error": "x:", "attribute": "a:"}
_EVENT, _SERVICE, _ERROR, _ATTRIBUTE = PREFIXES.values()


@dataclass
class DayCounts:
    counts: Counter = field(default_factory=Counter)
    actor: Actor | None = None


def counter_names(event: StoredEvent) -> list[str]:
    """The counters one event adds 1 to."""
    names = [TOTAL, f"{_EVENT}{event.event_name}", f"{_SERVICE}{event.service}"]
    if event.error_code:
        names.append(f"{_ERROR}{event.error_code}")
    names.extend(f"{_ATTRIBUTE}{event.event_name}:{value}" for value in event.tracked)
    return names


def count_events(events: list[StoredEvent]) -> tuple[dict[tuple[str, str], DayCounts], dict[tuple[str, str, str], DayCounts]]:
    """(per (day, actor), per (day, account, region)) counters of ``events``."""
    per_actor: dict[tuple[str, str], DayCounts] = {}
    per_day: dict[tuple[str, str, str], DayCounts] = {}
    for event in events:
        names = counter_names(event)
        actor_day = per_actor.setdefault((event.day, event.actor.name), DayCounts(actor=event.actor))
        actor_day.counts.update(names)
        totals = per_day.setdefault((event.day, event.account or "-", event.region or "-"), DayCounts())
        totals.counts.update(names)
    return per_actor, per_day
