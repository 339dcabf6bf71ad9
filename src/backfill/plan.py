"""Plan task: find the window's day prefixes and write them to S3 as the Distributed Map's manifest.

Input ``{"input": <execution input>, "execution": <execution name>}``; output the small state
the rest of the machine needs (the prefix list itself stays in S3: it can exceed 256 KiB).
"""

from __future__ import annotations

import json

from aws_lambda_powertools.utilities.typing import LambdaContext

from backfill import runtime
from cloudtrail_tracker.backfill import locations
from cloudtrail_tracker.backfill.prefixes import find_day_prefixes
from cloudtrail_tracker.backfill.request import BackfillRequest
from cloudtrail_tracker.clients import client
from cloudtrail_tracker.observability import MetricUnit, logger, metrics, tracer


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    execution = event["execution"]
    request = BackfillRequest.from_input(event.get("input"))  # InvalidBackfillInput fails the execution
    work_bucket = runtime.work_bucket()  # ConfigurationError fails the execution before any listing
    s3 = client("s3")
    prefixes = find_day_prefixes(s3, request)
    manifest_key = locations.manifest_key(execution)
    s3.put_object(Bucket=work_bucket, Key=manifest_key, ContentType="application/json",
                  Body=json.dumps([{"prefix": prefix} for prefix in prefixes]).encode())
    runtime.progress().start(execution, len(prefixes))
    metrics.add_metric(name="BackfillPrefixesPlanned", unit=MetricUnit.Count, value=len(prefixes))
    logger.info("planned", extra={"prefixes": len(prefixes), "manifest": locations.s3_url(work_bucket, manifest_key)})
    return {
        **request.as_input(),
        "execution": execution,
        "workBucket": work_bucket,
        "manifestKey": manifest_key,
        "prefixes": len(prefixes),
    }
