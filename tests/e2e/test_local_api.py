"""`cloudtrail-tracker local` serving the API over HTTP, as a user runs it: a real process (moto's
HTTP server as the embedded AWS, the samples ingested), then curl. Every example curl of the seed
README, rewritten to the local URL, must answer."""

from __future__ import annotations

import http.client
import json
import shutil
import socket
import subprocess
import threading
import urllib.request
from urllib.parse import urlsplit

import pytest

from tests.e2e.local_server import CLI, ROOT, free_port, serving  # noqa: F401

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


@pytest.fixture(scope="module")
def local_api(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("local-api")) as url:
        yield url


@pytest.fixture(scope="module")
def local_api_as_alice(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("local-api-alice"), "--as-user", "alice") as url:
        yield url


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
    # an IAM user, root, and a role session the role does not vouch for (named <role>:<session>@<account>)
    assert {"Alice", "root@111122223333", "IAM:alice@987654321"} <= names and len(names) > 50


@pytest.mark.parametrize("example", SEED_EXAMPLES)
def test_every_seed_readme_example_answers(local_api, example):
    status, body = curl(local_api + example)
    if example.startswith("/users/alucloud"):
        # the seed's students are not in the samples: an unknown actor is a 404 that says where the names are
        assert status == 404 and body["parameter"] == "user", body
        assert body["error"] == f"no actor {example.split('/')[2].split('?')[0]!r}" and "/users" in body["hint"], body
        return
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
    status, body = curl(f"{local_api}/whoami", "X-Tracker-As-User: Alice")
    assert (status, body) == (200, {"actor": "Alice", "admin": False, "auth": "cognito"})
    status, body = curl(f"{local_api}/users", "X-Tracker-As-User: Alice")
    assert [row["name"] for row in body["items"]] == ["Alice"]
    status, body = curl(f"{local_api}/scan?from=2010-01-01&to=2030-12-31", "X-Tracker-As-User: Alice")
    assert status == 200 and body["items"] and {row["actor"] for row in body["items"]} == {"Alice"}
    status, _ = curl(f"{local_api}/users/root@111122223333?from=2010-01-01&to=2030-12-31", "X-Tracker-As-User: Alice")
    assert status == 403


# ---- the server's own answers: JSON errors, never a dropped connection, API paths before static files

