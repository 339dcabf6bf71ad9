"""Summarize task: add up the children's results, write the retry list, return the summary.

The results are read from the per-prefix items in DynamoDB, not from the Map's output: that
stays small (ResultWriter) and moto's ResultWriter writes no result files.
"""

from __future__ import annotations

import json

from aws_lambda_powertools.utilities.typing import LambdaContext

from backfill import runtime
from cloudtrail_tracker.backfill import locations
from cloudtrail_tracker.backfill.summary import BackfillSummary, PrefixResult
from cloudtrail_tracker.clients import client
from cloudtrail_tracker.observability import MetricUnit, logger, metrics, tracer


def planned_prefixes(s3, bucket: str, key: str) -> list[str]:
    return [item["prefix"] for item in json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())]


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    execution, work_bucket = event["execution"], event["workBucket"]
    s3 = client("s3")
    progress = runtime.progress()
    results = [PrefixResult.from_dict(data) for data in progress.prefix_results(execution)]
    summary = BackfillSummary.of(planned_prefixes(s3, work_bucket, event["manifestKey"]), results)
    retry = summary.retry_lines()
    if retry:
        key = locations.failed_keys_key(execution)
        s3.put_object(Bucket=work_bucket, Key=key, ContentType="text/plain", Body=("\n".join(retry) + "\n").encode())
        summary.failed_keys_location = locations.s3_url(work_bucket, key)
    progress.finish(execution, "COMPLETED_WITH_FAILURES" if retry else "SUCCEEDED")
    metrics.add_metric(name="BackfillFilesFailed", unit=MetricUnit.Count, value=len(summary.report.failed_files))
    data = {"execution": execution, **summary.as_dict()}
    logger.info("backfill summary", extra=data)
    return data
