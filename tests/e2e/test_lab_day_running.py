"""A generated class lab day on the local stack (moto's HTTP server, the real handlers), asked over HTTP
what is still running: exactly what the day left running, priced, with its creator; nothing terminated.
Also each student's spend and least-privilege policy (built from calls the noise filter did not store)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest

from cloudtrail_tracker.backfill.lab_day import generate_lab_day
from cloudtrail_tracker.local import api_server
from cloudtrail_tracker.local.stack import run_ingest
from cloudtrail_tracker.policy import is_iam_action


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    day = (datetime.now(UTC) - timedelta(days=1)).date()
    generated = generate_lab_day(tmp_path_factory.mktemp("lab"), day=day)
    stack, summary = run_ingest(_root(generated.paths))
    assert not summary.dead_letters, summary.dead_letters
    url, stop = api_server.start_in_background(stack)
    yield generated, url
    stop()
    stack.stop()


def _root(paths):
    """The directory the generator wrote into (the parent of AWSLogs/)."""
    first = paths[0]
    return next(parent.parent for parent in first.parents if parent.name == "AWSLogs")


def get(url: str, path: str, **params):
    query = ("?" + urllib.parse.urlencode(params)) if params else ""
    try:
        with urllib.request.urlopen(url + path + query, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_running_lists_exactly_what_the_day_left_running(lab):
    generated, url = lab
    status, body = get(url, "/running")
    assert status == 200, body
    expected = {r.resource_id: r for r in generated.resources if r.state == "running"}
    assert expected, "the lab day left nothing running"
    listed = {row["id"]: row for row in body["items"]}
    assert set(listed) == set(expected)
    for resource_id, truth in expected.items():
        row = listed[resource_id]
        assert row["type"] == truth.resource_type and row["creator"]["actor"] == truth.creator, row
        assert row["state"] == "running" and row["createdAt"] == truth.created_at
        for name, value in truth.attributes.items():
            assert row["attributes"].get(name) == str(value), (row, name)
        if row["priceBasis"] in ("hourly", "gb-month"):
            assert row["dollarsPerHour"] > 0 and row["costSoFar"] > 0, row
        else:  # billed by use (a bucket, a function): shown as unknown, never as 0
            assert row["dollarsPerHour"] is None and row["costSoFar"] is None, row
    # every instance, database and NAT gateway left running has a price
    priced = {"ec2-instance", "rds-instance", "nat-gateway", "elastic-ip", "ebs-volume"}
    assert all(listed[i]["dollarsPerHour"] for i, r in expected.items() if r.resource_type in priced)
    # terminated / deleted / stopped ones are not listed, but their pages say so
    for truth in generated.resources:
        if truth.state == "deleted":
            status, detail = get(url, "/resources/" + urllib.parse.quote(truth.resource_id, safe=""))
            assert status == 200 and detail["resource"]["state"] == "deleted", detail
    totals = body["total"]
    assert totals["running"] == len(expected)
    assert totals["dollarsPerHour"] == pytest.approx(sum(r["dollarsPerHour"] or 0 for r in body["items"]), abs=1e-3)
    assert sum(a["running"] for a in body["actors"]) == len(expected)


def test_a_students_spend_and_policy(lab):
    generated, url = lab
    launched = next(r for r in generated.resources if r.resource_type == "ec2-instance" and r.state == "running")
    status, spend = get(url, f"/users/{urllib.parse.quote(launched.creator, safe='')}/cost")
    assert status == 200, spend
    assert launched.resource_id in {row["id"] for row in spend["resources"]} and spend["total"] > 0
    assert sum(day["cost"] for day in spend["days"]) == pytest.approx(spend["total"], abs=0.02)
    status, policy = get(url, f"/users/{urllib.parse.quote(launched.creator, safe='')}/policy")
    assert status == 200, policy
    actions = {action for document in policy["policies"] for statement in document["Statement"]
               for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])}
    assert "ec2:RunInstances" in actions
    assert any(action.startswith("ec2:Describe") for action in actions), actions  # reads the noise filter dropped
    assert all(is_iam_action(action) for action in actions)
    assert all(len(json.dumps(document, separators=(",", ":"))) <= 6144 for document in policy["policies"])


def test_denied_launches_are_asked_for_but_not_granted_and_a_roles_policy(lab):
    generated, url = lab
    status, users = get(url, "/users")
    assert status == 200
    # the generator's failed creates: RunInstances of forbidden types, denied
    denied_by = {}
    for student in sorted(user["name"] for user in users["items"]):
        status, policy = get(url, f"/users/{urllib.parse.quote(student, safe='')}/policy", includeDenied="false")
        assert status == 200, policy
        if policy["denied"]:
            denied_by[student] = policy
    assert denied_by, "no student's policy lists a denied call"
    student, policy = next(iter(denied_by.items()))
    asked = {entry["action"] for entry in policy["denied"]}
    status, widened = get(url, f"/users/{urllib.parse.quote(student, safe='')}/policy", includeDenied="true")
    granted = {action for document in widened["policies"] for statement in document["Statement"]
               for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])}
    assert asked <= granted and widened["denied"] == policy["denied"]
    status, role = get(url, "/roles/LabRole/policy")
    assert status == 200 and role["kind"] == "role" and role["policies"], role
    assert get(url, "/roles/NoSuchRole/policy")[0] == 404
