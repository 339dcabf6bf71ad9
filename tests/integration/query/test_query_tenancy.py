"""A non-admin sees only the actor they own, by every endpoint and parameter."""

from __future__ import annotations

import json
import os
from collections import Counter
from urllib.parse import urlencode

import pytest

from cloudtrail_tracker import settings
from cloudtrail_tracker.local.api_server import proxy_event
from cloudtrail_tracker.local.driver import LocalContext

ALL_TIME = {"from": "2010-01-01", "to": "2030-12-31"}


@pytest.fixture(scope="module")
def tenant(stored_events):
    """The actor with most events (several services, days); others exist."""
    return Counter(e["actor"] for e in stored_events).most_common(1)[0][0]


def test_event_lists_show_only_the_tenant(api, stored_events, tenant):
    mine = {e["eventID"] for e in stored_events if e["actor"] == tenant}
    assert len(mine) < len(stored_events)
    services = {e["eventSource"].split(".")[0] for e in stored_events}
    accounts = {e.get("account") for e in stored_events if e.get("account")}
    paths = ["/scan", f"/users/{tenant}", "/errors", "/errors?errorCode=AccessDenied"]
    arns = sorted({a for e in stored_events for a in e.get("resources", [])})
    touched = sorted({a for e in stored_events if e["actor"] == tenant for a in e.get("resources", [])})
    # the tenant's own services/accounts/resources and some of others'
    own = [e for e in stored_events if e["actor"] == tenant]
    paths += [f"/services/{s}" for s in sorted(services)[:6] + sorted({e["eventSource"].split(".")[0] for e in own})]
    paths += [f"/accounts/{a}" for a in sorted(accounts)[:6] + sorted({e.get("account") for e in own if e.get("account")})]
    paths += [f"/resources?arn={arn}" for arn in arns[:6] + touched]
    for path in paths:
        base, _, query = path.partition("?")
        params = dict([query.split("=", 1)]) if query else {}
        rows = api.walk(base, {**ALL_TIME, **params}, as_user=tenant)
        assert {r["eventID"] for r in rows} <= mine, path
        assert {r["actor"] for r in rows} <= {tenant}, path
        count = api.ok(base, {**ALL_TIME, **params, "count": "true"}, as_user=tenant)["count"]
        assert count == len(rows), path
    assert {r["eventID"] for r in api.walk("/scan", ALL_TIME, as_user=tenant)} == mine


def test_other_actors_are_refused_or_invisible(api, stored_events, tenant):
    other = next(e for e in stored_events if e["actor"] != tenant)
    for path, params in ((f"/users/{other['actor']}", ALL_TIME),
                         ("/errors", {**ALL_TIME, "user": other["actor"]}),
                         ("/aggregates", {"by": "service", "user": other["actor"], **ALL_TIME}),
                         (f"/users/{other['actor']}", {**ALL_TIME, "count": "true"})):
        status, body = api.get(path, params, as_user=tenant)
        assert status == 403 and body["error"], (path, body)
    status, _ = api.get(f"/events/{other['eventID']}", {"at": other["eventTime"]}, as_user=tenant)
    assert status == 404
    own = next(e for e in stored_events if e["actor"] == tenant)
    assert api.ok(f"/events/{own['eventID']}", {"at": own["eventTime"]}, as_user=tenant)["event"]["actor"] == tenant
    # a filter naming another actor cannot widen the scope
    rows = api.walk("/scan", {**ALL_TIME, "params": "userIdentity_userName", "value": other["actor"]}, as_user=tenant)
    assert rows == []


def test_registries_and_aggregates_only_show_the_tenant(api, stored_events, tenant):
    assert [u["name"] for u in api.ok("/users", as_user=tenant)["items"]] == [tenant]
    mine = [e for e in stored_events if e["actor"] == tenant]
    assert {s["name"] for s in api.ok("/services", as_user=tenant)["items"]} == {e["eventSource"].split(".")[0] for e in mine}
    years = sorted({e["eventTime"][:4] for e in mine})
    window = {"from": f"{years[0]}-01-01", "to": f"{years[0]}-12-31"}
    in_window = [e for e in mine if e["eventTime"][:4] == years[0]]
    for by in ("user", "service", "eventName", "day", "errorCode"):
        body = api.ok("/aggregates", {"by": by, **window}, as_user=tenant)
        assert body["total"] == len(in_window) and body["user"] == tenant, by
    assert api.ok("/aggregates", {"by": "user", **window}, as_user=tenant)["items"] == [{"key": tenant, "count": len(in_window)}]
    assert api.ok("/whoami", as_user=tenant) == {"actor": tenant, "admin": False, "auth": "cognito"}


