"""Faults injected into real boto3 clients, between botocore and moto.

moto answers requests from botocore's ``before-send`` event; :class:`FaultInjector` takes
its place there and forwards to it, so a fault can answer before moto sees the request
(throttling, a 500, a cancelled transaction, a connect or read timeout: nothing applied) or
after moto has applied it (a read timeout: the response is lost). A "kill" raises
:class:`LambdaKilled`, which no ``except Exception`` stops, so the invocation makes no
further request, as when Lambda's runtime dies mid-file.
"""

from __future__ import annotations

import io
import json
import random
import threading
import time
from collections import Counter
from types import SimpleNamespace

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError
from botocore.retries import bucket
from moto.core.models import botocore_stubber

_DYNAMODB_ERRORS = (  # (code, HTTP status): what DynamoDB answers under load
    ("ThrottlingException", 400), ("ProvisionedThroughputExceededException", 400),
    ("RequestLimitExceeded", 400), ("InternalServerError", 500),
)
_S3_ERRORS = (("SlowDown", 503), ("InternalError", 500))
_TIMEOUTS = ("connect timeout", "read timeout, not applied", "read timeout, applied")
# Cancellation reasons of a transaction that collided with another writer or was throttled.
_CANCELLATION_CODES = ("TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded")


class LambdaKilled(BaseException):
    """The execution environment died: not an error the code under test may catch."""


class _RawBody(io.BytesIO):
    def stream(self, **_):
        yield self.read()


def _response(request, status: int, body: bytes, content_type: str) -> AWSResponse:
    headers = {"Content-Type": content_type, "x-amzn-RequestId": "fault", "x-amz-request-id": "fault"}
    return AWSResponse(request.url, status, headers, _RawBody(body))


def dynamodb_error(request, code: str, status: int, **fields) -> AWSResponse:
    body = {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": f"injected {code}", **fields}
    return _response(request, status, json.dumps(body).encode(), "application/x-amz-json-1.0")


def s3_error(request, code: str, status: int) -> AWSResponse:
    body = f"<Error><Code>{code}</Code><Message>injected {code}</Message><RequestId>fault</RequestId></Error>"
    return _response(request, status, body.encode(), "application/xml")


class FaultInjector:
    """A proxy in front of moto for the clients of a botocore event emitter, with seeded faults.

    ``fault_rate``: chance that one HTTP attempt (twice that for a transaction) fails: before
    moto sees it, or (a read timeout) after moto has applied it. ``kills`` invocations (every
    other one) die at a random request (up to ``kill_within``): before it, or, every other
    time, just after the first transaction from there on was applied (its events stored,
    their lastSeen not yet).
    """

    def __init__(self, seed: int, fault_rate: float, kills: int, kill_within: int):
        self._rng = random.Random(seed)
        self._fault_rate, self._kills_left, self._kill_within = fault_rate, kills, kill_within
        self._invocations = 0
        self._requests = 0
        self._kill_at: int | None = None
        self._kill_after_applied = False
        self._transaction_faults = 0
        self.injected: Counter = Counter()

    def attach(self, events) -> None:
        """Send the requests of clients created from ``events`` (a session's) through :meth:`_send`."""
        events.unregister("before-send", botocore_stubber)
        events.register("before-send", self._send, unique_id="moto-with-faults")

    def start_invocation(self) -> None:
        self._requests = 0
        self._invocations += 1
        # A kill not reached (a short invocation) waits for the next one.
        if self._kill_at is None and self._kills_left and self._invocations % 2:
            self._kills_left -= 1
            self._kill_at = self._rng.randint(1, self._kill_within)
            self._kill_after_applied = not self._kill_after_applied  # both kinds, in turn

    def _send(self, request, event_name: str, **_):
        self._requests += 1
        service, operation = event_name.split(".")[1:3]
        killed = self._kill_due(operation)
        if killed and not self._kill_after_applied:
            self.injected["kill before a request"] += 1
            raise LambdaKilled(f"killed before request {self._requests} ({event_name})")
        fault = None
        rate = self._fault_rate * (2 if operation == "TransactWriteItems" else 1)  # the heart of ingest
        if service in ("s3", "dynamodb") and not killed and self._rng.random() < rate:
            fault = self._fault(service, operation)
        if fault == "cancelled":
            return self._cancelled(request)
        if fault == "connect timeout":
            raise ConnectTimeoutError(endpoint_url=request.url)
        if fault == "read timeout, not applied":
            raise ReadTimeoutError(endpoint_url=request.url)
        if isinstance(fault, tuple):
            code, status = fault
            return (s3_error if service == "s3" else dynamodb_error)(request, code, status)
        response = botocore_stubber(event_name=event_name, request=request)
        if killed:
            self.injected["kill right after a transaction"] += 1
            raise LambdaKilled(f"killed after request {self._requests} ({event_name}) was applied")
        if fault == "read timeout, applied":
            raise ReadTimeoutError(endpoint_url=request.url)
        return response

    def _kill_due(self, operation: str) -> bool:
        """At the request drawn; or, for a kill after a transaction, the first one from there on."""
        if self._kill_at is None or self._requests < self._kill_at:
            return False
        if self._kill_after_applied and operation != "TransactWriteItems":
            return False  # waits for the next transaction
        self._kill_at = None
        return True

    def _fault(self, service: str, operation: str):
        if operation == "TransactWriteItems":
            self._transaction_faults += 1
            if self._transaction_faults % 2:
                return "cancelled"  # every other fault of a transaction
        kinds = _TIMEOUTS + (_S3_ERRORS if service == "s3" else _DYNAMODB_ERRORS)
        # The kind injected least so far: every kind is exercised, however few the requests.
        kind = min(self._rng.sample(kinds, len(kinds)), key=lambda k: self.injected[_name(k)])
        self.injected[_name(kind)] += 1
        return kind

    def _cancelled(self, request) -> AWSResponse:
        """TransactionCanceledException with one reason per action, some not ``None``."""
        actions = len(json.loads(request.body)["TransactItems"])
        reasons = [{"Code": "None"} for _ in range(actions)]
        for index in self._rng.sample(range(actions), k=self._rng.randint(1, min(3, actions))):
            code = min(_CANCELLATION_CODES, key=lambda c: self.injected[f"TransactionCanceled: {c}"])
            reasons[index] = {"Code": code, "Message": f"injected {code}"}
            self.injected[f"TransactionCanceled: {code}"] += 1
        self.injected["cancelled"] += 1
        return dynamodb_error(request, "TransactionCanceledException", 400, CancellationReasons=reasons)


class VirtualClock:
    """Backoff without the wait: ``time.sleep`` (botocore's and the writer's backoff) and the
    waits of botocore's adaptive-mode token bucket (client-side rate limiting after a
    throttle) advance this clock instead of the test's wall time."""

    def __init__(self):
        self.slept = 0.0

    def sleep(self, seconds: float) -> None:
        self.slept += seconds

    def install(self, monkeypatch) -> None:
        clock = self

        class BucketClock(bucket.Clock):
            def sleep(self, amount):
                clock.sleep(amount)

            def current_time(self):
                return time.time() + clock.slept

        class Condition(threading.Condition):
            def wait(self, timeout=None):
                clock.sleep(timeout or 0)
                return False

        monkeypatch.setattr(time, "sleep", self.sleep)
        monkeypatch.setattr(bucket, "Clock", BucketClock)
        monkeypatch.setattr(bucket, "threading", SimpleNamespace(Lock=threading.Lock, Condition=Condition))


def _name(kind) -> str:
    return kind[0] if isinstance(kind, tuple) else kind
