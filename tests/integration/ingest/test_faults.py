"""Ingest under faults: throttling, 500s, timeouts, partial batch writes and Lambdas killed mid-file (storage v2).

Real-shaped log files flow S3 -> SQS -> the real ingest handler -> DynamoDB on moto, while
:class:`FaultInjector` makes the handler's own requests fail at seeded random points: S3's
GetObject, and v2's DynamoDB calls (conditional UpdateItem of claims and registry entries, the
consistent GetItem of a full claim item, BatchWriteItem of pages and counts) answer
throttling (ThrottlingException, ProvisionedThroughputExceededException, RequestLimitExceeded),
InternalServerError, time out before the request is applied or after (the response lost), and a
BatchWriteItem may apply only some items and hand the rest back as UnprocessedItems; an outage
of each kind of request outlasts the client's retries (botocore's attempts, the BatchWriter's rounds
of UnprocessedItems), so the message or the batch fails and SQS retries it. Invocations
are killed (the whole batch comes back, as on Lambda, in a new execution environment): before a
random request, right after a claim, between the claims and the BatchWriteItem calls of a flush,
and in the middle of those calls. SQS redelivers each failed message up to ``maxReceiveCount`` (5)
times. Claim items are made small (CLAIM_CAP) so full claim items, their GetItem and the claim
tree's lower levels are in play too.

At the end, against a reference computed here from the files themselves (tests/stored.py reads
the table): every event is listed exactly once in its day's D# pages, its actor's U# pages and
(a failed call) its day's X# pages, has one locator naming a file that holds it, is counted once
per actor and day, its actor, service, day, month and error code are listed (lastSeen right), and
nothing went to the dead-letter queue.

The old design's TransactWriteItems (and its TransactionConflict / cancelled transactions) are
gone in v2: no transaction, so that fault kind has no counterpart and is not injected.

Backoff and client-side rate limiting advance a virtual clock (:class:`VirtualClock`), so the
test takes seconds; the clock also shows that no invocation spends more than its timeout retrying.
``FAULT_SEED=7 pytest ...`` runs another seed.
"""

from __future__ import annotations

import gzip
import json
import os
from collections import Counter, defaultdict

import boto3

from cloudtrail_tracker import clients
from cloudtrail_tracker.backfill.sample_history import generate
from cloudtrail_tracker.dal import keys, pages
from cloudtrail_tracker.local.driver import drain_queue
from tests.integration.ingest.faults import (
    KILLS,
    OPERATIONS,
    OUTAGES,
    FaultInjector,
    LambdaKilled,
    VirtualClock,
    fault_kinds,
)
from tests.stored import actor_events, counts, events, files_named, locators, registry, scan

SEED = int(os.environ.get("FAULT_SEED", "20250306"))  # FAULT_SEED=7 pytest ... tries another run
FILES, RECORDS_PER_FILE = 24, 30
DROP_PREFIXES = ("get", "describe", "list")
BATCH_SIZE = 3  # messages per invocation: enough invocations for every disruption
FUNCTION_TIMEOUT_S = 300  # template.yaml, IngestFunction
CLAIM_CAP = 6  # claims per claim item in this test (keys.CLAIM_CAP: 400): full items and the tree's levels
COUNTERS = ("n", "e:", "s:", "x:")  # a: (tracked request parameters) depends on settings, tested elsewhere


def who(record: dict) -> str:
    """The identity that acted, as the record gives it (how it is named is tested elsewhere)."""
    return json.dumps(record["userIdentity"], sort_keys=True)


class Reference:
    """What the table must hold: every distinct eventID not dropped as noise, counted once.

    Actors are keyed by :func:`who`; :meth:`named` translates to the table's actor names."""

    def __init__(self, files: dict[str, list[dict]]):
        self.files_of: dict[str, set[str]] = defaultdict(set)  # eventID -> keys of the files that hold it
        unique = {}
        for key, records in files.items():
            for record in records:
                unique[record["eventID"]] = record
                self.files_of[record["eventID"]].add(key)
        self.events = {event_id: record for event_id, record in unique.items()
                       if record.get("errorCode") or not record["eventName"].lower().startswith(DROP_PREFIXES)}
        self.actor_days: dict[tuple[str, str], Counter] = defaultdict(Counter)
        self.actor_last_seen: dict[str, str] = {}
        self.service_last_seen: dict[str, str] = {}
        self.days, self.errors = set(), set()
        for record in self.events.values():
            day, actor, service = record["eventTime"][:10], who(record), record["eventSource"].split(".")[0]
            names = ["n", f"e:{record['eventName']}", f"s:{service}"]
            if record.get("errorCode"):
                names.append(f"x:{record['errorCode']}")
                self.errors.add(record["errorCode"])
            self.actor_days[(actor, day)].update(names)
            self.actor_last_seen[actor] = max(day, self.actor_last_seen.get(actor, ""))
            self.service_last_seen[service] = max(day, self.service_last_seen.get(service, ""))
            self.days.add(day)

    def named(self, actor_name: dict[str, str]) -> tuple[dict, dict]:
        """(counters per (actor name, day), lastSeen per actor name) with ``actor_name[who]``."""
        counters: dict[tuple[str, str], Counter] = defaultdict(Counter)
        for (actor, day), numbers in self.actor_days.items():
            counters[(actor_name[actor], day)] += numbers
        last_seen: dict[str, str] = {}
        for actor, day in self.actor_last_seen.items():
            last_seen[actor_name[actor]] = max(day, last_seen.get(actor_name[actor], ""))
        return dict(counters), last_seen


