"""Resources written at ingest, through the real path (S3 -> SQS -> ingest handler -> DynamoDB on moto),
then read through the query handler: out-of-order files, redelivery, failed calls, concurrency of writers."""

from __future__ import annotations

import copy
import json
import uuid

import pytest

from tests.conftest import SAMPLES
from tests.integration.ingest.trail_files import log_body, log_key
from tests.integration.query.conftest import Api

ACCOUNT, REGION = "111122223333", "us-west-2"


def _panther(event_name: str) -> dict:
    with (SAMPLES / "panther" / "panther_cloudtrail_test_logs.ndjson").open() as lines:
        for line in lines:
            record = json.loads(line)
            if record.get("eventName") == event_name and not record.get("errorCode") and record.get("responseElements"):
                return record
    raise LookupError(event_name)


def _user(name: str) -> dict:
    return {"type": "IAMUser", "principalId": "AIDA" + name.upper(), "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
            "accountId": ACCOUNT, "userName": name}


def run_instances(who: str, instance_id: str, at: str, instance_type: str = "t3.micro") -> dict:
    """The real RunInstances record of the panther samples, as ``who`` launching ``instance_id``."""
    record = copy.deepcopy(_panther("RunInstances"))
    record.update(eventID=str(uuid.uuid4()), eventTime=at, userIdentity=_user(who), recipientAccountId=ACCOUNT,
                  awsRegion=REGION, userAgent="aws-cli/2.15.0")
    record["requestParameters"]["instanceType"] = instance_type
    item = record["responseElements"]["instancesSet"]["items"][0]
    item["instanceId"], item["instanceType"] = instance_id, instance_type
    record["responseElements"]["instancesSet"]["items"] = [item]
    return record


def instance_call(event_name: str, who: str, instance_id: str, at: str, error: str = "") -> dict:
    """Stop/Start/TerminateInstances as AWS writes them (EC2 API reference's instancesSet shapes)."""
    record = {"eventVersion": "1.08", "eventID": str(uuid.uuid4()), "eventTime": at, "eventSource": "ec2.amazonaws.com",
              "eventName": event_name, "awsRegion": REGION, "sourceIPAddress": "198.51.100.7", "userAgent": "aws-cli/2.15.0",
              "userIdentity": _user(who), "recipientAccountId": ACCOUNT, "eventType": "AwsApiCall", "readOnly": False,
              "requestParameters": {"instancesSet": {"items": [{"instanceId": instance_id}]}},
              "responseElements": {"instancesSet": {"items": [{"instanceId": instance_id}]}}}
    if error:
        record.update(errorCode=error, errorMessage="You are not authorized to perform this operation.", responseElements=None)
    return record


def _key(stamp: str, suffix: str) -> str:
    return log_key(stamp, suffix, ACCOUNT, REGION)


_body = log_body


@pytest.fixture
def api(aws, monkeypatch):
    monkeypatch.setenv("AUTH_MODE", "none")
    from query.handler import lambda_handler

    return Api(lambda_handler)


def _running_ids(api) -> dict[str, dict]:
    return {row["id"]: row for row in api.ok("/running")["items"]}


