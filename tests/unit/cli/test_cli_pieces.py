"""The pure parts of the CLI: error lines, the roster's rows, the summaries' explanations, the ports."""

from __future__ import annotations

import io
import json
import socket
from pathlib import Path

import pytest
from botocore import exceptions as boto

from cloudtrail_tracker.backfill.driver import console_link, left_out_lines, start
from cloudtrail_tracker.cli.errors import CliError, explain
from cloudtrail_tracker.cli.roster import RosterError, parse_roster
from cloudtrail_tracker.local.stack import IngestSummary, PortInUse, ensure_free, format_summary, reason_of
from cloudtrail_tracker.models import FileReport

ARN = "arn:aws:states:eu-west-1:123456789012:execution:cloudtrail-tracker-backfill:run-1"


# ---- errors.py: AWS's exceptions as one line each

@pytest.mark.parametrize(("error", "status", "words"), [
    (boto.NoRegionError(), 2, ["no AWS region", "AWS_DEFAULT_REGION"]),
    (boto.NoCredentialsError(), 2, ["no AWS credentials", "aws configure"]),
    (boto.ProfileNotFound(profile="class"), 2, ["class", "list-profiles"]),
    (boto.EndpointConnectionError(endpoint_url="http://127.0.0.1:9"), 1, ["cannot reach AWS at http://127.0.0.1:9"]),
    (boto.ClientError({"Error": {"Code": "ExpiredToken", "Message": "x"}}, "DescribeStacks"), 2, ["expired"]),
    (boto.ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "StartExecution"), 1,
     ["denied StartExecution"]),
    (boto.ClientError({"Error": {"Code": "Throttling", "Message": "slow"}}, "ListUsers"), 1,
     ["AWS refused ListUsers: Throttling: slow"]),
    (ValueError("odd"), 1, ["ValueError: odd", "--debug"]),
])
def test_every_error_is_one_line_that_says_what_to_do(error, status, words):
    failure = explain(error)
    assert isinstance(failure, CliError) and failure.status == status
    assert "\n" not in str(failure) and all(word in str(failure) for word in words)


def test_a_command_can_name_its_own_region_option():
    assert "pass --region REGION" in str(explain(boto.NoRegionError(), "pass --region REGION"))


# ---- roster.py

def test_roster_rows_defaults_and_problems():
    text = ("\ufeffActor, Email ,name,username\n"  # a BOM and spaced, capitalised names: Excel's CSV
            "alice,alice@example.edu,Alice,\n"
            "\n"
            "bob,,,bob-login\n"
            '"carol, c",carol@example.edu,"Carol, C",,extra\n')
    students, bad = parse_roster(text.lstrip("\ufeff"), email_required=False)
    assert [(s.row, s.actor, s.username) for s in students] == [(2, "alice", "alice@example.edu"),
                                                                 (4, "bob", "bob-login")]
    assert [(b.row, b.problem.split(":")[0]) for b in bad] == [(5, "more fields than the header's 4")]


def test_an_email_is_required_for_invitations_only():
    _, bad = parse_roster("actor,email\nalice,\n", email_required=True)
    assert bad[0].row == 2 and "--temporary-password" in bad[0].problem
    students, bad = parse_roster("actor,email\nalice,\n", email_required=False)
    assert bad == [] and students[0].username == "alice"


@pytest.mark.parametrize(("text", "words"), [
    ("", "is empty"), ("name\nx\n", "no actor column"), ("actor,mail\nx,y\n", "unknown column 'mail'"),
])
def test_a_roster_that_cannot_be_read_is_one_error(text, words):
    with pytest.raises(RosterError, match=words):
        parse_roster(text, email_required=False)


# ---- the backfill's output: no console link locally, left-out files named

def test_console_link_only_for_aws():
    assert console_link(ARN).startswith("https://eu-west-1.console.aws.amazon.com/states/")
    assert console_link(ARN, "https://states.eu-west-1.amazonaws.com") == console_link(ARN)
    assert console_link(ARN, "http://127.0.0.1:5000") == ""