def views_of(items: list[dict], view: str) -> dict[str, set[str]]:
    """eventID -> the pks of ``view``'s pages that hold it."""
    found: dict[str, set[str]] = defaultdict(set)
    for item in items:
        if item["pk"].startswith(view) and "s" in item:
            for summary in pages.decode(item["s"]):
                found[pages.row_of(summary)["eventID"]].add(item["pk"])
    return found


def test_faults_and_killed_lambdas_lose_nothing_and_count_once(aws, tmp_path, monkeypatch):
    from ingest.handler import lambda_handler

    clock = VirtualClock()
    clock.install(monkeypatch)
    monkeypatch.setattr(keys, "CLAIM_CAP", CLAIM_CAP)
    monkeypatch.setenv("DROP_EVENT_PREFIXES", ",".join(DROP_PREFIXES))
    monkeypatch.setenv("KEEP_EVENTS", "")  # the reference knows the prefixes only (test_sensitive_reads_kept.py: the rest)
    # The handler's clients come from boto3's default session: faults registered on it reach them,
    # and every client created after a kill, and never the test's own clients.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    boto3.setup_default_session(region_name="us-east-1")
    # fewer GetItem and BatchWriteItem requests than UpdateItem ones: more of them fail
    injector = FaultInjector(SEED, fault_rate={"*": 0.2, "GetObject": 0.3, "GetItem claim": 0.5, "BatchWriteItem": 0.5},
                             kills=len(KILLS) + 2, outages=len(OUTAGES),
                             within={"request": 40, "claim": 6, "batch": 3, "GetObject": 2, "UpdateItem claim": 6,
                                     "GetItem claim": 3, "UpdateItem registry": 15, "BatchWriteItem": 3})
    injector.attach(boto3.DEFAULT_SESSION.events)
    clients.reset()

    paths = generate(tmp_path, files=FILES, records_per_file=RECORDS_PER_FILE, seed=SEED, days=2)  # and digests
    logs = [p for p in paths if "CloudTrail-Digest" not in p.parts]

    def key_of(path) -> str:
        return path.relative_to(tmp_path).as_posix()

    def records_of(path) -> list[dict]:
        return json.loads(gzip.decompress(path.read_bytes()))["Records"]

    uploads = [(key_of(p), p.read_bytes()) for p in paths]
    uploads.append((key_of(logs[1]), logs[1].read_bytes()))  # the same object written twice: notified twice
    # CloudTrail's own duplicates: a whole file again under another name, and a few records of a file
    # in a small one queued first (its claims leave the claim items of their slots not full, so the
    # bigger file's claims there meet them in UpdateItem's ALL_OLD answer, not in a full item's GetItem)
    uploads.append((key_of(logs[0]).replace(".json.gz", "_again.json.gz"), logs[2].read_bytes()))
    few = records_of(logs[3])[:3]
    uploads.insert(0, (key_of(logs[3]).replace(".json.gz", "_few.json.gz"),
                       gzip.compress(json.dumps({"Records": few}).encode())))
    for key, body in uploads:
        aws.put_log(key, body)
    log_keys = {key_of(p) for p in logs}
    expected = Reference({key: json.loads(gzip.decompress(body))["Records"] for key, body in uploads
                          if key in log_keys or key.endswith(("_again.json.gz", "_few.json.gz"))})

    backoff_per_invocation = []
    failed_in_a_row = [0]

    def invoke(event, context):
        injector.start_invocation(failed_before=failed_in_a_row[0])
        slept_before = clock.slept
        failed_in_a_row[0] += 1
        try:
            response = lambda_handler(event, context)
            if not response.get("batchItemFailures"):
                failed_in_a_row[0] = 0
            return response
        except LambdaKilled:
            clients.reset()  # the next invocation runs in a new execution environment
            raise RuntimeError("the Lambda was killed") from None
        finally:
            backoff_per_invocation.append(clock.slept - slept_before)

    r = aws.resources
    delivered = drain_queue(aws.sqs, r.queue_url, r.queue_arn, r.region, invoke, batch_size=BATCH_SIZE)
    print(f"\ninjected {dict(sorted(injector.injected.items()))}\nrequests {dict(injector.requests)}\n"
          f"invocations {len(backoff_per_invocation)}, {delivered}, "
          f"virtual backoff {clock.slept:.1f} s (max {max(backoff_per_invocation):.1f} s in one invocation)")

    # nothing was given up on, and no invocation retried past its timeout
    assert aws.dead_letters() == []
    assert max(backoff_per_invocation) < FUNCTION_TIMEOUT_S

    items = scan(aws.dynamodb, r.table)

    # listed exactly once in its day's pages, and nothing else listed
    listed = events(items)
    assert Counter(row["eventID"] for row in listed) == {event_id: 1 for event_id in expected.events}
    for row in listed:  # the summary is the event's own
        record = expected.events[row["eventID"]]
        assert (row["eventTime"], row["eventName"], row["eventSource"], row["account"], row["region"],
                row["errorCode"] or None) == (record["eventTime"], record["eventName"], record["eventSource"],
                                              record["recipientAccountId"], record["awsRegion"],
                                              record.get("errorCode") or None), row
    day_pages = views_of(items, keys.VIEW_ALL)
    assert all(day_pages[e] == {keys.page_pk(keys.VIEW_ALL, r["eventTime"][:10])} for e, r in expected.events.items())

    actor_name = {who(expected.events[row["eventID"]]): row["actor"] for row in listed}
    assert all(row["actor"] == actor_name[who(expected.events[row["eventID"]])] for row in listed), \
        "one identity, one name"

    # once in its actor's pages (its own, or its group's), and (a failed call) once in its day's failed calls
    assert Counter(row["eventID"] for row in actor_events(items)) == {event_id: 1 for event_id in expected.events}
    own, grouped = views_of(items, keys.VIEW_ACTOR), views_of(items, keys.VIEW_ACTOR_GROUP)
    for event_id, record in expected.events.items():
        name = actor_name[who(record)]
        assert own[event_id] | grouped[event_id], event_id
        assert own[event_id] <= {keys.page_pk(keys.VIEW_ACTOR, name)} and grouped[event_id] <= {keys.actor_group_pk(name)}
    failed = {e for e, r in expected.events.items() if r.get("errorCode")}
    assert failed, "the sample history has failed calls"
    assert Counter(row["eventID"] for row in events(items, keys.VIEW_ERRORS)) == {e: 1 for e in failed}

    # each summary names its part, whose counts item names a file that holds the event (no locators by default)
    assert locators(items) == []
    named = files_named(items)
    assert set(named) == set(expected.events)
    for event_id in expected.events:
        assert named[event_id][0] == r.bucket and named[event_id][1] in expected.files_of[event_id], (event_id, named[event_id])

    # counted once per actor and day
    expected_counters, expected_last_seen = expected.named(actor_name)
    counted = {key: Counter({name: number for name, number in numbers.items()
                             if name == "n" or name.startswith(COUNTERS[1:])})
               for key, numbers in counts(items).items()}
    assert counted == expected_counters

    # every actor, service, day, month and error code listed; lastSeen the newest day
    assert {name: item.get("lastSeen") for name, item in registry(items, keys.ACTOR_REGISTRY).items()} \
        == expected_last_seen
    assert {name: item.get("lastSeen") for name, item in registry(items, keys.SERVICE_REGISTRY).items()} \
        == expected.service_last_seen
    assert set(registry(items, keys.DAY_REGISTRY)) == expected.days
    assert set(registry(items, keys.MONTH_REGISTRY)) == {day[:7] for day in expected.days}
    assert set(registry(items, keys.ERROR_REGISTRY)) == expected.errors

    # and it was under fire: the faults happened, of every kind on every kind of request, and SQS had to redeliver
    wanted = {f"{operation}: {kind if isinstance(kind, str) else kind[0]}"
              for operation in OPERATIONS for kind in fault_kinds(operation)} | set(KILLS) \
        | {f"outage: {operation}" for operation in OPERATIONS}
    assert wanted <= set(injector.injected), sorted(wanted - set(injector.injected))
    assert delivered["failedDeliveries"] > 0
