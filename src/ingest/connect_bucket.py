"""CloudFormation custom resource: connect an existing trail bucket to the ingest queue."""

from __future__ import annotations

import json
import urllib.request

from botocore.exceptions import ClientError

from cloudtrail_tracker.bucket_notification import connect, disconnect
from cloudtrail_tracker.clients import client
from cloudtrail_tracker.observability import logger


def _respond(event: dict, context, status: str, reason: str = "") -> None:
    body = json.dumps({
        "Status": status,
        "Reason": reason or f"see CloudWatch log stream {context.log_stream_name}",
        "PhysicalResourceId": event.get("PhysicalResourceId") or event["ResourceProperties"]["NotificationId"],
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
    }).encode()
    request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": ""})
    urllib.request.urlopen(request, timeout=30)  # noqa: S310 - the pre-signed URL CloudFormation gave


def _disconnect_if_reachable(s3, bucket: str, notification_id: str) -> None:
    """On stack deletion a bucket already gone (or no longer ours to read) has nothing to undo:
    failing here would leave the stack stuck in DELETE_FAILED."""
    try:
        disconnect(s3, bucket, notification_id)
    except ClientError as error:
        if error.response["Error"]["Code"] not in {"NoSuchBucket", "AccessDenied"}:
            raise
        logger.warning("bucket not reachable on delete; nothing to remove", extra={"bucket": bucket})


@logger.inject_lambda_context
def lambda_handler(event: dict, context) -> None:
    props = event["ResourceProperties"]
    s3 = client("s3")
    try:
        if event["RequestType"] == "Delete":
            _disconnect_if_reachable(s3, props["Bucket"], props["NotificationId"])
        else:
            if event["RequestType"] == "Update":
                old = event.get("OldResourceProperties", {})
                if old.get("Bucket") and old["Bucket"] != props["Bucket"]:
                    disconnect(s3, old["Bucket"], old.get("NotificationId", props["NotificationId"]))
            connect(s3, props["Bucket"], props["NotificationId"], props["QueueArn"], props.get("Prefix", ""))
    except Exception as error:  # CloudFormation waits an hour for an answer that never comes otherwise
        logger.exception("bucket notification failed")
        _respond(event, context, "FAILED", str(error)[:500])
        return
    _respond(event, context, "SUCCESS")
