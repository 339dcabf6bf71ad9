"""What the three backfill functions share: AWS clients (created on first use, so tests and the
local stack can point boto3 at moto first), settings and the work bucket."""

from __future__ import annotations

import os
from functools import cache

import boto3
from botocore.config import Config

from cloudtrail_tracker.dal.backfill_progress import BackfillProgress
from cloudtrail_tracker.settings import Settings

_CLIENT_CONFIG = Config(retries={"mode": "adaptive", "max_attempts": 10}, max_pool_connections=20)


@cache
def client(service: str):
    return boto3.client(service, config=_CLIENT_CONFIG)


@cache
def settings() -> Settings:
    return Settings.from_env()


def progress() -> BackfillProgress:
    return BackfillProgress(client("dynamodb"), settings().table_name)


class MissingConfiguration(RuntimeError):
    """The function's environment lacks a setting the template gives it."""


def work_bucket() -> str:
    """Where manifests, Map results and retry lists go: the stack's BackfillWorkBucket (``BACKFILL_BUCKET``).

    Never the trail bucket: nothing is written there, and the functions may not write it."""
    bucket = os.environ.get("BACKFILL_BUCKET", "").strip()
    if not bucket:
        raise MissingConfiguration("BACKFILL_BUCKET is not set: the backfill functions need the stack's "
                                   "BackfillWorkBucket (template.yaml sets it) for manifests and retry lists")
    return bucket


def reset() -> None:
    """Forget cached clients and settings (tests and the local stack call this after configuring)."""
    client.cache_clear()
    settings.cache_clear()
