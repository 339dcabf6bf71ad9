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
import os
from urllib.parse import unquote_plus

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.s3_event import S3Event
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

from cloudtrail_tracker.ingest_service import FileIngester, LogFileError
from cloudtrail_tracker.models import FileReport
from cloudtrail_tracker.settings import Settings

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace="CloudTrailTracker")
processor = BatchProcessor(event_type=EventType.SQS)

_CLIENT_CONFIG = Config(retries={"mode": "adaptive", "max_attempts": 10}, parameter_validation=False)
_MAX_REASON_CHARS = 1000
_ingester: FileIngester | None = None
_dead_letter_queue: tuple | None = None  # (SQS client, queue URL), or () when not configured


def ingester() -> FileIngester:
    """Created on first use so tests and the local stack can point boto3 at moto first."""
    global _ingester
    if _ingester is None:
        _ingester = FileIngester(
            boto3.client("s3", config=_CLIENT_CONFIG),
            boto3.client("dynamodb", config=_CLIENT_CONFIG),
            Settings.from_env(),
        )
    return _ingester


def dead_letter_queue() -> tuple:
    """(SQS client, URL) of the queue deterministic failures go to at once; () if not configured."""
    global _dead_letter_queue
    if _dead_letter_queue is None:
        url = os.environ.get("DEAD_LETTER_QUEUE_URL", "")
        _dead_letter_queue = (boto3.client("sqs", config=_CLIENT_CONFIG), url) if url else ()
    return _dead_letter_queue


def reset() -> None:
    """Forget the cached clients and settings (the local stack calls this after configuring)."""
    global _ingester, _dead_letter_queue
    _ingester = _dead_letter_queue = None


def objects_in(message_body: str) -> list[tuple[str, str]]:
    """(bucket, key) of each object an S3 notification names; none for ``s3:TestEvent``."""
    notification = S3Event(json.loads(message_body))
    if notification.raw_event.get("Event") == "s3:TestEvent" or "Records" not in notification.raw_event:
        return []
    return [(record.s3.bucket.name, unquote_plus(record.s3.get_object.key)) for record in notification.records]


_staged: list[list[FileReport]] = []  # this invocation's messages: their files' reports


@tracer.capture_method
def record_handler(record: SQSRecord) -> None:
    """Read the files of one message for the batch's write (in :func:`lambda_handler`)."""
    reports: list[FileReport] = []
    try:
        objects = objects_in(record.body)
    except (ValueError, KeyError, TypeError) as error:
        _dead_letter(record, f"not an S3 notification: {error}")
        return
    corrupt = []
    for bucket, key in objects:
        try:
            reports.append(ingester().stage(bucket, key))
        except LogFileError as error:
            logger.error("corrupt log file", extra={"bucket": bucket, "key": key, "error": str(error)})
            metrics.add_metric(name="CorruptFiles", unit=MetricUnit.Count, value=1)
            failed = FileReport()
            failed.failed_files.append(key)
            reports.append(failed)
            corrupt.append(f"{key}: {error}")
    if corrupt:
        _dead_letter(record, "; ".join(corrupt))
    _staged.append(reports)


def _dead_letter(record: SQSRecord, reason: str) -> None:
    """Send a message that fails the same way on every try to the dead-letter queue now."""
    queue = dead_letter_queue()
    if not queue:
        raise LogFileError(reason)  # SQS's redrive moves it after maxReceiveCount tries
    sqs, url = queue
    sqs.send_message(QueueUrl=url, MessageBody=record.body, MessageAttributes={
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
    _staged.clear()
    ingester().discard()  # parts of files a failed invocation read: their messages come back
    failed_before = ingester().failed_flushes
    response = process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
    try:
        if ingester().failed_flushes != failed_before:
            # a write while staging (BUFFER_EVENTS reached) failed: it held parts of the messages
            # staged before it too, which the batch processor counted as done
            raise RuntimeError("a write while staging the batch failed")
        ingester().flush()
    except Exception:
        logger.exception("writing the batch failed: every message is retried")
        return {"batchItemFailures": [{"itemIdentifier": record["messageId"]} for record in event["Records"]]}
    batch = FileReport()
    for reports in _staged:  # a log line per message, one value per metric per invocation
        report = FileReport()
        for file_report in reports:
            report.add(file_report)
        logger.info("ingested", extra=report.as_dict())
        batch.add(report)
    _publish(batch)
    return response
