"""What the three backfill functions share: the progress store and the work bucket, on the shared clients."""

from __future__ import annotations

from cloudtrail_tracker.backfill.work_bucket import WorkBucket
from cloudtrail_tracker.clients import client
from cloudtrail_tracker.dal.backfill_progress import BackfillProgress
from cloudtrail_tracker.settings import backfill_settings


def progress() -> BackfillProgress:
    return BackfillProgress(client("dynamodb"), backfill_settings().table_name)


def work_bucket_name() -> str:
    """Where manifests, Map results and retry lists go: the stack's BackfillWorkBucket
    (``BACKFILL_BUCKET``; a missing one raises ConfigurationError before any listing)."""
    return backfill_settings().work_bucket


def work_bucket(name: str | None = None) -> WorkBucket:
    """The work bucket ``name`` (default: the configured one) on the shared S3 client."""
    name = name or work_bucket_name()  # before the client: a missing setting fails first
    return WorkBucket(client("s3"), name)
