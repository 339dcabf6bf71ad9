"""The events/ files (for `sam local invoke IngestFunction -e ...`) drive the real handler."""

from __future__ import annotations

import json

from cloudtrail_tracker.local.driver import LocalContext
from tests.conftest import ROOT, SAMPLES


def load_event(name: str, bucket: str) -> dict:
    return json.loads((ROOT / "events" / name).read_text().replace("YOUR-TRAIL-BUCKET", bucket))


def test_notification_event(aws):
    from ingest.handler import lambda_handler

    event = load_event("ingest-sqs-s3-notification.json", aws.resources.bucket)
    key = json.loads(event["Records"][0]["body"])["Records"][0]["s3"]["object"]["key"]
    aws.put_log(key, (SAMPLES / "cloud-snitch" / key).read_bytes())
    assert lambda_handler(event, LocalContext()) == {"batchItemFailures": []}
    assert len(aws.events()) == len({e["eventID"] for e in aws.events()}) == len(aws.files_named()) == 3
    # of its 20 records, 17 are read-only calls dropped as noise by default


def test_test_event_is_acknowledged(aws):
    from ingest.handler import lambda_handler

    assert lambda_handler(load_event("ingest-sqs-s3-test-event.json", aws.resources.bucket), LocalContext()) == {"batchItemFailures": []}
    assert aws.events() == [] and aws.items("E#") == []


def test_missing_object_fails_only_its_message(aws):
    from ingest.handler import lambda_handler

    good = load_event("ingest-sqs-s3-notification.json", aws.resources.bucket)
    key = json.loads(good["Records"][0]["body"])["Records"][0]["s3"]["object"]["key"]
    aws.put_log(key, (SAMPLES / "cloud-snitch" / key).read_bytes())
    missing = json.loads(json.dumps(good["Records"][0]).replace(key.rsplit("/", 1)[-1], "gone.json.gz"))
    missing["messageId"] = "missing-1"
    good["Records"].append(missing)
    assert lambda_handler(good, LocalContext()) == {"batchItemFailures": [{"itemIdentifier": "missing-1"}]}
    assert len(aws.events()) == len({e["eventID"] for e in aws.events()}) == len(aws.files_named()) == 3
    # of its 20 records, 17 are read-only calls dropped as noise by default
