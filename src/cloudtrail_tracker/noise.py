"""Which events are noise to drop before storing, as the user configured it."""

from __future__ import annotations

from .settings import Settings


class NoiseFilter:
    def __init__(self, settings: Settings):
        self._prefixes = settings.drop_event_prefixes  # lower case (settings.py)
        self._sources = frozenset(settings.drop_event_sources)
        self._keep_failed = settings.keep_failed_calls

    def drop_reason(self, event_name: str, event_source: str, error_code: str) -> str | None:
        """``None`` to keep the event, else why it is dropped (reported in the summary)."""
        if error_code and self._keep_failed:
            return None
        if event_source in self._sources:
            return "noise-source"
        if self._prefixes and event_name.lower().startswith(self._prefixes):
            return "noise-name"
        return None
