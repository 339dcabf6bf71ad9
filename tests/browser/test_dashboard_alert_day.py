"""Issue 13's dashboard half: the generated alert day (tests/alert_day.py: root use, a StopLogging, a security group
opened to the world, a burst of AccessDenied, every file delivered twice) on its own local stack, and the Alerts view
on that day in headless Chromium: every alert shown once with its rule's severity colour, its actor linked to the
actor page and its triggering events linked to their records; the header badge agrees with the API's last 7 days.

The stack is `cloudtrail-tracker local --logs <day>` in its own process (tests/e2e/local_server.py): an in-process
stack would share moto's per-process state and the environment with the samples' session stack of conftest.py, and
stopping it resets moto for both."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from cloudtrail_tracker.alerts.rules import load_rule_file
from tests.alert_day import ALERT_DAY, EXPECTED, write_day
from tests.e2e.local_server import serving

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "build" / "artifacts"
EVENTS_IN_ROW = 5  # a row links the first five triggering events (alerts.js); the detail links them all
BADGE_DAYS = 7  # the header badge counts the API's default window, the last 7 UTC days (alerts.js showAlertsBadge)
# Which of the day's records trigger each expected rule, by the record's eventName.
TRIGGERS = {"root-user-use": "CreateBucket", "cloudtrail-stopped": "StopLogging",
            "security-group-ingress-open-to-world": "AuthorizeSecurityGroupIngress", "access-denied-burst": "ListSecrets"}


@pytest.fixture(scope="module")
def alert_day(tmp_path_factory) -> Iterator[dict]:
    """{url, records}: the local stack's API + dashboard over the generated day, and the day's records."""
    pytest.importorskip("moto")
    logs = tmp_path_factory.mktemp("alert-day-logs")
    records = write_day(logs)
    with serving(tmp_path_factory.mktemp("alert-day-stack"), "--logs", str(logs)) as url:
        yield {"url": url, "records": records}


def _get(url: str, path: str):
    with urllib.request.urlopen(url + path, timeout=60) as response:
        return json.loads(response.read())


def _rows(page) -> list[dict]:
    return page.eval_on_selector_all("#alerts-table tr[data-alert-id]", """rows => rows.map(r => ({...r.dataset,
        badge: r.querySelector('.severity').className, badgeText: r.querySelector('.severity').textContent,
        actorHref: r.querySelector('td.who a.actor-link')?.getAttribute('href') || '',
        events: [...r.querySelectorAll('a.event-link')].map(a => a.dataset.eventId)}))""")


def _actor_name(arn: str) -> str:
    """The API's actor for an ARN of the day: the user name, or root@account for the root user."""
    return f"root@{arn.split(':')[4]}" if arn.endswith(":root") else arn.rsplit("/", 1)[1]


def test_alerts_view_shows_each_alert_of_the_day_once(dash, page, alert_day):
    url, records = alert_day["url"], alert_day["records"]
    listed = _get(url, f"/alerts?from={ALERT_DAY}T00:00:00Z&to={ALERT_DAY}T23:59:59Z")["items"]
    dash.open_view(page, url, f"alerts?from={ALERT_DAY}&to={ALERT_DAY}")
    dash.wait_rendered(page)
    rows = _rows(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "alerts-generated-day.png"), full_page=True)

    # the rows are the API's alerts of the day, each once; each expected rule is among them exactly once
    assert sorted(r["alertId"] for r in rows) == sorted(a["id"] for a in listed) and len({r["alertId"] for r in rows}) == len(rows)
    shown_rules = [r["rule"] for r in rows]
    assert all(shown_rules.count(rule) == 1 for rule in EXPECTED), shown_rules

    severity_of = {rule.id: rule.severity for rule in load_rule_file()}  # the shipped rules.yaml, not the API
    by_rule = {r["rule"]: r for r in rows}
    for rule, event_name in TRIGGERS.items():
        row = by_rule[rule]
        triggers = [r for r in records if r["eventName"] == event_name]
        assert f"severity-{severity_of[rule]}" in row["badge"].split() and row["badgeText"] == severity_of[rule], (rule, row["badge"])
        assert row["severity"] == severity_of[rule]
        actor = _actor_name(triggers[0]["userIdentity"]["arn"])
        assert row["actor"] == actor and row["actorHref"].startswith("#/actor?"), (rule, row["actor"], row["actorHref"])
        assert parse_qs(row["actorHref"].split("?", 1)[1])["actor"] == [actor]
        # the linked events are the day's triggering records, oldest first, the first five in the row
        assert row["events"] == [r["eventID"] for r in triggers][:min(EVENTS_IN_ROW, int(row["count"]))], rule
    # the severities differ in colour: critical and high are not the medium of the burst
    colours = {rule: page.eval_on_selector(f"#alerts-table tr[data-alert-id='{by_rule[rule]['alertId']}'] .severity",
                                           "badge => getComputedStyle(badge).color") for rule in TRIGGERS}
    assert colours["security-group-ingress-open-to-world"] != colours["access-denied-burst"]

    # an event link opens that record; the actor link opens the actor page
    stop_logging = by_rule["cloudtrail-stopped"]
    event_id = stop_logging["events"][0]
    page.click(f"#alerts-table tr[data-alert-id='{stop_logging['alertId']}'] a.event-link[data-event-id='{event_id}']")
    page.wait_for_selector("#record-dialog[open] pre.record")
    assert event_id in page.text_content("#record-body") and "StopLogging" in page.text_content("#record-body")
    page.click("#record-dialog button[aria-label=close]")
    page.click(f"#alerts-table tr[data-alert-id='{stop_logging['alertId']}'] td.who a.actor-link")
    page.wait_for_function("() => location.hash.startsWith('#/actor?')")
    dash.wait_rendered(page)
    assert dash.route_params(page)["actor"] == stop_logging["actor"]
    assert page.text_content("h3.actor-name") == stop_logging["actor"]


def test_header_badge_counts_what_the_api_gives_for_the_last_7_days(dash, page, alert_day):
    url = alert_day["url"]
    dash.open_view(page, url, f"alerts?from={ALERT_DAY}&to={ALERT_DAY}")
    page.wait_for_selector("#alerts-badge[data-state=ready]", state="attached")
    last_week = _get(url, "/alerts")  # the badge's request: the API's default window
    today = datetime.now(UTC).date()
    first_badge_day = today - timedelta(days=BADGE_DAYS - 1)
    assert last_week["from"].startswith(first_badge_day.isoformat()) and last_week["to"].startswith(today.isoformat())
    badge = page.locator("#alerts-badge")
    assert badge.get_attribute("data-count") == str(len(last_week["items"]))
    assert badge.is_hidden() == (not last_week["items"])
    # the day's alerts count in the badge exactly when the day is in the last 7 days (never, once 2025-03-12 has passed)
    in_window = first_badge_day <= date.fromisoformat(ALERT_DAY) <= today
    assert bool(last_week["items"]) == in_window
    assert page.get_attribute("#nav a[data-view=alerts]", "href").startswith("#/alerts")
