"""Sending an alert that fired: one message to the stack's SNS topic (e-mail subscribers, and anything else
subscribed, get it once; dal/alerts.py decides that it fired once)."""

from __future__ import annotations

import json
from collections.abc import Callable

from .dal.alerts import FiredAlert, alert_id

MAX_EVENTS_IN_MESSAGE = 20


def message_of(alert: FiredAlert) -> dict:
    events = alert.event_list()
    return {"id": alert_id(alert.pk, alert.sk), "rule": alert.rule_id, "title": alert.title, "severity": alert.severity,
            "actor": alert.actor, "account": alert.account, "window": alert.window_start, "count": len(events),
            "events": events[:MAX_EVENTS_IN_MESSAGE]}


def sns_publisher(sns_client, topic_arn: str) -> Callable[[FiredAlert], None]:
    def publish(alert: FiredAlert) -> None:
        message = message_of(alert)
        subject = f"[{alert.severity}] {alert.title}: {alert.actor}"[:100]  # SNS subjects: at most 100 characters
        sns_client.publish(TopicArn=topic_arn, Subject=subject.encode("ascii", "replace").decode(),
                           Message=json.dumps(message, indent=1),
                           MessageAttributes={"severity": {"DataType": "String", "StringValue": alert.severity},
                                              "rule": {"DataType": "String", "StringValue": alert.rule_id}})
    return publish
