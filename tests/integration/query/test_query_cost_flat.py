"""DynamoDB requests and items read per item returned stay flat as the table grows (slow: it fills
moto with synthetic events twice). The full table of numbers: python -m benchmarks.query_requests."""

from __future__ import annotations

import io

import pytest

from benchmarks import query_requests
from benchmarks.query_requests import ACCOUNTS, FILE_MINUTES, run
from query.logic.walk import Budget

pytestmark = pytest.mark.slow


# The benchmark's 1,000 and 8,000 events over 60 days took ~10 minutes on moto (each of its Queries
# reads the whole table), 500 and 4,000 over 30 days still 8: here 500 and 2,000 over the 30 days the
# widest window (a month) looks at. `make bench` (benchmarks.query_requests) shows the 8x growth.
DAYS = 30
SMALL, LARGE = 500, 2_000  # the table grows 4x


def test_requests_and_reads_per_item_do_not_grow_with_the_table(monkeypatch):
    monkeypatch.setattr(query_requests, "DAYS", DAYS)
    out = io.StringIO()
    small, large = SMALL, LARGE
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
        # requests and items read per item returned do not grow with the table (it grew 4x)
        assert after.requests_per_item <= before.requests_per_item * 1.25 + 0.02, (name, before, after)
        assert after.reads_per_item <= before.reads_per_item * 1.25 + 0.1, (name, before, after)
        # the per-call budget (walk.Budget): it is checked between steps, so a call may finish the step
        # it began (a run of Query pages, then one BatchGetItem of locators, one of counts items)
        assert after.items_read <= Budget().max_items_read and after.requests <= Budget().max_requests * 1.1, (name, after)
