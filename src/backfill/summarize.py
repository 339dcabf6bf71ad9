"""Summarize task: add up the children's results, write the retry list, return the summary.

The results are read from the per-prefix items in DynamoDB, not from the Map's output: that
stays small (ResultWriter) and moto's ResultWriter writes no result files.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from backfill import runtime
from cloudtrail_tracker.backfill import steps
from cloudtrail_tracker.observability import MetricUnit, logger, metrics, tracer


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    execution = event["execution"]
    summary = steps.summarize(execution, event["manifestKey"], runtime.work_bucket(event["workBucket"]),
                              runtime.progress())
    metrics.add_metric(name="BackfillFilesFailed", unit=MetricUnit.Count, value=len(summary.report.failed_files))
    data = {"execution": execution, **summary.as_dict()}
    logger.info("backfill summary", extra=data)
    return data
