"""BatchWriteItem of items already in DynamoDB's wire format, retrying what DynamoDB leaves unprocessed.

botocore walks its shape model for every attribute of every item; the items here are already
wire-format dicts, so the request body is produced in one orjson call and swapped in through
botocore's public ``before-call`` event. Signing, retries of throttled or failed requests and
error parsing stay botocore's.
"""

from __future__ import annotations

import base64
import random
import threading
import time
from collections.abc import Callable

import orjson

MAX_ITEMS = 25  # BatchWriteItem limit
MAX_ROUNDS = 8  # rounds of UnprocessedItems before giving up
_local = threading.local()
_SWAP_ID = "cloudtrail-tracker-batch-body"


class UnprocessedItemsError(RuntimeError):
    """DynamoDB still left items unprocessed after MAX_ROUNDS rounds (sustained throttling)."""


def _bytes_as_base64(value):
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(value).decode()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _swap_body(params, **_):
    body = getattr(_local, "body", None)
    if body is not None:
        params["body"] = body


class BatchWriter:
    def __init__(self, client, table: str, sleep: Callable[[float], object] | None = None):
        """``sleep(seconds)``: the backoff between rounds of UnprocessedItems; by default
        ``time.sleep``, looked up when it waits (so a test's virtual clock applies)."""
        self._client = client
        self._table = table
        self._sleep = sleep
        # A minimal valid request: what botocore validates and serialises before the swap.
        self._placeholder = {table: [{"PutRequest": {"Item": {"pk": {"S": "-"}, "sk": {"S": "-"}}}}]}
        # once per client, however many writers share it (botocore keeps one handler per unique_id)
        client.meta.events.register("before-call.dynamodb.BatchWriteItem", _swap_body, unique_id=_SWAP_ID)
        self.requests = 0

    def put(self, items: list[dict]) -> None:
        """Put every item of ``items`` (any number); raises UnprocessedItemsError rather than lose one."""
        for start in range(0, len(items), MAX_ITEMS):
            pending = [{"PutRequest": {"Item": item}} for item in items[start:start + MAX_ITEMS]]
            for attempt in range(MAX_ROUNDS):
                if attempt:
                    (self._sleep or time.sleep)(min(2.0, 0.05 * 2 ** attempt) * (0.5 + random.random() / 2))
                self.requests += 1
                response = self._send(pending)
                pending = (response.get("UnprocessedItems") or {}).get(self._table) or []
                if not pending:
                    break
            else:
                raise UnprocessedItemsError(
                    f"BatchWriteItem left {len(pending)} items unprocessed after {MAX_ROUNDS} rounds")

    def _send(self, requests: list[dict]) -> dict:
        _local.body = orjson.dumps({"RequestItems": {self._table: requests}}, default=_bytes_as_base64)
        try:
            return self._client.batch_write_item(RequestItems=self._placeholder)
        finally:
            _local.body = None
