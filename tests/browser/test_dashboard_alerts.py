"""Issue 13: the dashboard's Alerts view and the header's badge in headless Chromium, against the local stack
loaded with the sample logs (their root-user and AccessDenied events fire alerts). The rows are exactly the
API's alerts of the range, severities carry their colour class, names link to their views, an event ID opens
the event, filters narrow the rows and live in the address, and the badge agrees with the API's last 7 days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, quote

import pytest

from cloudtrail_tracker.alerts import current_rules
from cloudtrail_tracker.event_builder import RecordRejected, normalise_time
from cloudtrail_tracker.identity import resolve_actor
from cloudtrail_tracker.local.stack import LOG_SUFFIXES, default_logs_dir
from cloudtrail_tracker.logfile import iter_records

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "build" / "artifacts"
MAX_DAYS = 92  # the API's limit per /alerts request
SEVERITIES = {"info", "low", "medium", "high", "critical"}


def _alerts_path(start: str, end: str, **filters: str) -> str:
    query = "&".join(f"{name}={quote(value)}" for name, value in {"from": start, "to": end, **filters}.items())
    return f"/alerts?{query}"


def _sample_records() -> Iterator[dict]:
    """The records of the log files the samples' stack loaded (conftest.py: run_ingest(default_logs_dir()))."""
    for path in sorted(p for p in default_logs_dir().rglob("*") if p.is_file() and p.name.lower().endswith(LOG_SUFFIXES)):
        with path.open("rb") as stream:
            yield from iter_records(stream)


def _rule_matches_by_day() -> dict[date, list[str]]:
    """UTC day -> the rules the samples' records of that day match (the shipped rules, evaluated as the ingest does,
    without AWS): where alerts can have fired, found in a second instead of asking /alerts about every day of the span."""
    rules = current_rules()
    by_day: defaultdict[date, list[str]] = defaultdict(list)
    for record in _sample_records():
        try:
            day = date.fromisoformat(normalise_time(record.get("eventTime") or record.get("@timestamp"))[:10])
        except RecordRejected:
            continue  # the ingest drops it too
        actor = resolve_actor(record.get("userIdentity"))
        account = record.get("recipientAccountId") or actor.account or ""
        by_day[day] += [match.rule_id for match in rules.matches(record, actor.name, actor.role, account)]
    return by_day


@pytest.fixture(scope="module")
def busiest_window(api) -> dict:
    """{start, end, items}: the window of at most 92 days of the samples' span with the most rules matched (then matches),
    and the API's alerts of it (asked as the page asks: one request)."""
    span = api("/span")
    first, last = date.fromisoformat(span["first"]), date.fromisoformat(span["last"])
    by_day = {day: rules for day, rules in _rule_matches_by_day().items() if first <= day <= last and rules}
    assert by_day, "the samples' root-user and AccessDenied events match alert rules"

    def score(end: date) -> tuple[int, int]:
        inside = [rule for day, rules in by_day.items() if end - timedelta(days=MAX_DAYS - 1) <= day <= end for rule in rules]
        return len(set(inside)), len(inside)

    end = max(by_day, key=lambda day: (*score(day), day))  # a window ending on a matching day; the latest of equals
    # from its first matching day: the same alerts, and every request of the tests asks about fewer days
    start = min(day for day in by_day if end - timedelta(days=MAX_DAYS - 1) <= day)
    items = api(_alerts_path(f"{start}T00:00:00Z", f"{end}T23:59:59Z"))["items"]
    assert items, "the samples' root-user and AccessDenied events fire alerts"
    return {"start": start.isoformat(), "end": end.isoformat(), "items": items}


def _rows(page) -> list[dict]:
    return page.eval_on_selector_all("#alerts-table tr[data-alert-id]", """rows => rows.map(r => ({...r.dataset,
        badge: r.querySelector('.severity').className, badgeText: r.querySelector('.severity').textContent,
        actorHref: r.querySelector('td.who a.actor-link')?.getAttribute('href') || '',
        count: r.querySelector('td.count').textContent,
        firstSeen: r.querySelector('td.first-seen').textContent,
        events: [...r.querySelectorAll('a.event-link')].map(a => a.dataset.eventId)}))""")


def _shown_time(utc: str | None) -> str:
    """An API time as the page writes it in UTC ("2024-01-15 10:04:05 UTC")."""
    return f"{utc.replace('T', ' ').removesuffix('Z').split('.')[0]} UTC" if utc else ""


