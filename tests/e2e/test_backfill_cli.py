"""``cloudtrail-tracker backfill`` against the local stack (moto server, state machine from template.yaml)."""

from __future__ import annotations

import pytest

from cloudtrail_tracker.cli import main


def _run(argv: list[str]) -> int:
    return main(["backfill", *argv])


@pytest.mark.parametrize(("argv", "message"), [
    (["--from", "2025-03-05", "--to", "2025-03-01"], "is after"),
    (["--from", "2025-3-5", "--to", "2025-03-06"], "not a date"),
    (["--from", "2025-03-05", "--to", "2025-03-06", "--account", "42"], "12-digit"),
])
def test_bad_window_is_a_clear_error_before_any_aws_call(argv, message, capsys):
    assert _run(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and len(err.splitlines()) == 1


@pytest.mark.slow
def test_backfill_wait_shows_progress_and_summary(tmp_path, capsys):
    from cloudtrail_tracker.backfill.sample_history import generate
    from cloudtrail_tracker.local.backfill_runner import (
        STATE_MACHINE_NAME,
        deploy_local_backfill,
    )
    from cloudtrail_tracker.local.stack import LocalStack

    logs = tmp_path / "logs"
    written = len(generate(logs, files=24, records_per_file=10, seed=3, days=2))  # logs and digests
    (logs / "events.json").write_text('{"Records": []}')  # not placeable: named, and said why
    stack = LocalStack(log_file=tmp_path / "handlers.log").start()
    try:
        deploy_local_backfill(stack)
        common = ["--from", "2025-03-01", "--to", "2025-03-02", "--bucket", stack.resources.bucket,
                  "--endpoint-url", stack.endpoint, "--concurrency", "3", "--wait"]

        status = _run([*common, "--path", str(logs)])

        out, err = capsys.readouterr()
        assert status == 0, err
        assert f"uploaded {written}, already there 0, left out 1" in err
        assert "left out (the backfill finds a file only by its day's key" in err and "\n  events.json\n" in err
        assert "ToleratedFailurePercentage" not in err  # moto's notice is filtered (backfill_runner)
        assert "execution  arn:aws:states:us-east-1:" in out
        assert "console" not in out  # an AWS console link cannot show the local stack's execution
        final = [line for line in err.splitlines() if line.startswith("[")][-1]
        assert "SUCCEEDED" in final and "prefixes 16/16" in final and "files 24/24" in final
        assert "day prefixes          16 / 16" in out
        stored = int(next(line for line in out.splitlines() if line.startswith("events stored")).split()[2])
        assert stored > 0

        again = _run([*common, "--state-machine", STATE_MACHINE_NAME, "--path", str(logs)])

        out, err = capsys.readouterr()
        assert again == 0
        assert f"uploaded 0, already there {written}" in err
        assert "events stored         0" in out
        assert f"duplicates            {stored}  (events already stored: a file delivered twice" in out
    finally:
        stack.stop()
