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
    rows = walk_with_small_cursors(api, path, window)
    one_page = api.walk(path, {**window, "limit": 1000})
    assert sorted(r["eventID"] for r in rows) == sorted(r["eventID"] for r in one_page)
    assert len(rows) == len({r["eventID"] for r in rows})
    if path == "/scan" and "params" not in params and "to" not in params:
        assert len(rows) == len([e for e in stored_events if e["eventTime"] >= "2024"])


MAX_CURSOR_CHARS = 1024  # a cursor rides in the query string: API Gateway bounds the request line and headers


def walk_with_small_cursors(api, path: str, params: dict, **kwargs) -> list[dict]:
    """Every row of a list, following `next`, each cursor at most MAX_CURSOR_CHARS long."""
    rows, cursor = [], None
    for _ in range(10_000):
        page = api.ok(path, {**params, **({"next": cursor} if cursor else {})}, **kwargs)
        rows.extend(page["items"])
        cursor = page["next"]
        if not cursor:
            return rows
        assert len(cursor) <= MAX_CURSOR_CHARS, (path, len(cursor))
    raise AssertionError("the cursor never ended")


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
    # a long window answers (by week or month); day bins over it do not
    _bad(api, "/aggregates", {"by": "day", "from": "2010-01-01", "to": "2030-12-31", "granularity": "day"}, "granularity")
    _bad(api, "/resources", {}, "arn")
    _bad(api, "/users", {"limit": "5000"}, "limit")
    _bad(api, "/parameters", {"x": "1"}, "x")
    _bad(api, "/users/alice", {"params": "a,b", "values": "1"}, "values")


def test_unknown_path_is_a_json_404(api):
    status, body = api.get("/no/such/path")
    assert status == 404 and "error" in body


# ---- forged cursors: every part of a cursor is checked, so none reaches DynamoDB (or Python) malformed
def _open(cursor: str) -> dict:
    import base64
    import json

    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


def _seal(data: dict) -> str:
    import base64
    import json

    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def test_an_errors_cursor_holds_a_position_not_the_codes(api):
    params = {**RECENT, "limit": 1}
    data = _open(api.ok("/errors", params)["next"])
    assert set(data) <= {"q", "p", "k", "x"} and data["p"].startswith("X#")
    for codes in (["AccessDenied"], [1], "AccessDenied", []):  # a cursor of the old shape, or forged
        _bad(api, "/errors", {**params, "next": _seal({**data, "c": codes})}, "next")
    _bad(api, "/errors", {**params, "next": _seal({**data, "p": "X#NoSuchCode", "k": None})}, "next")


def test_forged_start_keys_are_a_400(api):
    params = {**RECENT, "limit": 1}
    data = _open(api.ok("/services/s3", params)["next"])
    key = data["k"]
    assert data["p"].startswith("D#") and set(key) == {"t", "i"}  # a day partition, a position in it
    forged = [
        {**key, "t": "2099-01-01T00:00:00Z"},  # outside the window
        {**key, "t": "2023-12-31T23:59:59Z"},
        {**key, "t": "2024-06-01Tzz:00:00Z"},  # in the window's range as a string, not a time
        {**key, "t": "2024-06-01T10:00:00+00"},
        {**key, "t": "2024-13-45T10:00:00Z"},
        {**key, "t": 1},
        {**key, "t": {"S": key["t"]}},  # the wire format of an item key
        {**key, "i": ""},
        {**key, "i": "x" * 600},  # longer than any stored eventID
        {**key, "i": 5},
        {**key, "pk": {"S": "SERVICE"}},  # not a position
        {k: v for k, v in key.items() if k != "t"},
        "abc",
    ]
    for start in forged:
        _bad(api, "/services/s3", {**params, "next": _seal({**data, "k": start})}, "next")
    for position in ({**data, "p": "S#ec2"}, {**data, "p": "U#alice"}, {**data, "p": 5}, {**data, "x": 2}, {**data, "z": 1}):
        _bad(api, "/services/s3", {**params, "next": _seal(position)}, "next")


def test_forged_scan_and_registry_cursors_are_a_400(api):
    params = {**RECENT, "limit": 1}
    data = _open(api.ok("/scan", params)["next"])
    for day in ("D#2099-01-01", "D#2023-06-01", "garbage"):  # outside the window's months, or no such day
        _bad(api, "/scan", {**params, "next": _seal({**data, "p": day, "k": None})}, "next")
    registry = _open(api.ok("/users", {"limit": 1})["next"])
    assert set(registry) == {"q", "n"} and isinstance(registry["n"], str)  # a position in the registry, no key
    for start in ("", None, 5, {"pk": {"S": "SERVICE"}, "sk": {"S": "ec2"}}, "x" * 2000):
        _bad(api, "/users", {"limit": 1, "next": _seal({**registry, "n": start})}, "next")
    _bad(api, "/users", {"limit": 1, "next": _seal({**registry, "k": {"pk": {"S": "ACTOR"}, "sk": {"S": "a"}}})}, "next")


