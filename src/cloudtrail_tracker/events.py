"""From a raw CloudTrail record to the event we store: normalised, attributed, secret-free."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import orjson

from .identity import resolve_actor
from .models import StoredEvent
from .noise import NoiseFilter
from .sanitize import redact_secrets
from .settings import Settings

MAX_RESOURCES = 20
_ID_NAMESPACE = uuid.UUID("6f1c3a0e-9a52-4c59-a2a4-1a3b7e0d2c11")


class RecordRejected(Exception):
    """A record that is not stored; ``reason`` goes into the file's summary."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def normalise_time(value) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` in UTC from the spellings found in the wild."""
    if not isinstance(value, str) or len(value) < 10:
        raise RecordRejected("no-eventTime")
    if len(value) == 20 and value[10] == "T" and value[19] == "Z":
        return value  # CloudTrail's own form: the hot path
    try:
        parsed = datetime.fromisoformat(value.replace(" ", "T", 1))
    except ValueError:
        raise RecordRejected("bad-eventTime") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def service_of(event_source: str) -> str:
    return event_source.split(".", 1)[0]


def event_id_of(record: dict) -> str:
    """CloudTrail's eventID; records before 1.01 have none, so derive a stable one."""
    event_id = record.get("eventID")
    if isinstance(event_id, str) and event_id:
        return event_id
    return str(uuid.uuid5(_ID_NAMESPACE, orjson.dumps(record, option=orjson.OPT_SORT_KEYS).decode()))


class EventBuilder:
    """Turns records into :class:`StoredEvent` with the configured noise filter."""

    def __init__(self, settings: Settings):
        self._noise = NoiseFilter(settings)
        self._tracked = settings.tracked_attributes

    def build(self, record: dict, default_account: str = "") -> StoredEvent:
        event_name = record.get("eventName")
        event_source = record.get("eventSource")
        if not isinstance(event_name, str) or not isinstance(event_source, str):
            raise RecordRejected("not-an-event")
        error_code = record.get("errorCode") or ""
        if not isinstance(error_code, str):
            error_code = str(error_code)
        reason = self._noise.drop_reason(event_name, event_source, error_code)
        if reason:
            raise RecordRejected(reason)
        event_time = normalise_time(record.get("eventTime") or record.get("@timestamp"))
        identity = record.get("userIdentity")
        actor = resolve_actor(identity)
        request = record.get("requestParameters")
        return StoredEvent(
            event_id=event_id_of(record),
            event_time=event_time,
            event_name=event_name,
            event_source=event_source,
            service=service_of(event_source),
            actor=actor,
            account=record.get("recipientAccountId") or actor.account or default_account,
            region=record.get("awsRegion") or "",
            source_ip=record.get("sourceIPAddress") or "",
            error_code=error_code,
            read_only=record.get("readOnly") if isinstance(record.get("readOnly"), bool) else None,
            resources=_resource_arns(record.get("resources")),
            tracked=self._tracked_values(request),
            record=redact_secrets(record),
        )

    def _tracked_values(self, request) -> tuple[str, ...]:
        if not isinstance(request, dict) or not self._tracked:
            return ()
        found = []
        for name in self._tracked:
            value = request.get(name)
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                found.append(f"{name}={value}")
        return tuple(found)


def _resource_arns(resources) -> tuple[str, ...]:
    if not isinstance(resources, list):
        return ()
    arns = []
    for resource in resources:
        arn = resource.get("ARN") or resource.get("arn") if isinstance(resource, dict) else None
        if isinstance(arn, str) and arn and arn not in arns:
            arns.append(arn)
            if len(arns) == MAX_RESOURCES:
                break
    return tuple(arns)
