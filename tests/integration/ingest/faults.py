"""Faults injected into real boto3 clients, between botocore and moto (storage v2).

moto answers requests from botocore's ``before-send`` event; :class:`FaultInjector` takes
its place there and forwards to it, so a fault can answer before moto sees the request
(throttling, a 500, a connect or read timeout: nothing applied), after moto has applied it
(a read timeout: the response is lost), or in between (a BatchWriteItem of which moto only
applies some items, the rest answered as ``UnprocessedItems``, as DynamoDB does under
throttling). A "kill" raises :class:`LambdaKilled`, which no ``except Exception`` stops, so
the invocation makes no further request, as when Lambda's runtime dies mid-file.

The requests v2's ingest makes, by what they do (:func:`operation_of`):

* ``GetObject``: S3, the log file;
* ``UpdateItem claim``: conditional ``if_not_exists`` claims of eventIDs (dal/claims.py);
* ``GetItem claim``: the consistent read of a full claim item;
* ``UpdateItem registry``: conditional ACTOR / SERVICE / DAY / MONTH / ERROR entries;
* ``BatchWriteItem``: locators, pages and counts.
"""

from __future__ import annotations

import copy
import io
import json
import random
import threading
import time
from collections import Counter
from itertools import zip_longest
from types import SimpleNamespace

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError
from botocore.retries import bucket
from moto.core.models import botocore_stubber

from cloudtrail_tracker.dal.batch import MAX_ROUNDS

DYNAMODB_ERRORS = (  # (code, HTTP status): what DynamoDB answers under load
    ("ThrottlingException", 400), ("ProvisionedThroughputExceededException", 400),
    ("RequestLimitExceeded", 400), ("InternalServerError", 500),
)
S3_ERRORS = (("SlowDown", 503), ("InternalError", 500))
TIMEOUTS = ("connect timeout", "read timeout, not applied", "read timeout, applied")
PARTIAL = "UnprocessedItems"  # a BatchWriteItem that applies only some of its items

OPERATIONS = ("GetObject", "UpdateItem claim", "GetItem claim", "UpdateItem registry", "BatchWriteItem")

KILL_BEFORE_REQUEST = "kill before a request"
KILL_AFTER_CLAIM = "kill right after a claim"
KILL_BEFORE_WRITES = "kill between the claims and the BatchWriteItem calls"
KILL_AFTER_BATCH = "kill right after a BatchWriteItem"
KILLS = (KILL_BEFORE_REQUEST, KILL_AFTER_CLAIM, KILL_BEFORE_WRITES, KILL_AFTER_BATCH)
# An outage: every attempt fails until the client gives up (botocore's max_attempts in
# ingest/handler.py, the BatchWriter's MAX_ROUNDS of UnprocessedItems), so SQS has to retry.
OUTAGE_ATTEMPTS = 10
OUTAGES = ("UpdateItem registry", "GetObject", "BatchWriteItem", "UpdateItem claim", "GetItem claim")  # in turn


class LambdaKilled(BaseException):
    """The execution environment died: not an error the code under test may catch."""


class _RawBody(io.BytesIO):
    def stream(self, **_):
        yield self.read()


def _response(request, status: int, body: bytes, content_type: str) -> AWSResponse:
    headers = {"Content-Type": content_type, "x-amzn-RequestId": "fault", "x-amz-request-id": "fault"}
    return AWSResponse(request.url, status, headers, _RawBody(body))


