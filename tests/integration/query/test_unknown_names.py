"""Finding things (issue 11): the obvious forms of a name find its events (a case variant, a
service's eventSource), and an unknown actor, service, event name, error code or account is a 404
naming the closest known names, never other people's names to a non-admin.

The samples hold ``Alice``; one extra file adds an IAM user ``alice``, so ``ALICE`` is ambiguous."""

from __future__ import annotations

import gzip
import json

import pytest

from cloudtrail_tracker import clients
from cloudtrail_tracker.dal import keys

ALL_TIME = {"from": "2010-01-01", "to": "2030-12-31"}
RECENT = {"from": "2024-01-01", "to": "2025-12-31"}  # lists that read every day's events: fewer days, a faster test
LEROY = "SampleRole:leroy.jenkins@111122223333"
EXTRA_KEY = "AWSLogs/444455556666/CloudTrail/us-east-1/2025/02/03/444455556666_CloudTrail_us-east-1_extra.json.gz"


def _record(n: int, user: str) -> dict:
    return {"eventVersion": "1.08", "eventTime": f"2025-02-03T10:0{n}:00Z", "eventSource": "s3.amazonaws.com",
            "eventName": "CreateBucket", "requestParameters": {"bucketName": f"b{n}"}, "awsRegion": "us-east-1",
            "sourceIPAddress": "203.0.113.9",
            "userIdentity": {"type": "IAMUser", "userName": user, "accountId": "444455556666",
                             "arn": f"arn:aws:iam::444455556666:user/{user}", "principalId": f"AIDA{n}"},
            "eventID": f"extra-{user}-{n}", "readOnly": True, "eventType": "AwsApiCall", "recipientAccountId": "444455556666"}


@pytest.fixture(scope="module")
def lower_alice(sample_stack):
    """An IAM user ``alice`` next to the samples' ``Alice``, ingested the real way."""
    import boto3

    import ingest.handler
    from cloudtrail_tracker.local.driver import drain_queue

    session = boto3.session.Session(region_name="us-east-1")
    s3, sqs = session.client("s3"), session.client("sqs")
    bucket = next(b["Name"] for b in s3.list_buckets()["Buckets"] if "-trail-" in b["Name"])
    body = gzip.compress(json.dumps({"Records": [_record(n, "alice") for n in range(2)]}).encode())
    s3.put_object(Bucket=bucket, Key=EXTRA_KEY, Body=body)
    url = sqs.get_queue_url(QueueName="cloudtrail-tracker-ingest")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    clients.reset()
    drain_queue(sqs, url, arn, "us-east-1", ingest.handler.lambda_handler)
    clients.reset()
    return "alice"


def _ids(rows: list[dict]) -> list[str]:
    return [row["eventID"] for row in rows]


def _not_found(api, path: str, params: dict, parameter: str, **kwargs) -> dict:
    status, body = api.get(path, {**ALL_TIME, **params}, **kwargs)
    assert status == 404, (path, params, body)
    assert body["parameter"] == parameter and body["error"] and body["hint"], body
    return body


# ---- the five 404s, each naming the closest known names
@pytest.mark.parametrize("path, params, parameter, closest", [
    ("/users/SampleRole:leroy.jenkin@111122223333", {}, "user", LEROY),
    ("/users/jenkins", {}, "user", LEROY),  # a part of the name finds it too
    ("/services/ec3", {}, "service", "ec2"),
    ("/services/ec3.amazonaws.com", {}, "service", "ec2"),
    ("/scan", {"eventName": "RunInstance"}, "eventName", "RunInstances"),
    ("/services/ec2", {"eventName": "RunInstancez"}, "eventName", "RunInstances"),
    ("/scan", {"errorCode": "AccesDenied"}, "errorCode", "AccessDenied"),
    ("/errors", {"errorCode": "AccesDenied"}, "errorCode", "AccessDenied"),
    ("/errors", {"user": "Alise"}, "user", "Alice"),
    ("/accounts/12345678901", RECENT, "account", "123456789012"),  # the oldest samples name no account
])
def test_an_unknown_name_is_a_404_naming_the_closest(api, path, params, parameter, closest):
    body = _not_found(api, path, params, parameter)
    assert body["hint"].startswith("closest: ") and closest in body["hint"].split("closest: ", 1)[1].split(" (")[0].split(", ")
    assert len(body["hint"].split(" (")[0].split(", ")) <= 5
    assert api.get(path, {**ALL_TIME, **params, "count": "true"})[0] == 404  # a count too


