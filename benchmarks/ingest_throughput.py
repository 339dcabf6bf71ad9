"""Ingest benchmark: events/s per core through the handler's parse-resolve-store path, peak
memory on a large file, DynamoDB write requests per 1,000 events, bytes sent per event.

    python -m benchmarks.ingest_throughput [--files 40 --records 500 --large-mb 500]

The store path runs the real code and a real botocore client whose HTTP send is answered
locally with ``{}`` (botocore's ``before-send`` event), so what is timed is our parsing,
identity resolution, claims, page and counts building, compression and request serialisation
and signing, not a network or moto (whose in-process DynamoDB is far slower than the real one).
The files are staged and flushed BATCH at a time, as the handler does with an SQS batch
(FileIngester.stage_stream, then flush). Every claim is answered as new (``{}``), so each event
is stored. CPU time is process time of this single thread: events per second per core.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
import orjson
from botocore.awsrequest import AWSResponse
from botocore.config import Config

from benchmarks.generate_logs import generate
from cloudtrail_tracker.counting import counter_names
from cloudtrail_tracker.dal.pages import summary_of
from cloudtrail_tracker.event_builder import EventBuilder, RecordRejected
from cloudtrail_tracker.ingest_service import FileIngester
from cloudtrail_tracker.logfile import iter_records
from cloudtrail_tracker.models import FileReport
from cloudtrail_tracker.settings import StoreSettings

SETTINGS = StoreSettings(table_name="bench")  # the default noise filter, as deployed
BATCH = 100  # files staged before a flush (template.yaml: the SQS BatchSize)


def local_dynamodb_client(counter: dict):
    """A real botocore DynamoDB client whose requests are answered here, after serialisation and signing."""
    client = boto3.client("dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x",
                          config=Config(parameter_validation=False))

    def answer(request, **_):
        counter["requests"] += 1
        counter["bytes"] += len(request.body or b"")
        response = AWSResponse(request.url, 200, {}, None)
        response._content = b"{}"
        return response

    client.meta.events.register("before-send.dynamodb.*", answer)
    return client


def cpu_rate(function, files: list[bytes]) -> tuple[float, int]:
    start = time.process_time()
    count = sum(function(data) for data in files)
    return count / (time.process_time() - start), count


def parse_only(data: bytes) -> int:
    return sum(1 for _ in iter_records(io.BytesIO(data)))


BUILDER = EventBuilder(SETTINGS)


def parse_and_resolve(data: bytes, builder: EventBuilder = BUILDER) -> int:
    count = 0
    for record in iter_records(io.BytesIO(data)):
        try:
            event = builder.build(record)
        except RecordRejected:
            continue
        orjson.dumps(summary_of(event))  # what a page holds of it
        counter_names(event)  # what its counts add 1 to
        count += 1
    return count


def stage_and_flush(ingester: FileIngester, files, batch: int = BATCH) -> FileReport:
    """The handler's path for ``files`` (``(bucket, key, body)``): ``batch`` staged, then written together."""
    total = FileReport()
    reports = []
    for number, (bucket, key, body) in enumerate(files, 1):
        reports.append(ingester.stage_stream(io.BytesIO(body), bucket, key, FileReport()))
        if number % batch == 0 or number == len(files):
            ingester.flush()
    for report in reports:
        total.add(report)
    return total


def named(bodies: list[bytes]) -> list[tuple[str, str, bytes]]:
    """Generated file bodies as (bucket, key, body), each under a key of its own."""
    return [("bench-bucket", f"bench/{number:06d}.json.gz", body) for number, body in enumerate(bodies)]


def measure_store(files: list[bytes]) -> dict:
    counter = {"requests": 0, "bytes": 0}
    ingester = FileIngester(None, local_dynamodb_client(counter), SETTINGS)
    start = time.process_time()
    total = stage_and_flush(ingester, named(files))
    seconds = time.process_time() - start
    return {"records": total.records, "stored": total.stored, "seconds": seconds,
            "requests": counter["requests"], "requestBytes": counter["bytes"]}


def raw_bytes(files: list[bytes]) -> float:
    """Average JSON bytes of a record the filter keeps."""
    builder = EventBuilder(SETTINGS)
    raw = n = 0
    for data in files:
        for record in iter_records(io.BytesIO(data)):
            try:
                builder.build(record)
            except RecordRejected:
                continue
            raw += len(json.dumps(record, separators=(",", ":")))
            n += 1
    return raw / max(n, 1)


