"""Every CLI error as a user meets it: a real process, no AWS configuration at all (no region, no
credentials, no config files), one line on stderr that says what to do, a non-zero status, no traceback."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

CLI = [sys.executable, "-m", "cloudtrail_tracker.cli"]


def cli(tmp_path: Path, *argv: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src"), "HOME": str(home),
                   "AWS_EC2_METADATA_DISABLED": "true",  # no instance-metadata credentials: the user's laptop
                   "AWS_CONFIG_FILE": str(home / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(home / "none"), **env}
    return subprocess.run([*CLI, *argv], capture_output=True, text=True, timeout=timeout, cwd=tmp_path,
                          env=environment)


def one_line_error(result: subprocess.CompletedProcess, status: int, *words: str) -> str:
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    assert result.returncode == status, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for word in words:
        assert word in lines[0]
    return lines[0]


WINDOW = ["--from", "2025-03-01", "--to", "2025-03-02"]


def test_backfill_without_a_region(tmp_path):
    one_line_error(cli(tmp_path, "backfill", *WINDOW), 2, "no AWS region", "AWS_DEFAULT_REGION")


def test_backfill_without_credentials(tmp_path):
    one_line_error(cli(tmp_path, "backfill", *WINDOW, AWS_DEFAULT_REGION="eu-west-1"), 2,
                   "no AWS credentials", "aws configure")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_backfill_at_a_local_endpoint_needs_no_aws_configuration_and_says_when_it_is_down(tmp_path):
    url = f"http://127.0.0.1:{_closed_port()}"
    one_line_error(cli(tmp_path, "backfill", *WINDOW, "--endpoint-url", url), 1,
                   f"cannot reach AWS at {url}", "cloudtrail-tracker local")


@pytest.mark.parametrize(("argv", "words"), [
    (["--from", "2025-03-05", "--to", "2025-03-01"], ["is after"]),
    (["--from", "2025-3-5", "--to", "2025-03-06"], ["not a date"]),
    ([*WINDOW, "--account", "42"], ["12-digit"]),
    ([*WINDOW, "--path", "missing-dir"], ["--path missing-dir is not a directory"]),
])
def test_backfill_bad_input_fails_before_any_aws_call(tmp_path, argv, words):
    one_line_error(cli(tmp_path, "backfill", *argv), 2, *words)


def test_publish_dry_run_needs_no_aws(tmp_path):
    result = cli(tmp_path, "publish-dashboard", "--stack-name", "class-a", "--dry-run")
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert result.stderr.startswith("note: the stack's outputs are placeholders: no AWS region configured")
    assert len(result.stderr.splitlines()) == 1
    assert '"apiBase": "<ApiUrl of stack class-a>"' in result.stdout
    assert "would upload s3://<DashboardBucketName of stack class-a>/index.html" in result.stdout


def test_publish_without_a_region_says_to_pass_one(tmp_path):
    one_line_error(cli(tmp_path, "publish-dashboard", "--stack-name", "class-a"), 2, "no AWS region", "--region")


def test_publish_without_credentials(tmp_path):
    one_line_error(cli(tmp_path, "publish-dashboard", "--stack-name", "class-a", "--region", "eu-west-1"), 2,
                   "no AWS credentials")


def test_debug_shows_the_traceback(tmp_path):
    result = cli(tmp_path, "backfill", *WINDOW, "--debug")
    assert result.returncode != 0 and "Traceback" in result.stderr and "NoRegionError" in result.stderr
    assert "Traceback" in cli(tmp_path, "backfill", *WINDOW, CLOUDTRAIL_TRACKER_DEBUG="1").stderr


# ---- local: ports checked before anything starts (moto's server hung forever on a taken port)

@pytest.fixture
def busy_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_local_with_a_busy_aws_port_fails_at_once(tmp_path, busy_port):
    started = time.monotonic()
    result = cli(tmp_path, "local", "--no-serve", "--aws-port", str(busy_port), timeout=30)
    one_line_error(result, 2, f"--aws-port {busy_port}", "not free", "choose another port")
    assert time.monotonic() - started < 15


def test_local_with_a_busy_api_port_fails_before_ingesting(tmp_path, busy_port):
    started = time.monotonic()
    result = cli(tmp_path, "local", "--port", str(busy_port), timeout=30)
    one_line_error(result, 2, f"--port {busy_port}", "not free")
    assert result.stdout == "" and time.monotonic() - started < 15


def test_local_with_the_same_port_twice(tmp_path):
    one_line_error(cli(tmp_path, "local", "--port", "3999", "--aws-port", "3999"), 2, "different ports")


@pytest.mark.parametrize(("argv", "words"), [
    (["--from", "2025-03-01"], ["--to is missing"]),
    (["--from", "2025-03-02", "--to", "2025-03-01"], ["is after"]),
    (["--from", "March", "--to", "2025-03-01"], ["not a date"]),
    (["--logs", "nope"], ["--logs nope is not a directory"]),
])
def test_local_bad_input(tmp_path, argv, words):
    one_line_error(cli(tmp_path, "local", "--no-serve", *argv), 2, *words)


# ---- users import: the roster is checked before AWS is asked

def _roster(tmp_path: Path, text: str) -> str:
    (tmp_path / "roster.csv").write_text(text, encoding="utf-8")
    return str(tmp_path / "roster.csv")


def test_users_import_dry_run_needs_no_aws_and_reports_each_row(tmp_path):
    roster = _roster(tmp_path, "actor,email,name\nalice,alice@example.edu,Alice\n,bob@example.edu,\n")
    result = cli(tmp_path, "users", "import", roster, "--dry-run")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stdout.splitlines() == [
        "row 2: would create or update alice@example.edu: custom:actor=alice, name=Alice; invitation e-mail if new",
        "would create or update 1, failed 1",
    ]
    assert result.stderr.splitlines() == [
        "row 3: failed: actor is empty: give the name the student's events carry (e.g. their IAM user name)"]


@pytest.mark.parametrize(("text", "words"), [
    ("", ["is empty", "header"]),
    ("email,name\nalice@example.edu,Alice\n", ["no actor column"]),
    ("actor,emial\nalice,alice@example.edu\n", ["unknown column 'emial'", "actor, email, name, username"]),
])
def test_users_import_a_bad_roster_is_one_line(tmp_path, text, words):
    one_line_error(cli(tmp_path, "users", "import", _roster(tmp_path, text), "--dry-run"), 2, *words)


def test_users_import_a_missing_file(tmp_path):
    one_line_error(cli(tmp_path, "users", "import", "nope.csv"), 2, "nope.csv: no such file")


def test_users_import_without_a_region(tmp_path):
    roster = _roster(tmp_path, "actor,email\nalice,alice@example.edu\n")
    one_line_error(cli(tmp_path, "users", "import", roster), 2, "no AWS region", "--region")
