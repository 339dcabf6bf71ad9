"""DynamoDB work per query-API call as the table grows: requests and items read per item returned.

moto's queries are linear scans, so its latency says nothing about DynamoDB's; what does carry over
is how many requests a call makes and how many items DynamoDB reads for them (``ScannedCount``,
items of GetItem/BatchGetItem; an item of a list is a page of up to 500 summaries). Both are counted
with botocore hooks on the clients the real query handler uses, for each endpoint, at each table
size, with the trail bucket's GetObject calls (``/events/{id}`` and ``params=requestParameters_...``
read the log files: the table keeps no records).

Synthetic CloudTrail records are written as log files (one per account and FILE_MINUTES, in time
order) to moto's trail bucket and ingested the handler's way: FileIngester.stage_stream for BATCH
files, then flush (claims, pages, counts, registries: the items the ingest writes).

    python -m benchmarks.query_requests [--sizes 1000,10000,100000]

The original answered /scan with 1 + (number of users) queries, reading every event of the window.
The "since 2013" rows are long windows (~150 months): the months with events come from the MONTH
registry and the days from the DAY registry, so they cost what the data costs, not the months.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from cloudtrail_tracker import clients

os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
                   "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_DISABLED": "true",
                   "POWERTOOLS_LOG_LEVEL": "ERROR", "AUTH_MODE": "none"})
os.environ.pop("AWS_ENDPOINT_URL", None)

ACTORS = 200
SERVICES = ("ec2", "s3", "iam", "lambda", "rds", "sts", "kms", "dynamodb", "sqs", "cloudformation")
NAMES = ("RunInstances", "TerminateInstances", "PutObject", "CreateRole", "CreateFunction", "CreateDBInstance",
         "AssumeRole", "CreateKey", "PutItem", "SendMessage", "CreateStack", "StopInstances")
ACCOUNTS = ("111111111111", "222222222222", "333333333333")
DAYS = 60  # the events are spread over these days, ending on END_DAY
END_DAY = datetime(2025, 6, 30, tzinfo=UTC)
LIMIT = 100
REGION = "eu-west-1"
FILE_MINUTES = 180  # one log file per account and 3 hours (CloudTrail writes one every ~5 minutes: fewer files load faster)
BATCH = 100  # files staged per flush (template.yaml: the SQS BatchSize)


@dataclass
class Counts:
    requests: int = 0
    items_read: int = 0

    def hook(self, http_response=None, parsed=None, model=None, **_):
        self.requests += 1
        parsed = parsed or {}
        if "ScannedCount" in parsed:
            self.items_read += parsed["ScannedCount"]
        elif "Item" in parsed:
            self.items_read += 1
        elif "Responses" in parsed:
            self.items_read += sum(len(items) for items in parsed["Responses"].values())


@dataclass
class Measure:
    endpoint: str
    returned: int
    requests: int
    items_read: int
    extra: dict = field(default_factory=dict)

    @property
    def requests_per_item(self) -> float:
        return self.requests / max(self.returned, 1)

    @property
    def reads_per_item(self) -> float:
        return self.items_read / max(self.returned, 1)


def synthetic_records(count: int, seed: int = 7):
    """``count`` CloudTrail records (a few busy actors, a long tail), in no particular order."""
    rng = random.Random(seed)
    start = END_DAY - timedelta(days=DAYS - 1)
    for number in range(count):
        when = start + timedelta(seconds=rng.randrange(DAYS * 86400))
        name = rng.choice(NAMES)
        service = SERVICES[NAMES.index(name) % len(SERVICES)]
        actor_number = min(int(rng.paretovariate(1.2)), ACTORS) - 1
        account = ACCOUNTS[actor_number % 3]
        user = f"student{actor_number:03d}"
        failed = rng.random() < 0.05
        request = {"instanceType": rng.choice(("t3.micro", "t3.small", "m5.large"))} if name == "RunInstances" else {"n": number}
        record = {
            "eventVersion": "1.08", "eventID": f"{number:08d}-synthetic", "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "eventName": name, "eventSource": f"{service}.amazonaws.com", "awsRegion": REGION,
            "sourceIPAddress": "10.0.0.1", "userAgent": "benchmark", "eventType": "AwsApiCall", "readOnly": False,
            "recipientAccountId": account, "requestParameters": request, "responseElements": None,
            "userIdentity": {"type": "IAMUser", "principalId": f"AIDA{actor_number:016d}", "accountId": account,
                             "arn": f"arn:aws:iam::{account}:user/{user}", "userName": user},
        }
        if failed:
            record["errorCode"], record["errorMessage"] = "AccessDenied", "not allowed"
        if service == "s3":
            record["resources"] = [{"ARN": f"arn:aws:s3:::bucket-{actor_number % 20}", "type": "AWS::S3::Bucket"}]
        yield record


def log_files(count: int, seed: int = 7) -> list[tuple[str, bytes]]:
    """(key, gzip body) of the records' log files: one per account and FILE_MINUTES, in time order."""
    import gzip
    import json

    per_file: dict[tuple[str, str], list[dict]] = {}
    for record in synthetic_records(count, seed):
        moment = datetime.strptime(record["eventTime"], "%Y-%m-%dT%H:%M:%SZ")
        minute = (moment.hour * 60 + moment.minute) // FILE_MINUTES * FILE_MINUTES
        start = moment.replace(hour=minute // 60, minute=minute % 60, second=0)
        per_file.setdefault((start.strftime("%Y%m%dT%H%MZ"), record["recipientAccountId"]), []).append(record)
    files = []
    for (slot, account), records in sorted(per_file.items()):
        records.sort(key=lambda r: r["eventTime"])
        day = f"{slot[:4]}/{slot[4:6]}/{slot[6:8]}"
        key = f"AWSLogs/{account}/CloudTrail/{REGION}/{day}/{account}_CloudTrail_{REGION}_{slot}_bench.json.gz"
        files.append((key, gzip.compress(json.dumps({"Records": records}).encode(), 1)))
    return files


def endpoints(busy_actor: str) -> list[tuple[str, str, dict]]:
    last = END_DAY.date()
    week = {"from": (last - timedelta(days=6)).isoformat(), "to": last.isoformat()}
    month = {"from": (last - timedelta(days=29)).isoformat(), "to": last.isoformat()}
    since_2013 = {"from": "2013-01-01", "to": date.today().isoformat()}  # a long window: ~150 months
    return [
        ("scan 7 days", "/scan", {**week, "limit": LIMIT}),
        ("scan eventName", "/scan", {**week, "eventName": "RunInstances", "limit": LIMIT}),
        ("user", f"/users/{busy_actor}", {**month, "limit": LIMIT}),
        ("user params", f"/users/{busy_actor}", {**month, "params": "instanceType", "value": "t3.micro", "limit": LIMIT}),
        ("service", "/services/ec2", {**week, "limit": LIMIT}),
        ("account", f"/accounts/{ACCOUNTS[0]}", {**week, "limit": LIMIT}),
        ("errors code", "/errors", {**month, "errorCode": "AccessDenied", "limit": LIMIT}),
        ("errors all", "/errors", {**month, "limit": LIMIT}),
        ("scan since 2013", "/scan", {**since_2013, "limit": LIMIT}),
        ("errors all since 2013", "/errors", {**since_2013, "limit": LIMIT}),
        ("resource", "/resources", {**month, "arn": "arn:aws:s3:::bucket-0", "limit": LIMIT}),
        ("users", "/users", {"limit": LIMIT}),
        ("services", "/services", {}),
        ("aggregates service 30d", "/aggregates", {**month, "by": "service"}),
        ("aggregates user 30d", "/aggregates", {**month, "by": "user"}),
        ("aggregates day 30d", "/aggregates", {**month, "by": "day"}),
        ("event", "/events/00000001-synthetic", {"at": list(synthetic_records(2))[1]["eventTime"]}),  # record number 1
        ("count service 7 days", "/services/ec2", {**week, "count": "true"}),
    ]


def load(session, resources, size: int) -> tuple[int, int, int]:
    """Put the log files of ``size`` records in the trail bucket and ingest them the handler's way;
    (files, events stored, DynamoDB write requests)."""
    from benchmarks.ingest_throughput import stage_and_flush
    from cloudtrail_tracker.ingest_service import FileIngester
    from cloudtrail_tracker.settings import StoreSettings

    s3 = session.client("s3")
    dynamodb = session.client("dynamodb")
    writes = Counts()
    dynamodb.meta.events.register("after-call.dynamodb", writes.hook)
    ingester = FileIngester(s3, dynamodb, StoreSettings.from_env())
    files = log_files(size)
    for key, body in files:
        s3.put_object(Bucket=resources.bucket, Key=key, Body=body)
    total = stage_and_flush(ingester, [(resources.bucket, key, body) for key, body in files], BATCH)
    # every record is an event with a unique eventID: each is stored once, none dropped or a duplicate
    assert total.stored == size and total.duplicates == 0 and not total.dropped, total
    return len(files), total.stored, writes.requests


def measure_size(size: int, out=sys.stdout) -> list[Measure]:
    """Fill a fresh moto table with ``size`` events, then call every endpoint once."""
    import json
    from urllib.parse import urlencode

    import boto3
    from moto import mock_aws

    from cloudtrail_tracker.local.api_server import proxy_event
    from cloudtrail_tracker.local.driver import LocalContext
    from cloudtrail_tracker.local.resources import create_stack_resources
    from cloudtrail_tracker.local.template import load_template

    with mock_aws():
        session = boto3.session.Session(region_name="us-east-1")
        resources = create_stack_resources(session, load_template())
        os.environ["TABLE_NAME"] = resources.table
        started = time.perf_counter()
        files, stored, write_requests = load(session, resources, size)
        print(f"  {size:>7} events in {files} files written in {time.perf_counter() - started:5.1f} s "
              f"({write_requests} DynamoDB requests)", file=out, flush=True)

        import boto3 as boto3_module

        counts, s3_counts = Counts(), Counts()
        boto3_module.setup_default_session(region_name="us-east-1")
        boto3_module.DEFAULT_SESSION.events.register("after-call.dynamodb", counts.hook)
        boto3_module.DEFAULT_SESSION.events.register("after-call.s3", s3_counts.hook)
        from query.handler import lambda_handler

        clients.reset()  # the handler's clients are made now, from the hooked session
        results = []
        for label, path, params in endpoints("student000"):
            before = (counts.requests, counts.items_read, s3_counts.requests)
            event = proxy_event("GET", path + ("?" + urlencode(params) if params else ""), {"Host": "bench"})
            response = lambda_handler(event, LocalContext(function_name="QueryFunction"))
            assert response["statusCode"] == 200, (path, response["body"][:300])
            body = json.loads(response["body"])
            returned = (body["count"] if "count" in body else len(body["items"]) if "items" in body
                        else 1)
            results.append(Measure(label, returned, counts.requests - before[0], counts.items_read - before[1],
                                   {"s3": s3_counts.requests - before[2]}))
        clients.reset()
        return results


def run(sizes: list[int], out=sys.stdout) -> dict[int, list[Measure]]:
    print(f"query API on in-process moto: {ACTORS} actors (Pareto), {len(SERVICES)} services, {DAYS} days, "
          f"limit={LIMIT}; DynamoDB requests and items read counted per call with botocore hooks", file=out)
    results = {size: measure_size(size, out) for size in sizes}
    print(f"\n{'endpoint':<24}" + "".join(f"{f'{size:,} events':>36}" for size in sizes), file=out)
    print(f"{'':<24}" + "".join(f"{'returned req req/item read/item s3':>36}" for _ in sizes), file=out)
    for index, first in enumerate(results[sizes[0]]):
        cells = []
        for size in sizes:
            m = results[size][index]
            cells.append(f"{m.returned:>9} {m.requests:>4} {m.requests_per_item:>8.3f} {m.reads_per_item:>9.2f} "
                         f"{m.extra.get('s3', 0):>3}")
        print(f"{first.endpoint:<24}" + "".join(f"{cell:>36}" for cell in cells), file=out)
    print("\n(returned = rows, or for count the number counted; req = DynamoDB requests of the call; read = items"
          " DynamoDB read (a page holds up to 500 summaries); s3 = GetObject calls on the trail bucket)", file=out)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="table sizes in events, comma-separated")
    args = parser.parse_args(argv)
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src"))
    print(f"run as: python -m benchmarks.query_requests --sizes {args.sizes}")
    run([int(size) for size in args.sizes.split(",")])
    return 0


if __name__ == "__main__":
    sys.exit(main())
