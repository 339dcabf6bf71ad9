"""benchmarks/local_stack.py (make bench's local stack figure) measures a complete run: every record read,
each stored or counted as a duplicate or dropped, and the API answering over the table."""

import pytest

pytestmark = pytest.mark.slow


def test_local_stack_benchmark_ingests_every_record_and_the_api_answers(tmp_path):
    from benchmarks.local_stack import run

    result = run(records=300, seed=0, workdir=tmp_path / "logs", log_file=tmp_path / "handlers.log")

    assert result["records"] >= 300 and result["recordsRead"] == result["records"]  # organization copies included
    assert result["eventsStored"] > 0 and result["duplicates"] > 0  # the organization trail's copies
    assert result["seconds"] > 0
    calls = dict((path.split("?")[0], shown) for path, _seconds, shown in result["calls"])
    assert calls["/users"].endswith("items") and not calls["/users"].startswith("0 ")
    assert calls["/aggregates"].endswith("items") and not calls["/aggregates"].startswith("0 ")
