"""Alerts through the real path (S3 -> SQS -> ingest handler -> DynamoDB, SNS on moto): each rule's alert stored
and published once per dedupe window, however often its files are delivered; a threshold rule fires at its
threshold across files; /alerts lists them, scoped to the caller."""

from __future__ import annotations

import json
import uuid

import pytest

from cloudtrail_tracker import clients
from tests.integration.ingest.trail_files import log_body, log_key
from tests.integration.query.conftest import Api

ACCOUNT, REGION = "111122223333", "us-east-1"


def _user(name: str) -> dict:
    return {"type": "IAMUser", "principalId": "AIDA" + name.upper(), "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
            "accountId": ACCOUNT, "userName": name}


def call(event_name: str, source: str, at: str, who: dict, **fields) -> dict:
    """A management event as CloudTrail writes it (the CloudTrail record contents reference)."""
    return {"eventVersion": "1.08", "eventID": str(uuid.uuid4()), "eventTime": at, "eventSource": source,
            "eventName": event_name, "awsRegion": REGION, "sourceIPAddress": "198.51.100.7", "userAgent": "aws-cli/2.15.0",
            "userIdentity": who, "recipientAccountId": ACCOUNT, "eventType": "AwsApiCall", "readOnly": False,
            "requestParameters": {}, "responseElements": None, **fields}


def _key(stamp: str, suffix: str) -> str:
    return log_key(stamp, suffix, ACCOUNT, REGION)


_body = log_body


