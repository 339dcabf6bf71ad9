"""`cloudtrail-tracker local` serving the API over HTTP, as a user runs it: a real process (moto's
HTTP server as the embedded AWS, the samples ingested), then curl. Every example curl of the seed
README, rewritten to the local URL, must answer."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "cloudtrail_tracker.cli"]

# The seed README's examples with https://api.mysite.com/tracker replaced by the local URL.
SEED_EXAMPLES = [
    "/parameters",
    "/scan?from=2016-01-01&to=2016-01-15",
    "/scan",
    "/scan?from=2018-01-15T09:00:00&to=2018-01-15T17:00:00",
    "/services",
    "/services/ec2",
    "/services/rds?from=2018-06-01&to=2018-06-15",
    "/users",
    "/users/alucloud230",
    "/users/alucloud00?from=2018-06-01T09:30:00&to=2018-06-15T23:30:00",
    "/users/alucloud121?from=2018-01-01T09:30:00&eventName=RunInstances&to=2018-06-15T23:30:00",
    "/users/alucloud230?params=['instanceType','eventSource']&value=['m1.small','ec2.amazonaws.com']&from=2017-06-06&eventName=RunInstances&to=2017-09-09",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def local_api(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("local-api")
    port = _free_port()
    process = subprocess.Popen(
        [*CLI, "local", "--port", str(port), "--log-file", str(tmp / "handlers.log")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT / "src"), "HOME": str(tmp)},
    )
    url = f"http://127.0.0.1:{port}"
    output = []
    deadline = time.time() + 300
    try:
        while time.time() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                raise AssertionError("the local stack exited:\n" + "".join(output))
            output.append(line)
            if "API and dashboard at " + url in line:  # serving now (the summary's dashboard link comes before)
                break
        else:
            raise AssertionError("the local stack did not start serving:\n" + "".join(output))
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def curl(url: str, *headers: str) -> tuple[int, dict]:
    """curl -g as the README shows (urllib when curl is not installed)."""
    if shutil.which("curl"):
        command = ["curl", "-sg", "-w", "\n%{http_code}", url]
        for header in headers:
            command += ["-H", header]
        out = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True).stdout
        body, _, status = out.rpartition("\n")
        return int(status), json.loads(body)
    request = urllib.request.Request(url.replace("[", "%5B").replace("]", "%5D").replace("'", "%27"),
                                     headers=dict(h.split(": ", 1) for h in headers))
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_users_lists_the_sample_actors(local_api):
    status, body = curl(f"{local_api}/users")
    assert status == 200
    names = {row["name"] for row in body["items"]}
    assert {"alice", "root@111122223333"} <= names and len(names) > 50


@pytest.mark.parametrize("example", SEED_EXAMPLES)
def test_every_seed_readme_example_answers(local_api, example):
    status, body = curl(local_api + example)
    assert status == 200, body
    assert isinstance(body["items"], list)


def test_sample_data_and_errors_over_http(local_api):
    status, body = curl(f"{local_api}/services/s3?from=2024-01-01&to=2025-12-31&limit=2")
    assert status == 200 and len(body["items"]) == 2 and body["next"]
    status, more = curl(f"{local_api}/services/s3?from=2024-01-01&to=2025-12-31&limit=2&next={body['next']}")
    assert status == 200 and {r["eventID"] for r in more["items"]}.isdisjoint({r["eventID"] for r in body["items"]})
    status, error = curl(f"{local_api}/scan?from=yesterday")
    assert status == 400 and error["parameter"] == "from"
    status, error = curl(f"{local_api}/no-such-path")
    assert status == 404
    status, spec = curl(f"{local_api}/openapi.json")
    assert status == 200 and "/users/{user}" in spec["paths"]


def test_simulated_sign_in_scopes_the_answers(local_api):
    status, body = curl(f"{local_api}/whoami", "X-Tracker-As-User: alice")
    assert (status, body) == (200, {"actor": "alice", "admin": False, "auth": "cognito"})
    status, body = curl(f"{local_api}/users", "X-Tracker-As-User: alice")
    assert [row["name"] for row in body["items"]] == ["alice"]
    status, _ = curl(f"{local_api}/users/root@111122223333?from=2010-01-01&to=2030-12-31", "X-Tracker-As-User: alice")
    assert status == 403