def test_alerts_view_lists_the_apis_alerts_and_links_them(dash, page, local_api, api, busiest_window):
    start, end, expected = busiest_window["start"], busiest_window["end"], busiest_window["items"]
    dash.open_view(page, local_api, f"alerts?from={start}&to={end}")
    dash.wait_rendered(page)
    rows = _rows(page)
    assert sorted(r["alertId"] for r in rows) == sorted(a["id"] for a in expected) and len(rows) == len(expected)
    order = [(r["window"], r["firstSeen"]) for r in rows]
    assert order == sorted(order, reverse=True), "newest first"
    by_id = {a["id"]: a for a in expected}

    for row in rows:
        alert = by_id[row["alertId"]]
        assert row["window"] == alert["window"]
        assert alert["severity"] in SEVERITIES
        assert f"severity-{alert['severity']}" in row["badge"].split() and row["badgeText"] == alert["severity"]
        assert row["rule"] == alert["rule"]
        assert row["count"] == f"{'≥' if alert['countIsAtLeast'] else ''}{alert['count']}"
        assert row["firstSeen"] == _shown_time(alert["firstSeen"])
        assert row["events"] == [e["eventID"] for e in alert["events"]][:5]
        if alert["actor"]:
            assert row["actorHref"].startswith("#/actor?")
            assert parse_qs(row["actorHref"].split("?", 1)[1])["actor"] == [alert["actor"]]
    # the severity colours differ by level: a red-ish high/critical is not the grey-blue of low/info
    colours = page.evaluate("""() => Object.fromEntries(['critical', 'high', 'medium', 'low', 'info'].map(level => {
        const probe = document.createElement('span'); probe.className = `severity severity-${level}`;
        document.body.append(probe); const colour = getComputedStyle(probe).color; probe.remove(); return [level, colour]; }))""")
    assert len({colours["high"], colours["medium"], colours["low"]}) == 3 and colours["low"] == colours["info"]

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "alerts.png"), full_page=True)

    # an event ID opens that event's record
    event_id = rows[0]["events"][0]
    page.click(f"#alerts-table tr[data-alert-id='{rows[0]['alertId']}'] a.event-link[data-event-id='{event_id}']")
    page.wait_for_selector("#record-dialog[open] pre.record")
    event_time = next(e["eventTime"] for e in by_id[rows[0]["alertId"]]["events"] if e["eventID"] == event_id)
    record = api(f"/events/{quote(event_id)}?at={quote(event_time)}")
    assert record["event"]["eventID"] == event_id and event_id in page.text_content("#record-body")
    page.click("#record-dialog button[aria-label=close]")

    # an alert's title opens its detail, with every kept event of /alerts/{id}
    first = by_id[rows[0]["alertId"]]
    page.click(f"#alerts-table tr[data-alert-id='{first['id']}'] a.alert-link")
    page.wait_for_function("() => location.hash.includes('id=')")
    dash.wait_rendered(page)
    assert dash.route_params(page)["id"] == first["id"] and dash.route_params(page)["from"] == start  # the range is kept
    detail = api(f"/alerts/{quote(first['id'], safe='')}")
    assert page.get_attribute("#alert-detail", "data-alert-id") == detail["id"] == first["id"]
    shown = page.eval_on_selector_all("#alert-detail tr.alert-event", "rows => rows.map(r => r.dataset.eventId)")
    assert shown == [e["eventID"] for e in detail["events"]] and shown


def test_filters_narrow_the_rows_and_live_in_the_address(dash, page, local_api, api, busiest_window):
    start, end, everything = busiest_window["start"], busiest_window["end"], busiest_window["items"]
    dash.open_view(page, local_api, f"alerts?from={start}&to={end}")
    severity = min({a["severity"] for a in everything}, key=lambda s: sum(a["severity"] == s for a in everything))  # the rarest
    page.select_option("#alerts-severity", severity)
    page.wait_for_function(f"() => location.hash.includes('severity={severity}')")
    dash.wait_rendered(page)
    expected = api(_alerts_path(f"{start}T00:00:00Z", f"{end}T23:59:59Z", severity=severity))["items"]
    rows = _rows(page)
    assert sorted(r["alertId"] for r in rows) == sorted(a["id"] for a in expected) and rows
    assert {r["severity"] for r in rows} == {severity}
    assert len(rows) == sum(a["severity"] == severity for a in everything)

    rule = expected[-1]["rule"]
    page.select_option("#alerts-rule", rule)
    page.wait_for_function(f"() => location.hash.includes('rule={quote(rule)}')")
    dash.wait_rendered(page)
    assert dash.route_params(page) == {"from": start, "to": end, "severity": severity, "rule": rule}
    rows = _rows(page)
    assert rows and sorted(r["alertId"] for r in rows) == sorted(a["id"] for a in expected if a["rule"] == rule)

    # the address alone reproduces the filtered list (a shared link)
    page.reload()
    dash.wait_rendered(page)
    assert [r["alertId"] for r in _rows(page)] == [r["alertId"] for r in rows]
    assert page.input_value("#alerts-severity") == severity and page.input_value("#alerts-rule") == rule
    page.click("#alerts-filters button.clear-filters")
    page.wait_for_function("() => !location.hash.includes('severity=')")
    dash.wait_rendered(page)
    assert len(_rows(page)) == len(everything)


def test_a_range_longer_than_92_days_shows_its_last_92_days(dash, page, local_api, api, busiest_window):
    end = date.fromisoformat(busiest_window["end"])
    start = end - timedelta(days=200)
    clamped_from = (end - timedelta(days=MAX_DAYS - 1)).isoformat()
    expected_path = _alerts_path(f"{clamped_from}T00:00:00Z", f"{end}T23:59:59Z")
    api.prefetch([expected_path])  # asked while the page asks the same: 92 days take the local API seconds
    dash.open_view(page, local_api, f"alerts?from={start}&to={end}")
    dash.wait_rendered(page)
    assert "last 92 days" in page.text_content("#alerts-range")
    expected = api(expected_path)["items"]
    assert sorted(r["alertId"] for r in _rows(page)) == sorted(a["id"] for a in expected)


def test_header_badge_counts_the_last_7_days(dash, page, local_api, api):
    dash.open_view(page, local_api, "overview?range=1h")  # any view: the badge is in the header
    page.wait_for_selector("#alerts-badge[data-state=ready]", state="attached")
    last_week = api("/alerts")["items"]  # the API's default window is the last 7 days
    badge = page.locator("#alerts-badge")
    assert badge.get_attribute("data-count") == str(len(last_week))
    assert badge.is_hidden() == (not last_week)
    assert not last_week, "the samples are years old: nothing in the last 7 days"
    assert page.get_attribute("#nav a[data-view=alerts]", "href").startswith("#/alerts")