def test_launch_stop_start_terminate_out_of_order_and_redelivered(aws, api):
    alice, bob = "alice", "bob"
    # Bob's instance: terminated in a file delivered BEFORE the file with its launch; Alice's: stopped then started.
    late_launch = [run_instances(bob, "i-0b0b0b0b0b0b0b0b0", "2025-03-06T10:00:00Z"),
                   run_instances(alice, "i-0a0a0a0a0a0a0a0a0", "2025-03-06T10:01:00Z", "t3.large")]
    early_end = [instance_call("TerminateInstances", bob, "i-0b0b0b0b0b0b0b0b0", "2025-03-06T12:00:00Z"),
                 instance_call("StopInstances", alice, "i-0a0a0a0a0a0a0a0a0", "2025-03-06T11:00:00Z"),
                 instance_call("StartInstances", alice, "i-0a0a0a0a0a0a0a0a0", "2025-03-06T11:30:00Z"),
                 instance_call("TerminateInstances", alice, "i-0a0a0a0a0a0a0a0a0", "2025-03-06T12:30:00Z",
                               error="Client.UnauthorizedOperation")]
    aws.put_log(_key("20250306T1205Z", "ENDS000000000000"), _body(early_end))
    aws.drain()
    aws.put_log(_key("20250306T1005Z", "LAUNCH0000000000"), _body(late_launch))
    aws.put_log(_key("20250306T1005Z", "LAUNCHCOPY000000"), _body(late_launch))  # an organization trail's copy
    aws.drain()
    aws.put_log(_key("20250306T1005Z", "LAUNCH0000000000"), _body(late_launch))  # redelivered
    aws.drain()

    running = _running_ids(api)
    assert set(running) == {"i-0a0a0a0a0a0a0a0a0"}  # bob's is terminated; alice's failed terminate changed nothing
    row = running["i-0a0a0a0a0a0a0a0a0"]
    assert row["creator"]["actor"] == alice and row["creator"]["userAgent"] == "aws-cli/2.15.0"
    assert row["attributes"]["instanceType"] == "t3.large" and row["dollarsPerHour"] > 0
    assert row["since"] == "2025-03-06T11:30:00Z"

    detail = api.ok("/resources/i-0a0a0a0a0a0a0a0a0")
    assert [(i["state"], i["start"], i["end"]) for i in detail["intervals"]] == [
        ("running", "2025-03-06T10:01:00Z", "2025-03-06T11:00:00Z"), ("stopped", "2025-03-06T11:00:00Z", "2025-03-06T11:30:00Z"),
        ("running", "2025-03-06T11:30:00Z", None)]
    changes = [e["change"] for e in detail["events"] if e["change"]]
    assert changes == ["start", "stop", "create"]  # each once, newest first, despite three deliveries
    assert any(e["eventName"] == "TerminateInstances" and e["change"] is None for e in detail["events"])  # named, changed nothing

    gone = api.ok("/resources/i-0b0b0b0b0b0b0b0b0")["resource"]
    assert gone["state"] == "deleted" and gone["deletedAt"] == "2025-03-06T12:00:00Z" and gone["deletedBy"]["actor"] == bob
    assert gone["creator"]["actor"] == bob and gone["costSoFar"] > 0
    arn = f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/i-0b0b0b0b0b0b0b0b0"
    assert api.ok(f"/resources/{arn.replace('/', '%2F')}")["resource"]["id"] == "i-0b0b0b0b0b0b0b0b0"
    assert api.get("/resources/i-nothing")[0] == 404


def test_failed_create_creates_nothing(aws, api):
    launch = run_instances("carol", "i-0c0c0c0c0c0c0c0c0", "2025-03-06T10:00:00Z")
    launch.update(errorCode="Client.UnauthorizedOperation", errorMessage="not authorized", responseElements=None)
    aws.put_log(_key("20250306T1005Z", "FAILED0000000000"), _body([launch]))
    aws.drain()
    assert _running_ids(api) == {}
    assert api.get("/resources/i-0c0c0c0c0c0c0c0c0")[0] == 404


def test_running_is_tenant_scoped(aws, monkeypatch):
    aws.put_log(_key("20250306T1005Z", "TWO0000000000000"), _body([
        run_instances("dave", "i-0d0d0d0d0d0d0d0d0", "2025-03-06T10:00:00Z"),
        run_instances("erin", "i-0e0e0e0e0e0e0e0e0", "2025-03-06T10:00:00Z")]))
    aws.drain()
    monkeypatch.setenv("AUTH_MODE", "none")
    from query.handler import lambda_handler

    api = Api(lambda_handler)
    assert set(_running_ids(api)) == {"i-0d0d0d0d0d0d0d0d0", "i-0e0e0e0e0e0e0e0e0"}
    mine = api.ok("/running", as_user="dave")
    assert [row["id"] for row in mine["items"]] == ["i-0d0d0d0d0d0d0d0d0"] and mine["total"]["running"] == 1
    assert api.get("/resources/i-0e0e0e0e0e0e0e0e0", as_user="dave")[0] == 404
    assert api.get("/running", {"actor": "erin"}, as_user="dave")[0] == 403