# ---- confusing input
def test_a_parameter_given_twice_says_so(api):
    status, body = api.get("/scan?from=2024-01-01&from=2024-02-01")
    assert status == 400 and body["parameter"] == "from", body
    assert "more than once" in body["error"], body
    status, body = api.get("/parameters?x=1&x=2")
    assert status == 400 and body["parameter"] == "x", body  # unknown first
    status, body = api.get("/aggregates?by=day&user=a&user=b")
    assert status == 400 and "more than once" in body["error"], body


def test_an_unencoded_plus_offset_is_taken_as_plus(api):
    raw = api.ok("/scan?from=2024-01-15T11:00:00+02:00&to=2024-01-15T19:00:00+02:00&count=true")
    encoded = api.ok("/scan", {"from": "2024-01-15T09:00:00Z", "to": "2024-01-15T17:00:00Z", "count": "true"})
    assert raw == encoded


@pytest.mark.parametrize("path, name", [("/scan", "eventName"), ("/scan", "errorCode"), ("/errors", "user"),
                                        ("/users/alice", "eventName")])
def test_empty_filter_values_are_a_400(api, path, name):
    _bad(api, path, {name: ""}, name)


def test_throttled_batch_reads_are_a_503_not_partial_data(api, monkeypatch):
    """DynamoDB answers every BatchGetItem with its keys unprocessed (throttling), through a hook
    on the shared client: the API answers 503, never the part it could read."""
    import json

    from botocore.awsrequest import AWSResponse

    from cloudtrail_tracker import clients
    from cloudtrail_tracker.dal import reader

    monkeypatch.setattr(reader.time, "sleep", lambda seconds: None)
    calls = []

    def throttled(params, **_):  # a before-call answer stands for DynamoDB's
        calls.append(params)
        unprocessed = json.loads(params["body"])["RequestItems"]
        return AWSResponse("https://dynamodb", 200, {}, None), {"Responses": {}, "UnprocessedKeys": unprocessed}

    events = clients.client("dynamodb").meta.events
    events.register("before-call.dynamodb.BatchGetItem", throttled, unique_id="test-throttle")
    try:
        status, body = api.get("/parameters")
    finally:
        events.unregister("before-call.dynamodb.BatchGetItem", unique_id="test-throttle")
    assert calls, "the hook saw no BatchGetItem: the test proves nothing"
    assert status == 503 and "retry" in body["hint"], body
    assert api.get("/parameters")[0] == 200


# ---- crafted input that used to be a 502 (an unhandled exception), on every list endpoint and /aggregates
ARN = "arn:aws:s3:::my-company-bucket"
LIST_PATHS = [("/scan", {}), ("/users/alice", {}), ("/services/s3", {}), ("/accounts/111122223333", {}), ("/errors", {}),
              ("/resources", {"arn": ARN})]
OUT_OF_RANGE = [
    ({"from": "0001-01-01T00:00:00+05:00"}, "from"),  # OverflowError
    ({"from": "9999-12-31T23:00:00-05:00"}, "from"),  # past year 9999
    ({"to": "0001-01-02"}, "to"),  # the default from is 6 days earlier: OverflowError
    ({"from": "0999-01-01", "to": "2024-01-01"}, "from"),  # ValueError: %Y wrote 999
    ({"from": "0500-01-01", "to": "2024-01-01"}, "from"),  # silently empty
]


@pytest.mark.parametrize("path, base", LIST_PATHS + [("/aggregates", {"by": "day"})])
@pytest.mark.parametrize("params, parameter", OUT_OF_RANGE)
def test_dates_outside_the_answered_range_are_a_400(api, path, base, params, parameter):
    body = _bad(api, path, {**base, **params}, parameter)
    assert "2005-01-01" in body["hint"] and "9999-12-30" in body["hint"]


@pytest.mark.parametrize("path, base", LIST_PATHS)
def test_deeply_nested_params_are_a_400(api, path, base):
    _bad(api, path, {**base, **RECENT, "params": "[" + "-" * 5000 + "1]", "value": "1"}, "params")
    _bad(api, path, {**base, **RECENT, "params": "[['instanceType']]", "value": "['t2.micro']"}, "params")


def test_the_widest_window_answers(api, stored_events):
    assert api.ok("/scan", {"from": "2005-01-01", "to": "9999-12-30", "count": "true"})["count"] == len(stored_events)
    _bad(api, "/aggregates", {"by": "day", "from": "2005-01-01", "to": "9999-12-30"}, "from")  # too many days


# ---- what used to be accepted silently
def test_an_empty_user_on_aggregates_is_a_400(api):
    _bad(api, "/aggregates", {"by": "service", "user": ""}, "user")


@pytest.mark.parametrize("path", ["/users", "/services"])
def test_a_non_admins_next_on_a_registry_list_is_a_400(api, path):
    status, body = api.get(path, {"next": "anything"}, as_user="alice")
    assert status == 400 and body["parameter"] == "next", body
    assert api.ok(path, as_user="alice")["next"] is None  # their list is one page


@pytest.mark.parametrize("params, parameter", [
    ({"params": "instanceType", "param": "eventSource", "value": "t2.micro"}, "param"),
    ({"params": "instanceType", "value": "t2.micro", "values": "m1.small"}, "values"),
])
def test_a_name_and_its_alias_together_are_a_400(api, params, parameter):
    body = _bad(api, "/scan", {**RECENT, **params}, parameter)
    assert "alias" in body["hint"]
