from cloudtrail_tracker.bucket_notification import (
    with_queue_notification,
    without_notification,
)

EXISTING = {
    "ResponseMetadata": {"HTTPStatusCode": 200},
    "LambdaFunctionConfigurations": [{"Id": "someone-elses", "LambdaFunctionArn": "arn:aws:lambda:::function:f",
                                      "Events": ["s3:ObjectRemoved:*"]}],
    "QueueConfigurations": [{"Id": "other-queue", "QueueArn": "arn:aws:sqs:::q", "Events": ["s3:ObjectCreated:*"]}],
}


def test_adding_keeps_every_other_notification():
    config = with_queue_notification(EXISTING, "ours", "arn:aws:sqs:::ingest", prefix="trail/")
    assert config["LambdaFunctionConfigurations"] == EXISTING["LambdaFunctionConfigurations"]
    assert [q["Id"] for q in config["QueueConfigurations"]] == ["other-queue", "ours"]
    assert config["QueueConfigurations"][1]["Filter"]["Key"]["FilterRules"] == [{"Name": "prefix", "Value": "trail/"}]
    assert "ResponseMetadata" not in config


def test_adding_twice_replaces_ours_and_removing_takes_only_ours():
    once = with_queue_notification(EXISTING, "ours", "arn:aws:sqs:::ingest")
    twice = with_queue_notification(once, "ours", "arn:aws:sqs:::ingest-2")
    assert [q["QueueArn"] for q in twice["QueueConfigurations"]] == ["arn:aws:sqs:::q", "arn:aws:sqs:::ingest-2"]
    removed = without_notification(twice, "ours")
    assert removed == {k: v for k, v in EXISTING.items() if k != "ResponseMetadata"}
