"""Runtime configuration, read once from environment variables (set by template.yaml)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

# The original's noise list: read-only calls that swamp a trail.
DEFAULT_DROP_PREFIXES = ("get", "describe", "list", "info", "decrypt", "checkmfa", "head")
# requestParameters keys counted per value in the daily counters (course checklists such as
# "RunInstances with instanceType t3.micro" are answered from these, not from raw events).
DEFAULT_TRACKED_ATTRIBUTES = ("instanceType", "dBInstanceClass", "runtime", "engine")


def _csv(value: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if value is None:
        return default
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    table_name: str = "cloudtrail-tracker"
    # Event names starting with one of these (case-insensitive) are dropped ...
    drop_event_prefixes: tuple[str, ...] = DEFAULT_DROP_PREFIXES
    # ... as are events of these sources (e.g. "kms.amazonaws.com") ...
    drop_event_sources: tuple[str, ...] = ()
    # ... unless the call failed: an AccessDenied on a List is exactly what people look for.
    keep_failed_calls: bool = True
    # 0 keeps events forever; otherwise DynamoDB TTL removes them this many days after eventTime.
    retention_days: int = 0
    tracked_attributes: tuple[str, ...] = field(default=DEFAULT_TRACKED_ATTRIBUTES)
    # roles whose session names the role sets, not the caller (identity.py; AWSReservedSSO_* always are)
    trusted_session_roles: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        return cls(
            table_name=env.get("TABLE_NAME", cls.table_name),
            drop_event_prefixes=tuple(p.lower() for p in _csv(env.get("DROP_EVENT_PREFIXES"), DEFAULT_DROP_PREFIXES)),
            drop_event_sources=_csv(env.get("DROP_EVENT_SOURCES"), ()),
            keep_failed_calls=_bool(env.get("KEEP_FAILED_CALLS"), True),
            retention_days=int(env.get("RETENTION_DAYS") or 0),
            tracked_attributes=_csv(env.get("TRACKED_ATTRIBUTES"), DEFAULT_TRACKED_ATTRIBUTES),
            trusted_session_roles=_csv(env.get("TRUSTED_SESSION_ROLES"), ()),
        )
