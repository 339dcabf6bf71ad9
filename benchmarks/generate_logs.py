"""Realistic CloudTrail log files from the sample shapes (the generator lives in the package,
cloudtrail_tracker.backfill.sample_history, because the local backfill uses it too).

    from benchmarks.generate_logs import generate
    paths = generate(out_dir, files=2000, records_per_file=50, seed=1)

    python -m benchmarks.generate_logs --out build/logs --files 2000 --days 3 [--oversized-every 500]
"""

from cloudtrail_tracker.backfill.sample_history import (  # noqa: F401 - the benchmark API
    ORGANIZATION_ID,
    generate,
    main,
    sample_records,
)

if __name__ == "__main__":
    raise SystemExit(main())
