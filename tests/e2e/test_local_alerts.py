"""The local stack (moto's HTTP server, the real handlers) with alerts delivered to a webhook given on the command
line: a generated day with root use, a StopLogging, a security group opened to the world and a burst of
AccessDenied, delivered twice: /alerts lists each once and the local receiver got each once."""

from __future__ import annotations

import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from cloudtrail_tracker.local import api_server
from cloudtrail_tracker.local.stack import LocalStack
from tests.alert_day import EXPECTED
from tests.alert_day import write_day as _write_day


class Receiver(BaseHTTPRequestHandler):
    posts: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        Receiver.posts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


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
