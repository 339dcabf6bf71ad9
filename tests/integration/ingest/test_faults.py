"""Ingest under faults: throttling, cancelled transactions, 500s, timeouts and Lambdas killed mid-file.

Real-shaped log files flow S3 -> SQS -> the real ingest handler -> DynamoDB on moto, while
:class:`FaultInjector` makes the handler's own S3 and DynamoDB requests fail at seeded random
points, and kills invocations (the whole batch comes back, as on Lambda, in a new execution
environment). SQS redelivers each failed message up to ``maxReceiveCount`` (5) times. At the
end every event is stored once, counted once and listed, checked against a reference computed
here from the files themselves.

Backoff and client-side rate limiting advance a virtual clock (:class:`VirtualClock`), so the
test takes seconds; the clock also shows that no invocation spends more than its timeout retrying.
"""

from __future__ import annotations

import gzip
import json
import os
from collections import Counter, defaultdict

import boto3

from cloudtrail_tracker.backfill.sample_history import generate
from cloudtrail_tracker.dal import keys
from cloudtrail_tracker.local.driver import drain_queue
from tests.integration.ingest.faults import FaultInjector, LambdaKilled, VirtualClock

SEED = int(os.environ.get("FAULT_SEED", "20250306"))  # FAULT_SEED=7 pytest ... tries another run
FILES, RECORDS_PER_FILE = 16, 20
DROP_PREFIXES = ("get", "describe", "list")
FUNCTION_TIMEOUT_S = 300  # template.yaml, IngestFunction


def who(record: dict) -> str:
    """The identity that acted, as the record gives it (how it is named is tested elsewhere)."""
    return json.dumps(record["userIdentity"], sort_keys=True)


class Reference:
    """What the table must hold: every distinct eventID not dropped as noise, counted once.

    Actors are keyed by :func:`who`; :meth:`named` translates to the table's actor names."""

    def __init__(self, records: list[dict]):
        unique = {record["eventID"]: record for record in records}
        self.events = {event_id: record for event_id, record in unique.items()
                       if record.get("errorCode") or not record["eventName"].lower().startswith(DROP_PREFIXES)}
        self.actor_days: dict[tuple[str, str], Counter] = defaultdict(Counter)
        self.totals: Counter = Counter()
        self.actor_last_seen: dict[str, str] = {}
        self.service_last_seen: dict[str, str] = {}
        self.months, self.errors = set(), set()
        for record in self.events.values():
            day, actor, service = record["eventTime"][:10], who(record), record["eventSource"].split(".")[0]
            self.actor_days[(day, actor)].update(["n", f"e:{record['eventName']}"])
            self.totals[(day, record["recipientAccountId"], record["awsRegion"])] += 1
            self.actor_last_seen[actor] = max(day, self.actor_last_seen.get(actor, ""))
            self.service_last_seen[service] = max(day, self.service_last_seen.get(service, ""))
            self.months.add(day[:7])
            if record.get("errorCode"):
                self.errors.add(record["errorCode"])

    def named(self, actor_name: dict[str, str]) -> tuple[dict, dict]:
        """(counters per (day, actor name), lastSeen per actor name) with ``actor_name[who]``."""
        counters: dict[tuple[str, str], Counter] = defaultdict(Counter)
        for (day, actor), counts in self.actor_days.items():
            counters[(day, actor_name[actor])] += counts
        last_seen: dict[str, str] = {}
        for actor, day in self.actor_last_seen.items():
            last_seen[actor_name[actor]] = max(day, last_seen.get(actor_name[actor], ""))
        return counters, last_seen


