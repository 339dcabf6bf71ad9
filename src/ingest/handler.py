"""Ingest Lambda: SQS batches of S3 notifications -> CloudTrail events in DynamoDB.

Each SQS message is one S3 notification. A message whose file is corrupt (bad gzip, not
JSON: it would fail the same way every time) is sent to the dead-letter queue at once, with
the reason in its ``reason`` attribute, and acknowledged; the rest of the batch lands. Without
``DEAD_LETTER_QUEUE_URL`` the message fails alone (``ReportBatchItemFailures``) and SQS moves
it there after ``maxReceiveCount`` tries. Other errors (throttling, timeouts) fail the
message so SQS retries it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.s3_event import S3Event
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from cloudtrail_tracker.clients import client
from cloudtrail_tracker.ingest_service import FileIngester, LogFileError
from cloudtrail_tracker.models import FileReport
from cloudtrail_tracker.observability import MetricUnit, logger, metrics, tracer
from cloudtrail_tracker.settings import IngestSettings, ingest_settings

processor = BatchProcessor(event_type=EventType.SQS)

_MAX_REASON_CHARS = 1000


def objects_in(message_body: str) -> list[tuple[str, str]]:
    """(bucket, key) of each object an S3 notification names; none for ``s3:TestEvent``."""
    notification = S3Event(json.loads(message_body))
    if notification.raw_event.get("Event") == "s3:TestEvent" or "Records" not in notification.raw_event:
        return []
    return [(record.s3.bucket.name, unquote_plus(record.s3.get_object.key)) for record in notification.records]


def ingester() -> FileIngester:
    """The execution environment's ingester: it remembers the names it registered (fewer writes)."""
    return _ingester_of(client("s3"), client("dynamodb"), ingest_settings())


@lru_cache(maxsize=1)  # a new one when clients.reset() gave new clients (tests, the local stack)
def _ingester_of(s3, dynamodb, settings: IngestSettings) -> FileIngester:
    return FileIngester(s3, dynamodb, settings)


class Invocation:
    """One batch of messages: their files are read one message at a time (:meth:`stage_message`,
    the batch processor's record handler), then written together (:meth:`write`)."""

    def __init__(self) -> None:
        self.ingester = ingester()
        self.ingester.discard()  # parts of files a failed invocation read: their messages come back
        self._failed_before = self.ingester.failed_flushes
        self.staged: list[list[FileReport]] = []  # per message: its files' reports

    @property
    def failed_while_staging(self) -> bool:
        return self.ingester.failed_flushes != self._failed_before

    @tracer.capture_method
    def stage_message(self, record: SQSRecord) -> None:
        self.staged.append(_stage_message(self.ingester, record))


def _stage_message(ingester: FileIngester, record: SQSRecord) -> list[FileReport]:
    """Read the files of one message for the batch's write."""
    reports: list[FileReport] = []
    try:
        objects = objects_in(record.body)
    except (ValueError, KeyError, TypeError) as error:
        _dead_letter(record, f"not an S3 notification: {error}")
        return reports
    corrupt = []
    for bucket, key in objects:
        try:
            reports.append(ingester.stage(bucket, key))
        except LogFileError as error:
            logger.error("corrupt log file", extra={"bucket": bucket, "key": key, "error": str(error)})
            metrics.add_metric(name="CorruptFiles", unit=MetricUnit.Count, value=1)
            failed = FileReport()
            failed.failed_files.append(key)
            reports.append(failed)
            corrupt.append(f"{key}: {error}")
    if corrupt:
        _dead_letter(record, "; ".join(corrupt))
    return reports


def _dead_letter(record: SQSRecord, reason: str) -> None:
    """Send a message that fails the same way on every try to the dead-letter queue now."""
    url = ingest_settings().dead_letter_queue_url
    if not url:
        raise LogFileError(reason)  # SQS's redrive moves it after maxReceiveCount tries
    client("sqs").send_message(QueueUrl=url, MessageBody=record.body, MessageAttributes={
        "reason": {"DataType": "String", "StringValue": reason[:_MAX_REASON_CHARS]},
    })
    logger.error("message sent to the dead-letter queue", extra={"messageId": record.message_id, "reason": reason})


def _publish(report: FileReport) -> None:
    metrics.add_metric(name="FilesRead", unit=MetricUnit.Count, value=report.files)
    metrics.add_metric(name="EventsStored", unit=MetricUnit.Count, value=report.stored)
    metrics.add_metric(name="EventsDuplicate", unit=MetricUnit.Count, value=report.duplicates)
    metrics.add_metric(name="EventsDropped", unit=MetricUnit.Count, value=sum(report.dropped.values()))
    metrics.add_metric(name="DynamoDBWriteRequests", unit=MetricUnit.Count, value=report.write_requests)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    """Read every message's files, then write them together: if that write fails, every message
    of the batch is retried (writes are idempotent, see dal/writer.py)."""
    invocation = Invocation()
    response = process_partial_response(event=event, record_handler=invocation.stage_message, processor=processor,
                                        context=context)
    try:
        if invocation.failed_while_staging:
            # a write while staging (BUFFER_EVENTS reached) failed: it held parts of the messages
            # staged before it too, which the batch processor counted as done
            raise RuntimeError("a write while staging the batch failed")
        invocation.ingester.flush()
    except Exception:
        logger.exception("writing the batch failed: every message is retried")
        return {"batchItemFailures": [{"itemIdentifier": record["messageId"]} for record in event["Records"]]}
    batch = FileReport()
    for reports in invocation.staged:  # a log line per message, one value per metric per invocation
        report = FileReport()
        for file_report in reports:
            report.add(file_report)
        logger.info("ingested", extra=report.as_dict())
        batch.add(report)
    _publish(batch)
    return response
