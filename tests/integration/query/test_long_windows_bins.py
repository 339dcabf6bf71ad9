"""Any window renders (issue 11 items 1, 2): /aggregates over the samples' whole span (2014-2025) by
month, week bins from Monday, /span for admins and non-admins, and what a long window reads."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from cloudtrail_tracker.local.billing import Meter, MotoTableReader


@pytest.fixture
def metered(sample_stack):
    """The read units and requests of the calls made inside, by DynamoDB's rules (local/billing.py),
    on the shared client the handler uses."""
    from cloudtrail_tracker import clients

    client, _ = sample_stack
    meter = Meter(MotoTableReader(client))
    events = clients.client("dynamodb").meta.events
    meter.attach(events)
    meter.take()
    yield meter
    events.unregister("request-created.dynamodb", meter._on_request)
    events.unregister("after-call.dynamodb", meter._on_response)


def _span(stored_events) -> tuple[str, str]:
    days = sorted(e["eventTime"][:10] for e in stored_events)
    return days[0], days[-1]


def test_span_is_the_first_and_last_day_with_events(api, stored_events):
    first, last = _span(stored_events)
    assert first < "2015" and last >= "2025"  # the samples span 2014-2025
    assert api.ok("/span") == {"first": first, "last": last}
    actor = Counter(e["actor"] for e in stored_events).most_common(1)[0][0]
    mine = sorted(e["eventTime"][:10] for e in stored_events if e["actor"] == actor)
    assert api.ok("/span", as_user=actor) == {"first": mine[0], "last": mine[-1]}
    assert api.ok("/span", as_user="nobody-at-all") == {"first": None, "last": None}
    status, body = api.get("/span", {"from": "2024-01-01"})
    assert status == 400 and body["parameter"] == "from"


def test_the_whole_span_renders_by_month_with_the_newest_data_last(api, stored_events, metered):
    first, last = _span(stored_events)
    body = api.ok("/aggregates", {"by": "day", "from": first, "to": last})
    usage = metered.take()
    assert body["granularity"] == "month" and body["total"] == len(stored_events)
    keys = [item["key"] for item in body["items"]]
    assert keys[0] == first and all(key.endswith("-01") for key in keys[1:])
    months = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7]) + 1
    assert len(keys) == months and keys == sorted(keys)
    per_month = Counter(max(e["eventTime"][:8] + "01", first) for e in stored_events)
    assert {item["key"]: item["count"] for item in body["items"] if item["count"]} == per_month
    assert body["items"][-1] == {"key": last[:8] + "01", "count": per_month[last[:8] + "01"]}  # the newest month is there
    # reads: the MONTH registry, then one Query of each month with events (not of each of the window's months)
    with_events = len({e["eventTime"][:7] for e in stored_events})
    assert usage.requests == {"Query": 1 + with_events}, usage.requests
    assert with_events < months / 2
    print(f"whole-span aggregate ({first}..{last}, {months} months, {with_events} with events): "
          f"{usage.rru} RRU, {sum(usage.requests.values())} requests")
    assert usage.rru <= 0.5 * (1 + with_events) + 2, usage.rru  # each Query reads a few KB at most


def test_other_groupings_answer_over_any_window_and_a_century_is_the_bound(api, stored_events):
    first, last = _span(stored_events)
    for by in ("user", "service", "eventName", "errorCode"):
        body = api.ok("/aggregates", {"by": by, "from": "2010-01-01", "to": "2030-12-31", "granularity": "month"})
        assert body["granularity"] == "day" and body["total"] == len(stored_events)
    assert sum(i["count"] for i in api.ok("/aggregates", {"by": "user", "from": first, "to": last})["items"]) == len(stored_events)
    status, body = api.get("/aggregates", {"by": "service", "from": "2005-01-01", "to": "9999-12-30"})
    assert status == 400 and body["parameter"] == "from" and "100 years" in body["hint"]
    status, body = api.get("/aggregates", {"by": "day", "from": "2010-01-01", "to": "2030-12-31", "granularity": "day"})
    assert status == 400 and body["parameter"] == "granularity" and "week" in body["hint"]
    status, body = api.get("/aggregates", {"by": "day", "granularity": "year"})
    assert status == 400 and body["parameter"] == "granularity"


def test_week_bins_cover_the_window_from_monday(api, stored_events):
    body = api.ok("/aggregates", {"by": "day", "from": "2024-01-03", "to": "2025-03-31"})  # 454 days: auto = week
    assert body["granularity"] == "week"
    keys = [item["key"] for item in body["items"]]
    assert keys[0] == "2024-01-03" and keys[1] == "2024-01-08" and keys[-1] == "2025-03-31"
    assert all(date.fromisoformat(key).weekday() == 0 for key in keys[1:])
    in_window = [e for e in stored_events if "2024-01-03" <= e["eventTime"][:10] <= "2025-03-31"]
    assert body["total"] == len(in_window) == sum(item["count"] for item in body["items"])
    # the same window by day (explicit) and by month add up to the same
    by_day = api.ok("/aggregates", {"by": "day", "from": "2024-01-03", "to": "2025-03-31", "granularity": "day"})
    assert len(by_day["items"]) == 454 and by_day["items"][-1]["key"] == "2025-03-31"
    by_month = api.ok("/aggregates", {"by": "day", "from": "2024-01-03", "to": "2025-03-31", "granularity": "month"})
    assert [i["key"] for i in by_month["items"]][:2] == ["2024-01-03", "2024-02-01"] and len(by_month["items"]) == 15
    assert sum(i["count"] for i in by_day["items"]) == sum(i["count"] for i in by_month["items"]) == len(in_window)


def test_a_users_long_window_is_binned_too(api, stored_events):
    actor = Counter(e["actor"] for e in stored_events).most_common(1)[0][0]
    body = api.ok("/aggregates", {"by": "day", "from": "2010-01-01", "to": "2030-12-31"}, as_user=actor)
    assert body["user"] == actor and body["granularity"] == "month"
    assert body["total"] == sum(1 for e in stored_events if e["actor"] == actor) == sum(i["count"] for i in body["items"])
    # an admin's user= is an actor the table knows (lookup.known_actor), else a 404 naming the closest
    assert api.ok("/aggregates", {"by": "service", "user": actor})["user"] == actor
    status, error = api.get("/aggregates", {"by": "service", "user": "nobody-at-all"})
    assert status == 404 and error["parameter"] == "user", error
