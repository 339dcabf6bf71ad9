"""Console sessions through the real path: a generated day for two people (S3 -> SQS -> ingest handler ->
DynamoDB on in-process moto), then ``/users/{user}/console-sessions`` from the query handler.

The records follow the shapes the CloudTrail User Guide documents: ConsoleLogin ("AWS console sign-in
events": responseElements.ConsoleLogin, additionalEventData.MFAUsed) and calls made in the console by an
IAM user (userIdentity.sessionContext.attributes.creationDate, sessionCredentialFromConsole)."""

from __future__ import annotations

import gzip
import json
import uuid

import pytest

from tests.integration.query.conftest import stack_with_logs

ACCOUNT, REGION = "111122223333", "us-east-1"
DAY = {"from": "2025-03-06", "to": "2025-03-06"}
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0"


def _user(name: str, session_start: str | None = None) -> dict:
    who = {"type": "IAMUser", "principalId": "AIDA" + name.upper(), "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
           "accountId": ACCOUNT, "userName": name}
    if session_start:  # console calls run on the sign-in's session credentials
        who["accessKeyId"] = "ASIA" + name.upper() + "EXAMPLE"
        who["sessionContext"] = {"sessionIssuer": {}, "webIdFederationData": {},
                                 "attributes": {"creationDate": session_start, "mfaAuthenticated": "true"}}
    return who


def sign_in(name: str, at: str, outcome: str = "Success", mfa: str = "Yes") -> dict:
    record = {"eventVersion": "1.08", "userIdentity": _user(name), "eventTime": at, "eventSource": "signin.amazonaws.com",
              "eventName": "ConsoleLogin", "awsRegion": REGION, "sourceIPAddress": "198.51.100.7", "userAgent": BROWSER,
              "requestParameters": None, "responseElements": {"ConsoleLogin": outcome},
              "additionalEventData": {"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No",
                                      "MFAUsed": mfa},
              "eventID": str(uuid.uuid4()), "readOnly": False, "eventType": "AwsConsoleSignIn", "managementEvent": True,
              "recipientAccountId": ACCOUNT, "eventCategory": "Management"}
    if outcome == "Failure":
        record["errorMessage"] = "Failed authentication"
    return record


def call(name: str, at: str, event_name: str, source: str, session_start: str | None, **request) -> dict:
    """A write call: from the console when ``session_start`` is given, else from the AWS CLI with access keys."""
    record = {"eventVersion": "1.08", "userIdentity": _user(name, session_start), "eventTime": at, "eventSource": source,
              "eventName": event_name, "awsRegion": REGION, "sourceIPAddress": "198.51.100.7",
              "userAgent": BROWSER if session_start else "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64",
              "requestParameters": request, "responseElements": None, "eventID": str(uuid.uuid4()), "readOnly": False,
              "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": ACCOUNT, "eventCategory": "Management"}
    if session_start:
        record["sessionCredentialFromConsole"] = "true"
    return record


def _key(stamp: str, suffix: str) -> str:
    return (f"AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/{stamp[:4]}/{stamp[4:6]}/{stamp[6:8]}/"
            f"{ACCOUNT}_CloudTrail_{REGION}_{stamp}_{suffix}.json.gz")


@pytest.fixture(scope="module")  # one stack for the file: ingest once, ask many times
def day():
    """The generated day ingested on moto; (api, records by role)."""
    first = sign_in("alice", "2025-03-06T09:00:00Z")
    changes = [call("alice", "2025-03-06T09:05:00Z", "CreateBucket", "s3.amazonaws.com", "2025-03-06T08:59:30Z", bucketName="notes-1"),
               call("alice", "2025-03-06T09:07:00Z", "PutBucketVersioning", "s3.amazonaws.com", "2025-03-06T08:59:30Z",
                    bucketName="notes-1"),
               call("alice", "2025-03-06T09:20:00Z", "CreateSecurityGroup", "ec2.amazonaws.com", "2025-03-06T08:59:30Z",
                    groupName="web", groupDescription="web")]
    cli = call("alice", "2025-03-06T10:00:00Z", "CreateBucket", "s3.amazonaws.com", None, bucketName="scripted")
    second = sign_in("alice", "2025-03-06T13:00:00Z", mfa="No")
    later = call("alice", "2025-03-06T13:10:00Z", "DeleteBucket", "s3.amazonaws.com", "2025-03-06T13:00:01Z", bucketName="notes-1")
    bob_failed = sign_in("bob", "2025-03-06T11:00:00Z", outcome="Failure", mfa="No")
    bob = sign_in("bob", "2025-03-06T11:01:00Z")
    bob_change = call("bob", "2025-03-06T11:02:00Z", "CreateBucket", "s3.amazonaws.com", "2025-03-06T11:01:00Z", bucketName="bobs")
    morning = [first, *changes, cli, bob_failed, bob, bob_change]
    logs = [(_key("20250306T0900Z", "MORNING000000000"), gzip.compress(json.dumps({"Records": morning}).encode())),
            (_key("20250306T1300Z", "AFTERNOON0000000"), gzip.compress(json.dumps({"Records": [second, later]}).encode()))]
    with stack_with_logs(logs) as (api, _):
        yield api, {"first": first, "changes": changes, "cli": cli, "second": second, "later": later,
                    "bob_failed": bob_failed, "bob": bob, "bob_change": bob_change}


