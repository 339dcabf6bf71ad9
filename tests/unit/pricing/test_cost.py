"""Billed hours and cost over running/stopped intervals, in total and per UTC day."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from cloudtrail_tracker.pricing import Rate, billed_hours, cost_by_day, cost_so_far

T3_MICRO = Rate(0.0104, "hourly", "t3.micro on-demand Linux us-east-1")
UNKNOWN = Rate(None, "unknown", "no price for x9.huge in us-east-1")
USAGE = Rate(None, "usage", "billed per request and GB-second (usage)")
FREE = Rate(0.0, "free", "CloudFormation stacks are free")


@dataclass(frozen=True)
class Interval:
    state: str
    start: str
    end: str | None


# An instance: 10 h running, 14 h stopped, then running again from 09:00 and still running.
HISTORY = [
    Interval("running", "2026-11-30T08:00:00Z", "2026-11-30T18:00:00Z"),
    Interval("stopped", "2026-11-30T18:00:00Z", "2026-12-01T08:00:00Z"),
    Interval("running", "2026-12-01T09:00:00Z", None),
]
NOW = "2026-12-01T12:30:00Z"


def test_running_hours_only_when_stopping_stops_the_bill():
    assert billed_hours(HISTORY, bills_when_stopped=False, now=NOW) == pytest.approx(10 + 3.5)
    assert cost_so_far(HISTORY, T3_MICRO, bills_when_stopped=False, now=NOW) == pytest.approx(13.5 * 0.0104)


def test_stopped_hours_count_when_the_resource_bills_while_stopped():
    assert billed_hours(HISTORY, bills_when_stopped=True, now=NOW) == pytest.approx(10 + 14 + 3.5)
    assert cost_so_far(HISTORY, T3_MICRO, bills_when_stopped=True, now=NOW) == pytest.approx(27.5 * 0.0104)


def test_an_open_interval_ends_at_now():
    later = "2026-12-01T15:00:00Z"
    assert billed_hours(HISTORY, False, later) - billed_hours(HISTORY, False, NOW) == pytest.approx(2.5)


def test_nothing_is_billed_after_now_even_for_a_closed_interval():
    interval = [Interval("running", "2026-12-01T10:00:00Z", "2026-12-01T20:00:00Z")]
    assert billed_hours(interval, False, NOW) == pytest.approx(2.5)
    assert billed_hours([Interval("running", "2026-12-02T00:00:00Z", None)], False, NOW) == 0.0


def test_billed_hours_within_a_window():
    hours = billed_hours(HISTORY, False, NOW, start="2026-11-30T17:00:00Z", end="2026-12-01T10:00:00Z")
    assert hours == pytest.approx(1 + 1)


def test_other_states_are_not_billed():
    assert billed_hours([Interval("terminated", "2026-12-01T00:00:00Z", None)], True, NOW) == 0.0


def test_unknown_and_usage_rates_have_no_cost_and_free_costs_nothing():
    assert cost_so_far(HISTORY, UNKNOWN, False, NOW) is None
    assert cost_so_far(HISTORY, USAGE, False, NOW) is None
    assert cost_so_far(HISTORY, FREE, True, NOW) == 0.0


def test_cost_by_day_splits_across_midnight():
    # running 22:00 on the 30th to 02:00 on the 1st: two hours each side of midnight
    interval = [Interval("running", "2026-11-30T22:00:00Z", "2026-12-01T02:00:00Z")]
    days = cost_by_day(interval, T3_MICRO, False, "2026-11-30", "2026-12-01", NOW)
    assert days == {"2026-11-30": pytest.approx(2 * 0.0104), "2026-12-01": pytest.approx(2 * 0.0104)}


def test_cost_by_day_clips_to_the_days_asked_and_lists_each_day():
    days = cost_by_day(HISTORY, T3_MICRO, True, "2026-12-01", "2026-12-02", NOW)
    assert days is not None and list(days) == ["2026-12-01", "2026-12-02"]
    assert days["2026-12-01"] == pytest.approx((8 + 3.5) * 0.0104)  # stopped 00-08, running 09-12:30
    assert days["2026-12-02"] == 0.0  # after now
    every_day = cost_by_day(HISTORY, T3_MICRO, True, "2026-11-29", "2026-12-01", NOW)
    assert every_day is not None and every_day["2026-11-29"] == 0.0
    assert sum(every_day.values()) == pytest.approx(cost_so_far(HISTORY, T3_MICRO, True, NOW))


def test_cost_by_day_of_unknown_is_none_and_of_free_is_zeros():
    assert cost_by_day(HISTORY, UNKNOWN, False, "2026-12-01", "2026-12-01", NOW) is None
    assert cost_by_day(HISTORY, USAGE, False, "2026-12-01", "2026-12-01", NOW) is None
    assert cost_by_day(HISTORY, FREE, False, "2026-11-30", "2026-12-01", NOW) == {"2026-11-30": 0.0, "2026-12-01": 0.0}


def test_fractional_seconds_in_cloudtrail_times_are_read():
    interval = [Interval("running", "2026-12-01T12:00:00.500Z", None)]
    assert billed_hours(interval, False, NOW) == pytest.approx(0.5 - 0.5 / 3600)
