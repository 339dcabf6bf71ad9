"""Record -> stored event: times, noise filter defaults, secrets, oversized records."""

from __future__ import annotations

import os
from collections import Counter
from datetime import datetime, timedelta, timezone

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


# ---- eventTime: only real, plausible times reach the table
@pytest.mark.parametrize("raw", [
    "2024-13-45T99:99:99Z", "XXXXXXXXXXTXXXXXXXXZ", "२०२४-०१-०१T०३:१८:०९Z", "2024-02-30T00:00:00Z",
    "2024-01-01T24:00:00Z", "2025-03-06T03:18:09.000X", "2099-01-01T00:00:00Z", "2004-12-31T23:59:59Z",
    "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2099-06-01 12:00:00", 20250306,
])
def test_bad_event_times_are_rejected(raw):
    with pytest.raises(RecordRejected, match="bad-eventTime"):
        build(dict(BASE, eventTime=raw))


def test_times_up_to_a_day_ahead_are_kept_for_clock_skew():
    soon = datetime.now(timezone.utc) + timedelta(hours=20)
    assert build(dict(BASE, eventTime=soon.strftime("%Y-%m-%dT%H:%M:%SZ"))).event_time[:4] == str(soon.year)
    assert build(dict(BASE, eventTime="2005-01-01T00:00:00Z")).day == "2005-01-01"


# ---- fields that feed DynamoDB keys: rejected or normalised, never a key DynamoDB refuses
@pytest.mark.parametrize("field,value,reason", [
    ("eventID", "e" * 1100, "bad-eventID"),
    ("eventID", "€" * 400, "bad-eventID"),  # 400 characters, 1,200 bytes: keys are limited in UTF-8 bytes
    ("eventName", "Run" * 700, "bad-eventName"),
    ("eventName", "", "bad-eventName"),
    ("eventSource", "", "bad-eventSource"),
    ("eventSource", ".amazonaws.com", "bad-eventSource"),
    ("eventSource", "s" * 1100 + ".amazonaws.com", "bad-eventSource"),
    ("errorCode", "Denied" * 200, "bad-errorCode"),
])
def test_fields_too_long_or_empty_for_their_keys_reject_the_record(field, value, reason):
    with pytest.raises(RecordRejected, match=reason):
        build(dict(BASE, **{field: value}))


def test_descriptive_fields_are_normalised_and_counted():
    normalised = Counter()
    arn = "arn:aws:s3:::bucket"
    event = EventBuilder(Settings()).build(dict(
        BASE, recipientAccountId=111122223333, awsRegion={"region": "us-east-1"}, sourceIPAddress=["10.0.0.1"],
        resources=[{"ARN": "arn:aws:s3:::" + "b" * 2100}, {"ARN": arn}],
        requestParameters={"instanceType": "t" * 300}), normalised=normalised)
    assert (event.account, event.region, event.source_ip, event.resources) == ("111122223333", "", "", (arn,))
    assert event.tracked == ()  # a value too long to name a counter
    assert normalised == {"bad-recipientAccountId": 1, "bad-awsRegion": 1, "bad-sourceIPAddress": 1,
                          "bad-resource-ARN": 1, "bad-tracked-attribute": 1}
    event_item(event)  # the item builds


def test_a_region_or_account_too_long_for_the_totals_key_is_dropped():
    event = build(dict(BASE, awsRegion="r" * 600, recipientAccountId="1" * 600))
    assert (event.region, event.account) == ("", "111122223333")  # the account falls back to the identity's


# ---- what the stdlib json accepts but orjson cannot write: normalised so the record can be stored
def _nested(depth: int):
    value: object = "bottom"
    for _ in range(depth):
        value = {"d": value}
    return value


def test_integers_beyond_64_bits_become_strings():
    normalised = Counter()
    record = dict(BASE, requestParameters={"big": 2**70, "small": 5, "negative": -(2**64)})
    event = EventBuilder(Settings()).build(record, normalised=normalised)
    stored = decode_record(event_item(event)["raw"]["B"])["requestParameters"]
    assert stored == {"big": str(2**70), "small": 5, "negative": str(-(2**64))}
    assert normalised == {"big-integer": 1}


def test_lone_surrogates_are_replaced():
    normalised = Counter()
    record = dict(BASE, eventName="Create\ud800Thing", requestParameters={"k\udfff": "v\ud800", "ok": "😀"})
    event = EventBuilder(Settings()).build(record, normalised=normalised)
    assert event.event_name == "Create\ufffdThing"
    stored = decode_record(event_item(event)["raw"]["B"])["requestParameters"]
    assert stored == {"k\ufffd": "v\ufffd", "ok": "😀"}
    assert normalised == {"lone-surrogate": 1}


def test_nesting_orjson_cannot_write_is_cut_with_a_marker():
    normalised = Counter()
    event = EventBuilder(Settings()).build(dict(BASE, requestParameters=_nested(400)), normalised=normalised)
    stored = decode_record(event_item(event)["raw"]["B"])
    text = orjson.dumps(stored).decode()
    assert '"omitted":true' in text and "bottom" not in text
    assert normalised == {"deep-nesting": 1}


def test_an_unwritable_record_without_event_id_gets_a_stable_one():
    record = {k: v for k, v in BASE.items() if k != "eventID"}
    record["requestParameters"] = {"big": 2**80}
    assert build(dict(record)).event_id == build(dict(record)).event_id