def test_an_admins_cursor_is_refused_to_a_tenant(api, tenant):
    cursor = api.ok("/scan", {"from": "2024-01-01", "to": "2024-12-31", "limit": 1})["next"]
    status, body = api.get("/scan", {"from": "2024-01-01", "to": "2024-12-31", "next": cursor}, as_user=tenant)
    assert status == 400 and body["parameter"] == "next"


def test_cognito_admin_group_sees_everyone(api, stored_events, tenant, auth_env):
    claims = {"aud": "dashboard", "custom:actor": tenant, "cognito:groups": "admins"}
    auth_env({"AUTH_MODE": "cognito", "COGNITO_CLIENT_ID": "dashboard"})
    assert api.ok("/whoami", claims=claims) == {"actor": tenant, "admin": True, "auth": "cognito"}
    assert api.ok("/users", claims=claims)["items"] and len(api.ok("/users", claims=claims)["items"]) > 1
    status, _ = api.get("/scan", ALL_TIME)  # cognito mode without claims
    assert status == 401


@pytest.fixture
def auth_env():
    """Sets AUTH_MODE and friends for one test; the module's stack runs with AUTH_MODE=none. The
    settings are read once per execution environment: each change is a new one (settings.reset())."""
    saved = dict(os.environ)

    def update(values: dict) -> None:
        os.environ.update(values)
        settings.reset()

    yield update
    os.environ.clear()
    os.environ.update(saved)
    settings.reset()


# ---- who the caller is, proven (through the real handler, as API Gateway calls it)
def _as_iam(user_arn: str, path: str, params: dict | None = None):
    """The handler called as API Gateway does for a SigV4-signed request of ``user_arn``."""
    from query.handler import (
        lambda_handler,  # after the stack fixture set the environment
    )

    event = proxy_event("GET", path + ("?" + urlencode(params) if params else ""), {"Host": "test"})
    event["requestContext"]["identity"]["userArn"] = user_arn
    response = lambda_handler(event, LocalContext(function_name="QueryFunction"))
    return response["statusCode"], json.loads(response["body"])


def _iam_user_with_events(stored_events) -> tuple[str, str]:
    """(name, account) of an IAM user with events, the victim of the forged sessions."""
    counts = Counter((e["actor"], e["account"]) for e in stored_events if e.get("actorType") == "IAMUser" and e.get("account"))
    return counts.most_common(1)[0][0]


def test_iam_a_forged_session_or_federated_name_reads_nobody(api, stored_events, auth_env):
    victim, account = _iam_user_with_events(stored_events)
    auth_env({"AUTH_MODE": "iam", "STACK_ACCOUNT_ID": account})
    for arn in (f"arn:aws:sts::{account}:assumed-role/LabRole/{victim}",
                f"arn:aws:sts::{account}:federated-user/{victim}",
                f"arn:aws:iam::444455556666:user/{victim}"):  # the same name in another account
        for path in ("/whoami", "/scan", f"/users/{victim}", "/progress"):
            status, body = _as_iam(arn, path, ALL_TIME if path == "/scan" else None)
            assert status == 403 and body["error"], (arn, path, body)
    status, body = _as_iam(f"arn:aws:iam::{account}:user/{victim}", "/whoami")  # the real one
    assert (status, body) == (200, {"actor": victim, "admin": False, "auth": "iam"})


def test_iam_admin_principals_match_an_assumed_role_session(api, stored_events, auth_env):
    _, account = _iam_user_with_events(stored_events)
    auth_env({"AUTH_MODE": "iam", "STACK_ACCOUNT_ID": account,
              "ADMIN_PRINCIPALS": f"arn:aws:iam::{account}:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_Admin_*"})
    status, body = _as_iam(f"arn:aws:sts::{account}:assumed-role/AWSReservedSSO_Admin_0a1b/ana@example.com", "/users")
    assert status == 200 and len(body["items"]) > 1


def test_cognito_an_unverified_or_self_written_email_is_no_actor(api, stored_events, auth_env):
    victim = Counter(e["actor"] for e in stored_events).most_common(1)[0][0]
    auth_env({"AUTH_MODE": "cognito", "COGNITO_CLIENT_ID": "dashboard"})
    for claims in ({"aud": "dashboard", "email": victim, "email_verified": "false", "cognito:username": "x"},
                   {"aud": "dashboard", "email": victim, "email_verified": "true", "cognito:username": victim}):
        status, body = api.get("/scan", ALL_TIME, claims=claims)
        assert status == 403 and "no actor claim" in body["error"], body


@pytest.mark.parametrize("mode", ["cognto", "open", ""])
def test_an_unknown_auth_mode_never_serves(api, auth_env, mode):
    auth_env({"AUTH_MODE": mode})
    for path in ("/whoami", "/users", "/scan"):
        status, body = api.get(path)
        assert status == 500 and "AUTH_MODE" in body["error"], (path, body)
