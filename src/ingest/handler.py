"""Ingest Lambda: SQS batches of S3 notifications -> CloudTrail events in DynamoDB.

Each SQS message is one S3 notification. A message whose file is corrupt (bad gzip, not
JSON: it would fail the same way every time) is sent to the dead-letter queue at once, with
the reason in its ``reason`` attribute, and acknowledged; the rest of the batch lands. Without
``DEAD_LETTER_QUEUE_URL`` the message fails alone (``ReportBatchItemFailures``) and SQS moves
it there after ``maxReceiveCount`` tries. Other errors (throttling, timeouts) fail the
message so SQS retries it. The files of every message are written together
(ingest_service.StagedBatch): if that write fails, every message of the batch fails.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache, partial
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.s3_event import S3Event
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from cloudtrail_tracker.alert_delivery import sns_publisher
from cloudtrail_tracker.clients import client
from cloudtrail_tracker.ingest_service import FileIngester, LogFileError, StagedBatch, sum_reports
from cloudtrail_tracker.models import FileReport
from cloudtrail_tracker.observability import MetricUnit, logger, metrics, tracer
from cloudtrail_tracker.settings import IngestSettings, ingest_settings

processor = BatchProcessor(event_type=EventType.SQS)

MAX_REASON_CHARS = 1000  # of the dead-letter message's ``reason`` attribute

# Who wants each written message's report besides the logs and metrics: the local stack's
# summary (cloudtrail_tracker/local/stack.py). Empty on AWS.
ReportListener = Callable[[FileReport], object]
_report_listeners: list[ReportListener] = []


def add_report_listener(listener: ReportListener) -> None:
    """Call ``listener(report)`` with the FileReport of every message this process writes."""
    _report_listeners.append(listener)


def remove_report_listener(listener: ReportListener) -> None:
    _report_listeners.remove(listener)


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
def _ingester_of(s3: Any, dynamodb: Any, settings: IngestSettings) -> FileIngester:
    topic = settings.alerts_topic_arn
    return FileIngester(s3, dynamodb, settings, publish_alert=sns_publisher(client("sns"), topic) if topic else None)


@tracer.capture_method
def stage_message(batch: StagedBatch, record: SQSRecord) -> None:
    """The batch processor's record handler: read the files of one message for the batch's write.
    Raises (the message fails alone) on what may pass on a retry, e.g. throttling."""
    try:
        objects = objects_in(record.body)
    except (ValueError, KeyError, TypeError) as error:
        dead_letter(record, f"not an S3 notification: {error}")
        return
    corrupt = batch.stage(objects)
    for key, problem in corrupt.items():
        logger.error("corrupt log file", extra={"key": key, "error": str(problem)})
        metrics.add_metric(name="CorruptFiles", unit=MetricUnit.Count, value=1)
    if corrupt:
        dead_letter(record, "; ".join(f"{key}: {problem}" for key, problem in corrupt.items()))


def dead_letter(record: SQSRecord, reason: str) -> None:
    """Send a message that fails the same way on every try to the dead-letter queue now."""
    url = ingest_settings().dead_letter_queue_url
    if not url:
        raise LogFileError(reason)  # SQS's redrive moves it after maxReceiveCount tries
    client("sqs").send_message(QueueUrl=url, MessageBody=record.body, MessageAttributes={
        "reason": {"DataType": "String", "StringValue": reason[:MAX_REASON_CHARS]},
    })
    logger.error("message sent to the dead-letter queue", extra={"messageId": record.message_id, "reason": reason})


def publish(batch: FileReport) -> None:
    """One value per metric per invocation."""
    metrics.add_metric(name="FilesRead", unit=MetricUnit.Count, value=batch.files)
    metrics.add_metric(name="EventsStored", unit=MetricUnit.Count, value=batch.stored)
    metrics.add_metric(name="EventsDuplicate", unit=MetricUnit.Count, value=batch.duplicates)
    metrics.add_metric(name="EventsDropped", unit=MetricUnit.Count, value=sum(batch.dropped.values()))
    metrics.add_metric(name="DynamoDBWriteRequests", unit=MetricUnit.Count, value=batch.write_requests)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> PartialItemFailureResponse:
    """Read every message's files, then write them together: if that write fails, every message
    of the batch is retried (writes are idempotent, see dal/writer.py)."""
    batch = StagedBatch(ingester())
    response = process_partial_response(event=event, record_handler=partial(stage_message, batch),
                                        processor=processor, context=context)
    try:
        reports = batch.write()
    except Exception:
        logger.exception("writing the batch failed: every message is retried")
        return {"batchItemFailures": [{"itemIdentifier": record["messageId"]} for record in event["Records"]]}
    for report in reports:
        logger.info("ingested", extra=report.as_dict())  # a log line per message
        for listener in list(_report_listeners):
            listener(report)
    publish(sum_reports(reports))
    return response
