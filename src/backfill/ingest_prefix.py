"""Map child: ingest every file of one day prefix with the ingest Lambda's FileIngester.

A corrupt file is reported and the others go on: a Distributed Map child that fails loses
its whole prefix (and on moto the Map would not even say so).
"""

from __future__ import annotations

import time

from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError

from backfill import runtime
from cloudtrail_tracker.backfill.request import parse_day
from cloudtrail_tracker.backfill.summary import PrefixResult
from cloudtrail_tracker.backfill.windowed import WindowedFileIngester
from cloudtrail_tracker.clients import client
from cloudtrail_tracker.ingest_service import LogFileError
from cloudtrail_tracker.models import FileReport
from cloudtrail_tracker.observability import MetricUnit, logger, metrics, tracer
from cloudtrail_tracker.settings import store_settings

PROGRESS_EVERY_FILES = 25
PROGRESS_EVERY_SECONDS = 3.0


def list_keys(s3, bucket: str, prefix: str) -> list[str]:
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys += [obj["Key"] for obj in page.get("Contents", [])]
    return keys


class _ProgressFlusher:
    """Adds this child's counts to the execution's live progress every few files or seconds."""

    def __init__(self, execution: str):
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
        runtime.progress().add(
            self._execution, prefixesDone=prefixes_done, filesDone=self._files, filesFailed=self._failed,
            eventsRead=self._pending.records, eventsStored=self._pending.stored,
            duplicates=self._pending.duplicates,
        )
        self._pending, self._files, self._failed, self._last = FileReport(), 0, 0, time.monotonic()


def ingest_prefix(bucket: str, prefix: str, execution: str, ingester: WindowedFileIngester) -> PrefixResult:
    s3 = client("s3")
    keys = list_keys(s3, bucket, prefix)
    result = PrefixResult(prefix=prefix, listed=len(keys))
    runtime.progress().add(execution, filesListed=len(keys))
    flusher = _ProgressFlusher(execution)
    for key in keys:
        try:
            report = ingester.ingest(bucket, key)
        except (LogFileError, ClientError) as error:  # ClientError: the object went away or is unreadable
            logger.error("file not ingested", extra={"bucket": bucket, "key": key, "error": str(error)})
            report = FileReport(failed_files=[key])
        result.report.add(report)
        flusher.file_done(report, failed=bool(report.failed_files))
    flusher.flush(prefixes_done=1)
    runtime.progress().put_prefix_result(execution, prefix, result.as_dict())
    return result


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    ingester = WindowedFileIngester(client("s3"), client("dynamodb"), store_settings(),
                                    parse_day(event["from"], "from"), parse_day(event["to"], "to"))
    result = ingest_prefix(event["bucket"], event["prefix"], event["execution"], ingester)
    report = result.report
    metrics.add_metric(name="FilesRead", unit=MetricUnit.Count, value=report.files)
    metrics.add_metric(name="EventsStored", unit=MetricUnit.Count, value=report.stored)
    metrics.add_metric(name="CorruptFiles", unit=MetricUnit.Count, value=len(report.failed_files))
    logger.info("prefix ingested", extra=result.as_dict())
    return result.brief()
