"""What each task of the backfill state machine does, given its inputs and its data access.

The Lambda handlers in ``src/backfill/`` parse the event, build these arguments from the shared
clients and settings, and shape the response; the S3 and DynamoDB calls are behind
:class:`.work_bucket.WorkBucket`, :mod:`.prefixes` and ``dal.backfill_progress``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from botocore.exceptions import ClientError

from ..dal.backfill_progress import BackfillProgress
from ..ingest_service import FileIngester, LogFileError
from ..models import FileReport
from ..observability import logger
from .prefixes import find_day_prefixes, keys_under
from .request import BackfillRequest
from .summary import BackfillSummary, PrefixResult
from .work_bucket import WorkBucket

PROGRESS_EVERY_FILES = 25
PROGRESS_EVERY_SECONDS = 3.0


@dataclass(frozen=True)
class Plan:
    prefixes: int
    manifest_key: str


def plan(s3, request: BackfillRequest, execution: str, work: WorkBucket, progress: BackfillProgress) -> Plan:
    """List the window's day prefixes in the trail bucket, put them as the Map's manifest, start the progress."""
    prefixes = find_day_prefixes(s3, request)
    key = work.put_manifest(execution, prefixes)
    progress.start(execution, len(prefixes))
    return Plan(len(prefixes), key)


class _ProgressFlusher:
    """Adds a child's counts to the execution's live progress every few files or seconds."""

    def __init__(self, progress: BackfillProgress, execution: str):
        self._progress = progress
        self._execution = execution
        self._pending = FileReport()
        self._files = self._failed = 0
        self._last = time.monotonic()

    def file_done(self, report: FileReport, failed: bool) -> None:
        self._pending.add(report)
        self._files += 1
        self._failed += int(failed)
        if self._files >= PROGRESS_EVERY_FILES or time.monotonic() - self._last >= PROGRESS_EVERY_SECONDS:
            self.flush()

    def flush(self, prefixes_done: int = 0) -> None:
        self._progress.add(
            self._execution, prefixesDone=prefixes_done, filesDone=self._files, filesFailed=self._failed,
            eventsRead=self._pending.records, eventsStored=self._pending.stored,
            duplicates=self._pending.duplicates,
        )
        self._pending, self._files, self._failed, self._last = FileReport(), 0, 0, time.monotonic()


def ingest_prefix(s3, bucket: str, prefix: str, execution: str, ingester: FileIngester,
                  progress: BackfillProgress) -> PrefixResult:
    """Ingest every file under one day prefix; a corrupt or unreadable file is reported, the others go on
    (a Distributed Map child that fails loses its whole prefix)."""
    keys = keys_under(s3, bucket, prefix)
    result = PrefixResult(prefix=prefix, listed=len(keys))
    progress.add(execution, filesListed=len(keys))
    flusher = _ProgressFlusher(progress, execution)
    for key in keys:
        try:
            report = ingester.ingest(bucket, key)
        except (LogFileError, ClientError) as error:  # ClientError: the object went away or is unreadable
            logger.error("file not ingested", extra={"bucket": bucket, "key": key, "error": str(error)})
            report = FileReport(failed_files=[key], failure_reasons={key: str(error)[:300]})
        result.report.add(report)
        flusher.file_done(report, failed=bool(report.failed_files))
    flusher.flush(prefixes_done=1)
    progress.put_prefix_result(execution, prefix, result.as_dict())
    return result


def summarize(execution: str, manifest_key: str, work: WorkBucket, progress: BackfillProgress) -> BackfillSummary:
    """Add up the children's results (their DynamoDB items, not the Map's output), put the retry list
    when something failed, and mark the execution's progress finished."""
    results = [PrefixResult.from_dict(data) for data in progress.prefix_results(execution)]
    summary = BackfillSummary.of(work.planned_prefixes(manifest_key), results)
    retry = summary.retry_lines()
    if retry:
        summary.failed_keys_location = work.put_retry_list(execution, retry)
    progress.finish(execution, "COMPLETED_WITH_FAILURES" if retry else "SUCCEEDED")
    return summary
