"""DynamoDB requests and items read per item returned stay flat as the table grows (slow: it fills
moto with synthetic events twice). The full table of numbers: python -m benchmarks.query_requests."""

from __future__ import annotations

import io

import pytest

from benchmarks.query_requests import run

pytestmark = pytest.mark.slow


def test_requests_and_reads_per_item_do_not_grow_with_the_table():
    out = io.StringIO()
    small, large = 1_000, 8_000
    results = run([small, large], out=out)
    print(out.getvalue())
    for before, after in zip(results[small], results[large]):
        assert after.endpoint == before.endpoint
        # a page never costs more requests as the table grows (the table grew 8x) ...
        assert after.requests <= before.requests + 1, (after.endpoint, before, after)
        # ... nor more items read per item returned (record filters read a record per candidate)
        assert after.reads_per_item <= before.reads_per_item * 1.25 + 0.1, (after.endpoint, before, after)
        assert after.items_read <= 20_000, (after.endpoint, after)  # the per-call budget (logic/walk.Budget)
