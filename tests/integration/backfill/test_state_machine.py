"""The real backfill definition (statemachines/backfill.asl.json via template.yaml) on moto's
Step Functions interpreter, its Lambda tasks running src/backfill/ in this process."""

from __future__ import annotations

import gzip
from collections import Counter
from datetime import date

from cloudtrail_tracker.backfill.sample_history import generate

FIRST, LAST = date(2025, 3, 3), date(2025, 3, 4)  # generated history: 2025-03-01 .. 2025-03-06


def _history(tmp_path):
    root = tmp_path / "logs"
    paths = generate(root, files=48, records_per_file=16, seed=7, accounts=("111111111111", "333333333333"),
                     org_accounts=("222222222222",), regions=("us-east-1", "eu-west-1"),
                     start=date(2025, 3, 1), days=6)
    return root, paths


def test_backfill_stores_exactly_the_window_once(backfill_aws, tmp_path, expected_ids):
    root, paths = _history(tmp_path)
    assert any("/o-1234abcde/" in p.as_posix() for p in paths)
    assert any("CloudTrail-Digest" in p.as_posix() for p in paths)
    backfill_aws.upload(root, paths)
    request = {"bucket": backfill_aws.resources.bucket, "from": FIRST.isoformat(), "to": LAST.isoformat(),
               "concurrency": 4}

    first = backfill_aws.run(request)

    assert first["status"] == "SUCCEEDED", first
    expected = expected_ids(root, paths, FIRST, LAST)
    window_days = ["2025-03-03", "2025-03-04"]
    stored = backfill_aws.stored_event_ids(window_days)
    assert Counter(stored).most_common(1)[0][1] == 1  # each event once
    assert set(stored) == expected and len(expected) > 100
    # ... and nothing of the days around the window, although their files were read.
    assert backfill_aws.event_item_count() == len(expected)
    result = first["result"]
    assert result["prefixes"] == 3 * 2 * 4  # 3 accounts x 2 regions x (2 days + 1 either side)
    assert result["prefixesDone"] == result["prefixes"]
    assert result["events"]["stored"] == len(expected)
    assert result["events"]["skippedReasons"]["outside-window"] > 0
    assert result["filesFailed"] == 0 and result["failedKeysLocation"] == ""

    second = backfill_aws.run(request)

    assert second["status"] == "SUCCEEDED"
    assert second["result"]["events"]["stored"] == 0
    assert second["result"]["events"]["duplicates"] == len(expected)
    assert backfill_aws.event_item_count() == len(expected)


def test_filters_accounts_and_regions(backfill_aws, tmp_path, expected_ids):
    root, paths = _history(tmp_path)
    backfill_aws.upload(root, paths)

    run = backfill_aws.run({"bucket": backfill_aws.resources.bucket, "from": "2025-03-03", "to": "2025-03-03",
                            "accounts": ["222222222222"], "regions": ["eu-west-1"]})

    assert run["status"] == "SUCCEEDED"
    assert run["result"]["prefixes"] == 3
    events = backfill_aws.events()
    assert events and {e["account"] for e in events} == {"222222222222"}
    assert {e["region"] for e in events} == {"eu-west-1"}
    assert backfill_aws.event_item_count() == len(events)


def test_corrupt_files_are_reported_and_the_rest_stored(backfill_aws, tmp_path, expected_ids):
    root, paths = _history(tmp_path)
    logs = [p for p in paths if "/CloudTrail/" in p.as_posix() and "/2025/03/03/" in p.as_posix()]
    truncated, not_gzip_json = logs[0], logs[5]
    truncated.write_bytes(truncated.read_bytes()[:-40])
    not_gzip_json.write_bytes(gzip.compress(b"<html>Access Denied</html>"))
    bad_keys = sorted(p.relative_to(root).as_posix() for p in (truncated, not_gzip_json))
    backfill_aws.upload(root, paths)
    good = [p for p in paths if p not in (truncated, not_gzip_json)]

    run = backfill_aws.run({"bucket": backfill_aws.resources.bucket, "from": "2025-03-03", "to": "2025-03-04"})

    assert run["status"] == "SUCCEEDED"
    result = run["result"]
    assert result["filesFailed"] == 2
    assert sorted(result["failedKeysSample"]) == bad_keys
    reasons = result["failureReasons"]  # each failed file with why, for the summary people read
    assert set(reasons) == set(bad_keys) and all(reasons.values())
    assert "JSON" in reasons[not_gzip_json.relative_to(root).as_posix()], reasons
    from cloudtrail_tracker.backfill.summary import format_summary

    text = format_summary(result)
    assert all(f"  {key}: {reasons[key]}" in text for key in bad_keys), text
    bucket, key = result["failedKeysLocation"].removeprefix("s3://").split("/", 1)
    assert bucket == backfill_aws.work_bucket
    retry_list = backfill_aws.s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode().split()
    assert sorted(retry_list) == bad_keys
    expected = expected_ids(root, good, FIRST, LAST)
    assert set(backfill_aws.stored_event_ids(["2025-03-03", "2025-03-04"])) == expected
    assert backfill_aws.event_item_count() == len(expected)
