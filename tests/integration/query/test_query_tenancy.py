"""A non-admin sees only the actor they own, by every endpoint and parameter."""

from __future__ import annotations

from collections import Counter

import pytest

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
    paths += [f"/services/{s}" for s in sorted(services)[:6] + sorted({e["eventSource"].split(".")[0] for e in stored_events if e["actor"] == tenant})]
    paths += [f"/accounts/{a}" for a in sorted(accounts)[:6] + sorted({e.get("account") for e in stored_events if e["actor"] == tenant and e.get("account")})]
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
    status, _ = api.get(f"/events/{other['eventID']}", as_user=tenant)
    assert status == 404
    own = next(e for e in stored_events if e["actor"] == tenant)
    assert api.ok(f"/events/{own['eventID']}", as_user=tenant)["event"]["actor"] == tenant
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


def test_cognito_admin_group_sees_everyone(api, stored_events, tenant):
    import os

    claims = {"custom:actor": tenant, "cognito:groups": "admins"}
    os.environ["AUTH_MODE"] = "cognito"
    try:
        assert api.ok("/whoami", claims=claims) == {"actor": tenant, "admin": True, "auth": "cognito"}
        assert api.ok("/users", claims=claims)["items"] and len(api.ok("/users", claims=claims)["items"]) > 1
        status, _ = api.get("/scan", ALL_TIME)  # cognito mode without claims
        assert status == 401
    finally:
        os.environ["AUTH_MODE"] = "none"
