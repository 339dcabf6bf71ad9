"""The console marker on real records, and what it costs in the pages.

Sources: the CloudTrail User Guide's ConsoleLogin examples (../shared/samples/awsdocs) and Panther's
rule-test records (../shared/samples/panther), the same console-change records tests/unit/alerts uses.
"""

from __future__ import annotations

import json
import random
import uuid
from pathlib import Path

import pytest

from cloudtrail_tracker.console_sessions import console_marker, normalised_time, parse_marker
from cloudtrail_tracker.dal import pages
from cloudtrail_tracker.event_builder import EventBuilder, RecordRejected
from cloudtrail_tracker.settings import Settings
from query.logic.rows import event_row
from query.models import EventRow

ROOT = Path(__file__).resolve().parents[3]
SAMPLE_DIRS = (ROOT / "samples", ROOT.parent / "shared" / "samples")


def _ndjson(relative: str) -> list[dict]:
    for base in SAMPLE_DIRS:
        if (base / relative).is_file():
            return [json.loads(line) for line in (base / relative).read_text(encoding="utf-8").splitlines() if line.strip()]
    pytest.skip(f"sample {relative} not on this machine")


@pytest.fixture(scope="module")
def awsdocs() -> list[dict]:
    return _ndjson("awsdocs/awsdocs_cloudtrail_examples.ndjson")


@pytest.fixture(scope="module")
def panther() -> dict[tuple[str, str], dict]:
    return {(Path(r["_panther_rule_file"]).stem, r["_panther_test_name"]): r
            for r in _ndjson("panther/panther_cloudtrail_test_logs.ndjson")}


def marker_of(record: dict) -> str:
    return console_marker(record, record.get("errorCode") or "")


def test_console_sign_ins_carry_outcome_and_mfa(awsdocs):
    logins = [r for r in awsdocs if r.get("eventName") == "ConsoleLogin"]
    assert len(logins) >= 5
    for record in logins:
        marker = parse_marker(marker_of(record))
        mfa = record["additionalEventData"]["MFAUsed"]
        assert marker == ("L", record["responseElements"]["ConsoleLogin"], mfa.capitalize()), record["eventID"]
    shapes = {parse_marker(marker_of(r))[1:] for r in logins}
    assert {("Success", "Yes"), ("Success", "No"), ("Failure", "Yes"), ("Failure", "No")} <= shapes


def test_a_sign_in_marker_keeps_nothing_else_of_the_record(awsdocs):
    with_mfa_device = next(r for r in awsdocs if r.get("eventName") == "ConsoleLogin"
                           and "MFAIdentifier" in r["additionalEventData"])
    marker = marker_of(with_mfa_device)
    assert with_mfa_device["additionalEventData"]["MFAIdentifier"] not in marker
    assert "console.aws.amazon.com" not in marker and len(marker) <= len("L|Success|Yes")


def test_console_changes_carry_their_session_start(panther):
    bucket_logging = panther[("aws_s3_disable_bucket_logging", "Bucket Logging Disabled Successfully")]
    start = bucket_logging["userIdentity"]["sessionContext"]["attributes"]["creationDate"]
    assert parse_marker(marker_of(bucket_logging)) == ("C", start)
    # made in the console, but its session context has no creationDate
    ingress = panther[("aws_ec2_manual_security_group_changes", "AWS Console - Ingress SG Authorization")]
    assert "creationDate" not in json.dumps(ingress["userIdentity"])
    assert parse_marker(marker_of(ingress)) == ("C", "")


def test_refused_and_scripted_changes_and_reads_are_not_marked(panther, awsdocs):
    assert marker_of(panther[("aws_ec2_manual_security_group_changes", "AWS Console - Ingress SG Authorization Error")]) == ""
    assert marker_of(panther[("aws_ec2_manual_security_group_changes", "Terraform Security Group Creation")]) == ""
    assert marker_of(panther[("aws_ec2_manual_security_group_changes", "Go Script Authorize Ingress")]) == ""
    rotate = next(r for r in awsdocs if r.get("eventName") == "RotateKey")  # a service's own event
    assert marker_of(rotate) == ""


def test_session_starts_are_normalised():
    assert normalised_time("2024-06-02 19:41:40.000000000") == "2024-06-02T19:41:40Z"
    assert normalised_time("2024-06-02T21:41:40+02:00") == "2024-06-02T19:41:40Z"
    assert normalised_time("2024-01-15T10:30:00Z") == "2024-01-15T10:30:00Z"
    for odd in ("", "yesterday", 1706000000, None, "２０２４-01-15T10:30:00Z"):
        assert normalised_time(odd) == ""


def test_the_builder_stores_the_marker_in_the_summary_and_row(panther):
    record = panther[("aws_s3_disable_bucket_logging", "Bucket Logging Disabled Successfully")]
    event = EventBuilder(Settings()).build(record)
    assert event.console == "C|2024-01-15T10:30:00Z"
    packed = pages.decode(pages.encode([pages.summary_of(event)]))[0]
    row = pages.row_of(packed)
    assert row["console"] == event.console and row["eventName"] == "PutBucketLogging"
    # an older page's summary, without the field, still reads
    old = pages.row_of(packed[:len(pages.SUMMARY)])
    assert "console" not in old and old["eventID"] == row["eventID"]


def test_event_listings_do_not_show_the_marker(panther):
    event = EventBuilder(Settings()).build(panther[("aws_console_login_without_mfa", "MFA Login")])
    assert event.console.startswith("L|")
    shown = event_row(pages.row_of(pages.summary_of(event)))
    assert set(shown) == set(EventRow.model_fields) and "console" not in shown


_CONSOLE = pages.PACKED.index("console")


def _real_shaped_summaries(count: int) -> list[list]:
    """``count`` summaries of the sample records (each copy with its own eventID and time, as a real day's are)."""
    builder = EventBuilder(Settings())
    built = []
    for name in ("panther/panther_cloudtrail_test_logs.ndjson", "awsdocs/awsdocs_cloudtrail_examples.ndjson"):
        for record in _ndjson(name):
            try:
                built.append(pages.summary_of(builder.build(record)))
            except RecordRejected:
                continue
    plain = [s for s in built if not s[_CONSOLE]]  # most events are no console sign-in or change
    chosen = random.Random(7)
    summaries = []
    for n in range(count):
        summary = list(plain[n % len(plain)])
        summary[0], summary[1] = pages.shift("2024-03-01T12:00:00Z", -3 * n), str(uuid.UUID(int=chosen.getrandbits(128)))
        summaries.append(summary)
    return summaries


def test_the_empty_marker_costs_almost_nothing_in_a_page():
    summaries = _real_shaped_summaries(1000)
    assert all(s[_CONSOLE] == "" for s in summaries)

    def size(rows: list[list]) -> int:
        return sum(len(pages.encode(rows[i:i + 500])) for i in range(0, len(rows), 500))

    with_field, without = size([s[:_CONSOLE + 1] for s in summaries]), size([s[:_CONSOLE] for s in summaries])
    assert without < with_field < without * 1.005  # measured: +62 bytes on ~52 KB
