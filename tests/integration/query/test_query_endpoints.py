"""Every endpoint and parameter form against the samples ingested through the real ingest path."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

ALL_TIME = {"from": "2010-01-01", "to": "2030-12-31"}
ROW_FIELDS = {"eventID", "eventName", "eventSource", "eventTime", "userIdentity_userName", "actor", "actorType", "role",
              "account", "region", "sourceIPAddress", "errorCode", "readOnly", "resources"}


def ids(rows):
    return [row["eventID"] for row in rows]


def newest_first(events):
    return [e["eventID"] for e in sorted(events, key=lambda e: (e["eventTime"], e["eventID"]), reverse=True)]


def test_scan_returns_every_event_of_the_window_newest_first(api, stored_events):
    rows = api.walk("/scan", {**ALL_TIME, "limit": 1000})
    assert ids(rows) == newest_first(stored_events)
    assert set(rows[0]) == ROW_FIELDS
    assert all(row["userIdentity_userName"] == row["actor"] for row in rows)


def test_scan_window_forms(api, stored_events):
    in_2024 = [e for e in stored_events if e["eventTime"].startswith("2024")]
    assert ids(api.walk("/scan", {"from": "2024-01-01", "to": "2024-12-31"})) == newest_first(in_2024)
    # the seed README's to-the-second form without Z, and with an offset
    jan15 = [e for e in stored_events if "2024-01-15T09:00:00Z" <= e["eventTime"] <= "2024-01-15T17:00:00Z"]
    assert ids(api.walk("/scan", {"from": "2024-01-15T09:00:00", "to": "2024-01-15T17:00:00"})) == newest_first(jan15)
    assert ids(api.walk("/scan", {"from": "2024-01-15T11:00:00+02:00", "to": "2024-01-15T17:00:00Z"})) == newest_first(jan15)
    assert api.ok("/scan")["items"] == []  # default window: the last 7 days; the samples are older


def test_count_is_the_number_of_rows(api, stored_events):
    assert api.ok("/scan", {**ALL_TIME, "count": "true"}) == {"count": len(stored_events), "next": None}
    s3 = [e for e in stored_events if e["eventSource"] == "s3.amazonaws.com"]
    assert api.ok("/services/s3", {**ALL_TIME, "count": "true"})["count"] == len(s3)
    recent = {"from": "2024-01-01", "to": "2025-12-31", "params": "bucketName", "value": "my-source-bucket"}
    assert api.ok("/scan", {**recent, "count": "true"})["count"] == len(api.walk("/scan", recent)) > 0


def test_users_lists_every_resolved_actor(api, stored_events):
    body = api.ok("/users")
    assert {row["name"] for row in body["items"]} == {e["actor"] for e in stored_events}
    assert set(body["items"][0]) == {"name", "type", "role", "account", "lastSeen"}
    types = {row["type"] for row in body["items"]}
    assert {"IAMUser", "AssumedRole", "Root", "AWSService"} <= types  # not only IAM users


def test_user_events_with_event_name_and_attribute_filters(api, stored_events):
    actor = Counter(e["actor"] for e in stored_events).most_common(1)[0][0]
    mine = [e for e in stored_events if e["actor"] == actor]
    assert ids(api.walk(f"/users/{actor}", ALL_TIME)) == newest_first(mine)
    name = mine[0]["eventName"]
    assert ids(api.walk(f"/users/{actor}", {**ALL_TIME, "eventName": name})) == newest_first(
        [e for e in mine if e["eventName"] == name])


def _run_instances(stored_events, sample_records_by_id):
    """(stored event, its instanceType) of every stored RunInstances, the type read from the sample file's record."""
    found = []
    for e in stored_events:
        record = sample_records_by_id[e["eventID"]]
        instance_type = (record.get("requestParameters") or {}).get("instanceType")
        if e["eventName"] == "RunInstances" and instance_type:
            found.append((e, instance_type))
    assert found, "the samples have RunInstances with an instanceType"
    return found


