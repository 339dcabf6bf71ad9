"""Plan task: find the window's day prefixes and write them to S3 as the Distributed Map's manifest.

Input ``{"input": <execution input>, "execution": <execution name>}``; output the small state
the rest of the machine needs (the prefix list itself stays in S3: it can exceed 256 KiB).
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from backfill import runtime
from cloudtrail_tracker.backfill import steps
from cloudtrail_tracker.backfill.request import BackfillRequest
from cloudtrail_tracker.clients import client
from cloudtrail_tracker.observability import MetricUnit, logger, metrics, tracer


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    execution = event["execution"]
    request = BackfillRequest.from_input(event.get("input"))  # InvalidBackfillInput fails the execution
    work = runtime.work_bucket()  # ConfigurationError fails the execution before any listing
    planned = steps.plan(client("s3"), request, execution, work, runtime.progress())
    metrics.add_metric(name="BackfillPrefixesPlanned", unit=MetricUnit.Count, value=planned.prefixes)
    logger.info("planned", extra={"prefixes": planned.prefixes, "manifest": work.url(planned.manifest_key)})
    return {
        **request.as_input(),
        "execution": execution,
        "workBucket": work.name,
        "manifestKey": planned.manifest_key,
        "prefixes": planned.prefixes,
    }
