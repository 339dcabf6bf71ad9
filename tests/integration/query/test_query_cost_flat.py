"""DynamoDB requests and items read per item returned stay flat as the table grows (slow: it fills
moto with synthetic events twice). The full table of numbers: python -m benchmarks.query_requests."""

from __future__ import annotations

import io

import pytest

from benchmarks.query_requests import ACCOUNTS, FILE_MINUTES, run

pytestmark = pytest.mark.slow


def test_requests_and_reads_per_item_do_not_grow_with_the_table():
    out = io.StringIO()
    small, large = 1_000, 8_000
    results = run([small, large], out=out)
    print(out.getvalue())
    for before, after in zip(results[small], results[large]):
        assert after.endpoint == before.endpoint
        name = after.endpoint
        if name.startswith("aggregates"):
            # read from the counts items only (one per part of a log file and day: bounded by the
            # files delivered in the window, FILE_MINUTES apart per account), whatever the number of
            # events; one Query of the window's month
            files_in_window = 31 * (24 * 60 // FILE_MINUTES) * len(ACCOUNTS)
            assert after.requests <= 2 and after.items_read <= files_in_window, (name, after)
            continue
        # requests and items read per item returned do not grow with the table (it grew 8x)
        assert after.requests_per_item <= before.requests_per_item * 1.25 + 0.02, (name, before, after)
        assert after.reads_per_item <= before.reads_per_item * 1.25 + 0.1, (name, before, after)
        assert after.items_read <= 20_000 and after.requests <= 100, (name, after)  # the per-call budget
