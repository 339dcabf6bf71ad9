"""A long window (from=2013-01-01 to today) costs a small number of DynamoDB requests, whatever
the number of months it spans: the months with events come from the MONTH registry and the error
codes from the ERROR registry (one Query each), not from one day-totals read per month."""

from __future__ import annotations

from datetime import date

import pytest

LONG = {"from": "2013-01-01", "to": date.today().isoformat()}  # 150+ months


@pytest.fixture
def requests_of(api, monkeypatch):
    """Calls the API and returns (body, DynamoDB requests the call made), from the reader's counters."""
    from query.routes import common

    made = []
    real = common.reader

    def counted():
        made.append(real())
        return made[-1]

    monkeypatch.setattr(common, "reader", counted)

    def call(path: str, params: dict):
        made.clear()
        body = api.ok(path, params)
        return body, sum(store.stats.requests for store in made)

    return call


def _tight(stored_events) -> dict:
    times = sorted(e["eventTime"] for e in stored_events)
    return {"from": times[0][:10], "to": times[-1][:10]}


def test_a_long_window_costs_what_the_data_costs_not_the_months(requests_of, stored_events):
    months = {e["eventTime"][:7] for e in stored_events}
    days = {e["eventTime"][:10] for e in stored_events}
    codes = {e["errorCode"] for e in stored_events if e.get("errorCode")}
    assert len(months) >= 2 and codes  # the samples span months and have failures

    # counting everything: 1 MONTH registry Query + 1 day-totals read per month with events + 1 per day
    body, requests = requests_of("/scan", {**LONG, "count": "true"})
    assert body == {"count": len(stored_events), "next": None}
    assert requests == 1 + len(months) + len(days), requests
    # 1 ERROR registry Query + 1 ByError Query per code
    body, requests = requests_of("/errors", {**LONG, "count": "true"})
    assert body["count"] == len([e for e in stored_events if e.get("errorCode")]) and body["next"] is None
    assert requests == 1 + len(codes), requests
    # the same as a window that just covers the events
    for path in ("/scan", "/errors"):
        assert requests_of(path, {**LONG, "count": "true"})[1] == requests_of(path, {**_tight(stored_events), "count": "true"})[1]


@pytest.mark.parametrize("path", ["/scan", "/errors"])
def test_a_first_page_of_a_long_window_is_a_few_requests(requests_of, path):
    body, requests = requests_of(path, {**LONG, "limit": 1})
    assert len(body["items"]) == 1 and body["next"]
    # /scan: MONTH registry, the newest month's day totals, one ByDay Query; /errors: ERROR registry, one ByError Query
    assert requests <= 3, requests
    body, requests = requests_of(path, {**LONG, "limit": 1, "next": body["next"]})
    # later pages: the same, plus at most one Query that finds the resumed partition's end (the
    # /errors codes ride in the cursor, so that registry is not read again)
    assert len(body["items"]) == 1 and requests <= 4, requests
