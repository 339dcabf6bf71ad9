"""The boto3 session of a command: the user's AWS configuration, or the embedded AWS of
``cloudtrail-tracker local`` when ``--endpoint-url`` points at this machine."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

LOCAL_REGION = "us-east-1"  # the local stack's (local/stack.py)
_LOOPBACK = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}


def is_local_endpoint(endpoint_url: str | None) -> bool:
    return bool(endpoint_url) and (urlsplit(endpoint_url).hostname or "") in _LOOPBACK


def session(region: str | None = None, endpoint_url: str | None = None):
    """A session; at a local endpoint it needs no AWS configuration (moto takes any key)."""
    import boto3

    if not is_local_endpoint(endpoint_url):
        return boto3.session.Session(region_name=region)
    region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or LOCAL_REGION
    configured = boto3.session.Session(region_name=region)
    if configured.get_credentials() is not None:
        return configured
    return boto3.session.Session(region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing")
