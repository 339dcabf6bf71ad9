"""Add or remove our queue notification on a trail bucket without touching the others.

S3's PutBucketNotificationConfiguration replaces the whole configuration (the original's
trigger.py wiped whatever was there); here the current configuration is read, ours is
replaced or added by its Id, and everything else is written back unchanged.
"""

from __future__ import annotations

from typing import Any

_RESPONSE_ONLY = ("ResponseMetadata",)


def with_queue_notification(current: dict, notification_id: str, queue_arn: str, prefix: str = "") -> dict:
    config = without_notification(current, notification_id)
    entry: dict[str, Any] = {"Id": notification_id, "QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"]}
    if prefix:
        entry["Filter"] = {"Key": {"FilterRules": [{"Name": "prefix", "Value": prefix}]}}
    config.setdefault("QueueConfigurations", []).append(entry)
    return config


def without_notification(current: dict, notification_id: str) -> dict:
    config = {k: v for k, v in current.items() if k not in _RESPONSE_ONLY}
    for kind in ("QueueConfigurations", "TopicConfigurations", "LambdaFunctionConfigurations"):
        if kind in config:
            config[kind] = [c for c in config[kind] if c.get("Id") != notification_id]
            if not config[kind]:
                del config[kind]
    return config


def connect(s3_client, bucket: str, notification_id: str, queue_arn: str, prefix: str = "") -> dict:
    config = with_queue_notification(
        s3_client.get_bucket_notification_configuration(Bucket=bucket), notification_id, queue_arn, prefix
    )
    s3_client.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
    return config


def disconnect(s3_client, bucket: str, notification_id: str) -> dict:
    config = without_notification(s3_client.get_bucket_notification_configuration(Bucket=bucket), notification_id)
    s3_client.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
    return config
