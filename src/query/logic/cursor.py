"""Opaque pagination cursors: base64url JSON holding where the walk stopped and a digest of the
query it belongs to, so a cursor given to another query (or another caller) is refused."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass

from cloudtrail_tracker.dal.reader import EventPosition

from .errors import BadRequest

_HINT = "pass the `next` value of the previous response unchanged, with the same path and parameters (except limit)"


def query_identity(path: str, params: dict[str, object], caller_key: str) -> str:
    """Digest of what defines a result set: path, parameters (not limit/next) and the caller's scope."""
    relevant = sorted((k, v) for k, v in params.items() if k not in {"limit", "next"})
    text = json.dumps([path, relevant, caller_key], separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def encode_cursor(identity: str, position: dict) -> str:
    data = json.dumps({"q": identity, **position}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def decode_cursor(token: str, identity: str) -> dict:
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeError):
        raise BadRequest("next is not a cursor this API issued", _HINT, "next") from None
    if not isinstance(data, dict) or "q" not in data:
        raise BadRequest("next is not a cursor this API issued", _HINT, "next")
    if data.pop("q") != identity:
        raise BadRequest("next belongs to a different query", _HINT, "next")
    return data


@dataclass(frozen=True)
class ListPosition:
    """Where an event-list walk stopped: in ``partition`` (a :class:`Partition` value), right after
    ``start`` (None: at its beginning), or ``finished`` with it. Only a position, never a list (of
    error codes, days, ...) that grows with the data: the walk looks those up again, so a cursor's
    size is bounded by its partition value and start position, whatever the table holds. (Whether
    they belong to the query is checked by the walk, against its plan.)"""

    partition: str
    start: EventPosition | None = None
    finished: bool = False


def _bad() -> BadRequest:
    return BadRequest("next is not a cursor this API issued", _HINT, "next")


# The wire format is compact: {"p": partition, "k": {"t": eventTime, "i": eventID} | null} or {"p", "x": 1}
def encode_list_cursor(identity: str, position: ListPosition) -> str:
    if position.finished:
        return encode_cursor(identity, {"p": position.partition, "x": 1})
    start = position.start
    return encode_cursor(identity, {"p": position.partition,
                                    "k": {"t": start.event_time, "i": start.event_id} if start else None})


def list_position(token: str, identity: str) -> ListPosition:
    """The position of an event-list cursor, its shape checked."""
    data = decode_cursor(token, identity)
    partition, start = data.get("p"), data.get("k")
    if set(data) - {"p", "k", "x"} or not isinstance(partition, str) or not partition:
        raise _bad()
    if "x" in data and (type(data["x"]) is not int or data["x"] != 1):
        raise _bad()
    if start is None:
        return ListPosition(partition, None, "x" in data)
    if not (isinstance(start, dict) and set(start) == {"t", "i"} and isinstance(start["t"], str) and isinstance(start["i"], str)):
        raise _bad()
    return ListPosition(partition, EventPosition(start["t"], start["i"]), "x" in data)


def encode_registry_cursor(identity: str, after: str) -> str:
    return encode_cursor(identity, {"n": after})


def registry_position(token: str, identity: str) -> str:
    """Where a registry list resumes (the DAL's position in the registry), its shape checked."""
    data = decode_cursor(token, identity)
    if set(data) != {"n"} or not isinstance(data["n"], str) or not data["n"]:
        raise _bad()
    return data["n"]