def test_a_window_older_than_the_name_registries_takes_a_name_as_given(api, sample_stack):
    """An upgraded table: its EVENT-NAME registry starts at the upgrade, its history is older."""
    client, table = sample_stack
    items = client.query(TableName=table, KeyConditionExpression="pk = :p",
                         ExpressionAttributeValues={":p": {"S": keys.EVENT_NAME_REGISTRY}})["Items"]
    saved = {item["sk"]["S"]: item.get("firstSeen") for item in items}
    for item in items:  # as if registered from 2025-06-01 on
        client.update_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]},
                           UpdateExpression="SET firstSeen = :d", ExpressionAttributeValues={":d": {"S": "2025-06-01"}})
    try:
        assert api.get("/scan", {**RECENT, "eventName": "RunInstance", "count": "true"}) == (200, {"count": 0, "next": None})
        _not_found(api, "/scan", {"from": "2025-07-01", "to": "2025-12-31", "eventName": "RunInstance"}, "eventName")
    finally:
        for item in items:
            first = saved[item["sk"]["S"]]
            client.update_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]},
                               UpdateExpression="SET firstSeen = :d", ExpressionAttributeValues={":d": first})


# ---- the obvious forms find the name's events
def test_a_case_variant_of_an_actor_answers_the_actors_events(api, stored_events):
    mine = [e["eventID"] for e in stored_events if e["actor"] == LEROY]
    assert mine
    exact = api.walk(f"/users/{LEROY}", ALL_TIME)
    for variant in (LEROY.upper(), LEROY.lower(), "sampleRole:Leroy.Jenkins@111122223333"):
        rows = api.walk(f"/users/{variant}", ALL_TIME)
        assert _ids(rows) == _ids(exact) and sorted(_ids(rows)) == sorted(mine), variant
        assert {row["actor"] for row in rows} == {LEROY}
    assert _ids(api.walk("/errors", {**ALL_TIME, "user": LEROY.upper()})) == _ids(api.walk("/errors", {**ALL_TIME, "user": LEROY}))


def _recent(event: dict) -> bool:
    return RECENT["from"] <= event["eventTime"][:10] <= RECENT["to"]


def test_a_services_event_source_is_the_service(api, stored_events):
    ec2 = api.walk("/services/ec2", RECENT)
    assert ec2 and len(ec2) == sum(e["eventSource"] == "ec2.amazonaws.com" and _recent(e) for e in stored_events)
    assert _ids(api.walk("/services/ec2.amazonaws.com", RECENT)) == _ids(ec2)
    for variant in ("EC2", "EC2.amazonaws.com"):
        assert api.ok(f"/services/{variant}", {**RECENT, "count": "true"})["count"] == len(ec2), variant
    # the eventSource /services rows carry
    for row in api.ok("/services", {"limit": 2})["items"]:
        counts = [api.ok(f"/services/{name}", {**RECENT, "count": "true"}) for name in (row["eventSource"], row["name"])]
        assert counts[0] == counts[1], row


@pytest.mark.parametrize("path, parameter, given, stored", [
    ("/scan", "eventName", "runinstances", "RunInstances"),
    ("/services/ec2", "eventName", "RUNINSTANCES", "RunInstances"),
    ("/scan", "errorCode", "accessdenied", "AccessDenied"),
    ("/errors", "errorCode", "accessdenied", "AccessDenied"),
    ("/services/s3", "errorCode", "ACCESSDENIED", "AccessDenied"),
])
def test_lower_case_event_names_and_error_codes_work(api, stored_events, path, parameter, given, stored):
    exact = api.walk(path, {**RECENT, parameter: stored})
    field = "eventName" if parameter == "eventName" else "errorCode"
    assert {row[field] for row in exact} <= {stored}
    assert _ids(api.walk(path, {**RECENT, parameter: given})) == _ids(exact)
    if path in ("/scan", "/errors"):
        assert len(exact) == sum(e[field] == stored and _recent(e) for e in stored_events) > 0


def test_names_differing_only_in_case_take_the_exact_one_else_a_404_naming_both(api, lower_alice):
    upper = api.walk("/users/Alice", ALL_TIME)
    lower = api.walk("/users/alice", ALL_TIME)
    assert {row["actor"] for row in upper} == {"Alice"} and {row["actor"] for row in lower} == {"alice"}
    body = _not_found(api, "/users/ALICE", {}, "user")
    assert "Alice" in body["hint"] and "alice" in body["hint"] and "only in case" in body["hint"]
    _not_found(api, "/errors", {"user": "aLiCe"}, "user")


