"""Record -> stored event: times, noise filter defaults, secrets, oversized records.

Storage v2 keeps a summary of each event (dal/pages.py), never its record: the record is read back
from the trail bucket and redacted on the way out (dal/records.py uses sanitize.redact_secrets)."""

from __future__ import annotations

import io
import json
import os
from collections import Counter
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from cloudtrail_tracker.counting import counter_names
from cloudtrail_tracker.dal import pages
from cloudtrail_tracker.dal.records import RecordStore
from cloudtrail_tracker.event_builder import (
    EventBuilder,
    RecordRejected,
    normalise_time,
)
from cloudtrail_tracker.settings import ConfigurationError, Settings, StoreSettings

BASE = {"eventVersion": "1.08", "eventTime": "2025-03-06T03:18:09Z", "eventSource": "sts.amazonaws.com",
        "eventName": "AssumeRole", "awsRegion": "us-east-1", "eventID": "e-1", "recipientAccountId": "111122223333",
        "userIdentity": {"type": "IAMUser", "userName": "alice", "accountId": "111122223333"}}


def build(record, **settings):
    return EventBuilder(Settings(**settings)).build(record)


def kept(event) -> str:
    """Everything the table keeps of ``event``: its packed summary and its counter names."""
    return pages.decode(pages.encode([pages.summary_of(event)])).__repr__() + repr(counter_names(event))


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
    settings = StoreSettings.from_env({"DROP_EVENT_PREFIXES": "Get, list", "KEEP_FAILED_CALLS": "false",
                                       "RETENTION_DAYS": "30", "TABLE_NAME": "t"})
    assert settings.drop_event_prefixes == ("get", "list")
    assert (settings.keep_failed_calls, settings.retention_days, settings.table_name) == (False, 30, "t")
    # CloudFormation cannot leave a variable out: an empty list is "none", any other empty variable the default
    empty = Settings.from_env({"DROP_EVENT_PREFIXES": "", "RETENTION_DAYS": "", "KEEP_FAILED_CALLS": " "})
    assert (empty.drop_event_prefixes, empty.retention_days, empty.keep_failed_calls) == ((), 0, True)
    assert Settings.from_env({}).drop_event_prefixes == ("get", "describe", "list", "info", "decrypt", "checkmfa", "head")
    with pytest.raises(ConfigurationError, match="TABLE_NAME is not set"):
        StoreSettings.from_env({"DROP_EVENT_PREFIXES": "get"})


def test_secrets_never_reach_the_item():
    record = dict(BASE, responseElements={
        "credentials": {"accessKeyId": "ASIAEXAMPLEKEY", "sessionToken": "FwoGZXIvYXdzEXAMPLETOKEN",
                        "secretAccessKey": "wJalrXUtnFEMIEXAMPLESECRET", "expiration": "Mar 6, 2025 4:18:09 AM"},
        "assumedRoleUser": {"arn": "arn:aws:sts::111122223333:assumed-role/r/s"}})
    event = build(record)
    stored = read_back(record)
    text = orjson.dumps(stored).decode() + kept(event)
    for secret in ("ASIAEXAMPLEKEY", "FwoGZXIvYXdzEXAMPLETOKEN", "wJalrXUtnFEMIEXAMPLESECRET"):
        assert secret not in text
    assert stored["responseElements"]["credentials"]["expiration"] == "Mar 6, 2025 4:18:09 AM"
    assert stored["responseElements"]["assumedRoleUser"]["arn"].endswith("/r/s")


def test_create_access_key_secret_is_redacted():
    record = dict(BASE, eventSource="iam.amazonaws.com", eventName="CreateAccessKey",
                  responseElements={"accessKey": {"accessKeyId": "AKIAEXAMPLE", "secretAccessKey": "s3cr3t", "status": "Active"}})
    stored = read_back(record)
    assert stored["responseElements"]["accessKey"]["secretAccessKey"] == "<redacted>"
    assert "s3cr3t" not in kept(build(record))


def test_an_oversized_record_keeps_a_small_summary():
    """v2 stores no record, so a huge one costs its summary only (the 400 KB shortening of stored
    records is gone; /events/{id} shortens a record too big for an answer: query/logic/rows.py)."""
    huge = os.urandom(450_000).hex()  # ~900 KB of incompressible text
    record = dict(BASE, eventName="PutBucketPolicy", requestParameters={"bucketName": "b", "policy": huge},
                  responseElements={"x": os.urandom(1000).hex()})
    event = build(record)
    assert len(pages.encode([pages.summary_of(event)])) < 1000
    assert event.event_name == "PutBucketPolicy"
    assert not hasattr(event, "record")  # the trail bucket keeps the record


def test_small_records_are_summarised_and_kept_whole_for_the_api():
    record = dict(BASE, eventName="RunInstances", requestParameters={"instanceType": "t3.micro", "x": "y" * 300})
    event = build(record)
    assert read_back(record) == record
    assert pages.row_of(pages.decode(pages.encode([pages.summary_of(event)]))[0])["eventName"] == "RunInstances"
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
    stored = read_back(record)["requestParameters"]
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
    soon = datetime.now(UTC) + timedelta(hours=20)
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
    pages.encode([pages.summary_of(event)])  # the summary packs