@pytest.mark.parametrize("spelling", [
    {"params": "['instanceType','eventSource']", "value": "['{t}','ec2.amazonaws.com']"},
    {"param": "instanceType,eventSource", "values": "{t},ec2.amazonaws.com"},
    {"params": "requestParameters_instanceType", "value": "{t}"},
])
def test_attribute_filters_every_spelling(api, stored_events, sample_records_by_id, spelling):
    run_instances = _run_instances(stored_events, sample_records_by_id)
    event, instance_type = run_instances[0]
    expected = newest_first([e for e, t in run_instances if t == instance_type])
    params = {k: v.format(t=instance_type) for k, v in spelling.items()}
    assert ids(api.walk(f"/users/{event['actor']}", {**ALL_TIME, "eventName": "RunInstances", **params})) == [
        i for i in expected if i in {e["eventID"] for e in stored_events if e["actor"] == event["actor"]}]
    assert ids(api.walk("/scan", {**ALL_TIME, "eventName": "RunInstances", **params})) == expected
    assert api.ok("/services/ec2", {**ALL_TIME, **{k: v.format(t="no-such-type") for k, v in spelling.items()}})["items"] == []


def test_services_and_service_events(api, stored_events):
    services = api.ok("/services")["items"]
    assert {"name": "ec2", "eventSource": "ec2.amazonaws.com"}.items() <= next(s for s in services if s["name"] == "ec2").items()
    assert {s["name"] for s in services} == {e["eventSource"].split(".")[0] for e in stored_events}
    ec2 = [e for e in stored_events if e["eventSource"] == "ec2.amazonaws.com"]
    assert ids(api.walk("/services/ec2", ALL_TIME)) == newest_first(ec2)
    assert ids(api.walk("/services/ec2", {**ALL_TIME, "eventName": "RunInstances"})) == newest_first(
        [e for e in ec2 if e["eventName"] == "RunInstances"])


def test_account_events(api, stored_events):
    account = Counter(e.get("account") for e in stored_events if e.get("account")).most_common(1)[0][0]
    assert ids(api.walk(f"/accounts/{account}", ALL_TIME)) == newest_first([e for e in stored_events if e.get("account") == account])


def test_errors_of_one_code_all_codes_and_one_user(api, stored_events):
    failed = [e for e in stored_events if e.get("errorCode")]
    denied = [e for e in failed if e["errorCode"] == "AccessDenied"]
    assert ids(api.walk("/errors", {**ALL_TIME, "errorCode": "AccessDenied"})) == newest_first(denied)
    # every code: the codes are looked up once (a read of day totals per month), then carried in the cursor
    since_2019 = {"from": "2019-01-01", "to": "2025-12-31"}
    assert sorted(ids(api.walk("/errors", {**since_2019, "limit": 3}))) == sorted(
        e["eventID"] for e in failed if e["eventTime"] >= "2019")
    user = denied[0]["actor"]
    assert ids(api.walk("/errors", {**ALL_TIME, "errorCode": "AccessDenied", "user": user})) == newest_first(
        [e for e in denied if e["actor"] == user])
    assert ids(api.walk("/scan", {**ALL_TIME, "errorCode": "AccessDenied"})) == newest_first(denied)


def test_resource_events_by_query(api, stored_events):
    arn = "arn:aws:s3:::my-company-bucket"
    expected = newest_first([e for e in stored_events if arn in e.get("resources", [])])
    assert expected
    assert ids(api.walk("/resources", {**ALL_TIME, "arn": arn})) == expected
    with_slash = "arn:aws:s3:::my-company-bucket/reports/quarterly-report.pdf"
    assert ids(api.walk("/resources", {**ALL_TIME, "arn": with_slash})) == newest_first(
        [e for e in stored_events if with_slash in e.get("resources", [])])


