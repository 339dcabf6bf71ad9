"""Schemathesis over the committed OpenAPI (docs/openapi.json) against `cloudtrail-tracker local`
serving the samples over HTTP: every operation, as an admin and as a signed-in non-admin, a bounded
and seeded set of generated requests; no answer is a 5xx or differs from the document (status code,
content type, body schema)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
# x 15 operations (2 of them without parameters: 1 example) x 2 callers: about 230 requests, ~1 min
# after the ~50 s the local stack takes to ingest the samples.
EXAMPLES_PER_OPERATION = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_path(ROOT / "docs" / "openapi.json")
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], deterministic=True,
                                max_examples=EXAMPLES_PER_OPERATION)
# Not the coverage phase: its boundary cases are not bounded by max_examples (it passed, in ~4 minutes).
schema.config.phases.update(phases=["examples", "fuzzing"])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def local_api(tmp_path_factory):
    """`cloudtrail-tracker local` with the samples, serving on a free port; yields its URL."""
    tmp = tmp_path_factory.mktemp("schemathesis")
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cloudtrail_tracker.cli", "local", "--port", str(port), "--log-file", str(tmp / "handlers.log")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT / "src"), "HOME": str(tmp)},
    )
    url, output = f"http://127.0.0.1:{port}", []
    deadline = time.time() + 300
    try:
        while time.time() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                raise AssertionError("the local stack exited:\n" + "".join(output))
            output.append(line)
            if "API and dashboard at " + url in line:
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


@pytest.mark.parametrize("as_user", [None, "Alice"], ids=["admin", "non-admin"])  # Alice: an IAM user of the samples
@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_answer_matches_the_openapi(case, local_api, as_user):
    headers = {"X-Tracker-As-User": as_user} if as_user else {}
    case.call_and_validate(base_url=local_api, headers=headers, checks=CHECKS, timeout=30)
