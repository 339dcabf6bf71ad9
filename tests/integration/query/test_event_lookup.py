"""``/events/{id}``: found by its id and time from the day's pages (the default: no locator item per event),
or by its id alone with EVENT_ID_LOOKUP (one locator per event), through the real ingest and query handlers
on in-process moto."""

from __future__ import annotations

import uuid

import pytest

from cloudtrail_tracker import settings
from tests.integration.ingest.trail_files import log_body, log_key
from tests.integration.query.conftest import stack_with_logs

ACCOUNT, REGION = "111122223333", "eu-west-1"


def _record(name: str, at: str, event_name: str = "CreateBucket") -> dict:
    return {"eventVersion": "1.08", "eventTime": at, "eventSource": "s3.amazonaws.com", "eventName": event_name,
            "userIdentity": {"type": "IAMUser", "principalId": "AIDA" + name.upper(), "accountId": ACCOUNT,
                             "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}", "userName": name},
            "awsRegion": REGION, "sourceIPAddress": "198.51.100.7", "userAgent": "aws-cli/2.15.0",
            "requestParameters": {"bucketName": f"{name}-{event_name.lower()}"}, "responseElements": None,
            "eventID": str(uuid.uuid4()), "readOnly": False, "eventType": "AwsApiCall", "managementEvent": True,
            "recipientAccountId": ACCOUNT, "eventCategory": "Management"}


# two files, one day; the same second twice (two events a page apart must not be mixed up)
RECORDS = [[_record("alice", f"2025-05-07T09:{minute:02d}:{second:02d}Z") for minute in range(0, 50, 7) for second in (5, 5, 40)],
           [_record("bob", f"2025-05-07T{hour:02d}:30:05Z", "PutBucketPolicy") for hour in (9, 13, 23)]
           + [_record("bob", "2025-05-07T23:59:50Z", "DeleteBucket"), _record("bob", "2025-05-08T00:00:10Z", "CreateBucket")]]


@pytest.fixture
def stack(request):
    """A stack ingesting RECORDS with EVENT_ID_LOOKUP as ``request.param`` (default off); yields (api, aws)."""
    logs = [(log_key("20250507T0950Z", f"LOOKUP{number:010d}", ACCOUNT, REGION), log_body(records))
            for number, records in enumerate(RECORDS)]
    with stack_with_logs(logs, {"EVENT_ID_LOOKUP": getattr(request, "param", "")}) as (api, aws):
        yield api, aws


def _all() -> list[dict]:
    return [record for records in RECORDS for record in records]


def test_every_event_is_found_by_its_id_and_time_without_a_locator(stack):
    api, aws = stack
    assert aws.items("E#") == []  # no item per event
    for record in _all():
        body = api.ok(f"/events/{record['eventID']}", {"at": record["eventTime"]})
        assert body["record"]["eventID"] == record["eventID"] and body["record"]["eventTime"] == record["eventTime"]
        assert body["event"]["actor"] == record["userIdentity"]["userName"]
    late = RECORDS[1][2]  # 23:30:05: half a minute off still finds it
    assert api.ok(f"/events/{late['eventID']}", {"at": "2025-05-07T23:30:00Z"})["record"]["eventID"] == late["eventID"]
    offset = api.ok(f"/events/{late['eventID']}", {"at": "2025-05-08T01:30:05+02:00"})  # the same instant, another zone
    assert offset["record"]["eventID"] == late["eventID"]
    before, after = RECORDS[1][-2:]  # ten seconds either side of a midnight, each found from the other side's time
    assert api.ok(f"/events/{before['eventID']}", {"at": after["eventTime"]})["record"]["eventID"] == before["eventID"]
    assert api.ok(f"/events/{after['eventID']}", {"at": before["eventTime"]})["record"]["eventID"] == after["eventID"]


def test_another_actors_event_is_a_404_by_time_and_the_same_400_as_a_missing_one_by_id(stack):
    api, _ = stack
    alices = RECORDS[0][0]
    assert api.ok(f"/events/{alices['eventID']}", {"at": alices["eventTime"]}, as_user="alice")["event"]["actor"] == "alice"
    status, error = api.get(f"/events/{alices['eventID']}", {"at": alices["eventTime"]}, as_user="bob")
    assert status == 404 and error["parameter"] == "eventID"
    assert api.get(f"/events/{alices['eventID']}", as_user="bob")[0] == 400


def test_an_id_alone_or_a_bad_time_says_what_to_add(stack):
    api, _ = stack
    record = RECORDS[0][4]
    status, error = api.get(f"/events/{record['eventID']}")
    assert status == 400 and error["parameter"] == "at" and "EventIdLookup" in error["hint"]
    for bad in ("2025-05-07", "yesterday", "2025-13-07T09:00:00Z"):
        status, error = api.get(f"/events/{record['eventID']}", {"at": bad})
        assert status == 400 and error["parameter"] == "at", bad
    status, error = api.get(f"/events/{record['eventID']}", {"at": "2025-05-07T11:00:00Z"})  # another time
    assert status == 404 and error["parameter"] == "eventID"
    status, _ = api.get(f"/events/{uuid.uuid4()}", {"at": record["eventTime"]})
    assert status == 404
    status, error = api.get(f"/events/{record['eventID']}", {"at": record["eventTime"], "time": "x"})
    assert status == 400  # an unknown name is refused, not ignored


@pytest.mark.parametrize("stack", ["true"], indirect=True)
def test_with_event_id_lookup_an_id_alone_finds_the_event(stack):
    api, aws = stack
    assert len(aws.items("E#")) == len(_all())  # one locator per event
    for record in _all():
        assert api.ok(f"/events/{record['eventID']}")["record"]["eventID"] == record["eventID"]
        assert api.ok(f"/events/{record['eventID']}", {"at": record["eventTime"]})["record"]["eventID"] == record["eventID"]
    status, error = api.get(f"/events/{uuid.uuid4()}")
    assert status == 404 and error["parameter"] == "eventID"
    alices = RECORDS[0][0]  # by id, another actor's is the same 404 as a missing one
    assert api.get(f"/events/{alices['eventID']}", as_user="bob")[0] == 404
    assert api.get(f"/events/{alices['eventID']}", {"at": alices["eventTime"]}, as_user="bob")[0] == 404


@pytest.mark.parametrize("stack", ["true"], indirect=True)
def test_locators_written_before_the_lookup_was_switched_off_still_answer(stack, monkeypatch):
    api, _ = stack
    monkeypatch.setenv("EVENT_ID_LOOKUP", "false")
    settings.reset()
    record = RECORDS[1][0]
    assert api.ok(f"/events/{record['eventID']}")["record"]["eventID"] == record["eventID"]
    # another actor's event that has a locator gets the same 400 as one that has none: no existence leak
    assert api.get(f"/events/{record['eventID']}", as_user="alice")[0] == api.get(f"/events/{uuid.uuid4()}", as_user="alice")[0] == 400
