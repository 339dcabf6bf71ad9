"""`cloudtrail-tracker local --no-serve --json --logs DIR` as a user runs it: a real process,
moto's HTTP server as the embedded AWS. The samples' run is slow (10-20 s, most of it moto's server
answering the handler's DynamoDB writes): `make test-slow`; the small flat directory stays fast."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES

CLI = [sys.executable, "-m", "cloudtrail_tracker.cli"]
TRAILSCRAPER_SAMPLE = "trailscraper/tests/cloudtrail/data/111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json"


def run_text(logs: Path, tmp_path: Path, *options: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [*CLI, "local", "--no-serve", "--logs", str(logs), "--log-file", str(tmp_path / "handlers.log"), *options],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src"), "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    return result


def run_local(logs: Path, tmp_path: Path, *options: str) -> dict:
    return json.loads(run_text(logs, tmp_path, "--json", *options).stdout)


@pytest.mark.slow
def test_nested_awslogs_layout_of_the_samples(tmp_path):
    summary = run_local(SAMPLES, tmp_path)
    assert summary["filesUploaded"] == summary["filesRead"] == 8
    assert summary["filesFailedToDLQ"] == 0
    assert summary["eventsStored"] > 100
    assert sum(summary["eventsPerIdentityType"].values()) == summary["eventsStored"]
    assert {"IAMUser", "AssumedRole", "Root", "AWSService"} <= set(summary["eventsPerIdentityType"])
    assert summary["recordsRead"] == (summary["eventsStored"] + summary["duplicates"]
                                      + sum(summary["recordsSkipped"].values()))


def test_flat_directory_of_json_and_gz_with_a_corrupt_one(tmp_path):  # a few seconds: the one run in the fast suite
    logs = tmp_path / "flat"
    logs.mkdir()
    shutil.copy(SAMPLES / TRAILSCRAPER_SAMPLE, logs / "a.json")
    records = [{"eventTime": "2025-03-06T03:18:09Z", "eventSource": "s3.amazonaws.com", "eventName": "CreateBucket",
                "eventID": f"flat-{i}", "userIdentity": {"type": "IAMUser", "userName": "flat-user"}} for i in range(7)]
    (logs / "b.json.gz").write_bytes(gzip.compress(json.dumps({"Records": records}).encode()))
    (logs / "broken.json.gz").write_bytes(b"\x1f\x8b\x08\x00 not a gzip body")
    (logs / "notes.txt").write_text("not uploaded")
    summary = run_local(logs, tmp_path)
    assert summary["filesUploaded"] == 3
    assert summary["filesFailedToDLQ"] == 1 and summary["deadLetterKeys"] == ["broken.json.gz"]
    assert summary["deadLetters"][0]["key"] == "broken.json.gz" and summary["deadLetters"][0]["reason"]
    assert summary["filesIgnored"] == 1 and summary["warnings"] == []
    assert summary["recordsRead"] == 7 + 2
    assert summary["recordsSkipped"] == {"noise-name": 1}  # a.json's DescribeAutoScalingGroups, by default
    assert summary["eventsStored"] == 8
    assert summary["eventsPerIdentityType"]["IAMUser"] == 7
    assert (summary["firstEventDay"], summary["lastEventDay"]) == ("2017-12-11", "2025-03-06")


def test_the_text_summary_explains_each_line_and_why_files_failed(tmp_path):
    logs = tmp_path / "flat"
    logs.mkdir()
    shutil.copy(SAMPLES / TRAILSCRAPER_SAMPLE, logs / "a.json")
    shutil.copy(SAMPLES / TRAILSCRAPER_SAMPLE, logs / "a-delivered-again.json")
    (logs / "package.json").write_text('{"name": "not-a-trail"}')

    out = run_text(logs, tmp_path).stdout

    assert "duplicates            1  (events already stored: a file delivered twice" in out
    assert "records skipped       2  (not stored)" in out
    assert "  noise-name          2  a successful read: its name starts with a DROP_EVENT_PREFIXES prefix" in out
    assert "files failed (DLQ)    1  (in the dead-letter queue, none of their events stored)" in out
    assert '  package.json: no "Records" in this file (not a CloudTrail event log)' in out


def test_a_folder_without_cloudtrail_files_is_warned_about(tmp_path):
    wrong = tmp_path / "project"
    wrong.mkdir()
    (wrong / "README.md").write_text("# not logs")
    (wrong / "package.json").write_text('{"name": "not-a-trail"}')

    result = run_text(wrong, tmp_path)

    warning = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warning) == 1
    assert f"none of the 1 files under {wrong} is a CloudTrail log" in warning[0]
    assert "AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/" in warning[0] and '{"Records": [...]}' in warning[0]


@pytest.mark.slow
def test_backfill_of_your_own_directory_stores_only_the_window(tmp_path):  # ~20 s: the state machine on moto
    import urllib.request
    from datetime import date

    from cloudtrail_tracker.backfill.sample_history import generate
    from tests.e2e.local_server import serving

    logs = tmp_path / "mine"
    generate(logs, files=3, records_per_file=20, seed=5, accounts=("111111111111",), org_accounts=(),
             regions=("eu-west-1",), start=date(2025, 3, 3), days=3)  # a file a day, 03-03 .. 03-05

    # --from/--to alone: through the backfill, as with --backfill
    with serving(tmp_path, "--logs", str(logs), "--from", "2025-03-04", "--to", "2025-03-04") as url:
        with urllib.request.urlopen(f"{url}/span", timeout=30) as response:
            span = json.load(response)
    assert span == {"first": "2025-03-04", "last": "2025-03-04"}  # not the samples, not the days beside
    output = (tmp_path / "handlers.log").read_text()
    assert "outside-window" in output  # the files of 03-03 and 03-05 were read, their events left out


def test_a_missing_directory_is_a_clear_error(tmp_path):
    result = subprocess.run([*CLI, "local", "--no-serve", "--logs", str(tmp_path / "nope")], capture_output=True,
                            text=True, timeout=30, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src")})
    assert result.returncode == 2
    assert "is not a directory" in result.stderr


@pytest.mark.parametrize("flag", ["--help"])
def test_help_lists_the_options(flag):
    result = subprocess.run([*CLI, "local", flag], capture_output=True, text=True, timeout=30,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src")})
    assert "--no-serve" in result.stdout and "--logs" in result.stdout
