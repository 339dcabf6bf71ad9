"""The shared FileIngester, storing only the events of the backfill window.

Files of the days around the window are read (the key date is the delivery date), so events
before ``from`` or after ``to`` are dropped as ``outside-window``: backfills of adjacent
windows then store each event once between them, and "the window" means what it says.
"""

from __future__ import annotations

from datetime import date

from ..events import RecordRejected
from ..ingest_service import FileIngester
from ..settings import Settings
from .planning import event_in_window

OUTSIDE_WINDOW = "outside-window"


class _WindowedBuilder:
    """Wraps the ingester's EventBuilder: the same events, minus those outside the window."""

    def __init__(self, inner, first_day: date, last_day: date):
        self._inner = inner
        self._first, self._last = first_day, last_day

    def build(self, record: dict, default_account: str = ""):
        event = self._inner.build(record, default_account)
        if not event_in_window(event.day, self._first, self._last):
            raise RecordRejected(OUTSIDE_WINDOW)
        return event


class WindowedFileIngester(FileIngester):
    # FileIngester has no event filter hook yet; it keeps its builder in ``_builder`` (the lead
    # is asked for a public ``keep`` argument, after which this class becomes a one-liner).
    def __init__(self, s3_client, dynamodb_client, settings: Settings, first_day: date, last_day: date):
        super().__init__(s3_client, dynamodb_client, settings)
        self._builder = _WindowedBuilder(self._builder, first_day, last_day)