class _Sfn:
    class meta:  # noqa: N801 - botocore's client.meta
        endpoint_url = "http://127.0.0.1:5000"

    def start_execution(self, **kwargs):
        return {"executionArn": ARN}


def test_start_prints_no_console_link_for_the_local_stack():
    from datetime import date

    from cloudtrail_tracker.backfill.request import BackfillRequest

    out = io.StringIO()
    start(_Sfn(), "arn:sm", BackfillRequest("b", date(2025, 3, 1), date(2025, 3, 2)), out=out)
    assert out.getvalue() == f"execution  {ARN}\n"


def test_left_out_files_are_named_and_capped(tmp_path: Path):
    files = [tmp_path / f"f{i:02d}.json" for i in range(12)]
    lines = left_out_lines(tmp_path, files)
    assert lines[0].startswith("left out (the backfill finds a file only by its day's key")
    assert lines[1:3] == ["  f00.json", "  f01.json"] and lines[-1] == "  ... and 2 more"
    assert left_out_lines(tmp_path, []) == []


# ---- local: the summary explained, dead letters with their reasons, ports checked

def test_local_summary_explains_counts_and_dead_letters():
    report = FileReport(files=3, records=20, stored=10, duplicates=4)
    report.dropped.update({"noise-name": 5, "no-eventTime": 1})
    report.skipped_files.update({"digest": 2})
    summary = IngestSummary(uploaded=4, report=report, dead_letters={"bad.json.gz": "not gzip"}, ignored=1)
    text = format_summary(summary)
    assert "files uploaded        4  (1 other files ignored: not .json/.json.gz)" in text
    assert "duplicates            4  (events already stored: a file delivered twice" in text
    assert "records skipped       6  (not stored)\n  noise-name          5  a successful read: its name starts with" in text
    assert "  no-eventTime        1  the record has no eventTime" in text
    assert "  digest              2  CloudTrail-Digest files: integrity hashes, no events" in text
    assert "files failed (DLQ)    1  (in the dead-letter queue" in text and "  bad.json.gz: not gzip" in text
    assert json.loads(json.dumps(summary.as_dict()))["deadLetters"] == [{"key": "bad.json.gz", "reason": "not gzip"}]


def test_a_dead_letter_reason_is_split_per_file():
    assert reason_of("a.gz", "a.gz: not gzip; b.gz: empty file") == "not gzip"
    assert reason_of("b.gz", "a.gz: not gzip; b.gz: empty file") == "empty file"
    assert "maxReceiveCount" in reason_of("c.gz", "")


def test_a_taken_port_is_refused_with_the_option_to_change():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(PortInUse, match=f"--aws-port {port}: 127.0.0.1:{port} is not free"):
            ensure_free("127.0.0.1", port, "--aws-port")
    ensure_free("127.0.0.1", port, "--aws-port")  # free again


# ---- /swagger's Try-it-out: the server URL is where the local server serves the API

def test_swagger_server_url_has_no_stage_prefix_locally(monkeypatch):
    from cloudtrail_tracker.local.api_server import proxy_event
    from cloudtrail_tracker.local.driver import LocalContext

    monkeypatch.setenv("TABLE_NAME", "unused")  # /swagger reads no table
    monkeypatch.setenv("AUTH_MODE", "none")
    from query.handler import lambda_handler

    event = proxy_event("GET", "/swagger?format=json")
    assert event["requestContext"]["path"] == "/swagger"
    response = lambda_handler(event, LocalContext(function_name="QueryFunction"))
    assert response["statusCode"] == 200
    assert json.loads(response["body"])["servers"] == [{"url": "/"}]  # was /local: Try-it-out called /local/...


def test_two_rows_with_one_actor_are_refused_the_second():
    students, bad = parse_roster("actor,email\nalice,a1@example.edu\nalice,a2@example.edu\n", email_required=True)
    assert [s.email for s in students] == ["a1@example.edu"]
    assert bad[0].row == 3 and "also on row 2" in bad[0].problem
