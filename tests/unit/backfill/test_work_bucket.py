"""The work bucket's files and the progress items' keys: one place each."""

from __future__ import annotations

import boto3
from moto import mock_aws

from cloudtrail_tracker.backfill import work_bucket
from cloudtrail_tracker.backfill.work_bucket import WorkBucket
from cloudtrail_tracker.dal import backfill_progress
from cloudtrail_tracker.logfile import skip_reason


def test_an_executions_files_share_one_folder_that_ingest_skips():
    manifest, retry = work_bucket.manifest_key("run-1"), work_bucket.retry_list_key("run-1")
    assert manifest == "cloudtrail-tracker/backfill/run-1/day-prefixes.manifest"
    assert retry == "cloudtrail-tracker/backfill/run-1/failed-keys.txt"
    assert skip_reason(manifest) and skip_reason(retry)  # should the work bucket be the trail bucket


def test_manifest_and_retry_list_round_trip():
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="work")
        work = WorkBucket(s3, "work")
        prefixes = [f"AWSLogs/111111111111/CloudTrail/us-east-1/2025/03/0{day}/" for day in (3, 1, 2)]
        key = work.put_manifest("run-1", prefixes)
        assert work.planned_prefixes(key) == prefixes  # in the planned order
        url = work.put_retry_list("run-1", ["a.json.gz", "AWSLogs/x/"])
        assert url == "s3://work/cloudtrail-tracker/backfill/run-1/failed-keys.txt"
        body = s3.get_object(Bucket="work", Key=work_bucket.retry_list_key("run-1"))["Body"].read()
        assert body == b"a.json.gz\nAWSLogs/x/\n"


def test_progress_item_keys_share_the_executions_partition():
    progress = backfill_progress.progress_key("run-1")
    prefix = backfill_progress.prefix_result_key("run-1", "AWSLogs/1/")
    assert progress["pk"] == prefix["pk"] == {"S": "B#run-1"}
    assert (progress["sk"], prefix["sk"]) == ({"S": "PROGRESS"}, {"S": "P#AWSLogs/1/"})
    query = backfill_progress.prefix_results_query("run-1")
    assert query["ExpressionAttributeValues"] == {":pk": {"S": "B#run-1"}, ":sk": {"S": "P#"}}
