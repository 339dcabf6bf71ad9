"""Map child: ingest every file of one day prefix with the ingest Lambda's FileIngester
(``cloudtrail_tracker.backfill.steps.ingest_prefix``: a corrupt file is reported, the others go on).

Input ``{"bucket", "prefix", "execution", "from", "to"}``; output the child's brief result.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from backfill import runtime
from cloudtrail_tracker.backfill import steps
from cloudtrail_tracker.backfill.request import parse_day
from cloudtrail_tracker.backfill.windowed import WindowedFileIngester
from cloudtrail_tracker.clients import client
from cloudtrail_tracker.observability import MetricUnit, logger, metrics, tracer
from cloudtrail_tracker.settings import store_settings


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    s3 = client("s3")
    ingester = WindowedFileIngester(s3, client("dynamodb"), store_settings(),
                                    parse_day(event["from"], "from"), parse_day(event["to"], "to"))
    result = steps.ingest_prefix(s3, event["bucket"], event["prefix"], event["execution"], ingester,
                                 runtime.progress())
    report = result.report
    metrics.add_metric(name="FilesRead", unit=MetricUnit.Count, value=report.files)
    metrics.add_metric(name="EventsStored", unit=MetricUnit.Count, value=report.stored)
    metrics.add_metric(name="CorruptFiles", unit=MetricUnit.Count, value=len(report.failed_files))
    logger.info("prefix ingested", extra=result.as_dict())
    return result.brief()
