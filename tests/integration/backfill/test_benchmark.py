import pytest


@pytest.mark.slow
def test_local_backfill_benchmark_measures_a_complete_run(tmp_path):
    from benchmarks.backfill_local import run

    result = run(files=100, records=5, days=2, concurrency=4, workdir=tmp_path / "logs")

    assert result["exitStatus"] == 0
    assert result["filesRead"] == result["filesGenerated"] == 100
    assert result["eventsRead"] == 500 and result["eventsStored"] > 0
    assert result["filesPerSecond"] > 0