def test_concurrent_writers_of_one_resource_end_in_the_newest_state(aws, api):
    """Two writers fold different views of one resource; whichever finishes last, the fuller view stands."""
    from cloudtrail_tracker.dal import keys
    from cloudtrail_tracker.dal.resources import ResourceWriter, state_item_of

    launch = run_instances("frank", "i-0f0f0f0f0f0f0f0f0", "2025-03-06T10:00:00Z")
    stop = instance_call("StopInstances", "frank", "i-0f0f0f0f0f0f0f0f0", "2025-03-06T11:00:00Z")
    aws.put_log(_key("20250306T1105Z", "BOTH000000000000"), _body([launch, stop]))
    aws.drain()
    changes = [item for item in aws.dynamodb.query(
        TableName=aws.resources.table, KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": keys.resource_pk("i-0f0f0f0f0f0f0f0f0")}})["Items"] if "k" in item]
    place = keys.resource_place(ACCOUNT, REGION, "ec2-instance")
    stale = state_item_of("i-0f0f0f0f0f0f0f0f0", place, [c for c in changes if c["k"]["S"] == "create"])  # saw only the launch
    writer = ResourceWriter(aws.dynamodb, aws.resources.table, None, type("Stats", (), {"requests": 0})())
    assert not writer.put_state(stale)  # the late writer's older view is refused
    assert "i-0f0f0f0f0f0f0f0f0" not in _running_ids(api)
    assert api.ok("/resources/i-0f0f0f0f0f0f0f0f0")["resource"]["state"] == "stopped"


def test_a_reused_name_is_a_new_life_and_each_creator_pays_their_own(aws, api):
    def bucket_call(event_name: str, who: str, at: str) -> dict:
        record = instance_call(event_name, who, "", at)
        record.update(eventSource="s3.amazonaws.com", requestParameters={"bucketName": "lab-bucket", "Host": "s3.amazonaws.com"},
                      responseElements=None)
        return record

    aws.put_log(_key("20250306T1205Z", "BUCKETS000000000"), _body([
        bucket_call("CreateBucket", "hana", "2025-03-06T10:00:00Z"), bucket_call("DeleteBucket", "hana", "2025-03-06T11:00:00Z"),
        bucket_call("CreateBucket", "ivan", "2025-03-06T12:00:00Z"),
        bucket_call("CreateBucket", "ivan", "2025-03-06T12:00:00Z")]))  # the same call twice in one second: two events
    aws.drain()
    detail = api.ok("/resources/lab-bucket")
    assert detail["resource"]["creator"]["actor"] == "ivan" and detail["resource"]["state"] == "running"
    earlier = [(row["creator"]["actor"], row["state"], row["deletedBy"]["actor"]) for row in detail["earlier"]]
    assert earlier == [("hana", "deleted", "hana")]
    assert "sourceIP" not in detail["earlier"][0]["deletedBy"]  # who deleted it, not where from
    assert [row["id"] for row in api.ok("/running", {"actor": "ivan"})["items"]] == ["lab-bucket"]
    assert api.ok("/running", {"actor": "hana"})["items"] == []
    hana = api.ok("/users/hana/cost", {"from": "2025-03-06", "to": "2025-03-06"})
    assert [(row["id"], row["state"], row["hours"]) for row in hana["resources"]] == [("lab-bucket", "deleted", 1.0)]
    # hana sees her own life of the name, not ivan's
    assert api.get("/resources/lab-bucket", as_user="hana")[0] == 404


def test_hostile_places_and_ids_fit_the_key_limits(aws, api):
    from tests.stored import scan

    long_account, long_region = "9" * 250, "r#" * 120
    record = run_instances("jo", "i-" + "a" * 500, "2025-03-06T10:00:00Z")
    record.update(recipientAccountId=long_account, awsRegion=long_region, eventID="e" * 500)
    aws.put_log(_key("20250306T1005Z", "HOSTILE000000000"), _body([record]))
    aws.drain()
    assert not aws.dead_letters()
    for item in scan(aws.dynamodb, aws.resources.table):
        assert len(item["pk"].encode()) <= 2048 and len(item["sk"].encode()) <= 1024, item["pk"][:40]
        assert len(item.get("ra", "").encode()) <= 2048 and len(item.get("rk", "").encode()) <= 1024  # the Running index's keys
    assert api.ok("/running", {"actor": "jo"})["total"]["running"] == 1


def test_later_events_naming_a_resource_are_listed_on_its_page(aws, api):
    aws.put_log(_key("20250306T1005Z", "LAUNCHG000000000"), _body([run_instances("gina", "i-0909090909090909a", "2025-03-06T10:00:00Z")]))
    aws.drain()
    tags = instance_call("CreateTags", "gina", "i-0909090909090909a", "2025-03-06T10:10:00Z")
    tags["requestParameters"] = {"resourcesSet": {"items": [{"resourceId": "i-0909090909090909a"}]},
                                 "tagSet": {"items": [{"key": "Name", "value": "lab"}]}}
    tags["responseElements"] = {"_return": True}
    other = instance_call("CreateTags", "gina", "sg-0123456789abcdef0", "2025-03-06T10:11:00Z")  # not a tracked resource
    aws.put_log(_key("20250306T1015Z", "TAGS000000000000"), _body([tags, other]))
    aws.drain()
    events = api.ok("/resources/i-0909090909090909a")["events"]
    assert [(e["eventName"], e["change"]) for e in events] == [("CreateTags", None), ("RunInstances", "create")]
    assert not aws.items("R#sg-")  # ids of resources the table does not track cost no item
