"""The local stack (moto's HTTP server, the real handlers) with alerts delivered to a webhook given on the command
line: a generated day with root use, a StopLogging, a security group opened to the world and a burst of
AccessDenied, delivered twice: /alerts lists each once and the local receiver got each once."""

from __future__ import annotations

import gzip
import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from cloudtrail_tracker.local import api_server
from cloudtrail_tracker.local.stack import LocalStack
from tests.integration.ingest.test_alerts_at_ingest import ACCOUNT, REGION, _user, call

EXPECTED = {"root-user-use", "cloudtrail-stopped", "security-group-ingress-open-to-world", "access-denied-burst"}


class Receiver(BaseHTTPRequestHandler):
    posts: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        Receiver.posts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def _write_day(root) -> None:
    admin = {"type": "Root", "principalId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:root", "accountId": ACCOUNT}
    eve = _user("eve")
    records = [call("CreateBucket", "s3.amazonaws.com", "2025-03-06T10:00:00Z", admin, requestParameters={"bucketName": "b"}),
               call("StopLogging", "cloudtrail.amazonaws.com", "2025-03-06T10:01:00Z", eve, requestParameters={"name": "main"}),
               call("AuthorizeSecurityGroupIngress", "ec2.amazonaws.com", "2025-03-06T10:02:00Z", eve, requestParameters={
                   "groupId": "sg-0123456789abcdef0",
                   "ipPermissions": {"items": [{"ipProtocol": "-1", "ipv6Ranges": {"items": [{"cidrIpv6": "::/0"}]}}]}})]
    records += [call("ListSecrets", "secretsmanager.amazonaws.com", f"2025-03-06T10:{10 + n:02d}:00Z", eve,
                     errorCode="AccessDenied", errorMessage="not authorized") for n in range(22)]
    folder = root / "AWSLogs" / ACCOUNT / "CloudTrail" / REGION / "2025" / "03" / "06"
    folder.mkdir(parents=True)
    for suffix, part in (("A", records[:10]), ("B", records[10:])):
        body = gzip.compress(json.dumps({"Records": part}).encode())
        for copy in ("", "COPY"):  # every file delivered twice
            (folder / f"{ACCOUNT}_CloudTrail_{REGION}_20250306T1035Z_{suffix}{copy}{'0' * (15 - len(copy))}.json.gz").write_bytes(body)


@pytest.fixture(scope="module")
def stack_with_webhook(tmp_path_factory):
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    logs = tmp_path_factory.mktemp("alerts-day")
    _write_day(logs)
    stack = LocalStack().start()
    stack.deliver_alerts(f"http://127.0.0.1:{server.server_address[1]}/hook")
    summary = stack.load(logs)
    url, stop = api_server.start_in_background(stack)
    yield summary, url
    stop()
    stack.stop()
    server.shutdown()


def test_each_alert_listed_and_posted_once(stack_with_webhook):
    summary, url = stack_with_webhook
    assert set(summary.report.alerts) >= EXPECTED and all(summary.report.alerts[rule] == 1 for rule in EXPECTED)
    with urllib.request.urlopen(f"{url}/alerts?from=2025-03-06&to=2025-03-06", timeout=60) as response:
        listed = json.loads(response.read())["items"]
    rules = [alert["rule"] for alert in listed]
    assert all(rules.count(rule) == 1 for rule in EXPECTED), rules
    posted = [post["alert"]["rule"] for post in Receiver.posts]
    assert sorted(posted) == sorted(rules)  # every alert listed was posted, once
    assert all(post["text"].startswith("[") for post in Receiver.posts)
