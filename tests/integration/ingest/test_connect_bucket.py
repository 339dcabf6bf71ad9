"""Connecting an existing trail bucket on moto: ours added beside the others, removed alone."""

from __future__ import annotations

from cloudtrail_tracker.bucket_notification import connect, disconnect


def test_connect_and_disconnect_keep_other_notifications(aws):
    s3, sqs = aws.s3, aws.sqs
    other_queue = sqs.get_queue_attributes(QueueUrl=sqs.create_queue(QueueName="someone-elses")["QueueUrl"],
                                           AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bucket = "existing-trail-bucket"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [
        {"Id": "theirs", "QueueArn": other_queue, "Events": ["s3:ObjectRemoved:*"]}]})
    connect(s3, bucket, "ours", aws.resources.queue_arn, prefix="trail/")
    ids = {c["Id"] for c in s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"]}
    assert ids == {"theirs", "ours"}
    disconnect(s3, bucket, "ours")
    ids = {c["Id"] for c in s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"]}
    assert ids == {"theirs"}


def test_deleting_the_stack_after_the_bucket_is_gone_succeeds(aws):
    from ingest.connect_bucket import _disconnect_if_reachable

    _disconnect_if_reachable(aws.s3, "bucket-that-was-deleted", "ours")  # no exception: nothing to undo