def send(url: str, method: str, target: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """One raw request (http.client sends the target exactly as given); a dropped connection raises."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.request(method, target, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def json_error(headers: dict, body: bytes) -> dict:
    assert headers["content-type"] == "application/json", body[:200]
    error = json.loads(body)
    assert error["error"] and error["hint"], error
    return error


@pytest.mark.parametrize("target", ["/%00", "/events/%00", "/users/a%00b", "/app.js%00.html", "/users/a%0Ab"])
def test_control_bytes_in_the_path_are_a_json_400(local_api, target):
    status, headers, body = send(local_api, "GET", target)
    assert status == 400
    json_error(headers, body)


@pytest.mark.parametrize("target", ["/users/%zz", "/users/abc%", "/users/%C3%28", "/scan?from=%zz"])
def test_bad_percent_encoding_is_a_json_400(local_api, target):
    status, headers, body = send(local_api, "GET", target)
    assert status == 400
    json_error(headers, body)


def test_raw_bytes_outside_ascii_are_a_json_400(local_api):
    parts = urlsplit(local_api)
    with socket.create_connection((parts.hostname, parts.port), timeout=60) as sock:
        sock.sendall(b"GET /users/\xc3\xa9 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        response = http.client.HTTPResponse(sock)
        response.begin()
        assert response.status == 400
        json_error({k.lower(): v for k, v in response.getheaders()}, response.read())


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "POST", "TRACE", "BREW"])
def test_methods_the_api_does_not_have_are_a_json_405(local_api, method):
    status, headers, body = send(local_api, method, "/users")
    assert status == 405
    assert headers["allow"] == "GET, HEAD, OPTIONS"
    json_error(headers, body)


def test_a_too_long_url_is_a_json_414(local_api):
    status, headers, body = send(local_api, "GET", "/users/" + "a" * 70_000)
    assert status == 414
    json_error(headers, body)
    # Megabytes the server does not read: closing on them at once would reset the connection, and
    # the client often lose the answer.
    for _ in range(10):
        assert send(local_api, "GET", "/users/" + "a" * 3_000_000)[0] == 414
    status, _, _ = send(local_api, "GET", "/users")  # and the server still answers
    assert status == 200


@pytest.mark.parametrize("target", ["/events/%2e%2e", "/events/..", "/events/%2E%2E/index.html",
                                    "/users/..%2Fapp.js", "/services/%2e%2e/style.css"])
def test_api_paths_are_answered_by_the_api_not_static_files(local_api, target):
    status, headers, body = send(local_api, "GET", target)
    assert headers["content-type"] == "application/json", (status, body[:100])
    assert isinstance(json.loads(body), dict)


@pytest.mark.parametrize("target", ["/no-such-file.js", "/vendor/nothing.js", "/%2e%2e/pyproject.toml", "/views/"])
def test_no_such_static_file_is_a_json_404(local_api, target):
    status, headers, body = send(local_api, "GET", target)
    assert status == 404
    json_error(headers, body)


def test_the_dashboard_is_still_served(local_api):
    status, headers, body = send(local_api, "GET", "/")
    assert status == 200 and headers["content-type"] == "text/html" and b"<html" in body.lower()
    status, headers, body = send(local_api, "GET", "/views/overview.js")
    assert status == 200 and "javascript" in headers["content-type"] and body
    status, headers, body = send(local_api, "HEAD", "/app.js")
    assert status == 200 and int(headers["content-length"]) > 0 and body == b""


# ---- the simulated sign-in: a header name in any case; --as-user cannot be changed by a header

@pytest.mark.parametrize("name", ["x-tracker-as-user", "X-TRACKER-AS-USER", "X-Tracker-As-User"])
def test_the_sign_in_header_is_matched_in_any_case(local_api, name):
    status, _, body = send(local_api, "GET", "/whoami", {name: "alice"})
    assert (status, json.loads(body)) == (200, {"actor": "alice", "admin": False, "auth": "cognito"})


def test_an_empty_sign_in_header_is_refused_not_the_admin_view(local_api):
    status, headers, body = send(local_api, "GET", "/users", {"X-Tracker-As-User": " "})
    assert status == 400
    json_error(headers, body)


def test_as_user_serves_that_non_admin(local_api_as_alice):
    status, _, body = send(local_api_as_alice, "GET", "/whoami")
    assert (status, json.loads(body)["actor"]) == (200, "alice")
    status, _, body = send(local_api_as_alice, "GET", "/whoami", {"x-tracker-as-user": "alice"})
    assert (status, json.loads(body)["actor"]) == (200, "alice")


@pytest.mark.parametrize("name", ["X-Tracker-As-User", "x-tracker-as-user"])
def test_a_header_cannot_change_the_as_user_of_the_server(local_api_as_alice, name):
    status, headers, body = send(local_api_as_alice, "GET", "/users", {name: "root@111122223333"})
    assert status == 403
    json_error(headers, body)


# ---- concurrent requests (their concurrency is measured in test_local_api_concurrency.py)

def test_concurrent_requests_each_get_their_own_answer(local_api):
    """Eight requests at once, each signed in as someone else: instances never mix two requests."""
    actors = [f"student{n}" for n in range(8)]
    answers: dict[str, dict] = {}

    def whoami(actor: str) -> None:
        status, _, body = send(local_api, "GET", "/whoami", {"X-Tracker-As-User": actor})
        answers[actor] = {"status": status, **json.loads(body)}

    threads = [threading.Thread(target=whoami, args=(actor,)) for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == {actor: {"status": 200, "actor": actor, "admin": False, "auth": "cognito"} for actor in actors}
