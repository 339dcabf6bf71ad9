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


def run_local(logs: Path, tmp_path: Path) -> dict:
    result = subprocess.run(
        [*CLI, "local", "--no-serve", "--json", "--logs", str(logs), "--log-file", str(tmp_path / "handlers.log")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src"), "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


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
    assert summary["recordsRead"] == 7 + 2
    assert summary["recordsSkipped"] == {"noise-name": 1}  # a.json's DescribeAutoScalingGroups, by default
    assert summary["eventsStored"] == 8
    assert summary["eventsPerIdentityType"]["IAMUser"] == 7
    assert (summary["firstEventDay"], summary["lastEventDay"]) == ("2017-12-11", "2025-03-06")


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