def test_faults_and_killed_lambdas_lose_nothing_and_count_once(aws, tmp_path, monkeypatch):
    from ingest import handler
    from ingest.handler import lambda_handler

    clock = VirtualClock()
    clock.install(monkeypatch)
    monkeypatch.setenv("DROP_EVENT_PREFIXES", ",".join(DROP_PREFIXES))
    # The handler's clients come from boto3's default session: faults registered on it reach them,
    # and every client created after a kill, and never the test's own clients.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    boto3.setup_default_session(region_name="us-east-1")
    injector = FaultInjector(SEED, fault_rate=0.2, kills=4, kill_within=25)
    injector.attach(boto3.DEFAULT_SESSION.events)
    handler.reset()

    paths = generate(tmp_path, files=FILES, records_per_file=RECORDS_PER_FILE, seed=SEED, days=2)  # and digests
    logs = [p for p in paths if "CloudTrail-Digest" not in p.parts]

    def key_of(path) -> str:
        return path.relative_to(tmp_path).as_posix()

    uploads = [(key_of(p), p) for p in paths]
    uploads.append((key_of(logs[1]), logs[1]))  # the same object written twice: notified twice
    uploads.append((key_of(logs[0]).replace(".json.gz", "_again.json.gz"), logs[2]))  # CloudTrail's own duplicates
    for key, path in uploads:
        aws.put_log(key, path.read_bytes())
    expected = Reference([r for p in logs for r in json.loads(gzip.decompress(p.read_bytes()))["Records"]])

    backoff_per_invocation = []

    def invoke(event, context):
        injector.start_invocation()
        slept_before = clock.slept
        try:
            return lambda_handler(event, context)
        except LambdaKilled:
            handler.reset()  # the next invocation runs in a new execution environment
            raise RuntimeError("the Lambda was killed") from None
        finally:
            backoff_per_invocation.append(clock.slept - slept_before)

    r = aws.resources
    delivered = drain_queue(aws.sqs, r.queue_url, r.queue_arn, r.region, invoke)
    print(f"\ninjected {dict(injector.injected)}\ninvocations {len(backoff_per_invocation)}, {delivered}, "
          f"virtual backoff {clock.slept:.1f} s (max {max(backoff_per_invocation):.1f} s in one invocation)")

    # the faults happened, of every kind, and SQS had to redeliver
    kinds = {"kill before a request", "kill right after a transaction", "connect timeout", "read timeout, not applied",
             "read timeout, applied", "ThrottlingException", "ProvisionedThroughputExceededException",
             "RequestLimitExceeded", "InternalServerError", "TransactionCanceled: TransactionConflict",
             "SlowDown", "InternalError", "cancelled"}
    assert kinds <= set(injector.injected), kinds - set(injector.injected)
    assert delivered["failedDeliveries"] > 0
    # nothing was given up on, and no invocation retried past its timeout
    assert aws.dead_letters() == []
    assert max(backoff_per_invocation) < FUNCTION_TIMEOUT_S

    table = aws.items("")  # one Scan; filtered by key prefix below

    def items(prefix: str) -> list[dict]:
        return [item for item in table if item["pk"].startswith(prefix)]

    events = items("E#")
    assert len(events) == len({e["eventID"] for e in events}) == len(expected.events)
    assert {e["eventID"] for e in events} == set(expected.events)
    actor_name = {who(expected.events[e["eventID"]]): e["actor"] for e in events}
    assert all(e["actor"] == actor_name[who(expected.events[e["eventID"]])] for e in events), "one identity, one name"
    expected_counters, expected_last_seen = expected.named(actor_name)
    counters = {(c["day"], c["actor"]): Counter({name: int(value) for name, value in c.items()
                                                 if name == "n" or name.startswith("e:")}) for c in items("C#")}
    assert counters == expected_counters
    assert {(t["day"], t["account"], t["region"]): int(t["n"]) for t in items("T#")} == expected.totals
    assert {i["sk"]: i.get("lastSeen") for i in items(keys.ACTOR_REGISTRY)} == expected_last_seen
    assert {i["sk"]: i.get("lastSeen") for i in items(keys.SERVICE_REGISTRY)} == expected.service_last_seen
    assert {i["sk"] for i in items(keys.MONTH_REGISTRY)} == expected.months
    assert {i["sk"] for i in items(keys.ERROR_REGISTRY)} == expected.errors
