"""Bins of /aggregates?by=day: day, week (from Monday) or month (from the 1st), the first clipped
to the window's first day; auto picks by the window's length."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from query.logic.aggregates import aggregate
from query.logic.window import bin_start, bin_starts, choose_granularity


@pytest.mark.parametrize("days, chosen", [(1, "day"), (92, "day"), (93, "week"), (732, "week"), (733, "month"),
                                          (4291, "month")])
def test_auto_picks_day_week_month_by_the_windows_length(days, chosen):
    assert choose_granularity("auto", days) == chosen
    assert choose_granularity("week", 3) == "week" and choose_granularity("day", 4000) == "day"


def test_week_bins_start_on_monday_and_cover_the_whole_window():
    first, last = "2024-01-03", "2024-03-20"  # a Wednesday to a Wednesday
    bins = bin_starts(first, last, "week")
    assert bins[0] == first  # clipped: the window starts mid-week
    assert all(date.fromisoformat(key).weekday() == 0 for key in bins[1:])
    assert bins[1] == "2024-01-08" and bins[-1] == "2024-03-18"
    # every day of the window falls in exactly one bin, and that bin is listed
    day = date.fromisoformat(first)
    while day <= date.fromisoformat(last):
        assert bin_start(day.isoformat(), "week", first) in bins
        day += timedelta(days=1)
    assert bin_starts("2024-01-08", "2024-01-14", "week") == ["2024-01-08"]  # a Monday to a Sunday: one bin


def test_month_bins_start_on_the_first_and_cross_years():
    bins = bin_starts("2014-03-06", "2025-12-03", "month")
    assert bins[0] == "2014-03-06" and bins[1] == "2014-04-01" and bins[-1] == "2025-12-01"
    assert len(bins) == (2025 - 2014) * 12 + (12 - 3) + 1
    assert bin_start("2025-12-03", "month", "2014-03-06") == "2025-12-01"
    assert bin_start("2014-03-20", "month", "2014-03-06") == "2014-03-06"
    assert bin_starts("2024-01-31", "2024-03-01", "month") == ["2024-01-31", "2024-02-01", "2024-03-01"]


def test_day_bins_are_every_day():
    assert bin_starts("2024-02-27", "2024-03-01", "day") == ["2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01"]


def test_by_day_adds_the_days_of_each_bin_and_keeps_empty_bins():
    rows = [{"day": "2014-03-06", "actor": "a", "counts": {"n": 2}}, {"day": "2014-03-31", "actor": "b", "counts": {"n": 1}},
            {"day": "2025-12-03", "actor": "a", "counts": {"n": 5}}]
    bins = bin_starts("2014-03-06", "2025-12-31", "month")
    total, items = aggregate("day", rows, bins, "month")
    assert total == 8 and [item["key"] for item in items] == bins
    assert items[0] == {"key": "2014-03-06", "count": 3} and items[-1] == {"key": "2025-12-01", "count": 5}
    assert sum(item["count"] for item in items) == total and sum(1 for item in items if item["count"]) == 2
    # the other `by` values do not depend on the bins
    assert aggregate("user", rows, bins, "month")[1] == [{"key": "a", "count": 7}, {"key": "b", "count": 1}]