def test_a_region_or_account_too_long_for_the_totals_key_is_dropped():
    event = build(dict(BASE, awsRegion="r" * 600, recipientAccountId="1" * 600))
    assert (event.region, event.account) == ("", "111122223333")  # the account falls back to the identity's


# ---- what the stdlib json accepts but orjson cannot write: normalised so the record can be stored
def _nested(depth: int):
    value: object = "bottom"
    for _ in range(depth):
        value = {"d": value}
    return value


class _Bucket:
    """get_object of one log file holding ``text`` (what the stdlib json reads, orjson may not write)."""

    def __init__(self, text: str):
        self.body = text.encode("utf-8", "surrogatepass")

    def get_object(self, Bucket, Key):
        return {"Body": io.BytesIO(self.body)}


def read_back(record: dict, event_id: str | None = None) -> dict:
    """The record as /events/{id} reads it from its log file (dal/records.py)."""
    text = json.dumps({"Records": [record]})
    if event_id is None:
        event_id = build(json.loads(text)["Records"][0]).event_id
    found = RecordStore(_Bucket(text)).records([("b", "k", event_id)])
    assert set(found) == {event_id}
    orjson.dumps(found[event_id])  # writable as an answer
    return found[event_id]


def test_integers_beyond_64_bits_become_strings():
    normalised = Counter()
    record = dict(BASE, requestParameters={"big": 2**70, "small": 5, "negative": -(2**64)})
    event = EventBuilder(Settings()).build(record, normalised=normalised)
    pages.encode([pages.summary_of(event)])  # the summary packs: the record itself is not stored
    assert normalised == {}  # nothing the table keeps had to change
    stored = read_back(record)["requestParameters"]
    assert stored == {"big": str(2**70), "small": 5, "negative": str(-(2**64))}


def test_lone_surrogates_are_replaced():
    normalised = Counter()
    record = dict(BASE, eventName="Create\ud800Thing", requestParameters={"k\udfff": "v\ud800", "ok": "😀"})
    event = EventBuilder(Settings()).build(record, normalised=normalised)
    assert event.event_name == "Create\ufffdThing"
    pages.encode([pages.summary_of(event)])
    assert normalised == {"lone-surrogate": 1}  # the summary's eventName was mended
    shown_record = read_back(record, event.event_id)
    assert shown_record["requestParameters"] == {"k\ufffd": "v\ufffd", "ok": "😀"}
    assert shown_record["eventName"] == "Create\ufffdThing"


def test_nesting_orjson_cannot_write_is_cut_with_a_marker():
    normalised = Counter()
    record = dict(BASE, requestParameters=_nested(400))
    event = EventBuilder(Settings()).build(record, normalised=normalised)
    pages.encode([pages.summary_of(event)])
    assert normalised == {}
    text = orjson.dumps(read_back(record)).decode()
    assert '"omitted":true' in text and "bottom" not in text


def test_a_record_without_event_id_orjson_cannot_write_reads_back_under_the_id_ingest_gave_it():
    record = {k: v for k, v in BASE.items() if k != "eventID"}
    record["requestParameters"] = {"big": 2**80, "password": "hunter2"}
    shown_record = read_back(record)
    assert shown_record["requestParameters"] == {"big": str(2**80), "password": "<redacted>"}


def test_an_unwritable_record_without_event_id_gets_a_stable_one():
    record = {k: v for k, v in BASE.items() if k != "eventID"}
    record["requestParameters"] = {"big": 2**80}
    assert build(dict(record)).event_id == build(dict(record)).event_id


def test_sensitive_reads_are_kept_although_their_prefix_is_noise():
    secret = {"eventName": "GetSecretValue", "eventSource": "secretsmanager.amazonaws.com", "eventTime": "2025-03-06T03:00:00Z"}
    assert build(secret).event_name == "GetSecretValue"
    plain = {"eventName": "GetParameter", "eventSource": "ssm.amazonaws.com", "eventTime": "2025-03-06T03:00:00Z",
             "requestParameters": {"name": "/app/db", "withDecryption": False}}
    with pytest.raises(RecordRejected, match="noise-name"):
        build(plain)
    assert build({**plain, "requestParameters": {"name": "/app/db", "withDecryption": True}}).event_name == "GetParameter"
    with pytest.raises(RecordRejected, match="noise-name"):
        build(secret, keep_events=())


def test_a_keep_list_entry_that_does_not_parse_fails_the_settings():
    with pytest.raises(ConfigurationError, match="KEEP_EVENTS"):
        Settings.from_env({"KEEP_EVENTS": "GetSecretValue"})


@pytest.mark.parametrize("entry", ["GetSecretValue", "ssm:GetParameter()", "secretsmanager:getsecretvalue",
                                   "ssm:GetParameter(withDecryption", ":GetSecretValue"])
def test_keep_list_entries_that_would_keep_nothing_or_everything_are_refused(entry):
    with pytest.raises(ConfigurationError, match="KEEP_EVENTS"):
        Settings.from_env({"KEEP_EVENTS": entry})


def test_a_keep_list_entry_may_name_the_event_source():
    secret = {"eventName": "GetSecretValue", "eventSource": "secretsmanager.amazonaws.com", "eventTime": "2025-03-06T03:00:00Z"}
    assert build(secret, keep_events=("secretsmanager.amazonaws.com:GetSecretValue",)).event_name == "GetSecretValue"
