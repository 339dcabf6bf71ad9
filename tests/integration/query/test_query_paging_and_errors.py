"""Cursor walks get every event exactly once; every kind of bad input is a 400 with a hint."""

from __future__ import annotations

import pytest

ALL_TIME = {"from": "2010-01-01", "to": "2030-12-31"}
RECENT = {"from": "2024-01-01", "to": "2025-12-31"}  # most samples; ByDay walks look at each month once a page


@pytest.mark.parametrize("path, params", [
    ("/scan", {"limit": 7}),
    ("/scan", {"limit": 1, "from": "2024-01-01", "to": "2024-02-29"}),  # many days, one item a page
    ("/scan", {"limit": 2, "params": "eventSource", "value": "s3.amazonaws.com"}),
    ("/scan", {"limit": 3, "params": "bucketName", "value": "my-source-bucket"}),  # record-level filter
    ("/errors", {"limit": 2}),  # every error code of the window, code after code
])
def test_cursor_walk_gets_every_event_exactly_once(api, stored_events, path, params):
    window = {**RECENT, **params}
    rows = api.walk(path, window)
    one_page = api.walk(path, {**window, "limit": 1000})
    assert sorted(r["eventID"] for r in rows) == sorted(r["eventID"] for r in one_page)
    assert len(rows) == len({r["eventID"] for r in rows})
    if path == "/scan" and "params" not in params and "to" not in params:
        assert len(rows) == len([e for e in stored_events if e["eventTime"] >= "2024"])


def test_pages_are_bounded_by_limit(api):
    page = api.ok("/scan", {**RECENT, "limit": 5})
    assert len(page["items"]) <= 5 and page["next"]


def _bad(api, path, params, parameter):
    status, body = api.get(path, params)
    assert status == 400, body
    assert body["parameter"] == parameter and body["error"] and body["hint"], body
    return body


@pytest.mark.parametrize("params, parameter", [
    ({"from": "2018-02-30"}, "from"),
    ({"from": "last week"}, "from"),
    ({"to": "2018-01-01T99:00:00"}, "to"),
    ({"from": "2018-02-01", "to": "2018-01-01"}, "from"),
    ({"frm": "2018-01-01"}, "frm"),
    ({"params": "['instanceType','eventSource']", "value": "m1.small"}, "value"),
    ({"params": "instanceType"}, "value"),
    ({"next": "not-a-cursor"}, "next"),
    ({"next": "eyJ4IjoxfQ"}, "next"),  # base64 JSON, but not ours
    ({"limit": "0"}, "limit"),
    ({"limit": "1001"}, "limit"),
    ({"limit": "ten"}, "limit"),
    ({"count": "maybe"}, "count"),
])
def test_bad_list_input_is_a_400(api, params, parameter):
    _bad(api, "/scan", params, parameter)


def test_cursor_of_another_query_is_a_400(api):
    cursor = api.ok("/scan", {**RECENT, "limit": 1})["next"]
    body = _bad(api, "/scan", {"from": "2024-01-02", "to": "2025-12-31", "next": cursor}, "next")
    assert "different query" in body["error"]
    _bad(api, "/services/ec2", {**RECENT, "next": cursor}, "next")
    tampered = cursor[:-4] + ("AAAA" if not cursor.endswith("AAAA") else "BBBB")
    status, _ = api.get("/scan", {**RECENT, "next": tampered})
    assert status == 400


def test_other_endpoints_bad_input(api):
    _bad(api, "/aggregates", {"by": "colour"}, "by")
    _bad(api, "/aggregates", {}, "by")
    _bad(api, "/aggregates", {"by": "day", "from": "2010-01-01", "to": "2030-12-31"}, "from")
    _bad(api, "/resources", {}, "arn")
    _bad(api, "/users", {"limit": "5000"}, "limit")
    _bad(api, "/parameters", {"x": "1"}, "x")
    _bad(api, "/users/alice", {"params": "a,b", "values": "1"}, "values")


def test_unknown_path_is_a_json_404(api):
    status, body = api.get("/no/such/path")
    assert status == 404 and "error" in body
