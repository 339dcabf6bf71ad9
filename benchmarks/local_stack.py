"""Local stack throughput: a class's logs -> `cloudtrail-tracker local`'s path -> the API over the table.

    python -m benchmarks.local_stack [--records 18000] [--seed 0]

The records are benchmarks/class_day.py's (real sample records rewritten for 40 students, 5-minute
files, organization-trail copies; 18,000 records a class day), written as an AWSLogs tree. The
stack is the one `cloudtrail-tracker local` starts: moto's HTTP server in this process, the
template's bucket, queues and table, alerts published to its SNS topic, the files uploaded and
ingested through S3 -> SQS -> the real ingest handler, 10 files a batch (LocalStack.load). Then the
API is served as `local` serves it and a few calls over the whole table are timed. A million records
is projected from the rate measured, and says so: on this machine a run would take over two hours.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from benchmarks import class_day
from cloudtrail_tracker.local.stack import LocalStack

MILLION = 1_000_000


def write_tree(out: Path, records: int, seed: int) -> tuple[int, int]:
    """The class days' files under ``out`` (redeliveries of a key once: a tree holds a key once); (files, records)."""
    files = written = 0
    for delivery in class_day.deliveries(records, seed):
        if delivery.kind == "redelivery":
            continue
        path = out / delivery.key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(delivery.body)
        files += 1
        written += delivery.records
    return files, written


def api_calls(base: str, first_day: str, last_day: str) -> list[tuple[str, float, str]]:
    """(path, seconds, what came back) of a few calls over the whole table."""
    window = f"from={first_day}&to={last_day}"
    paths = ["/users?limit=100", f"/scan?{window}&limit=100", f"/users/student01?{window}&limit=100",
             f"/aggregates?{window}&by=service", f"/alerts?{window}"]
    results = []
    for path in paths:
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(base + path, timeout=120) as response:  # noqa: S310 - the local API
                body = json.loads(response.read())
        except urllib.error.HTTPError as error:  # reported, not fatal: the ingest figures still stand
            results.append((path, time.perf_counter() - started, f"HTTP {error.code}: {error.read()[:200]!r}"))
            continue
        seconds = time.perf_counter() - started
        if "items" in body:
            shown = f"{len(body['items'])} items" + (", truncated: more match" if body.get("truncated") else "")
        elif "total" in body:
            shown = f"total {body['total']:,}"
        else:
            shown = ", ".join(sorted(body))[:60]
        results.append((path, seconds, shown))
    return results


def run(records: int, seed: int, workdir: Path, log_file: Path) -> dict:
    from cloudtrail_tracker.local import api_server

    files, written = write_tree(workdir, records, seed)
    stack = LocalStack(log_file=log_file).start()
    try:
        stack.deliver_alerts()  # as `cloudtrail-tracker local` does: the ingest publishes to the stack's topic
        started, cpu = time.perf_counter(), time.process_time()
        summary = stack.load(workdir)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        base, stop = api_server.start_in_background(stack, concurrency=1)
        try:
            calls = api_calls(base, summary.report.first_day, summary.report.last_day)
        finally:
            stop()
    finally:
        stack.stop()
    report = summary.report
    return {"files": files, "records": written, "recordsRead": report.records, "eventsStored": report.stored,
            "duplicates": report.duplicates, "seconds": seconds, "cpuSeconds": cpu, "calls": calls,
            "maxRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.local_stack", description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=class_day.RECORDS_PER_DAY, help="records (18,000 a class day)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--log-file", type=Path, default=Path("build/bench/local-stack-handlers.log"))
    args = parser.parse_args(argv)
    args.log_file.parent.mkdir(parents=True, exist_ok=True)
    print(f"run as: python -m benchmarks.local_stack --records {args.records} --seed {args.seed}  "
          f"(python {platform.python_version()}, {os.cpu_count()} cores; moto's HTTP server in this process)", flush=True)
    with tempfile.TemporaryDirectory(prefix="local-stack-bench-") as workdir:
        result = run(args.records, args.seed, Path(workdir), args.log_file)
    rate = result["recordsRead"] / result["seconds"]
    print(f"data set: benchmarks.class_day, {result['records']:,} records in {result['files']:,} files "
          f"(organization-trail copies included)")
    print(f"ingest (upload, S3 -> SQS -> handler, 10 files a batch): {result['seconds']:,.0f} s, "
          f"{rate:,.0f} records/s ({result['cpuSeconds']:,.0f} s CPU in this process: moto and the handler share it); "
          f"{result['eventsStored']:,} events stored, {result['duplicates']:,} duplicates")
    print(f"a million records at this rate: {MILLION / rate / 60:,.0f} minutes (projected, not run; the target is 10)")
    print(f"peak memory: {result['maxRssMB']:,} MB RSS (moto keeps the table, queues and bucket in memory)")
    print("the API over the table (one Lambda instance, as `local` serves it):")
    for path, seconds, shown in result["calls"]:
        print(f"  GET {path:<60} {seconds * 1000:8,.0f} ms  {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
