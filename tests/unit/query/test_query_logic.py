"""Pure query logic: windows, cursors, filters, tenancy, plans and aggregates (no AWS)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cloudtrail_tracker.settings import AuthSettings
from query.logic.aggregates import aggregate
from query.logic.cursor import decode_cursor, encode_cursor, query_identity
from query.logic.errors import BadRequest, Forbidden, Unauthorized
from query.logic.filters import parse_filters, parse_list, record_matches, resolve_name
from query.logic.plans import ListRequest, plan_list
from query.logic.tenancy import Caller, resolve_caller
from query.logic.window import Window, parse_window

NOW = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)


# ---- windows
def test_default_window_is_last_seven_days_including_today():
    window = parse_window(None, None, now=NOW)
    assert window == Window("2026-03-04T00:00:00Z", "2026-03-10T23:59:59Z")
    assert len(window.days()) == 7


@pytest.mark.parametrize("text, expected", [
    ("2018-01-15T09:00:00", "2018-01-15T09:00:00Z"),  # the seed README's form, rejected by the original
    ("2018-01-15T09:00:00Z", "2018-01-15T09:00:00Z"),
    ("2018-01-15T11:00:00+02:00", "2018-01-15T09:00:00Z"),
    ("2018-01-15 09:00:00", "2018-01-15T09:00:00Z"),
    ("2018-01-15", "2018-01-15T00:00:00Z"),
    ("2018-01-15T11:00:00 02:00", "2018-01-15T09:00:00Z"),  # a raw "+" in a query string arrives as a space
    ("2018-01-15 11:00:00 0200", "2018-01-15T09:00:00Z"),
])
def test_from_spellings(text, expected):
    assert parse_window(text, "2019-01-01").start == expected


def test_date_only_to_includes_the_whole_day():
    assert parse_window("2018-06-01", "2018-06-15").end == "2018-06-15T23:59:59Z"


def test_only_from_given_ends_today_and_only_to_starts_six_days_before():
    assert parse_window("2026-01-01", None, now=NOW).end == "2026-03-10T23:59:59Z"
    assert parse_window(None, "2018-06-15", now=NOW).start == "2018-06-09T00:00:00Z"


@pytest.mark.parametrize("start, end, parameter", [
    ("yesterday", None, "from"), ("2018-13-01", None, "from"), (None, "2018-01-01T25:00:00", "to"),
    ("2018-02-01", "2018-01-01", "from"),
])
def test_bad_windows_name_the_parameter(start, end, parameter):
    with pytest.raises(BadRequest) as raised:
        parse_window(start, end, now=NOW)
    assert raised.value.parameter == parameter and raised.value.hint


@pytest.mark.parametrize("start, end, parameter", [
    ("0001-01-01T00:00:00+05:00", None, "from"),  # an offset past year 1: OverflowError
    ("9999-12-31T23:00:00-05:00", None, "from"),  # past year 9999
    (None, "0001-01-03", "to"),  # the default from would be 6 days before year 1
    ("0999-01-01", "2020-01-01", "from"),  # %Y wrote "999": a window no key could match
    ("0200-06-01", "2020-01-01", "from"),
    ("2004-12-31", "2020-01-01", "from"),
    (None, "9999-12-31", "to"),
])
def test_windows_outside_the_answered_dates_are_a_400_that_says_the_range(start, end, parameter):
    with pytest.raises(BadRequest) as raised:
        parse_window(start, end, now=NOW)
    assert raised.value.parameter == parameter and "2005-01-01 and 9999-12-30" in raised.value.hint


def test_the_widest_window_and_its_day_count():
    window = parse_window("2005-01-01", "9999-12-30", now=NOW)
    assert window == Window("2005-01-01T00:00:00Z", "9999-12-30T23:59:59Z")
    assert window.day_count == 2_920_112
    assert parse_window(None, "2005-01-02", now=NOW).start == "2005-01-01T00:00:00Z"  # default span clipped


# ---- cursors
def test_cursor_round_trip_and_binding():
    identity = query_identity("/scan", {"from": "2018-01-01", "limit": "5"}, "*")
    assert identity == query_identity("/scan", {"from": "2018-01-01", "limit": "50", "next": "x"}, "*")
    token = encode_cursor(identity, {"p": "D#2018-01-01", "k": None})
    assert decode_cursor(token, identity) == {"p": "D#2018-01-01", "k": None}
    other = query_identity("/scan", {"from": "2018-01-02"}, "*")
    with pytest.raises(BadRequest, match="different query"):
        decode_cursor(token, other)
    with pytest.raises(BadRequest, match="different query"):  # same query, another tenant
        decode_cursor(token, query_identity("/scan", {"from": "2018-01-01"}, "actor:bob"))
    for garbage in ("%%%", "bm90IGpzb24", "W10"):  # not base64, not JSON, a JSON list
        with pytest.raises(BadRequest):
            decode_cursor(garbage, identity)


@pytest.mark.parametrize("position", [
    {"p": "X#AccessDenied", "k": None, "c": ["AccessDenied"]},  # a list of codes is no part of a cursor
    {"p": 1}, {"p": ""}, {"k": None}, {"p": "D#2024-01-01", "k": "key"},
    {"p": "D#2024-01-01", "x": True}, {"p": "D#2024-01-01", "extra": 1},
])
def test_list_cursor_contents_are_checked(position):
    from query.logic.cursor import ListPosition, list_position

    identity = query_identity("/errors", {}, "*")
    assert list_position(encode_cursor(identity, {"p": "X#A", "x": 1}), identity) == ListPosition("X#A", finished=True)
    with pytest.raises(BadRequest, match="not a cursor"):
        list_position(encode_cursor(identity, position), identity)


# ---- filters
def test_params_spellings_and_short_names():
    assert parse_list("['instanceType','eventSource']", "params") == ["instanceType", "eventSource"]
    assert parse_list("[instanceType, eventSource]", "params") == ["instanceType", "eventSource"]
    assert parse_list("instanceType,eventSource", "params") == ["instanceType", "eventSource"]
    filters = parse_filters(None, "['instanceType','eventSource']", None, "m1.small,ec2.amazonaws.com")
    assert [(f.name, f.value) for f in filters] == [("requestParameters_instanceType", "m1.small"),
                                                    ("eventSource", "ec2.amazonaws.com")]
    assert filters[1].summary_attribute == "eventSource" and filters[0].summary_attribute is None
    assert resolve_name("userIdentity_arn") == "userIdentity_arn"
    assert resolve_name("requestParameters_bucketName") == "requestParameters_bucketName"


def test_mismatched_params_and_values():
    with pytest.raises(BadRequest) as raised:
        parse_filters("a,b", None, "1", None)
    assert raised.value.parameter == "value"
    with pytest.raises(BadRequest):
        parse_filters(None, None, "1", None)


@pytest.mark.parametrize("text, error", [
    ("[" + "-" * 5000 + "1]", "characters long"),  # was a RecursionError
    ("[['a'], 'b']", "flat list"),
    ("[{'a': 1}]", "flat list"),
    ("x" * 2001, "characters long"),
])
def test_params_lists_are_bounded_and_flat(text, error):
    with pytest.raises(BadRequest, match=error) as raised:
        parse_list(text, "params")
    assert raised.value.parameter == "params" and raised.value.hint


def test_params_nested_past_the_parsers_depth_is_a_400():
    import sys

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # a Lambda deep in its stack: within the length bound, the parser gives up
    try:
        with pytest.raises(BadRequest, match="nested too deeply"):
            parse_list("[" + "-" * 1500 + "1]", "params")
    finally:
        sys.setrecursionlimit(limit)


def test_a_name_and_its_alias_together_are_a_400_not_one_dropped():
    for args, parameter in ((("a", "b", "1", None), "param"), (("a", None, "1", "2"), "values")):
        with pytest.raises(BadRequest, match="both given") as raised:
            parse_filters(*args)
        assert raised.value.parameter == parameter
    assert [(f.name, f.value) for f in parse_filters(None, "a", None, "1")] == [("requestParameters_a", "1")]


def test_record_matching_on_flattened_names():
    record = {"requestParameters": {"instanceType": "t3.micro", "instancesSet": {"items": [{"imageId": "ami-1"}]}},
              "readOnly": False}
    f = parse_filters("instanceType,instancesSet_items_0_imageId", None, "t3.micro,ami-1", None)
    assert record_matches(record, f)
    assert not record_matches(record, parse_filters("instanceType", None, "m1.small", None))


# ---- tenancy
CONFIG = AuthSettings(mode="cognito", admin_group="admins", actor_claim="custom:actor", cognito_client_id="app")


def test_cognito_admin_and_actor_claims():
    admin = resolve_caller({"aud": "app", "cognito:groups": "admins,staff", "email": "a@x"}, None, CONFIG)
    assert admin.admin
    student = resolve_caller({"aud": "app", "custom:actor": "alucloud230", "email": "s@x", "cognito:groups": "students"}, None, CONFIG)
    assert student == Caller("alucloud230", False, "cognito")
    for claims in ({"aud": "app", "email": "s@x"}, {"aud": "app", "cognito:username": "sam"}):  # no fallback claims
        with pytest.raises(Forbidden):
            resolve_caller(claims, None, CONFIG)
    assert resolve_caller({"aud": "app", "cognito:groups": "[admins students]"}, None, CONFIG).admin
    with pytest.raises(Unauthorized):
        resolve_caller(None, None, CONFIG)


def test_iam_mode_names_the_actor_like_the_ingest():
    config = AuthSettings(mode="iam", account_id="111", admin_principals=("arn:aws:iam::111:user/ops-*",))
    assert resolve_caller(None, "arn:aws:iam::111:user/ops-ana", config).admin
    caller = resolve_caller(None, "arn:aws:sts::111:assumed-role/AWSReservedSSO_Dev_1/ana@example.com", config)
    assert caller == Caller("ana@example.com", False, "iam")
    assert resolve_caller(None, "arn:aws:iam::111:user/path/bob", config).actor == "bob"


def test_none_mode_is_admin_unless_claims_simulate_a_user():
    config = AuthSettings(mode="none")
    assert resolve_caller(None, None, config).admin
    assert resolve_caller({"custom:actor": "bob"}, None, config) == Caller("bob", False, "cognito")


# ---- plans
WINDOW = Window("2024-01-01T00:00:00Z", "2024-01-31T23:59:59Z")
ADMIN, BOB = Caller(None, True, "none"), Caller("bob", False, "cognito")


def _plan(caller, **request):
    return plan_list(ListRequest(window=WINDOW, **request), caller, lambda a, b: ["2024-01-02", "2024-01-05"],
                     lambda a, b: ["2024-01"])


def _conditions(plan):
    return [(c.attribute, c.op, c.value) for c in plan.conditions]


def test_scan_walks_days_with_events_newest_first():
    plan = _plan(ADMIN, scope="scan", subject=None)
    assert plan.months == ("2024-01",) and not plan.partitions and not plan.conditions
    assert [p.value for p in plan.expand_month("2024-01")] == ["D#2024-01-05", "D#2024-01-02"]
    assert all((p.low, p.high) == (WINDOW.start, WINDOW.end) for p in plan.expand_month("2024-01"))


def test_scan_walks_only_the_months_the_registry_lists_and_reads_their_days_lazily():
    window = Window("2013-01-01T00:00:00Z", "2026-03-10T23:59:59Z")
    asked, expanded = [], []

    def months(first, last):
        asked.append((first, last))
        return ["2024-01", "2025-06"]

    def days(first, last):
        expanded.append((first, last))
        return [first]

    plan = plan_list(ListRequest(scope="scan", subject=None, window=window), ADMIN, days, months)
    assert plan.months == ("2025-06", "2024-01") and asked == [("2013-11-01", "2026-03-10")] and not expanded
    assert [p.value for p in plan.expand_month("2025-06")] == ["D#2025-06-01"] and expanded == [("2025-06-01", "2025-06-31")]
    errors = plan_list(ListRequest(scope="errors", subject=None, window=window), ADMIN, days, months)
    assert [p.value for p in errors.expand_month("2024-01")] == ["X#2024-01-01"]
    plan_list(ListRequest(scope="service", subject="ec2", window=window), ADMIN, days, months)
    assert len(asked) == 3  # every day walk of a long window: one MONTH registry read
    plan_list(ListRequest(scope="scan", subject=None, window=window), BOB, days, months)
    assert len(asked) == 3  # a non-admin walks their own partition: no registry read
    one_month = Window("2024-01-03T00:00:00Z", "2024-01-09T23:59:59Z")
    plan = plan_list(ListRequest(scope="scan", subject=None, window=one_month), ADMIN, days, lambda a, b: ["2024-01"])
    assert plan.months == ("2024-01",) and len(asked) == 3  # (the reader answers one month unread: test_reader.py)
    assert expanded[-1] != ("2024-01-03", "2024-01-09")
    plan.expand_month("2024-01")
    assert expanded[-1] == ("2024-01-03", "2024-01-09")  # only the window's days of the month


def test_an_error_code_walks_the_failed_calls_and_summary_filters_are_conditions():
    plan = _plan(ADMIN, scope="scan", subject=None, error_code="AccessDenied")
    assert [p.value for p in plan.expand_month("2024-01")] == ["X#2024-01-05", "X#2024-01-02"]
    assert _conditions(plan) == [("errorCode", "eq", "AccessDenied")]
    plan = _plan(ADMIN, scope="scan", subject=None, event_name="RunInstances")
    assert plan.expand_month("2024-01")[0].value == "D#2024-01-05"
    assert _conditions(plan) == [("eventName", "eq", "RunInstances")]
    plan = _plan(ADMIN, scope="service", subject="ec2",
                 filters=tuple(parse_filters("readOnly,instanceType", None, "false,t3.micro", None)))
    assert _conditions(plan) == [("eventSource", "begins_with", "ec2."), ("readOnly", "eq", False)]
    assert [(f.name, f.value) for f in plan.record_filters] == [("requestParameters_instanceType", "t3.micro")]


def test_non_admin_always_walks_their_own_partition():
    for scope, subject in (("scan", None), ("service", "ec2"), ("account", "111"), ("errors", None),
                           ("errors", "AccessDenied"), ("resource", "arn:aws:s3:::b"), ("user", "bob")):
        plan = _plan(BOB, scope=scope, subject=subject)
        assert [p.value for p in plan.partitions] == ["U#bob"] and not plan.months, scope
    resource = _plan(BOB, scope="resource", subject="arn:aws:s3:::b")
    assert _conditions(resource) == [("resources", "contains", "arn:aws:s3:::b")]
    assert _conditions(_plan(BOB, scope="errors", subject=None)) == [("errorCode", "exists", None)]
    with pytest.raises(Forbidden):
        _plan(BOB, scope="user", subject="alice")
    with pytest.raises(Forbidden):
        _plan(BOB, scope="errors", subject=None, user="alice")


def test_all_failures_walk_the_failed_calls_of_every_day_with_events():
    plan = _plan(ADMIN, scope="errors", subject=None)
    assert [p.value for p in plan.expand_month("2024-01")] == ["X#2024-01-05", "X#2024-01-02"]
    assert _conditions(plan) == [("errorCode", "exists", None)]
    one_code = _plan(ADMIN, scope="errors", subject="AccessDenied")
    assert _conditions(one_code) == [("errorCode", "eq", "AccessDenied")]
    mine = _plan(ADMIN, scope="errors", subject=None, user="alice")
    assert [p.value for p in mine.partitions] == ["U#alice"] and not mine.months


# ---- aggregates
def test_aggregates_from_counter_rows():
    rows = [{"day": "2024-01-01", "actor": "a", "counts": {"n": 3, "s:ec2": 2, "s:s3": 1, "e:RunInstances": 2,
                                                          "x:AccessDenied": 1}},
            {"day": "2024-01-03", "actor": "b", "counts": {"n": 1, "s:s3": 1, "e:PutObject": 1}}]
    days = ["2024-01-01", "2024-01-02", "2024-01-03"]
    assert aggregate("service", rows, days) == (4, [{"key": "ec2", "count": 2}, {"key": "s3", "count": 2}])
    assert aggregate("user", rows, days)[1] == [{"key": "a", "count": 3}, {"key": "b", "count": 1}]
    assert aggregate("day", rows, days)[1] == [{"key": "2024-01-01", "count": 3}, {"key": "2024-01-02", "count": 0},
                                               {"key": "2024-01-03", "count": 1}]
    assert aggregate("errorCode", rows, days)[1] == [{"key": "AccessDenied", "count": 1}]
    assert aggregate("eventName", rows, days)[1] == [{"key": "RunInstances", "count": 2}, {"key": "PutObject", "count": 1}]


def test_month_look_ups_skip_impossible_months():
    from datetime import date

    from query.logic.window import searched_days

    assert searched_days("2010-01-01", "2030-12-31", today=date(2026, 3, 10)) == ("2013-11-01", "2026-03-11")
    assert searched_days("2030-01-01", "2030-12-31", today=date(2026, 3, 10)) is None


# ---- /events/{id}: the row rebuilt from the record names the actor as ingest did
def test_an_events_row_names_the_actor_with_the_roles_ingest_trusts(monkeypatch):
    from cloudtrail_tracker.event_builder import EventBuilder
    from cloudtrail_tracker.settings import Settings
    from query.logic.rows import summary_row

    record = {"eventVersion": "1.08", "eventID": "e-1", "eventTime": "2024-01-05T10:00:00Z", "eventName": "RunInstances",
              "eventSource": "ec2.amazonaws.com", "awsRegion": "eu-west-1", "recipientAccountId": "111122223333",
              "userIdentity": {"type": "AssumedRole", "accountId": "111122223333", "principalId": "AROA1:ana",
                               "arn": "arn:aws:sts::111122223333:assumed-role/LabRole/ana",
                               "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "LabRole",
                                                                    "arn": "arn:aws:iam::111122223333:role/LabRole"}}}}
    key = "AWSLogs/111122223333/CloudTrail/eu-west-1/2024/01/05/x.json.gz"
    for trusted in ("", "LabRole"):
        monkeypatch.setenv("TRUSTED_SESSION_ROLES", trusted)
        settings = Settings.from_env()
        ingested = EventBuilder(settings).build(record, "111122223333")
        assert summary_row(record, key, settings.trusted_session_roles)["actor"] == ingested.actor.name
    assert summary_row(record, key, ("LabRole",))["actor"] == "ana"  # trusted: the session name is the caller


# ---- the routes' parameters: one model per kind of route, its aliases the names the path takes
def test_every_list_takes_the_same_names_from_one_model():
    from query.routes.parameters import ErrorsQuery, ListQuery, ResourceQuery, names_of

    assert names_of(ListQuery) == {"from", "to", "limit", "next", "eventName", "errorCode", "params", "param",
                                   "value", "values", "count"}
    assert names_of(ErrorsQuery) == names_of(ListQuery) | {"user"}
    assert names_of(ResourceQuery) == names_of(ListQuery) | {"arn"}


def test_the_checklist_file_is_kept_for_the_refresh_interval_and_a_broken_one_is_not_kept(tmp_path, monkeypatch):
    import os
    import time

    from cloudtrail_tracker import roster, settings
    from query.logic.errors import ApiError
    from query.routes import checklists

    path = tmp_path / "c.yaml"
    path.write_text("checklists: [{id: a, from: 2024-01-01, to: 2024-01-31, items: [{eventName: RunInstances}]}]")
    monkeypatch.setenv("TABLE_NAME", "t")
    monkeypatch.setenv("CHECKLISTS_PATH", str(path))
    monkeypatch.setenv("COURSE_REFRESH_SECONDS", "3600")
    settings.reset()
    roster.forget()

    def rewrite(text: str) -> None:  # a new mtime, whatever the file system's resolution
        path.write_text(text)
        stamp = time.time_ns() + 10**9 * (1 + len(text))
        os.utime(path, ns=(stamp, stamp))

    try:
        assert [c.id for c in checklists._checklists()] == ["a"]
        rewrite("checklists: [{id: b, from: 2024-01-01, to: 2024-01-31, items: [{eventName: X}]}]")
        assert [c.id for c in checklists._checklists()] == ["a"]  # kept for COURSE_REFRESH_SECONDS
        monkeypatch.setenv("COURSE_REFRESH_SECONDS", "0")
        settings.reset()
        assert [c.id for c in checklists._checklists()] == ["b"]  # looked at again: changed, read again
        rewrite("checklists: [{id: broken}]")
        for _ in range(2):
            with pytest.raises(ApiError) as broken:
                checklists._checklists()
            assert broken.value.status == 500 and "CHECKLISTS_PATH" in broken.value.hint
        rewrite("checklists: [{id: c, from: 2024-01-01, to: 2024-01-31, items: [{eventName: X}]}]")
        assert [c.id for c in checklists._checklists()] == ["c"]  # fixed: read again, no stale error
    finally:
        roster.forget()
        settings.reset()


def test_list_positions_round_trip_through_the_compact_cursor():
    from cloudtrail_tracker.dal.reader import EventPosition
    from query.logic.cursor import ListPosition, encode_list_cursor, list_position

    identity = query_identity("/scan", {}, "*")
    for position in (ListPosition("D#2024-01-01"), ListPosition("D#2024-01-01", finished=True),
                     ListPosition("U#alice", EventPosition("2024-01-01T10:00:00Z", "id-1"))):
        assert list_position(encode_list_cursor(identity, position), identity) == position