def _sign_in_of(record: dict) -> dict:
    return {"eventTime": record["eventTime"], "eventID": record["eventID"], "outcome": record["responseElements"]["ConsoleLogin"],
            "mfa": record["additionalEventData"]["MFAUsed"], "sourceIP": record["sourceIPAddress"], "region": record["awsRegion"]}


def _change_of(record: dict) -> dict:
    return {"eventTime": record["eventTime"], "eventID": record["eventID"], "eventName": record["eventName"],
            "service": record["eventSource"].split(".")[0], "region": record["awsRegion"], "resources": []}


def _session(sign_in_record: dict, changes: list[dict]) -> dict:
    return {"signIn": _sign_in_of(sign_in_record), "sessionStart": sign_in_record["eventTime"], "startedBeforeRange": False,
            "changes": [_change_of(c) for c in changes], "changeCount": len(changes), "truncated": False}


def test_each_sign_in_lists_the_console_changes_of_its_session(day):
    api, r = day
    body = api.ok("/users/alice/console-sessions", DAY)
    assert body["user"] == "alice" and body["from"] == "2025-03-06T00:00:00Z" and body["to"] == "2025-03-06T23:59:59Z"
    assert body["truncated"] is False and body["partial"] is False
    assert body["sessions"] == [_session(r["second"], [r["later"]]), _session(r["first"], r["changes"])]
    listed = {c["eventID"] for s in body["sessions"] for c in s["changes"]}
    assert r["cli"]["eventID"] not in listed
    # the CLI change is stored all the same, and the event list's rows have their usual fields only
    rows = api.walk("/users/alice", DAY)
    assert r["cli"]["eventID"] in {row["eventID"] for row in rows}
    assert all("console" not in row for row in rows)


def test_a_failed_sign_in_is_a_session_without_changes(day):
    api, r = day
    body = api.ok("/users/bob/console-sessions", DAY)
    assert body["sessions"] == [_session(r["bob"], [r["bob_change"]]), _session(r["bob_failed"], [])]


def test_a_window_after_the_sign_in_groups_its_changes_under_started_before(day):
    api, r = day
    body = api.ok("/users/alice/console-sessions", {"from": "2025-03-06T09:06:00Z", "to": "2025-03-06T12:00:00Z"})
    assert body["sessions"] == [{"signIn": None, "sessionStart": "2025-03-06T08:59:30Z", "startedBeforeRange": True,
                                 "changes": [_change_of(c) for c in r["changes"][1:]], "changeCount": 2, "truncated": False}]
    assert api.ok("/users/alice/console-sessions", {"from": "2025-03-07", "to": "2025-03-08"})["sessions"] == []


def test_only_the_person_themselves_or_an_admin_may_ask(day):
    api, _ = day
    admin = api.ok("/users/alice/console-sessions", DAY)
    assert api.ok("/users/alice/console-sessions", DAY, as_user="alice") == admin
    status, body = api.get("/users/alice/console-sessions", DAY, as_user="bob")
    assert status == 403 and body["error"], body
    status, body = api.get("/users/nobody/console-sessions", DAY)
    assert status == 404 and body["parameter"] == "user", body
    status, body = api.get("/users/alice/console-sessions", {**DAY, "limit": "5"})
    assert status == 400 and body["parameter"] == "limit", body
    status, body = api.get("/users/alice/console-sessions", {"from": "2025-03-07", "to": "2025-03-06"})
    assert status == 400 and body["parameter"], body  # from after to, as every window
    # a long window (the actor page may ask for years) answers, bounded by the read budget
    assert api.ok("/users/alice/console-sessions", {"from": "2015-01-01", "to": "2025-12-31"})["sessions"] == admin["sessions"]
