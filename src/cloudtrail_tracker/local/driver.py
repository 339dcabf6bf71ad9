"""Drive a Lambda handler from an SQS queue the way Lambda's event source mapping does:
batches of up to ``batch_size`` messages (gathered 10 a receive, as the batching window does),
``batchItemFailures`` left on the queue for a retry (at once here rather than after the
visibility timeout), the rest deleted. After ``maxReceiveCount``
receives SQS itself moves a message to the dead-letter queue."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class LocalContext:
    """What the handler reads of a Lambda context."""

    function_name: str = "IngestFunction"
    memory_limit_in_mb: int = 1024
    function_version: str = "$LATEST"
    log_stream_name: str = "local"

    def __post_init__(self):
        self.aws_request_id = str(uuid.uuid4())
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 300_000


def sqs_event(messages: list[dict], queue_arn: str, region: str) -> dict:
    return {"Records": [{
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    } for message in messages]}


def drain_queue(sqs, queue_url: str, queue_arn: str, region: str, handler: Callable[[dict, object], dict],
                batch_size: int = 10, on_batch: Callable[[int, int], None] | None = None) -> dict:
    """Feed the queue's messages to ``handler`` until it is empty. Returns counts of messages."""
    delivered = failed = 0
    while True:
        messages: list[dict] = []
        while len(messages) < batch_size:
            received = sqs.receive_message(
                QueueUrl=queue_url, MaxNumberOfMessages=min(10, batch_size - len(messages)), WaitTimeSeconds=0,
                AttributeNames=["All"], MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not received:
                break
            messages.extend(received)
        if not messages:
            attributes = sqs.get_queue_attributes(
                QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
            )["Attributes"]
            if int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"]) == 0:
                return {"messages": delivered, "failedDeliveries": failed}
            continue
        try:
            response = handler(sqs_event(messages, queue_arn, region), LocalContext()) or {}
            failures = {item["itemIdentifier"] for item in response.get("batchItemFailures", [])}
        except Exception:  # noqa: BLE001 - an invocation error returns the whole batch, as on Lambda
            failures = {message["MessageId"] for message in messages}
        done = [message for message in messages if message["MessageId"] not in failures]
        for start in range(0, len(done), 10):  # as Lambda's event source mapping: DeleteMessageBatch
            sqs.delete_message_batch(QueueUrl=queue_url, Entries=[
                {"Id": str(number), "ReceiptHandle": message["ReceiptHandle"]}
                for number, message in enumerate(done[start:start + 10])])
        for message in messages:
            if message["MessageId"] in failures:
                sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
        delivered += len(messages) - len(failures)
        failed += len(failures)
        if on_batch:
            on_batch(delivered, failed)
