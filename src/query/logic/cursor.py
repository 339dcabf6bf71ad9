"""Opaque pagination cursors: base64url JSON holding where the walk stopped and a digest of the
query it belongs to, so a cursor given to another query (or another caller) is refused."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json

from .errors import BadRequest

_HINT = "pass the `next` value of the previous response unchanged, with the same path and parameters (except limit)"


def query_identity(path: str, params: dict[str, str], caller_key: str) -> str:
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


def list_position(token: str, identity: str) -> dict:
    """The position of an event-list cursor, its shape checked: ``p`` the partition value, ``k`` a
    start key or None, ``x`` 1 when the partition is finished. Only a position, never a list (of
    error codes, days, ...) that grows with the data: the walk looks those up again, so a cursor's
    size is bounded by its partition value and start key, whatever the table holds.
    (Whether ``p`` and ``k`` belong to the query is checked by the walk, against its plan.)"""
    position = decode_cursor(token, identity)
    bad = BadRequest("next is not a cursor this API issued", _HINT, "next")
    if set(position) - {"p", "k", "x"} or not isinstance(position.get("p"), str) or not position["p"]:
        raise bad
    if position.get("k") is not None and not isinstance(position["k"], dict):
        raise bad
    if "x" in position and (type(position["x"]) is not int or position["x"] != 1):
        raise bad
    return position
