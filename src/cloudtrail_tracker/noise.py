"""Which events are noise to drop before storing, as the user configured it.

Two lists decide: the drop lists (``DROP_EVENT_PREFIXES``, ``DROP_EVENT_SOURCES``) and, above
them, the always-keep list (``KEEP_EVENTS``): reads that answer "who read the secret", which the
original's ``get``/``list`` prefixes would otherwise drop.
"""

from __future__ import annotations

from dataclasses import dataclass

from .settings import Settings


@dataclass(frozen=True)
class KeepRule:
    """``service:EventName`` (service as in the eventSource, ``secretsmanager``), optionally
    ``service:EventName(flag)``: only when ``requestParameters.flag`` is true (``withDecryption``)."""

    service: str
    event_name: str
    when_flag: str = ""

    @classmethod
    def parse(cls, text: str) -> KeepRule:
        service, _, rest = text.partition(":")
        name, parenthesis, flag = rest.partition("(")
        service = service.strip().lower().removesuffix(".amazonaws.com")  # the eventSource form too
        name, flag = name.strip(), flag.removesuffix(")").strip()
        # event names are compared as CloudTrail writes them: PascalCase, so a lower-case one is a typo
        if not service or not name[:1].isupper() or (parenthesis and (not flag or not rest.endswith(")"))):
            raise ValueError(f"KEEP_EVENTS entry {text!r}: write service:EventName or service:EventName(flag), "
                             "e.g. secretsmanager:GetSecretValue, ssm:GetParameter(withDecryption)")
        return cls(service, name, flag)


def parse_keep_rules(entries: tuple[str, ...]) -> dict[tuple[str, str], str]:
    """``{(eventSource, eventName): flag or ""}`` of the KEEP_EVENTS entries."""
    rules = (KeepRule.parse(entry) for entry in entries)
    return {(f"{rule.service}.amazonaws.com", rule.event_name): rule.when_flag for rule in rules}


class NoiseFilter:
    def __init__(self, settings: Settings):
        self._prefixes = settings.drop_event_prefixes  # lower case (settings.py)
        self._sources = frozenset(settings.drop_event_sources)
        self._keep_failed = settings.keep_failed_calls
        self._always_keep = parse_keep_rules(settings.keep_events)

    def drop_reason(self, event_name: str, event_source: str, error_code: str,
                    request_parameters: object = None) -> str | None:
        """``None`` to keep the event, else why it is dropped (reported in the summary)."""
        if error_code and self._keep_failed:
            return None
        if self._always_kept(event_name, event_source, request_parameters):
            return None
        if event_source in self._sources:
            return "noise-source"
        if self._prefixes and event_name.lower().startswith(self._prefixes):
            return "noise-name"
        return None

    def _always_kept(self, event_name: str, event_source: str, request_parameters: object) -> bool:
        flag = self._always_keep.get((event_source, event_name))
        if flag is None:
            return False
        return not flag or (isinstance(request_parameters, dict) and request_parameters.get(flag) is True)