# ---- tenancy: a non-admin is told no other actor's (or account's) name
def test_a_non_admin_gets_their_own_actor_in_any_case_and_no_other_names(api, lower_alice):
    tenant = LEROY
    own = api.walk(f"/users/{tenant}", ALL_TIME, as_user=tenant)
    assert own and _ids(api.walk(f"/users/{tenant.upper()}", ALL_TIME, as_user=tenant)) == _ids(own)
    forbidden = api.get("/users/Alice", ALL_TIME, as_user=tenant)
    assert forbidden == (403, {"error": f"you may only see the events of {tenant!r}",
                               "hint": f"ask an admin, or query user={tenant}", "parameter": "user"})
    # a typo of another actor, or of nobody, answers exactly as another actor does: no 404 listing names
    for other in ("Alise", "ALICE", "SampleRole:bobson.dugnut@111122223333", "nobody-at-all"):
        assert api.get(f"/users/{other}", ALL_TIME, as_user=tenant) == forbidden, other
        assert api.get("/errors", {**ALL_TIME, "user": other}, as_user=tenant)[0] == 403
    # nor what anyone else did: a non-admin's services, event names, error codes and accounts are taken
    # as given (an empty answer), never a 404 saying whether anyone used them, nor a hint listing them
    for path, params in (("/accounts/12345678901", {}), ("/scan", {"eventName": "RunInstance"}),
                         ("/scan", {"eventName": "a"}), ("/services/guardduty", {}), ("/errors", {"errorCode": "Nope"})):
        status, body = api.get(path, {**ALL_TIME, **params, "count": "true"}, as_user=tenant)
        assert (status, body["count"]) == (200, 0), (path, params, body)
    # their own names still work in any spelling the API itself uses
    assert api.ok("/services/ec2.amazonaws.com", ALL_TIME, as_user=tenant) == api.ok("/services/ec2", ALL_TIME, as_user=tenant)


# ---- what the lookups cost: a GetItem for an exact name, one registry Query more for anything else
def test_an_exact_name_costs_one_getitem_and_a_variant_one_query_more(api):
    calls: list[str] = []

    def seen(params, model, **_):
        if model.name in ("GetItem", "Query"):
            body = json.loads(params["body"])
            partition = body.get("Key", {}).get("pk", {}).get("S") or body.get("ExpressionAttributeValues", {}).get(":p", {}).get("S")
            calls.append(f"{model.name} {partition}")

    events = clients.client("dynamodb").meta.events
    events.register("before-call.dynamodb", seen, unique_id="test-lookups")
    try:
        api.ok(f"/users/{LEROY}", ALL_TIME)
        exact = list(calls)
        calls.clear()
        api.ok(f"/users/{LEROY.upper()}", ALL_TIME)
        variant = list(calls)
    finally:
        events.unregister("before-call.dynamodb", unique_id="test-lookups")
    registry = [call for call in exact if call.split(" ", 1)[1] in keys.NAME_REGISTRIES.values()]
    assert registry == [f"GetItem {keys.ACTOR_REGISTRY}"]
    assert [call for call in variant if call.split(" ", 1)[1] in keys.NAME_REGISTRIES.values()] == [
        f"GetItem {keys.ACTOR_REGISTRY}", f"Query {keys.ACTOR_REGISTRY}"]


# ---- old tables: no EVENT-NAME / ACCOUNT registry yet (nothing ingested since): no 404, as before
def test_without_the_new_registries_event_names_and_accounts_are_taken_as_given(api, sample_stack):
    client, table = sample_stack
    removed = []
    for kind in (keys.EVENT_NAME_REGISTRY, keys.ACCOUNT_REGISTRY):
        items = client.query(TableName=table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": kind}})["Items"]
        assert items
        for item in items:
            client.delete_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]})
        removed += items
    try:
        assert api.ok("/scan", {**RECENT, "eventName": "NoSuchCall", "count": "true"})["count"] == 0
        assert api.ok("/accounts/000000000000", {**RECENT, "count": "true"})["count"] == 0
        assert api.ok("/scan", {**RECENT, "eventName": "RunInstances", "count": "true"})["count"] > 0
    finally:
        for item in removed:
            client.put_item(TableName=table, Item=item)
