"""The sensitive reads of the samples (Panther's rule-test records) are stored with the default
noise filter although its ``get``/``list`` prefixes match them: "who read the secret"."""

from __future__ import annotations

import json

from tests.conftest import SAMPLES
from tests.integration.ingest.test_pipeline import KEY, log_file

SENSITIVE = {"GetSecretValue", "BatchGetSecretValue", "GetPasswordData", "GetParameter", "GetParameters",
             "GetSessionToken"}


def panther_records() -> list[dict]:
    lines = (SAMPLES / "panther" / "panther_cloudtrail_test_logs.ndjson").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def successful_sensitive_reads() -> list[dict]:
    """The successful ones, each under an eventID of its own and with a time: Panther's rule-test
    records share IDs between cases and some have no eventTime (which ingest would reject)."""
    found = [r for r in panther_records() if r.get("eventName") in SENSITIVE and not r.get("errorCode")]
    assert len(found) >= 10, "the samples changed: fewer sensitive reads than when this test was written"
    return [{**r, "eventID": f"sensitive-{i}", "eventTime": r.get("eventTime") or "2025-03-06T03:00:00Z"}
            for i, r in enumerate(found)]


def decrypted(record: dict) -> bool:
    return (record.get("requestParameters") or {}).get("withDecryption") is True


def test_successful_sensitive_reads_are_stored_by_default(aws):
    reads = successful_sensitive_reads()
    aws.put_log(KEY, log_file(reads))
    aws.drain()
    stored = {e["eventID"]: e["eventName"] for e in aws.events()}
    parameters = [r for r in reads if r["eventSource"] == "ssm.amazonaws.com"]
    expected = {r["eventID"] for r in reads if r["eventSource"] != "ssm.amazonaws.com" or decrypted(r)}
    assert set(stored) == expected
    names = set(stored.values())
    assert {"GetSecretValue", "BatchGetSecretValue", "GetPasswordData", "GetSessionToken"} <= names
    # SSM reads are kept when they decrypted; a plain GetParameters stays noise
    assert any(decrypted(r) for r in parameters) and any(not decrypted(r) for r in parameters)
    assert {r["eventID"] for r in parameters if decrypted(r)} <= set(stored)
    assert not {r["eventID"] for r in parameters if not decrypted(r)} & set(stored)


def test_an_empty_keep_list_drops_them_as_noise(aws, monkeypatch):
    from cloudtrail_tracker import clients

    monkeypatch.setenv("KEEP_EVENTS", "")
    clients.reset()
    aws.put_log(KEY, log_file(successful_sensitive_reads()))
    aws.drain()
    # what is left is what no drop prefix matches (BatchGet... starts with none of them)
    assert {e["eventName"] for e in aws.events()} == {"BatchGetSecretValue"}
