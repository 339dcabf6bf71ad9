"""TransactWriteItems with the request body serialised by orjson instead of botocore.

botocore walks its shape model for every attribute of every item (about 100 µs an event,
ten times the cost of everything else in ingest). The items here are already in
DynamoDB's wire format, so the body is produced in one orjson call and swapped in through
botocore's public ``before-call`` event; signing, retries and error parsing (including
``CancellationReasons``) stay botocore's.
"""

from __future__ import annotations

import base64
import threading

import orjson

_local = threading.local()


def _bytes_as_base64(value):
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(value).decode()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _swap_body(params, **_):
    body = getattr(_local, "body", None)
    if body is not None:
        params["body"] = body


class TransactionSender:
    def __init__(self, client, table_name: str):
        self._client = client
        # A minimal valid request: what botocore validates and serialises before the swap.
        self._placeholder = [{"ConditionCheck": {
            "TableName": table_name, "Key": {"pk": {"S": "-"}, "sk": {"S": "-"}},
            "ConditionExpression": "attribute_not_exists(pk)",
        }}]
        events = client.meta.events
        if not getattr(client, "_cloudtrail_tracker_swap", False):
            events.register("before-call.dynamodb.TransactWriteItems", _swap_body)
            client._cloudtrail_tracker_swap = True

    def send(self, actions: list[dict]) -> dict:
        _local.body = orjson.dumps({"TransactItems": actions}, default=_bytes_as_base64)
        try:
            return self._client.transact_write_items(TransactItems=self._placeholder)
        finally:
            _local.body = None
