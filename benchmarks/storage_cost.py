"""Storage cost benchmark: what DynamoDB bills to store and read a realistic class day.

    python -m benchmarks.storage_cost [--records 18000] [--seed 0] [--window SECONDS]

The class day (benchmarks/class_day.py: real sample records rewritten for 40 students, 5-minute
files, organization-trail copies and redeliveries) is put in the stack's bucket on in-process
moto; each S3 notification reaches SQS and the REAL ingest handler (src/ingest/handler.py) is
driven with the batches Lambda would give it: the files delivered within the template's batching
window (MaximumBatchingWindowInSeconds, by the delivery minute in each file's name), at most 10 a
batch; a class account's files come minutes apart, so most batches hold one or two. The bill meter
(cloudtrail_tracker/local/billing.py) is on the DynamoDB client the handler makes, and counts
write/read units of every request sent by DynamoDB's rules, which it prints first. Reads: the
query handler in-process, metered the same way, on each endpoint after 10% of the day and after
all of it. Lambda CPU is measured separately (moto's in-process DynamoDB would dominate it): the
same files through the same ingest code with a client answered locally, as benchmarks/ingest_throughput.py does.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import os
import platform
import re
import sys
import time
from collections import Counter
from datetime import datetime
from urllib.parse import urlencode

from cloudtrail_tracker import clients

os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
                   "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_DISABLED": "true",
                   "POWERTOOLS_LOG_LEVEL": "ERROR", "AUTH_MODE": "none"})
for _name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
    os.environ.pop(_name, None)

from benchmarks import class_day  # noqa: E402
from cloudtrail_tracker.dal import keys, pages  # noqa: E402
from cloudtrail_tracker.local.billing import (  # noqa: E402
    INDEX_KIND,
    RULES,
    Meter,
    MotoTableReader,
    TableReader,
    Usage,
    item_size,
    write_units,
)

# us-east-1 list prices (/work/shared/reference/dynamodb-costs.md)
WRU_PRICE = 0.625 / 1e6
RRU_PRICE = 0.125 / 1e6
STORAGE_PRICE = 0.25  # GB-month, Standard
LAMBDA_GB_SECOND = 0.0000166667
LAMBDA_REQUEST = 0.20 / 1e6
LAKE_GB = 0.75
CLOUDWATCH_GB = 0.50
CLOUDWATCH_STORED_GB = 0.03
S3_GB = 0.023
ATHENA_TB = 5.0
ATHENA_MIN_BYTES = 10e6
ATHENA_QUERIES = 30  # assumption: one dashboard-sized query a day, each scanning the month's files
GB = 1e9
BATCH = 10  # SQS messages per invocation at most (one ReceiveMessage; template.yaml allows BatchSize 100)
_DELIVERED = re.compile(r"_(\d{8}T\d{4})Z_")  # CloudTrail's file name: the minute it was delivered


def batch_ends(deliveries: list, window_seconds: int | None) -> set[int]:
    """The delivery numbers (1-based) after which the ingest runs: every BATCH files, or, given
    ``window_seconds`` (the event source's MaximumBatchingWindowInSeconds), when the next file was
    delivered more than that after the batch's first (at most BATCH files a batch)."""
    if window_seconds is None:
        return {n for n in range(1, len(deliveries) + 1) if n % BATCH == 0}
    ends: set[int] = set()
    first, size = None, 0
    for number, delivery in enumerate(deliveries, 1):
        found = _DELIVERED.search(delivery.key)
        when = datetime.strptime(found.group(1), "%Y%m%dT%H%M").timestamp() if found else 0.0
        if first is not None and (when - first > window_seconds or size >= BATCH):
            ends.add(number - 1)
            first, size = None, 0
        if first is None:
            first = when
        size += 1
    return ends
KINDS = ("pages", "locators", "claims", "counts", "registries", "calls", "resources", "mentions", "alerts", "other", INDEX_KIND)
REGISTRIES = {keys.ACTOR_REGISTRY, keys.SERVICE_REGISTRY, keys.MONTH_REGISTRY, keys.DAY_REGISTRY, keys.ERROR_REGISTRY,
              keys.EVENT_NAME_REGISTRY, keys.ACCOUNT_REGISTRY}
_KIND_OF_PREFIX = {keys.VIEW_ALL: "pages", keys.VIEW_ACTOR: "pages", keys.VIEW_ACTOR_GROUP: "pages", keys.VIEW_ERRORS: "pages",
                   "E#": "locators",
                   "K#": "claims", keys.counts_pk("0000-00")[:2]: "counts", keys.calls_pk("0000-00")[:2]: "calls",
                   keys.RESOURCE_PREFIX: "resources", keys.STATE_PREFIX[:2]: "resources", keys.CREATED_PREFIX[:2]: "resources",
                   keys.MENTIONS_PREFIX[:2]: "mentions", keys.alert_day_pk("")[:2]: "alerts"}


def kind_of(key: dict) -> str:
    pk = key[keys.PK]["S"]
    if pk in REGISTRIES:
        return "registries"
    return _KIND_OF_PREFIX.get(pk[:2], "other")


def lambda_memory_mb() -> int:
    from cloudtrail_tracker.local.template import load_template

    template = load_template()
    ingest = template["Resources"]["IngestFunction"]["Properties"]
    return int(ingest.get("MemorySize") or template["Globals"]["Function"]["MemorySize"])


def template_batching_window() -> int:
    """The ingest's MaximumBatchingWindowInSeconds in template.yaml: how many files a real invocation gets."""
    from cloudtrail_tracker.local.template import load_template

    events = load_template()["Resources"]["IngestFunction"]["Properties"]["Events"]
    return int(next(event["Properties"].get("MaximumBatchingWindowInSeconds", 0) for event in events.values()
                    if event.get("Type") == "SQS"))


def endpoints(first_day: str, last_day: str) -> list[tuple[str, str, dict]]:
    window = {"from": first_day, "to": last_day, "limit": 100}
    return [
        ("/users/{u}", "/users/student01", window),
        ("/services/{s}", "/services/ec2", window),
        ("/scan", "/scan", window),
        ("/errors", "/errors", window),
        ("/aggregates by=service", "/aggregates", {"from": first_day, "to": last_day, "by": "service"}),
    ]


def measure_reads(meter: Meter, first_day: str, last_day: str) -> list[tuple[str, int, float, int]]:
    """(endpoint, rows returned (aggregates: events counted), read units, requests) per endpoint."""
    from cloudtrail_tracker.local.api_server import proxy_event
    from cloudtrail_tracker.local.driver import LocalContext
    from query.handler import lambda_handler

    meter.take()
    results = []
    for label, path, params in endpoints(first_day, last_day):
        response = lambda_handler(proxy_event("GET", f"{path}?{urlencode(params)}", {"Host": "bench"}),
                                  LocalContext(function_name="QueryFunction"))
        assert response["statusCode"] == 200, (path, response["body"][:300])
        body = json.loads(response["body"])
        rows = body["total"] if "total" in body else len(body["items"])
        usage = meter.take()
        results.append((label, rows, usage.rru, sum(usage.requests.values())))
    return results


def stored_by_kind(reader: TableReader, table: str) -> tuple[Counter, Counter, Counter, dict[str, int]]:
    """Items, item bytes and index-entry bytes per kind (100 bytes of overhead each), and the stored events:
    their number (distinct eventIDs of the day pages) and the bytes a locator of each would take (the items
    EVENT_ID_LOOKUP adds: sized as the writer builds them)."""
    schema = reader.schema(table)
    items: Counter[str] = Counter()
    item_bytes: Counter[str] = Counter()
    entry_bytes: Counter[str] = Counter()
    locators: dict[str, int] = {}
    for item in reader.scan_all(table):
        kind = kind_of(item)
        items[kind] += 1
        item_bytes[kind] += item_size(item) + 100
        for index in schema.indexes:
            entry = index.entry(item, schema.keys)
            if entry is not None:
                entry_bytes[kind] += item_size(entry) + 100
        if item[keys.PK]["S"].startswith(keys.VIEW_ALL):
            for row in map(pages.row_of, pages.decode(item["s"]["B"])):
                locator = {**keys.locator_key(row["eventID"]), "c": {"S": keys.file_counts_sk(row["eventTime"][:10], row["file"])}}
                locators[row["eventID"]] = item_size(locator) + 100
    return items, item_bytes, entry_bytes, locators


def handler_cpu_per_event(bodies: list[bytes]) -> tuple[float, int]:
    """CPU seconds per stored event of the ingest code alone (DynamoDB answered locally)."""
    from benchmarks.ingest_throughput import (
        local_dynamodb_client,
        named,
        stage_and_flush,
    )
    from cloudtrail_tracker.ingest_service import FileIngester
    from cloudtrail_tracker.settings import StoreSettings

    ingester = FileIngester(None, local_dynamodb_client({"requests": 0, "bytes": 0}), StoreSettings.from_env())
    start = time.process_time()
    report = stage_and_flush(ingester, named(bodies), BATCH)
    seconds = time.process_time() - start
    return seconds / max(report.stored, 1), report.stored


def run(records: int, seed: int, out=sys.stdout, window: int | None = None) -> dict:
    import boto3
    from moto import mock_aws

    from cloudtrail_tracker.local.driver import drain_queue
    from cloudtrail_tracker.local.resources import create_stack_resources
    from cloudtrail_tracker.local.template import load_template

    def say(text=""):
        print(text, file=out, flush=True)

    deliveries = list(class_day.deliveries(records, seed))
    trail = [d for d in deliveries if d.kind == "trail"]
    raw = [json.dumps(r, separators=(",", ":")).encode() for d in trail for r in json.loads(gzip.decompress(d.body))["Records"]]
    raw_bytes, gzip_bytes = sum(map(len, raw)), sum(len(d.body) for d in trail)
    kinds = Counter(d.kind for d in deliveries)
    batching = f" --window {window}" if window is not None else ""
    say(f"run as: python -m benchmarks.storage_cost --records {records} --seed {seed}{batching}  "
        f"(python {platform.python_version()}, moto in-process, {os.cpu_count()} cores)")
    say(f"data set: benchmarks.class_day: {records:,} records ({raw_bytes / records:,.0f} B of JSON on average, "
        f"{raw_bytes / 1e6:.1f} MB; {gzip_bytes / 1e6:.1f} MB gzip'd) in {kinds['trail']} files "
        f"(median {sorted(d.records for d in trail)[len(trail) // 2]} records, max {max(d.records for d in trail)}), "
        f"+ {kinds['organization']} organization-trail copies, + {kinds['redelivery']} exact redeliveries")
    say("billing rules applied (cloudtrail_tracker/local/billing.py):")
    for rule in RULES:
        say(f"  - {rule}")

    with mock_aws():
        session = boto3.session.Session(region_name="us-east-1")
        resources = create_stack_resources(session, load_template())
        os.environ["TABLE_NAME"] = resources.table
        # as deployed: the template always gives the ingest its alerts topic (a published, full alert is not written again)
        os.environ["ALERTS_TOPIC_ARN"] = session.client("sns").create_topic(Name="cloudtrail-tracker-alerts")["TopicArn"]
        reader = MotoTableReader(boto3.session.Session(region_name="us-east-1").client("dynamodb"))
        meter = Meter(reader, kind_of)
        boto3.setup_default_session(region_name="us-east-1")  # the handlers' clients come from it
        meter.attach(boto3.DEFAULT_SESSION.events)
        from ingest import handler

        clients.reset()
        s3, sqs = session.client("s3"), session.client("sqs")
        first_day, last_day = class_day.START.isoformat(), "-".join(trail[-1].key.split("/")[-4:-1])
        usage, reads, same_window = Usage(), {}, {}
        running = 0
        tenth = next(n for n, d in enumerate(deliveries, 1)
                     if d.kind == "trail" and (running := running + d.records) >= records // 10)
        ends = batch_ends(deliveries, window)
        # A window of the first tenth's events that ends PAGE_SPAN_S before the newest event then stored: every page
        # that can hold its events (a page is keyed by its newest event, at most PAGE_SPAN_S after its oldest) is
        # written at both sizes, so the same answer can be compared as the table grows. This rests on class_day
        # delivering files in the order of their 5-minute windows (a later region's file of the same window could
        # still add one page inside the read range afterwards: one more unit at most, not growth).
        newest_early = max(r["eventTime"] for d in deliveries[:tenth] if d.kind == "trail"
                           for r in json.loads(gzip.decompress(d.body))["Records"])
        early_end = pages.shift(newest_early, -keys.PAGE_SPAN_S)
        started = time.perf_counter()
        for number, delivery in enumerate(deliveries, 1):
            s3.put_object(Bucket=resources.bucket, Key=delivery.key, Body=delivery.body)
            if number not in ends and number not in (tenth, len(deliveries)):
                continue
            with contextlib.redirect_stdout(io.StringIO()):  # the handler's metrics (EMF) lines
                drain_queue(sqs, resources.queue_url, resources.queue_arn, resources.region, handler.lambda_handler)
                usage.add(meter.take())
                if number in (tenth, len(deliveries)):
                    stored_now = len(stored_by_kind(reader, resources.table)[3])
                    reads[stored_now] = measure_reads(meter, first_day, last_day)
                    same_window[stored_now] = measure_reads(meter, first_day, early_end)
        seconds = time.perf_counter() - started
        items, item_bytes, entry_bytes, locators = stored_by_kind(reader, resources.table)
        clients.reset()

    events = len(locators)
    cpu, cpu_events = handler_cpu_per_event([d.body for d in deliveries])
    say(f"\ningest: {events:,} events stored from {records:,} records (the rest: noise filter and duplicates), "
        f"{seconds:.0f} s on moto with the meter on")
    say(f"batches: {len(ends | {len(deliveries)}):,} invocations, {len(deliveries) / max(1, len(ends | {len(deliveries)})):.1f} "
        f"files each on average ({'every 10 files' if window is None else f'files delivered within {window} s, at most 10'})")
    say("DynamoDB requests: " + ", ".join(f"{op} {n:,}" for op, n in usage.requests.most_common())
        + (f"; unmetered: {dict(usage.unmetered)}" if usage.unmetered else ""))
    say(f"\nwrite request units per 1,000 stored events: {usage.wru * 1000 / events:,.0f}")
    for kind in KINDS:
        say(f"  {kind:<16} {usage.write_units[kind] * 1000 / events:>9,.0f}")
    lookup_units = sum(write_units(size - 100) for size in locators.values()) if not items["locators"] else 0
    if lookup_units:
        say(f"  (EventIdLookup=true would add a locator per event: {lookup_units * 1000 / events:,.0f} more, "
            f"{sum(locators.values()) / events:,.0f} B/event more stored; sized by the same rules)")
    stored = sum(item_bytes.values()) + sum(entry_bytes.values())
    say(f"\nbytes stored per event: {stored / events:,.0f} (items {sum(item_bytes.values()) / events:,.0f} + "
        f"index entries {sum(entry_bytes.values()) / events:,.0f}; 100 B overhead each included)")
    for kind in KINDS[:-1]:
        if items[kind]:
            say(f"  {kind:<16} {items[kind]:>7,} items {item_bytes[kind] / events:>7,.0f} B/event + "
                f"{entry_bytes[kind] / events:>6,.0f} B/event in indexes")

    memory_gb = lambda_memory_mb() / 1024
    files_per_million = len(deliveries) * 1e6 / events
    files_per_batch = len(deliveries) / max(1, len(ends | {len(deliveries)}))
    million = {
        "writes": usage.wru / events * 1e6 * WRU_PRICE,
        "storage (1 month)": stored / events * 1e6 / GB * STORAGE_PRICE,
        "Lambda CPU": cpu * 1e6 * memory_gb * LAMBDA_GB_SECOND,
        "Lambda requests": files_per_million / files_per_batch * LAMBDA_REQUEST,
    }
    raw_gb = raw_bytes / records * 1e6 / GB
    gzip_gb = gzip_bytes / records * 1e6 / GB
    say(f"\ndollars per million stored events (list prices, us-east-1); Lambda: {cpu * 1e6:,.0f} µs CPU per event "
        f"(ingest code alone, {cpu_events:,} events, DynamoDB answered locally) at {memory_gb * 1024:.0f} MB")
    for name, dollars in million.items():
        say(f"  DynamoDB design  {name:<18} ${dollars:8.3f}")
    say(f"  DynamoDB design  {'total':<18} ${sum(million.values()):8.3f}")
    say(f"same data, a million records = {raw_gb:.2f} GB of JSON, {gzip_gb:.3f} GB gzip'd:")
    say(f"  CloudTrail Lake  ingest + 1 year    ${raw_gb * LAKE_GB:8.3f}")
    say(f"  CloudWatch Logs  ingest + 1 month   ${raw_gb * (CLOUDWATCH_GB + CLOUDWATCH_STORED_GB):8.3f}")
    athena_scans = ATHENA_QUERIES * max(gzip_gb * GB, ATHENA_MIN_BYTES) / 1e12 * ATHENA_TB
    say(f"  Athena on S3     1 month            ${gzip_gb * S3_GB + athena_scans:8.3f}  (S3 storage of the gzip'd files "
        f"+ {ATHENA_QUERIES} queries a month each scanning all of them; the trail bucket is paid in every option)")

    sizes = sorted(reads)
    say("\nread request units per returned row (aggregates: per counted event), query handler in-process, limit 100")
    same_title = (f"a window of the first tenth (to {early_end}, {keys.PAGE_SPAN_S // 60} minutes before the newest event "
                  "then stored): the same answer, the table 10x bigger")
    for title, measured in ((f"the whole day ({first_day})", reads), (same_title, same_window)):
        say(f"{title}\n{'endpoint':<24}" + "".join(f"{f'{size:,} events: rows  RRU  RRU/row':>36}" for size in sizes)
            + f"{'ratio':>8}")
        for index, (label, *_rest) in enumerate(measured[sizes[0]]):
            if measured is same_window and label.startswith("/aggregates"):
                continue  # counts are per day: a window ending within the day counts all of it
            cells, per_row = [], []
            for size in sizes:
                _, rows, rru, _requests = measured[size][index]
                per_row.append(rru / max(rows, 1))
                cells.append(f"{rows:>8,} {rru:>6.1f} {per_row[-1]:>8.4f}")
            say(f"{label:<24}" + "".join(f"{cell:>36}" for cell in cells) + f"{per_row[-1] / max(per_row[0], 1e-9):>8.2f}")
    return {"wru_per_1000": usage.wru * 1000 / events, "bytes_per_event": stored / events, "events": events}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.storage_cost", description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=class_day.RECORDS_PER_DAY, help="records in the data set")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--window", type=int, default=template_batching_window(), metavar="SECONDS",
                        help="batch the files by delivery time as a Lambda batching window of SECONDS does "
                             "(default: template.yaml's MaximumBatchingWindowInSeconds); -1: every 10 files")
    args = parser.parse_args(argv)
    if args.records < 100:
        parser.error("--records must be at least 100")
    run(args.records, args.seed, window=None if args.window < 0 else args.window)
    return 0


if __name__ == "__main__":
    sys.exit(main())
