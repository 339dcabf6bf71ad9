"""Record -> stored event: times, noise filter defaults, secrets, oversized records."""

from __future__ import annotations

import os

import orjson
import pytest

from cloudtrail_tracker.dal.items import MAX_RAW_BYTES, decode_record, event_item
from cloudtrail_tracker.events import EventBuilder, RecordRejected, normalise_time
from cloudtrail_tracker.settings import Settings

BASE = {"eventVersion": "1.08", "eventTime": "2025-03-06T03:18:09Z", "eventSource": "sts.amazonaws.com",
        "eventName": "AssumeRole", "awsRegion": "us-east-1", "eventID": "e-1", "recipientAccountId": "111122223333",
        "userIdentity": {"type": "IAMUser", "userName": "alice", "accountId": "111122223333"}}


def build(record, **settings):
    return EventBuilder(Settings(**settings)).build(record)


@pytest.mark.parametrize("raw,expected", [
    ("2025-03-06T03:18:09Z", "2025-03-06T03:18:09Z"),
    ("2020-09-14T00:44:23.000Z", "2020-09-14T00:44:23Z"),
    ("2024-01-01 00:00:00.000", "2024-01-01T00:00:00Z"),
    ("2025-03-06T05:18:09+02:00", "2025-03-06T03:18:09Z"),
])
def test_times(raw, expected):
    assert normalise_time(raw) == expected


def test_logstash_timestamp_stands_in_for_event_time():
    record = dict(BASE, eventName="CreateBucket")
    del record["eventTime"]
    record["@timestamp"] = "2020-09-14T00:44:23.000Z"
    assert build(record).event_time == "2020-09-14T00:44:23Z"


def test_records_without_time_or_name_are_rejected_with_a_reason():
    with pytest.raises(RecordRejected, match="no-eventTime"):
        build({k: v for k, v in BASE.items() if k != "eventTime"})
    with pytest.raises(RecordRejected, match="not-an-event"):
        build({k: v for k, v in BASE.items() if k != "eventName"})


def test_default_noise_filter_drops_reads_but_keeps_failed_ones():
    with pytest.raises(RecordRejected, match="noise-name"):
        build(dict(BASE, eventName="ListBuckets"))
    denied = build(dict(BASE, eventName="ListBuckets", errorCode="AccessDenied"))
    assert denied.error_code == "AccessDenied"
    assert build(dict(BASE, eventName="RunInstances")).event_name == "RunInstances"


def test_noise_filter_is_configurable():
    assert build(dict(BASE, eventName="ListBuckets"), drop_event_prefixes=()).event_name == "ListBuckets"
    with pytest.raises(RecordRejected, match="noise-source"):
        build(dict(BASE, eventSource="kms.amazonaws.com", eventName="Encrypt"), drop_event_sources=("kms.amazonaws.com",))
    with pytest.raises(RecordRejected):
        build(dict(BASE, eventName="ListBuckets", errorCode="AccessDenied"), keep_failed_calls=False)


def test_settings_from_environment():
    settings = Settings.from_env({"DROP_EVENT_PREFIXES": "Get, list", "KEEP_FAILED_CALLS": "false",
                                  "RETENTION_DAYS": "30", "TABLE_NAME": "t"})
    assert settings.drop_event_prefixes == ("get", "list")
    assert (settings.keep_failed_calls, settings.retention_days, settings.table_name) == (False, 30, "t")
    assert Settings.from_env({"DROP_EVENT_PREFIXES": ""}).drop_event_prefixes == ()


def test_secrets_never_reach_the_item():
    record = dict(BASE, responseElements={
        "credentials": {"accessKeyId": "ASIAEXAMPLEKEY", "sessionToken": "FwoGZXIvYXdzEXAMPLETOKEN",
                        "secretAccessKey": "wJalrXUtnFEMIEXAMPLESECRET", "expiration": "Mar 6, 2025 4:18:09 AM"},
        "assumedRoleUser": {"arn": "arn:aws:sts::111122223333:assumed-role/r/s"}})
    item = event_item(build(record))
    stored = decode_record(item["raw"]["B"])
    text = orjson.dumps(stored).decode() + orjson.dumps({k: v for k, v in item.items() if k != "raw"}).decode()
    for secret in ("ASIAEXAMPLEKEY", "FwoGZXIvYXdzEXAMPLETOKEN", "wJalrXUtnFEMIEXAMPLESECRET"):
        assert secret not in text
    assert stored["responseElements"]["credentials"]["expiration"] == "Mar 6, 2025 4:18:09 AM"
    assert stored["responseElements"]["assumedRoleUser"]["arn"].endswith("/r/s")


def test_create_access_key_secret_is_redacted():
    record = dict(BASE, eventSource="iam.amazonaws.com", eventName="CreateAccessKey",
                  responseElements={"accessKey": {"accessKeyId": "AKIAEXAMPLE", "secretAccessKey": "s3cr3t", "status": "Active"}})
    stored = decode_record(event_item(build(record))["raw"]["B"])
    assert stored["responseElements"]["accessKey"]["secretAccessKey"] == "<redacted>"


def test_oversized_record_is_shortened_and_says_so():
    huge = os.urandom(450_000).hex()  # ~900 KB of incompressible text
    record = dict(BASE, eventName="PutBucketPolicy", requestParameters={"bucketName": "b", "policy": huge},
                  responseElements={"x": os.urandom(1000).hex()})
    item = event_item(build(record))
    size = sum(len(k) + len(v.get("S", v.get("B", b""))) for k, v in item.items())
    assert size < 400_000
    assert len(item["raw"]["B"]) <= MAX_RAW_BYTES
    assert set(item["shortened"]["SS"]) >= {"requestParameters"}
    stored = decode_record(item["raw"]["B"])
    assert stored["requestParameters"]["omitted"] is True
    assert stored["requestParameters"]["originalBytes"] > 900_000
    assert stored["eventName"] == "PutBucketPolicy"


def test_small_records_are_stored_whole_and_compressed():
    record = dict(BASE, eventName="RunInstances", requestParameters={"instanceType": "t3.micro", "x": "y" * 300})
    event = build(record)
    item = event_item(event)
    assert decode_record(item["raw"]["B"]) == record
    assert len(item["raw"]["B"]) < len(orjson.dumps(record))
    assert "shortened" not in item
    assert event.tracked == ("instanceType=t3.micro",)


def test_missing_event_id_gets_a_stable_one():
    record = {k: v for k, v in BASE.items() if k != "eventID"}
    assert build(dict(record)).event_id == build(dict(record)).event_id
    assert build(dict(record)).event_id != build(dict(record, awsRegion="eu-west-1")).event_id


def test_secret_keys_match_whatever_their_case_and_prefix():
    record = dict(BASE, eventSource="rds.amazonaws.com", eventName="CreateDBInstance",
                  requestParameters={"masterUserPassword": "hunter2", "dBInstanceClass": "db.t3.micro",
                                     "nested": [{"ClientSecret": "abc123", "privateKeyPem": "-----BEGIN"}],
                                     "minimumPasswordLength": 14})
    stored = decode_record(event_item(build(record))["raw"]["B"])["requestParameters"]
    assert stored["masterUserPassword"] == stored["nested"][0]["ClientSecret"] == "<redacted>"
    assert stored["nested"][0]["privateKeyPem"] == "<redacted>"
    assert stored["dBInstanceClass"] == "db.t3.micro"
    assert stored["minimumPasswordLength"] == 14  # settings about passwords are not secrets