def write_large_file(path: Path, shape_files: list[Path], target_mb: int) -> tuple[int, int]:
    """A gzip file of ``target_mb`` MB uncompressed, written as a stream from generated records."""
    shapes = [r for p in shape_files for r in iter_records(p.open("rb"))]
    written = records = 0
    with gzip.open(path, "wb", compresslevel=1) as out:
        out.write(b'{"Records":[')
        while written < target_mb * 1_000_000:
            record = shapes[records % len(shapes)]
            record["eventID"] = f"large-{records}"
            line = (b"," if records else b"") + json.dumps(record, separators=(",", ":")).encode()
            out.write(line)
            written += len(line)
            records += 1
        out.write(b"]}")
    return written, records


def large_file_memory(path: Path) -> dict:
    """Ingest ``path`` in a fresh process; its peak RSS (and the baseline after imports)."""
    code = f"""
import io, json, resource, time
from benchmarks.ingest_throughput import local_dynamodb_client, SETTINGS
from cloudtrail_tracker.ingest_service import FileIngester
from cloudtrail_tracker.models import FileReport
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
counter = {{"requests": 0, "bytes": 0}}
ingester = FileIngester(None, local_dynamodb_client(counter), SETTINGS)
start = time.process_time()
with open({str(path)!r}, "rb") as stream:
    report = ingester.stage_stream(stream, "bench-bucket", "large.json.gz", FileReport())
ingester.flush()
print(json.dumps({{"baselineMB": baseline / 1024, "peakMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "records": report.records, "stored": report.stored, "cpuSeconds": time.process_time() - start}}))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[1])
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ingest_throughput", description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--records", type=int, default=500, help="records per generated file")
    parser.add_argument("--large-mb", type=int, default=500, help="uncompressed size of the large file (0: skip)")
    args = parser.parse_args(argv)

    print(f"# ingest benchmark: python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores "
          f"(one used), {args.files} generated files x {args.records} records (benchmarks.generate_logs, seed 1), "
          f"default noise filter; store = real botocore client answered locally")
    with tempfile.TemporaryDirectory() as tmp:
        paths = [p for p in generate(Path(tmp) / "logs", files=args.files, records_per_file=args.records, seed=1)
                 if "CloudTrail-Digest" not in p.as_posix()]
        files = [p.read_bytes() for p in paths]
        raw_mb = sum(len(gzip.decompress(f)) for f in files) / 1e6
        parse_rate, records = cpu_rate(parse_only, files)
        resolve_rate, kept = cpu_rate(parse_and_resolve, files)
        store = measure_store(files)
        raw_avg = raw_bytes(files)
        print(f"records read                         {records} ({raw_mb:.1f} MB uncompressed), {kept} kept by the filter")
        print(f"gunzip + parse                       {parse_rate:,.0f} records/s per core")
        print(f"+ resolve, filter, summarise         {resolve_rate:,.0f} records/s per core")
        print(f"handler path: stage, flush           {store['records'] / store['seconds']:,.0f} records/s per core, "
              f"{store['stored'] / store['seconds']:,.0f} stored events/s ({BATCH} files a flush: claims, pages, "
              f"counts, registries, resources, alerts)")
        print(f"DynamoDB requests                    {store['requests']} for {store['stored']} events = "
              f"{store['requests'] * 1000 / max(store['stored'], 1):.1f} per 1,000 events (claims and registries included)")
        per_event = store["requestBytes"] / max(store["stored"], 1)
        print(f"bytes per event                      raw record {raw_avg:,.0f} B, request bytes sent {per_event:,.0f} B "
              f"({per_event / raw_avg:.0%}; JSON, binary as base64, claims included)")
        if args.large_mb:
            large = Path(tmp) / "large.json.gz"
            size, n = write_large_file(large, paths[:5], args.large_mb)
            memory = large_file_memory(large)
            print(f"large file                           {size / 1e6:,.0f} MB uncompressed, {n} records, "
                  f"{large.stat().st_size / 1e6:,.0f} MB gzipped")
            print(f"peak memory on it                    {memory['peakMB']:,.0f} MB RSS (process after imports: "
                  f"{memory['baselineMB']:,.0f} MB), {memory['records'] / memory['cpuSeconds']:,.0f} records/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
