from datetime import date

import pytest

from cloudtrail_tracker.backfill import planning
from cloudtrail_tracker.backfill.request import BackfillRequest, InvalidBackfillInput


def test_read_window_widens_one_day_each_side_across_month_and_year():
    assert planning.read_window(date(2025, 1, 1), date(2025, 2, 28)) == (date(2024, 12, 31), date(2025, 3, 1))


def test_months_of_spans_year_end():
    assert planning.months_of(date(2024, 12, 31), date(2025, 2, 1)) == [(2024, 12), (2025, 1), (2025, 2)]


@pytest.mark.parametrize(("prefix", "day"), [
    ("AWSLogs/111111111111/CloudTrail/us-east-1/2025/03/06/", date(2025, 3, 6)),
    ("trail/AWSLogs/o-1234abcde/222222222222/CloudTrail/eu-west-1/2024/12/31/", date(2024, 12, 31)),
    ("AWSLogs/111111111111/CloudTrail-Digest/us-east-1/2025/03/06/", None),
    ("AWSLogs/111111111111/CloudTrail/us-east-1/2025/02/30/", None),
    ("AWSLogs/111111111111/CloudTrail/us-east-1/2025/03/", None),
])
def test_day_of(prefix, day):
    assert planning.day_of(prefix) == day


def test_logs_root_with_and_without_trail_prefix():
    assert planning.logs_root("") == "AWSLogs/"
    assert planning.logs_root("/my/trail/") == "my/trail/AWSLogs/"


def test_event_in_window_is_inclusive():
    first, last = date(2025, 3, 3), date(2025, 3, 4)
    assert [planning.event_in_window(d, first, last) for d in ("2025-03-02", "2025-03-03", "2025-03-04", "2025-03-05")] \
        == [False, True, True, False]


def test_request_round_trips_the_documented_input():
    data = {"bucket": "b", "prefix": "t/", "from": "2025-03-01", "to": "2025-03-02", "accounts": ["111111111111"],
            "regions": ["eu-west-1"], "concurrency": 5}
    request = BackfillRequest.from_input(data)
    assert request.prefix == "t" and request.concurrency == 5
    assert BackfillRequest.from_input(request.as_input()) == request


@pytest.mark.parametrize(("change", "message"), [
    ({"bucket": ""}, "bucket is required"),
    ({"from": "2025-13-01"}, "not a date"),
    ({"to": None}, "to is required"),
    ({"from": "2025-03-05", "to": "2025-03-01"}, "is after"),
    ({"accounts": ["12345"]}, "12-digit"),
    ({"regions": ["Ireland"]}, "region names"),
    ({"concurrency": 0}, "concurrency"),
    ({"concurrency": "10"}, "concurrency"),
    ({"manifestBucket": "other-bucket"}, "manifestBucket is not supported"),
])
def test_bad_input_is_a_clear_error(change, message):
    data = {"bucket": "b", "from": "2025-03-01", "to": "2025-03-02", **change}
    with pytest.raises(InvalidBackfillInput, match=message):
        BackfillRequest.from_input(data)


def test_work_bucket_is_the_configured_one_never_the_trail_bucket(monkeypatch):
    from backfill import runtime
    from cloudtrail_tracker import settings
    from cloudtrail_tracker.settings import ConfigurationError

    monkeypatch.setenv("TABLE_NAME", "events")
    monkeypatch.setenv("BACKFILL_BUCKET", "work")
    settings.reset()
    assert runtime.work_bucket_name() == "work"
    monkeypatch.delenv("BACKFILL_BUCKET")
    settings.reset()
    with pytest.raises(ConfigurationError, match="BACKFILL_BUCKET"):
        runtime.work_bucket_name()
    settings.reset()


@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_plan_without_a_work_bucket_fails_before_touching_s3(monkeypatch):
    from backfill import plan, runtime
    from cloudtrail_tracker import settings
    from cloudtrail_tracker.local.driver import LocalContext
    from cloudtrail_tracker.settings import ConfigurationError

    monkeypatch.setenv("TABLE_NAME", "events")
    monkeypatch.delenv("BACKFILL_BUCKET", raising=False)
    settings.reset()
    for module in (plan, runtime):
        monkeypatch.setattr(module, "client", lambda service: pytest.fail(f"{service} client used"))
    event = {"execution": "e", "input": {"bucket": "trail", "from": "2025-03-01", "to": "2025-03-01"}}
    try:
        with pytest.raises(ConfigurationError, match="BACKFILL_BUCKET"):
            plan.lambda_handler(event, LocalContext(function_name="plan"))
    finally:
        settings.reset()
