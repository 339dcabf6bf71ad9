"""Create the stack's bucket, queues and table on the embedded AWS, from template.yaml."""

from __future__ import annotations

from dataclasses import dataclass

from ..bucket_notification import connect
from . import template as tpl

NOTIFICATION_ID = "cloudtrail-tracker-local"


@dataclass(frozen=True)
class StackResources:
    bucket: str
    table: str
    queue_url: str
    queue_arn: str
    dead_letter_url: str
    region: str

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def create_stack_resources(session, template: dict, prefix: str = "cloudtrail-tracker") -> StackResources:
    """Table, dead-letter queue, ingest queue (with its redrive), trail bucket and its notification."""
    region = session.region_name
    dynamodb, sqs, s3 = session.client("dynamodb"), session.client("sqs"), session.client("s3")
    table = f"{prefix}-events"
    dynamodb.create_table(**tpl.table_definition(template, "EventsTableV2", table))
    ttl = tpl.ttl_attribute(template, "EventsTableV2")
    if ttl:
        dynamodb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl})

    dlq_url = sqs.create_queue(
        QueueName=f"{prefix}-ingest-dlq", Attributes=tpl.queue_attributes(template, "IngestDeadLetterQueue")
    )["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue_url = sqs.create_queue(
        QueueName=f"{prefix}-ingest", Attributes=tpl.queue_attributes(template, "IngestQueue", dlq_arn)
    )["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    bucket = f"{prefix}-trail-{session.client('sts').get_caller_identity()['Account']}"
    if region == "us-east-1":
        s3.create_bucket(Bucket=bucket)
    else:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    connect(s3, bucket, NOTIFICATION_ID, queue_arn)
    return StackResources(bucket, table, queue_url, queue_arn, dlq_url, region)
