"""One actor's console sessions over a window: their pages read (their own and their group's, Query only), the
rows carrying a console marker kept, and the pure grouping of cloudtrail_tracker.console_sessions.

Reads grow with the window's events of the actor and of its group's light actors, not with the table; a budget bounds one call
(an actor with more events than that gets the newest part of the window, ``partial`` set)."""

from __future__ import annotations

from cloudtrail_tracker.console_sessions import sessions_of
from cloudtrail_tracker.dal.reader import Condition, EventReader, Partition

MAX_ROWS_READ = 200_000  # summaries one call looks at (as /count's budget): ~400 pages, a few seconds
_MARKED = (Condition("console", "exists"),)  # rows of older pages have no marker: left out


def console_sessions(store: EventReader, actor: str, start: str, end: str, max_rows_read: int = MAX_ROWS_READ) -> dict:
    """``{"sessions", "truncated", "partial"}`` of ``actor`` between ``start`` and ``end`` (inclusive
    eventTimes); ``partial``: the budget ran out before the oldest events of the window were read."""
    partition = Partition.of_actor(actor, start, end)
    rows: list[dict] = []
    position = None
    read_before = store.stats.items_read
    partial = False
    while True:
        page = store.query_events(partition, limit=max_rows_read, start_key=position, conditions=_MARKED)
        rows.extend(page.items)
        position = page.last_key
        if position is None:
            break
        if store.stats.items_read - read_before >= max_rows_read:
            partial = True
            break
    found = sessions_of(rows)
    return {**found, "partial": partial}
