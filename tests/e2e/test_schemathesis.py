"""Schemathesis over the committed OpenAPI (docs/openapi.json) against `cloudtrail-tracker local`
serving the samples over HTTP: every operation, as an admin and as a signed-in non-admin, a bounded
and seeded set of generated requests; no answer is a 5xx or differs from the document (status code,
content type, body schema)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.e2e.local_server import ROOT, serving

pytestmark = pytest.mark.slow

# x 15 operations (2 of them without parameters: 1 example) x 2 callers: about 230 requests, ~1 min
# after the ~50 s the local stack takes to ingest the samples.
EXAMPLES_PER_OPERATION = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_path(ROOT / "docs" / "openapi.json")
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], deterministic=True,
                                max_examples=EXAMPLES_PER_OPERATION)
# Not the coverage phase: its boundary cases are not bounded by max_examples (it passed, in ~4 minutes).
schema.config.phases.update(phases=["examples", "fuzzing"])


@pytest.fixture(scope="module")
def local_api(tmp_path_factory):
    """`cloudtrail-tracker local` with the samples, serving on a free port; yields its URL."""
    with serving(tmp_path_factory.mktemp("schemathesis")) as url:
        yield url


@pytest.mark.parametrize("as_user", [None, "Alice"], ids=["admin", "non-admin"])  # Alice: an IAM user of the samples
@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_answer_matches_the_openapi(case, local_api, as_user):
    headers = {"X-Tracker-As-User": as_user} if as_user else {}
    case.call_and_validate(base_url=local_api, headers=headers, checks=CHECKS, timeout=30)
