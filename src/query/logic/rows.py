"""Summaries and records -> the JSON rows the API returns."""

from __future__ import annotations

from functools import lru_cache

import orjson

from cloudtrail_tracker.dal.pages import row_of, summary_of
from cloudtrail_tracker.event_builder import EventBuilder, RecordRejected
from cloudtrail_tracker.logfile import parse_log_key
from cloudtrail_tracker.sanitize import SHORTENABLE, shorten
from cloudtrail_tracker.settings import Settings


def event_row(item: dict) -> dict:
    """An event summary as the original's row plus who/where."""
    actor = item.get("actor", "")
    return {
        "eventID": item.get("eventID", ""),
        "eventName": item.get("eventName", ""),
        "eventSource": item.get("eventSource", ""),
        "eventTime": item.get("eventTime", ""),
        "userIdentity_userName": actor,  # the original's field, now every actor type
        "actor": actor,
        "actorType": item.get("actorType", ""),
        "role": item.get("role", ""),
        "account": item.get("account", ""),
        "region": item.get("region", ""),
        "sourceIPAddress": item.get("sourceIP", ""),
        "errorCode": item.get("errorCode", ""),
        "readOnly": item.get("readOnly"),
        "resources": list(item.get("resources", [])),
    }


def actor_row(item: dict) -> dict:
    return {"name": item.get("name", ""), "type": item.get("actorType", ""),
            "role": item.get("role", ""), "account": item.get("account", ""), "lastSeen": item.get("lastSeen", "")}


def service_row(item: dict) -> dict:
    name = item.get("name", "")
    return {"name": name, "eventSource": item.get("eventSource") or f"{name}.amazonaws.com",
            "lastSeen": item.get("lastSeen", "")}


MAX_RECORD_BYTES = 5_000_000  # a Lambda answer is at most 6 MB


@lru_cache(maxsize=8)
def _summariser(trusted_session_roles: tuple[str, ...]) -> EventBuilder:
    # no noise filter (the event is stored: it passed ingest's), the roles ingest trusts to name a session
    return EventBuilder(Settings(drop_event_prefixes=(), drop_event_sources=(), tracked_attributes=(),
                                 trusted_session_roles=trusted_session_roles))


def summary_row(record: dict, log_key: str, trusted_session_roles: tuple[str, ...]) -> dict | None:
    """An event's list row rebuilt from its record (the rule ingest applied: same actor, same fields,
    with the same TRUSTED_SESSION_ROLES); None when the record is not an event."""
    parsed = parse_log_key(log_key)
    try:
        event = _summariser(trusted_session_roles).build(record, parsed.account if parsed else "")
    except RecordRejected:
        return None
    return row_of(summary_of(event))


def fit_for_response(record: dict) -> tuple[dict, list[str]]:
    """``record``, its largest free-form parts replaced by a marker until it fits an answer, and
    which parts were replaced."""
    shortened: list[str] = []
    for field in SHORTENABLE:
        size = len(orjson.dumps(record))
        if size <= MAX_RECORD_BYTES:
            break
        if record.get(field) is not None:
            record = shorten(record, field, len(orjson.dumps(record[field])))
            shortened.append(field)
    return record, shortened
