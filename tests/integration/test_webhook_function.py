"""The webhook function on in-process moto (SSM) against a local HTTP receiver: each alert posted once; a post
the receiver refuses fails that message alone (SQS retries it, then dead-letters it)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from cloudtrail_tracker import clients
from cloudtrail_tracker.local.driver import LocalContext


class Receiver(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        refused = body["alert"]["id"] == "refused"
        if not refused:
            Receiver.received.append(body)
        self.send_response(500 if refused else 200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.received = []
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


def _sqs_event(*alerts: dict) -> dict:
    return {"Records": [{"messageId": alert["id"], "receiptHandle": "r", "body": json.dumps(alert), "attributes": {},
                         "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                         "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:webhook", "awsRegion": "us-east-1"}
                        for alert in alerts]}


def test_alerts_are_posted_and_a_refused_one_fails_alone(aws, receiver, monkeypatch):
    aws.session.client("ssm").put_parameter(Name="/tracker/webhook", Value=receiver, Type="SecureString")
    monkeypatch.setenv("WEBHOOK_URL_PARAMETER", "/tracker/webhook")
    clients.reset()
    from webhook import handler

    handler.webhook_url.cache_clear()
    ok = {"id": "a1", "rule": "root-user-use", "title": "Root user used", "severity": "critical", "actor": "root@1",
          "account": "1", "count": 1, "events": [{"eventTime": "2025-03-06T10:00:00Z", "eventID": "e", "eventName": "CreateBucket"}]}
    answer = handler.lambda_handler(_sqs_event(ok, {**ok, "id": "refused"}), LocalContext(function_name="WebhookFunction"))
    assert answer == {"batchItemFailures": [{"itemIdentifier": "refused"}]}
    assert [body["alert"]["id"] for body in Receiver.received] == ["a1"]
    assert Receiver.received[0]["text"].startswith("[critical] Root user used: root@1")