def test_one_event_full_record_without_secrets(api, stored_events):
    assume = next(e for e in stored_events if e["eventName"] == "AssumeRole")
    body = api.ok(f"/events/{assume['eventID']}", {"at": assume["eventTime"]})
    assert body["event"]["eventID"] == assume["eventID"] and body["record"]["eventName"] == "AssumeRole"
    credentials = (body["record"].get("responseElements") or {}).get("credentials") or {}
    assert credentials.get("sessionToken") in (None, "<redacted>")
    assert isinstance(body["shortened"], list)
    status, error = api.get("/events/no-such-event", {"at": assume["eventTime"]})
    assert status == 404 and error["parameter"] == "eventID"


def test_aggregates_from_counters(api, stored_events):
    in_2024 = [e for e in stored_events if e["eventTime"].startswith("2024")]
    window = {"from": "2024-01-01", "to": "2024-12-31"}
    by_service = api.ok("/aggregates", {"by": "service", **window})
    assert by_service["total"] == len(in_2024) and by_service["granularity"] == "day"
    assert {r["key"]: r["count"] for r in by_service["items"]} == Counter(e["eventSource"].split(".")[0] for e in in_2024)
    counts = [r["count"] for r in by_service["items"]]
    assert counts == sorted(counts, reverse=True)
    by_user = api.ok("/aggregates", {"by": "user", **window})
    assert {r["key"]: r["count"] for r in by_user["items"]} == Counter(e["actor"] for e in in_2024)
    by_name = api.ok("/aggregates", {"by": "eventName", **window})
    assert {r["key"]: r["count"] for r in by_name["items"]} == Counter(e["eventName"] for e in in_2024)
    by_error = api.ok("/aggregates", {"by": "errorCode", **window})
    assert {r["key"]: r["count"] for r in by_error["items"]} == Counter(e["errorCode"] for e in in_2024 if e.get("errorCode"))
    by_day = api.ok("/aggregates", {"by": "day", "from": "2024-01-01", "to": "2024-01-31"})
    assert [r["key"] for r in by_day["items"]] == [f"2024-01-{d:02d}" for d in range(1, 32)]
    assert {r["key"]: r["count"] for r in by_day["items"] if r["count"]} == Counter(
        e["eventTime"][:10] for e in in_2024 if e["eventTime"].startswith("2024-01"))
    user = by_user["items"][0]["key"]
    mine = api.ok("/aggregates", {"by": "eventName", "user": user, **window})
    assert mine["total"] == by_user["items"][0]["count"] and mine["user"] == user


def test_parameters_lists_summary_and_request_parameter_names(api):
    names = api.ok("/parameters")["items"]
    assert {"eventName", "eventSource", "userIdentity_userName"} <= set(names)
    assert any(name.startswith("requestParameters_") for name in names)


def test_whoami_and_openapi(api):
    assert api.ok("/whoami") == {"actor": None, "admin": True, "auth": "none"}
    spec = api.ok("/openapi.json")
    assert {"/scan", "/users", "/users/{user}", "/aggregates", "/events/{event_id}", "/resources"} <= set(spec["paths"])
    committed = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"
    from query.handler import openapi_json

    assert json.loads(committed.read_text()) == json.loads(openapi_json()), \
        "docs/openapi.json is stale: PYTHONPATH=src .venv/bin/python -m query.export_openapi"


def test_each_actors_progress_is_their_row_of_the_class_matrix(api, stored_events):
    matrix = api.ok("/progress/matrix")
    assert matrix["checklists"] and matrix["items"]
    run_instances = {e["actor"] for e in stored_events if e["eventName"] == "RunInstances"}
    some_progress = [row for row in matrix["items"] if any(cell["percent"] > 0 for cell in row["checklists"].values())]
    assert some_progress and {row["actor"] for row in some_progress} & run_instances
    for row in some_progress[:5]:
        mine = api.ok("/progress", {"user": row["actor"]})
        assert mine["actor"] == row["actor"]
        assert {item["checklist"]: item["percent"] for item in mine["items"]} == {
            checklist: cell["percent"] for checklist, cell in row["checklists"].items()}
