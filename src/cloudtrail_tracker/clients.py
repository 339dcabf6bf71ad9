"""The AWS clients every function uses: one retry policy, made on first use.

Made lazily so tests and the local stack can point boto3 at the embedded AWS first;
:func:`reset` forgets them (and the settings) when the environment changes. The logic and the
DAL never create clients: they are handed one, so a test can hand them a fake.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from . import settings

# One policy for every call: adaptive mode backs off on throttling (DynamoDB, S3 503 SlowDown)
# and rate-limits the client itself; 8 attempts ride out a burst without outliving a Lambda.
# Parameter validation is off: the DAL builds every request (tests run it against moto, which
# validates), and on the ingest path the check costs more than the rest of the client call.
RETRY_POLICY = Config(
    retries={"mode": "adaptive", "max_attempts": 8},
    connect_timeout=5,
    read_timeout=30,
    max_pool_connections=20,
    parameter_validation=False,
)


@cache
def client(service: str) -> Any:  # a botocore client: its methods are made at run time
    """The shared client of ``service`` ("dynamodb", "s3", "sqs", ...)."""
    return boto3.client(service, config=RETRY_POLICY)


def reset() -> None:
    """Forget the clients, the settings and the instructor files read so far (a test's or the local
    stack's new AWS)."""
    from . import roster  # it reads S3 and Cognito through these clients

    client.cache_clear()
    settings.reset()
    roster.forget()
