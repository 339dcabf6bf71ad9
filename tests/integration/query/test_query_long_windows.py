"""A long window (from=2013-01-01 to today) costs a small number of DynamoDB requests, whatever
the number of months it spans: the months with events come from the MONTH registry (one Query),
the days of each month the walk reaches from the DAY registry (one Query each), then one Query of
each day's partition (``D#<day>``, or ``X#<day>`` for failures): what the data costs, not the months."""

from __future__ import annotations

from datetime import date

import pytest

LONG = {"from": "2013-01-01", "to": date.today().isoformat()}  # 150+ months


@pytest.fixture
def requests_of(api):
    """Calls the API and returns (body, DynamoDB requests the call made), counted by a botocore hook
    on the shared client the handler uses (every request, whichever route or module makes it)."""
    from cloudtrail_tracker import clients

    made = []
    events = clients.client("dynamodb").meta.events
    events.register("before-call.dynamodb", lambda **kwargs: made.append(kwargs), unique_id="test-count")

    def call(path: str, params: dict):
        made.clear()
        body = api.ok(path, params)
        assert made, "no DynamoDB request was counted: the hook is not on the handler's client"
        return body, len(made)

    yield call
    events.unregister("before-call.dynamodb", unique_id="test-count")


def _tight(stored_events) -> dict:
    times = sorted(e["eventTime"] for e in stored_events)
    return {"from": times[0][:10], "to": times[-1][:10]}


def test_a_long_window_costs_what_the_data_costs_not_the_months(requests_of, stored_events):
    months = {e["eventTime"][:7] for e in stored_events}
    days = {e["eventTime"][:10] for e in stored_events}
    codes = {e["errorCode"] for e in stored_events if e.get("errorCode")}
    assert len(months) >= 2 and codes  # the samples span months and have failures

    # counting everything: 1 MONTH registry Query + 1 DAY registry Query per month with events + 1 per day
    body, requests = requests_of("/scan", {**LONG, "count": "true"})
    assert body == {"count": len(stored_events), "next": None}
    assert requests == 1 + len(months) + len(days), requests
    # failures: the same walk over the days with events, each day's X# partition
    body, requests = requests_of("/errors", {**LONG, "count": "true"})
    assert body["count"] == len([e for e in stored_events if e.get("errorCode")]) and body["next"] is None
    assert requests == 1 + len(months) + len(days), requests
    # the same as a window that just covers the events
    for path in ("/scan", "/errors"):
        assert requests_of(path, {**LONG, "count": "true"})[1] == requests_of(path, {**_tight(stored_events), "count": "true"})[1]


def _walked(stored_events, newest_day: str, oldest_day: str) -> int:
    """Requests of a walk from ``newest_day`` down to ``oldest_day``: the MONTH registry, the DAY
    registry of each month it reaches, one Query of each day with events (+1: the last partition's end)."""
    days = {e["eventTime"][:10] for e in stored_events if oldest_day <= e["eventTime"][:10] <= newest_day}
    return 1 + len({day[:7] for day in days}) + len(days) + 1


@pytest.mark.parametrize("path", ["/scan", "/errors"])
def test_a_first_page_of_a_long_window_is_a_few_requests(requests_of, stored_events, path):
    wanted = sorted((e for e in stored_events if path == "/scan" or e.get("errorCode")),
                    key=lambda e: (e["eventTime"], e["eventID"]), reverse=True)
    newest_day = max(e["eventTime"][:10] for e in stored_events)
    body, requests = requests_of(path, {**LONG, "limit": 1})
    assert [row["eventID"] for row in body["items"]] == [wanted[0]["eventID"]] and body["next"]
    # /scan: MONTH registry, the newest month's days, one D# Query; /errors: the days from the newest
    # with events to the newest failure's (X# partitions have no registry of their own)
    assert requests <= _walked(stored_events, newest_day, wanted[0]["eventTime"][:10]), requests
    if path == "/scan":
        assert requests <= 3, requests
    body, requests = requests_of(path, {**LONG, "limit": 1, "next": body["next"]})
    # later pages: the walk resumes in the partition it stopped in
    assert [row["eventID"] for row in body["items"]] == [wanted[1]["eventID"]]
    assert requests <= _walked(stored_events, wanted[0]["eventTime"][:10], wanted[1]["eventTime"][:10]), requests
    if path == "/scan":
        assert requests <= 4, requests
