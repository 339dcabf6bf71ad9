"""The shared FileIngester, storing only the events of the backfill window.

Files of the days around the window are read (the key date is the delivery date), so events
before ``from`` or after ``to`` are dropped as ``outside-window``: backfills of adjacent
windows then store each event once between them, and "the window" means what it says.
"""

from __future__ import annotations

from datetime import date

from ..ingest_service import FileIngester
from ..settings import StoreSettings
from .planning import event_in_window

OUTSIDE_WINDOW = "outside-window"


class WindowedFileIngester(FileIngester):
    def __init__(self, s3_client, dynamodb_client, settings: StoreSettings, first_day: date, last_day: date):
        def outside_window(event) -> str | None:
            return None if event_in_window(event.day, first_day, last_day) else OUTSIDE_WINDOW

        super().__init__(s3_client, dynamodb_client, settings, event_filter=outside_window)
