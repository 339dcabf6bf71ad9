"""`make bench`: every benchmark in turn, each printing what it measured and how it was run.

    python -m benchmarks            # ingest, query costs, local stack, local backfill, storage cost
    python -m benchmarks storage    # one of them (ingest | query | local | backfill | storage)
"""

from __future__ import annotations

import sys

from benchmarks import backfill_local, ingest_throughput, local_stack, query_requests, storage_cost

BENCHMARKS = {
    "ingest": (ingest_throughput.main, []),
    # sizes this machine runs in minutes on moto (100,000 query events or 2,000 backfill files take hours)
    "query": (query_requests.main, ["--sizes", "1000,10000,40000"]),
    "local": (local_stack.main, ["--records", "18000"]),  # a class day; a million is projected from its rate
    "backfill": (backfill_local.main, ["--files", "200", "--records", "100"]),
    "storage": (storage_cost.main, []),
}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark {unknown}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    status = 0
    for name in names:
        run, args = BENCHMARKS[name]
        print(f"\n== {name} ==", flush=True)
        status |= run(args) or 0
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
