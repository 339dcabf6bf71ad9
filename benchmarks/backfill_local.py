"""Local backfill throughput: generated history -> the backfill state machine on moto -> DynamoDB.

    python -m benchmarks.backfill_local --files 2000 [--records 20] [--concurrency 4] [--json]

Measures the execution from start to end (planning, Distributed Map, summary), not the upload.
What it measures is this machine running every Lambda in one process on moto (handlers run one
at a time: see local/lambda_bridge.py), so it is a floor; docs/backfill.md says how AWS scales.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
import types
from datetime import timedelta
from pathlib import Path

from cloudtrail_tracker.backfill.driver import BackfillClients, start, upload_directory, wait
from cloudtrail_tracker.backfill.request import BackfillRequest
from cloudtrail_tracker.backfill.sample_history import DEFAULT_START, generate
from cloudtrail_tracker.local.backfill_runner import deploy_local_backfill
from cloudtrail_tracker.local.stack import LocalStack


def run(files: int, records: int, days: int, concurrency: int, workdir: Path, log_file: Path | None = None) -> dict:
    generated = time.perf_counter()
    paths = generate(workdir, files=files, records_per_file=records, seed=11, days=days)
    generated = time.perf_counter() - generated
    stack = LocalStack(log_file=log_file).start()
    try:
        deployed = deploy_local_backfill(stack)
        clients = BackfillClients.of(stack.session)
        uploaded = time.perf_counter()
        upload_directory(clients.s3, stack.resources.bucket, workdir)
        uploaded = time.perf_counter() - uploaded
        request = BackfillRequest(bucket=stack.resources.bucket, first_day=DEFAULT_START,
                                  last_day=DEFAULT_START + timedelta(days=days - 1), concurrency=concurrency)
        began = time.perf_counter()
        arn = start(clients.sfn, deployed.state_machine_arn, request, out=sys.stderr)
        summary_out = types.SimpleNamespace(text="")
        status = wait(clients, arn, stack.resources.table, as_json=True, out=_Capture(summary_out))
        elapsed = time.perf_counter() - began
    finally:
        stack.stop()
    summary = json.loads(summary_out.text)
    events = summary["events"]
    return {
        "filesGenerated": len([p for p in paths if "/CloudTrail/" in p.as_posix()]),
        "recordsPerFile": records,
        "concurrency": concurrency,
        "exitStatus": status,
        "prefixes": summary["prefixes"],
        "filesRead": summary["files"],
        "eventsRead": events["read"],
        "eventsStored": events["stored"],
        "filesFailed": summary["filesFailed"],
        "seconds": round(elapsed, 1),
        "filesPerSecond": round(summary["files"] / elapsed, 1),
        "eventsReadPerSecond": round(events["read"] / elapsed, 1),
        "eventsStoredPerSecond": round(events["stored"] / elapsed, 1),
        "maxRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,  # moto keeps everything in memory
        "generateSeconds": round(generated, 1),
        "uploadSeconds": round(uploaded, 1),
    }


class _Capture:
    def __init__(self, sink):
        self._sink = sink

    def write(self, text):
        self._sink.text += text

    def flush(self):
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.backfill_local", description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--records", type=int, default=20, help="records per file (default 20)")
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--log-file", type=Path, default=Path("build/bench/backfill-handlers.log"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    args.log_file.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="backfill-bench-") as workdir:
        result = run(args.files, args.records, args.days, args.concurrency, Path(workdir), args.log_file)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for name, value in result.items():
            print(f"{name:<24}{value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
