"""StoredEvent -> DynamoDB items in the low-level wire format.

Built by hand rather than with boto3's TypeSerializer: it is the hot path of ingest.
"""

from __future__ import annotations

import zlib
import calendar
import time

import orjson

from ..models import StoredEvent
from ..sanitize import SHORTENABLE, shorten
from . import keys
from .record_dictionary import CURRENT, DICTIONARIES

# DynamoDB's limit is 400 KB an item; leave room for the keys and summary attributes.
MAX_RAW_BYTES = 350_000


def encode_record(record: dict) -> bytes:
    """Raw deflate, level 1, 4 KB window, primed with a dictionary of what every record repeats
    (record_dictionary.py); the first byte names the dictionary. A third of zlib.compress's CPU
    (its 32 KB window costs more to set up than a record takes to compress) and a better ratio."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, -12, 6, zdict=DICTIONARIES[CURRENT])
    return bytes((CURRENT,)) + compressor.compress(orjson.dumps(record)) + compressor.flush()


def decode_record(blob: bytes) -> dict:
    blob = bytes(blob)
    decompressor = zlib.decompressobj(-12, zdict=DICTIONARIES[blob[0]])
    return orjson.loads(decompressor.decompress(blob[1:]) + decompressor.flush())


def fit_record(event: StoredEvent) -> bytes:
    """The compressed record, shortened field by field until it fits in an item."""
    blob = encode_record(event.record)
    if len(blob) <= MAX_RAW_BYTES:
        return blob
    record, shortened = event.record, []
    for field in SHORTENABLE:
        if field not in record or record[field] is None:
            continue
        record = shorten(record, field, len(orjson.dumps(record[field])))
        shortened.append(field)
        blob = encode_record(record)
        if len(blob) <= MAX_RAW_BYTES:
            break
    event.record = record
    event.shortened = tuple(shortened)
    return blob


def expiry_epoch(event_time: str, retention_days: int) -> int:
    return calendar.timegm(time.strptime(event_time, "%Y-%m-%dT%H:%M:%SZ")) + retention_days * 86400


def event_item(event: StoredEvent, retention_days: int = 0) -> dict:
    ts = keys.time_sort(event.event_time, event.event_id)
    actor = event.actor
    item = {
        keys.PK: {"S": keys.event_pk(event.event_id)},
        keys.SK: {"S": keys.EVENT_SK},
        keys.TS: {"S": ts},
        "byActor": {"S": keys.index_pk("ByActor", actor.name)},
        "byService": {"S": keys.index_pk("ByService", event.service)},
        "byDay": {"S": keys.index_pk("ByDay", event.day)},
        "byEventName": {"S": keys.index_pk("ByEventName", event.event_name)},
        "eventID": {"S": event.event_id},
        "eventName": {"S": event.event_name},
        "eventSource": {"S": event.event_source},
        "eventTime": {"S": event.event_time},
        "actor": {"S": actor.name},
        "actorType": {"S": actor.type},
        "raw": {"B": fit_record(event)},
    }
    _put_if(item, "byAccount", event.account and keys.index_pk("ByAccount", event.account))
    _put_if(item, "byError", event.error_code and keys.index_pk("ByError", event.error_code))
    _put_if(item, "role", actor.role)
    _put_if(item, "account", event.account)
    _put_if(item, "region", event.region)
    _put_if(item, "sourceIP", event.source_ip)
    _put_if(item, "errorCode", event.error_code)
    if event.read_only is not None:
        item["readOnly"] = {"BOOL": event.read_only}
    if event.resources:
        item["resources"] = {"L": [{"S": arn} for arn in event.resources]}
    if event.shortened:
        item["shortened"] = {"SS": list(event.shortened)}
    if retention_days:
        item["expiresAt"] = {"N": str(expiry_epoch(event.event_time, retention_days))}
    return item


def resource_link_item(event: StoredEvent, arn: str, summary: dict) -> dict:
    """A small item under the resource's ARN, so "who touched this" is one Query."""
    item = {k: v for k, v in summary.items() if k in keys.SUMMARY_FIELDS}
    item[keys.PK] = {"S": keys.resource_pk(arn)}
    item[keys.SK] = {"S": keys.time_sort(event.event_time, event.event_id)}
    if "expiresAt" in summary:
        item["expiresAt"] = summary["expiresAt"]
    return item


def _put_if(item: dict, name: str, value: str) -> None:
    if value:
        item[name] = {"S": value}
