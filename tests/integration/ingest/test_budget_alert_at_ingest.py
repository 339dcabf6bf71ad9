"""The budget rule (running-cost-over-budget) through the real path: S3 -> SQS -> ingest -> DynamoDB, the Running
index read once per account of a write that launches, starts or resizes. An actor whose running resources cost
more per hour than the course's budget gets one alert a day, naming the launch that took them over; stopping or
terminating does not alert; other actors' resources do not count against them."""

from __future__ import annotations

import pytest
import yaml

from cloudtrail_tracker import clients
from cloudtrail_tracker.alerts import SHIPPED_RULES_PATH
from cloudtrail_tracker.pricing import price_table
from tests.integration.ingest.test_resources_at_ingest import ACCOUNT, REGION, instance_call, run_instances
from tests.integration.ingest.trail_files import log_body, log_key
from tests.integration.query.conftest import Api

BUDGET = 0.10  # dollars per hour


def _key(stamp: str, suffix: str) -> str:
    return log_key(stamp, suffix, ACCOUNT, REGION)


_body = log_body


@pytest.fixture
def budget_rules(aws, monkeypatch, tmp_path):
    """The shipped rules with a course budget of $0.10 an hour (a rules file, as ALERT_RULES_PATH names it)."""
    shipped = yaml.safe_load(SHIPPED_RULES_PATH.read_text(encoding="utf-8"))
    for rule in shipped["rules"]:
        if rule["id"] == "running-cost-over-budget":
            rule["parameters"]["dollars_per_hour"] = BUDGET
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(shipped), encoding="utf-8")
    monkeypatch.setenv("ALERT_RULES_PATH", str(path))
    monkeypatch.setenv("AUTH_MODE", "none")
    clients.reset()


def _budget_alerts(day: str) -> list[dict]:
    from query.handler import lambda_handler

    listed = Api(lambda_handler).ok("/alerts", {"from": day, "to": day, "rule": "running-cost-over-budget"})["items"]
    return listed


def test_an_actor_over_budget_is_alerted_once_a_day(aws, budget_rules):
    rate = price_table().rate("ec2-instance", {"instanceType": "m5.xlarge"}, REGION).dollars_per_hour
    small = price_table().rate("ec2-instance", {"instanceType": "t3.micro"}, REGION).dollars_per_hour
    assert rate and small and small < BUDGET < rate  # the prices the test rests on
    aws.put_log(_key("20250306T0905Z", "SMALL00000000000"), _body([
        run_instances("alice", "i-0a0a0a0a0a0a0a0a1", "2025-03-06T09:00:00Z", "t3.micro"),
        run_instances("bob", "i-0b0b0b0b0b0b0b0b1", "2025-03-06T09:01:00Z", "m5.xlarge")]))  # bob: over at once
    aws.drain()
    aws.put_log(_key("20250306T1005Z", "BIG0000000000000"), _body([
        run_instances("alice", "i-0a0a0a0a0a0a0a0a2", "2025-03-06T10:00:00Z", "m5.xlarge")]))
    aws.drain()
    aws.put_log(_key("20250306T1105Z", "MORE000000000000"), _body([
        run_instances("alice", "i-0a0a0a0a0a0a0a0a3", "2025-03-06T11:00:00Z", "t3.micro")]))  # still over: same day
    aws.put_log(_key("20250306T1005Z", "BIG0000000000000"), _body([
        run_instances("alice", "i-0a0a0a0a0a0a0a0a2", "2025-03-06T10:00:00Z", "m5.xlarge")]))  # redelivered
    aws.drain()
    alerts = {alert["actor"]: alert for alert in _budget_alerts("2025-03-06")}
    assert sorted(alerts) == ["alice", "bob"]
    alice = alerts["alice"]
    # the launches made while over budget, once each however often their files came
    assert [e["eventTime"] for e in alice["events"]] == ["2025-03-06T10:00:00Z", "2025-03-06T11:00:00Z"]
    assert alice["severity"] == "high" and f"${small + rate:.2f}/h" in alice["title"]  # what took her over and "$0.10/h" in alice["title"]
    assert alerts["bob"]["firstSeen"] == "2025-03-06T09:01:00Z"


def test_stopping_and_other_actors_resources_do_not_alert(aws, budget_rules):
    aws.put_log(_key("20250306T0905Z", "MIX0000000000000"), _body([
        run_instances("carol", "i-0c0c0c0c0c0c0c0c1", "2025-03-06T09:00:00Z", "t3.micro"),
        run_instances("dave", "i-0d0d0d0d0d0d0d0d1", "2025-03-06T09:01:00Z", "m5.xlarge"),
        instance_call("StopInstances", "dave", "i-0d0d0d0d0d0d0d0d1", "2025-03-06T09:02:00Z")]))
    aws.drain()
    aws.put_log(_key("20250306T1005Z", "AGAIN00000000000"), _body([
        run_instances("carol", "i-0c0c0c0c0c0c0c0c2", "2025-03-06T10:00:00Z", "t3.micro")]))  # carol: 2 small ones
    aws.drain()
    assert _budget_alerts("2025-03-06") == []  # dave's m5.xlarge was stopped in the same write; carol is under


def test_the_shipped_budget_of_zero_is_off(aws, monkeypatch):
    monkeypatch.setenv("AUTH_MODE", "none")
    clients.reset()
    aws.put_log(_key("20250306T0905Z", "OFF0000000000000"), _body([
        run_instances("erin", "i-0e0e0e0e0e0e0e0e1", "2025-03-06T09:00:00Z", "p3.2xlarge")]))
    aws.drain()
    assert _budget_alerts("2025-03-06") == []


def test_starting_someone_elses_instance_puts_its_creator_over_budget(aws, budget_rules):
    aws.put_log(_key("20250306T0905Z", "LAUNCH0000000000"), _body([
        run_instances("frank", "i-0f0f0f0f0f0f0f0f1", "2025-03-06T09:00:00Z", "m5.xlarge"),
        instance_call("StopInstances", "frank", "i-0f0f0f0f0f0f0f0f1", "2025-03-06T09:01:00Z")]))
    aws.drain()
    assert _budget_alerts("2025-03-06") == []  # stopped: under budget
    aws.put_log(_key("20250306T1005Z", "START00000000000"), _body([
        instance_call("StartInstances", "instructor", "i-0f0f0f0f0f0f0f0f1", "2025-03-06T10:00:00Z")]))
    aws.drain()
    alerts = _budget_alerts("2025-03-06")
    assert [alert["actor"] for alert in alerts] == ["frank"]  # the creator's budget, not the one who started it
    assert [e["eventName"] for e in alerts[0]["events"]] == ["StartInstances"]
