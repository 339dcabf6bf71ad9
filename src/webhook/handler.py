"""Webhook Lambda: alerts from its queue (subscribed to the alerts topic) -> one POST each to the webhook.

Its own function and queue, so a slow or failing webhook never delays the ingest: a failed post fails its
message alone (partial batch response), which SQS retries and finally moves to the dead-letter queue.
The URL is read from the SSM parameter ``WEBHOOK_URL_PARAMETER`` names (a SecureString: never in the template).
"""

from __future__ import annotations

import json
from functools import lru_cache

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from cloudtrail_tracker.clients import client
from cloudtrail_tracker.observability import MetricUnit, logger, metrics, tracer
from cloudtrail_tracker.settings import webhook_settings
from cloudtrail_tracker.webhook import post

processor = BatchProcessor(event_type=EventType.SQS)


@lru_cache(maxsize=1)
def webhook_url(parameter: str) -> str:
    """The URL, read once per execution environment."""
    return client("ssm").get_parameter(Name=parameter, WithDecryption=True)["Parameter"]["Value"]


def deliver(record: SQSRecord) -> None:
    alert = json.loads(record.body)  # raw message delivery: the body is the message published
    status = post(webhook_url(webhook_settings().webhook_url_parameter), alert)
    logger.info("posted", extra={"alert": alert.get("id"), "rule": alert.get("rule"), "status": status})
    metrics.add_metric(name="AlertsPosted", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=deliver, processor=processor, context=context)