def dynamodb_error(request, code: str, status: int) -> AWSResponse:
    body = {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": f"injected {code}"}
    return _response(request, status, json.dumps(body).encode(), "application/x-amz-json-1.0")


def s3_error(request, code: str, status: int) -> AWSResponse:
    body = f"<Error><Code>{code}</Code><Message>injected {code}</Message><RequestId>fault</RequestId></Error>"
    return _response(request, status, body.encode(), "application/xml")


def operation_of(service: str, operation: str, request) -> str:
    """One of OPERATIONS (or ``operation`` itself for any other request, e.g. SQS's)."""
    if service == "dynamodb" and operation in ("UpdateItem", "GetItem"):
        pk = json.loads(request.body)["Key"]["pk"]["S"]
        return f"{operation} {'claim' if pk.startswith('K#') else 'registry'}"
    return operation


def fault_kinds(operation: str) -> tuple:
    if operation == "GetObject":
        return TIMEOUTS + S3_ERRORS
    return TIMEOUTS + DYNAMODB_ERRORS + ((PARTIAL,) if operation == "BatchWriteItem" else ())


class FaultInjector:
    """A proxy in front of moto for the clients of a botocore event emitter, with seeded faults.

    ``fault_rate``: chance that one HTTP attempt to S3 or DynamoDB fails, per operation (``"*"``:
    the others); a third of a BatchWriteItem's faults are partial. The kind is the one injected least
    so far for that operation, so every kind meets every operation however few its requests.
    Disruptions, one at a time, ``kills`` KILLS and ``outages`` OUTAGES (each list in turn),
    alternately: a kill ends the invocation before the n-th request (n drawn up to
    ``within["request"]``), just after the n-th claim was applied (up to ``within["claim"]``),
    just before the first BatchWriteItem of a flush (every claim and registry entry written, no
    locator, page or counts item), or just after the n-th BatchWriteItem was applied (up to
    ``within["batch"]``: in the middle of a flush's writes). An outage of one operation, from its
    n-th request on (up to ``within[operation]``), answers throttling to every attempt (for a
    BatchWriteItem: every item unprocessed) until the client gives up. A disruption not reached in
    its invocation waits for the next ones. An invocation that follows two failed ones
    (``start_invocation(failed_before=2)``) meets no fault at all: SQS gives a message
    ``maxReceiveCount`` (5) tries, and the test's point is what the retries repair, not a message
    given up on because the test's faults (far denser than AWS's) outlasted them, e.g. by draining
    botocore's retry quota.
    """

    def __init__(self, seed: int, fault_rate: dict[str, float], kills: int, outages: int,
                 within: dict[str, int]):
        self._rng = random.Random(seed)
        self._fault_rate, self._within = fault_rate, within
        kill_list = [KILLS[n % len(KILLS)] for n in range(kills)]
        outage_list = [("outage", OUTAGES[n % len(OUTAGES)]) for n in range(outages)]
        self._disruptions = [d for pair in zip_longest(kill_list, outage_list) for d in pair if d]
        self._calm = False
        self._kill: str | None = None
        self._countdown = 0
        self._outage: str | None = None  # the operation
        self._outage_countdown = self._outage_attempts = 0
        self._writing = False  # a BatchWriteItem came after the last claim
        self.injected: Counter = Counter()
        self.requests: Counter = Counter()

    def attach(self, events) -> None:
        """Send the requests of clients created from ``events`` (a session's) through :meth:`_send`."""
        events.unregister("before-send", botocore_stubber)
        events.register("before-send", self._send, unique_id="moto-with-faults")

    def start_invocation(self, failed_before: int) -> None:
        """``failed_before``: how many invocations in a row failed just before this one."""
        self._calm = failed_before >= 2
        self._writing = False
        if self._calm or self._kill or self._outage or not self._disruptions:
            return
        disruption = self._disruptions.pop(0)
        if isinstance(disruption, tuple):
            self._outage = disruption[1]
            self._outage_countdown = self._rng.randint(1, self._within[self._outage])
            self._outage_attempts = MAX_ROUNDS if self._outage == "BatchWriteItem" else OUTAGE_ATTEMPTS
        else:
            self._kill = disruption
            within = {KILL_BEFORE_REQUEST: "request", KILL_AFTER_CLAIM: "claim", KILL_AFTER_BATCH: "batch"}
            self._countdown = self._rng.randint(1, self._within[within[disruption]]) if disruption in within else 1

    def _send(self, request, event_name: str, **_):
        service, operation = event_name.split(".")[1:3]
        operation = operation_of(service, operation, request)
        self.requests[operation] += 1
        kill = self._kill_due(operation)
        if operation in ("UpdateItem claim", "GetItem claim"):
            self._writing = False
        elif operation == "BatchWriteItem":
            self._writing = True
        if kill in (KILL_BEFORE_REQUEST, KILL_BEFORE_WRITES):
            self.injected[kill] += 1
            raise LambdaKilled(f"{kill} ({operation})")
        fault = self._outage_due(operation) if not kill else None
        rate = self._fault_rate.get(operation, self._fault_rate["*"])
        if service in ("s3", "dynamodb") and not kill and not fault and not self._calm and self._rng.random() < rate:
            fault = self._fault(operation)
        if fault == "connect timeout":
            raise ConnectTimeoutError(endpoint_url=request.url)
        if fault == "read timeout, not applied":
            raise ReadTimeoutError(endpoint_url=request.url)
        if isinstance(fault, tuple):
            code, status = fault
            return (s3_error if service == "s3" else dynamodb_error)(request, code, status)
        if fault in (PARTIAL, "all unprocessed"):
            return self._partial(request, event_name, everything=fault != PARTIAL)
        response = botocore_stubber(event_name=event_name, request=request)
        if kill:
            self.injected[kill] += 1
            raise LambdaKilled(f"{kill} ({operation}) was applied")
        if fault == "read timeout, applied":
            raise ReadTimeoutError(endpoint_url=request.url)
        return response

    def _kill_due(self, operation: str) -> str | None:
        """The armed kill, if this request is the one it waits for."""
        due = {KILL_BEFORE_REQUEST: True, KILL_AFTER_CLAIM: operation == "UpdateItem claim",
               KILL_BEFORE_WRITES: operation == "BatchWriteItem" and not self._writing,
               KILL_AFTER_BATCH: operation == "BatchWriteItem"}
        if self._calm or self._kill is None or not due[self._kill]:
            return None
        self._countdown -= 1
        if self._countdown:
            return None
        kill, self._kill = self._kill, None
        return kill

    def _outage_due(self, operation: str):
        """The fault of the outage under way, if this request meets it."""
        if self._calm or self._outage != operation:
            return None
        if self._outage_countdown > 1:
            self._outage_countdown -= 1
            return None
        self._outage_attempts -= 1
        if not self._outage_attempts:
            self._outage = None
            self.injected[f"outage: {operation}"] += 1
        if operation == "BatchWriteItem":
            return "all unprocessed"
        return S3_ERRORS[0] if operation == "GetObject" else DYNAMODB_ERRORS[1]

    def _fault(self, operation: str):
        kinds = fault_kinds(operation)
        if operation == "BatchWriteItem":
            self.injected["BatchWriteItem faults"] += 1
            if self.injected["BatchWriteItem faults"] % 3 == 1:
                kinds = (PARTIAL,)  # every third fault of a BatchWriteItem, the first: the realistic throttling shape
        # The kind injected least so far: every kind is exercised, however few the requests.
        kind = min(self._rng.sample(kinds, len(kinds)), key=lambda k: self.injected[f"{operation}: {_name(k)}"])
        self.injected[f"{operation}: {_name(kind)}"] += 1
        self.injected[_name(kind)] += 1
        return kind

    def _partial(self, request, event_name: str, everything: bool = False) -> AWSResponse:
        """moto applies a random part of the batch (maybe none of it); the rest comes back unprocessed."""
        (table, writes), = json.loads(request.body)["RequestItems"].items()
        left = set(range(len(writes))) if everything else \
            set(self._rng.sample(range(len(writes)), self._rng.randint(1, len(writes))))
        applied = [write for number, write in enumerate(writes) if number not in left]
        if applied:
            part = copy.copy(request)
            part.body = json.dumps({"RequestItems": {table: applied}}).encode()
            response = botocore_stubber(event_name=event_name, request=part)
            assert response.status_code == 200, response.content
        self.injected["unprocessed items"] += len(left)
        body = {"UnprocessedItems": {table: [writes[number] for number in sorted(left)]}}
        return _response(request, 200, json.dumps(body).encode(), "application/x-amz-json-1.0")


class VirtualClock:
    """Backoff without the wait: ``time.sleep`` (botocore's and the writer's backoff) and the
    waits of botocore's adaptive-mode token bucket (client-side rate limiting after a
    throttle) advance this clock instead of the test's wall time."""

    def __init__(self):
        self.slept = 0.0

    def sleep(self, seconds: float) -> None:
        self.slept += seconds

    def install(self, monkeypatch) -> None:
        """``time.sleep`` (botocore's backoff, and the BatchWriter's between rounds of UnprocessedItems:
        it looks ``time.sleep`` up when it waits) and botocore's token bucket (its ``Clock``, and the
        ``threading`` its waits use) run on this clock."""
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
