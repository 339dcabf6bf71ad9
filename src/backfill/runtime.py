"""What the three backfill functions share: the progress store on the shared DynamoDB client."""

from __future__ import annotations

from cloudtrail_tracker.clients import client
from cloudtrail_tracker.dal.backfill_progress import BackfillProgress
from cloudtrail_tracker.settings import backfill_settings


def progress() -> BackfillProgress:
    return BackfillProgress(client("dynamodb"), backfill_settings().table_name)


def work_bucket() -> str:
    """Where manifests, Map results and retry lists go: the stack's BackfillWorkBucket
    (``BACKFILL_BUCKET``; a missing one raises ConfigurationError before any listing)."""
    return backfill_settings().work_bucket
