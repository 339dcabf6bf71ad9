"""Keep secrets out of the table, and make any record fit in one DynamoDB item."""

from __future__ import annotations

import orjson

REDACTED = "<redacted>"
# A string value is a secret when its key (any case) contains one of these, wherever it appears
# in the free-form parts of a record: CreateAccessKey's secretAccessKey, a sessionToken,
# masterUserPassword / newPassword, a clientSecret, a privateKey(Pem), ...
SECRET_KEY_PARTS = ("password", "secretaccesskey", "sessiontoken", "privatekey", "clientsecret", "secretstring")
# Inside a "credentials" object (AssumeRole, GetSessionToken, GetFederationToken) every value but
# the expiry is part of the secret: the access key id too.
_CREDENTIAL_KEEP = frozenset({"expiration", "Expiration"})
_FREE_FORM = ("responseElements", "requestParameters", "additionalEventData", "serviceEventDetails")
# Largest first: which parts of a record give way when it does not fit.
SHORTENABLE = ("responseElements", "requestParameters", "additionalEventData", "serviceEventDetails", "resources")

# Walking every nested dict costs more than the rest of ingest: search the serialised record
# for the key words first, and walk only the few records that have one.
_SECRET_HINTS = tuple(p.encode() for p in SECRET_KEY_PARTS) + (b'credentials"',)


def is_secret_key(key: str) -> bool:
    lowered = key.lower()
    return any(part in lowered for part in SECRET_KEY_PARTS)


def redact_secrets(record: dict) -> dict:
    """Remove credentials in place (the record is ours, freshly parsed) and return it."""
    text = orjson.dumps(record).lower()  # substring tests: a case-blind regex costs ten times more
    if not any(hint in text for hint in _SECRET_HINTS):
        return record
    for part in _FREE_FORM:
        value = record.get(part)
        if isinstance(value, (dict, list)):
            _redact(value)
    return record


def _redact(node) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str) and value and is_secret_key(key):
                node[key] = REDACTED
            elif key in ("credentials", "Credentials") and isinstance(value, dict):
                for cred_key in value:
                    if cred_key not in _CREDENTIAL_KEEP:
                        value[cred_key] = REDACTED
            elif isinstance(value, (dict, list)):
                _redact(value)
    elif isinstance(node, list):
        for item in node:
            if isinstance(item, (dict, list)):
                _redact(item)


def shorten(record: dict, field: str, original_bytes: int) -> dict:
    """A copy of ``record`` with ``field`` replaced by a marker saying how big it was."""
    copy = dict(record)
    copy[field] = {"omitted": True, "reason": "too large to store", "originalBytes": original_bytes}
    return copy