@pytest.fixture
def topic(aws, monkeypatch):
    """The alerts topic with a queue subscribed (what SNS delivered), the ingest told to publish to it."""
    sns = aws.session.client("sns")
    arn = sns.create_topic(Name="alerts")["TopicArn"]
    queue = aws.sqs.create_queue(QueueName="alerts-received")["QueueUrl"]
    queue_arn = aws.sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    monkeypatch.setenv("ALERTS_TOPIC_ARN", arn)
    monkeypatch.setenv("AUTH_MODE", "none")
    clients.reset()

    def received() -> list[dict]:
        messages = []
        while True:
            got = aws.sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
            if not got:
                return messages
            messages.extend(json.loads(m["Body"]) for m in got)
            for m in got:
                aws.sqs.delete_message(QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"])
    return received


def test_each_alert_fires_and_is_published_once(aws, topic):
    root = {"type": "Root", "principalId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:root", "accountId": ACCOUNT}
    mallory = _user("mallory")
    first = [call("CreateBucket", "s3.amazonaws.com", "2025-03-06T10:00:00Z", root, requestParameters={"bucketName": "b"}),
             call("StopLogging", "cloudtrail.amazonaws.com", "2025-03-06T10:01:00Z", mallory,
                  requestParameters={"name": f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/main"}),
             call("AuthorizeSecurityGroupIngress", "ec2.amazonaws.com", "2025-03-06T10:02:00Z", mallory, requestParameters={
                 "groupId": "sg-0123456789abcdef0", "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22,
                                                                               "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}})]
    denied = [call("GetSecretValue", "secretsmanager.amazonaws.com", f"2025-03-06T10:{10 + n:02d}:00Z", mallory,
                   errorCode="AccessDenied", errorMessage="not authorized") for n in range(25)]
    aws.put_log(_key("20250306T1005Z", "FIRST00000000000"), _body(first + denied[:12]))
    aws.drain()
    aws.put_log(_key("20250306T1035Z", "SECOND0000000000"), _body(denied[12:]))
    aws.put_log(_key("20250306T1005Z", "FIRSTCOPY0000000"), _body(first + denied[:12]))  # an organization trail's copy
    aws.drain()
    aws.put_log(_key("20250306T1035Z", "SECOND0000000000"), _body(denied[12:]))  # redelivered
    aws.drain()

    from query.handler import lambda_handler

    api = Api(lambda_handler)
    listed = api.ok("/alerts", {"from": "2025-03-06", "to": "2025-03-06"})["items"]
    by_rule = {}
    for alert in listed:
        by_rule.setdefault(alert["rule"], []).append(alert)
    for rule in ("root-user-use", "cloudtrail-stopped", "security-group-ingress-open-to-world", "access-denied-burst"):
        assert len(by_rule.get(rule, [])) == 1, (rule, sorted(by_rule))
    burst = by_rule["access-denied-burst"][0]
    assert burst["actor"] == "mallory" and burst["count"] == 25 and burst["threshold"] == 20
    assert burst["firstSeen"] == "2025-03-06T10:10:00Z" and burst["lastSeen"] == "2025-03-06T10:34:00Z"
    assert by_rule["root-user-use"][0]["events"][0]["eventName"] == "CreateBucket"
    published = topic()
    assert sorted(m["rule"] for m in published) == sorted(alert["rule"] for alert in listed)  # each alert once
    assert all(alert["published"] for alert in listed)
    assert api.ok(f"/alerts/{burst['id']}")["count"] == 25
    # a non-admin sees what is about them only
    assert {a["actor"] for a in api.ok("/alerts", {"from": "2025-03-06", "to": "2025-03-06"}, as_user="mallory")["items"]} == {"mallory"}
    assert api.get(f"/alerts/{by_rule['root-user-use'][0]['id']}", as_user="mallory")[0] == 404
    assert api.get("/alerts/not-an-id")[0] == 404


def test_a_threshold_rule_below_its_threshold_does_not_fire(aws, topic):
    denied = [call("GetSecretValue", "secretsmanager.amazonaws.com", f"2025-03-06T11:{n:02d}:00Z", _user("nina"),
                   errorCode="AccessDenied", errorMessage="not authorized") for n in range(5)]
    aws.put_log(_key("20250306T1105Z", "FEW0000000000000"), _body(denied))
    aws.drain()
    from query.handler import lambda_handler

    listed = Api(lambda_handler).ok("/alerts", {"from": "2025-03-06", "to": "2025-03-06"})["items"]
    assert "access-denied-burst" not in {alert["rule"] for alert in listed}
    assert {alert["rule"] for alert in listed} == {"unauthorized-api-calls"}
    assert [m["rule"] for m in topic()] == ["unauthorized-api-calls"]


def test_the_rules_can_come_from_an_s3_object(aws, topic, monkeypatch):
    """ALERT_RULES_PATH (template AlertRulesLocation) replaces the shipped rules without a redeploy."""
    import yaml

    from cloudtrail_tracker.alerts import SHIPPED_RULES_PATH

    shipped = yaml.safe_load(open(SHIPPED_RULES_PATH, encoding="utf-8"))
    mine = {**shipped, "rules": [dict(rule, severity="low") for rule in shipped["rules"] if rule["id"] == "root-user-use"]}
    aws.s3.put_object(Bucket=aws.resources.bucket, Key="config/rules.yaml", Body=yaml.safe_dump(mine).encode())
    monkeypatch.setenv("ALERT_RULES_PATH", f"s3://{aws.resources.bucket}/config/rules.yaml")
    clients.reset()
    root = {"type": "Root", "principalId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:root", "accountId": ACCOUNT}
    aws.put_log(_key("20250306T1005Z", "ROOT000000000000"), _body([
        call("CreateBucket", "s3.amazonaws.com", "2025-03-06T10:00:00Z", root, requestParameters={"bucketName": "b"}),
        call("GetSecretValue", "secretsmanager.amazonaws.com", "2025-03-06T10:01:00Z", _user("olga"), errorCode="AccessDenied")]))
    aws.drain()
    from query.handler import lambda_handler

    listed = Api(lambda_handler).ok("/alerts", {"from": "2025-03-06", "to": "2025-03-06"})["items"]
    assert [(alert["rule"], alert["severity"]) for alert in listed] == [("root-user-use", "low")]


def test_the_rules_can_be_overrides_in_an_ssm_parameter_and_change_without_a_redeploy(aws, topic, monkeypatch):
    """AlertRulesLocation=ssm:/name: a SecureString of overrides of the shipped rules, read again within a minute."""
    from cloudtrail_tracker import roster

    ssm = aws.session.client("ssm")
    ssm.put_parameter(Name="/course/alert-rules", Type="SecureString",
                      Value=json.dumps({"overrides": {"unauthorized-api-calls": {"enabled": False}}}))
    monkeypatch.setenv("ALERT_RULES_PATH", "ssm:/course/alert-rules")
    clients.reset()
    from query.handler import lambda_handler

    def denied(who: str, at: str, suffix: str) -> None:
        aws.put_log(_key(at.replace("-", "").replace(":", "")[:13] + "Z", suffix), _body([
            call("GetSecretValue", "secretsmanager.amazonaws.com", at, _user(who), errorCode="AccessDenied")]))
        aws.drain()

    denied("pat", "2025-03-06T10:00:00Z", "OFF0000000000000")
    assert Api(lambda_handler).ok("/alerts", {"from": "2025-03-06", "to": "2025-03-06"})["items"] == []  # switched off
    ssm.put_parameter(Name="/course/alert-rules", Type="SecureString", Overwrite=True,
                      Value=json.dumps({"overrides": {"unauthorized-api-calls": {"severity": "high"}}}))
    roster.forget()  # what a minute does: the ingest looks at the parameter again
    denied("quinn", "2025-03-06T11:00:00Z", "ON00000000000000")
    listed = Api(lambda_handler).ok("/alerts", {"from": "2025-03-06", "to": "2025-03-06"})["items"]
    assert [(alert["rule"], alert["actor"], alert["severity"]) for alert in listed] == [("unauthorized-api-calls", "quinn", "high")]
    ssm.put_parameter(Name="/course/alert-rules", Type="SecureString", Overwrite=True, Value="overrides: [not, a, mapping]")
    roster.forget()
    aws.put_log(_key("20250306T1205Z", "BAD0000000000000"), _body([call("ListBuckets", "s3.amazonaws.com", "2025-03-06T12:00:00Z",
                                                                        _user("rae"))]))
    drained = aws.drain()
    # a broken rules document fails closed: the file is not stored without its alerts, its message goes back to the queue
    assert "rae" not in {event["actor"] for event in aws.events()}, drained
    assert drained["failedDeliveries"] >= 1, drained


def test_an_answer_holds_the_newest_alerts_says_when_there_are_more_and_reads_only_the_callers(aws, topic, monkeypatch):
    from query.handler import lambda_handler
    from query.routes import alerts as alerts_route

    root = {"type": "Root", "principalId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:root", "accountId": ACCOUNT}
    hourly = [call("CreateBucket", "s3.amazonaws.com", f"2025-03-06T{hour}:00:00Z", root, requestParameters={"bucketName": "b"})
              for hour in (10, 11, 12, 13)]  # root-user-use dedupes per hour: four alerts
    denied = call("GetSecretValue", "secretsmanager.amazonaws.com", "2025-03-06T10:30:00Z", _user("mallory"),
                  errorCode="AccessDenied", errorMessage="not authorized")
    aws.put_log(_key("20250306T1405Z", "HOURLY0000000000"), _body([*hourly, denied]))
    aws.drain()
    api, day = Api(lambda_handler), {"from": "2025-03-06", "to": "2025-03-06"}
    everything = api.ok("/alerts", day)
    assert len(everything["items"]) == 5 and everything["truncated"] is False

    monkeypatch.setattr(alerts_route, "MAX_ALERTS", 2)
    newest = api.ok("/alerts", day)
    assert newest["truncated"] is True
    assert [a["window"] for a in newest["items"]] == ["2025-03-06T13:00:00Z", "2025-03-06T12:00:00Z"]
    assert newest["items"] == everything["items"][:2]

    read: list[dict] = []
    clients.client("dynamodb").meta.events.register(
        "provide-client-params.dynamodb.BatchGetItem",
        lambda params, **_: read.extend(k for request in params["RequestItems"].values() for k in request["Keys"]))
    mine = api.ok("/alerts", day, as_user="mallory")
    assert [a["rule"] for a in mine["items"]] == ["unauthorized-api-calls"] and mine["truncated"] is False
    assert len(read) == 1  # the other four alerts, root's, are never read for mallory
