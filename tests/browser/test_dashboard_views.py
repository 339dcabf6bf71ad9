"""Every view of the dashboard in headless Chromium against the local stack with the sample logs:
the numbers on the page are the API's for the same range, and a range change changes them."""

from __future__ import annotations

from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser

YEAR_2024 = ("2024-01-01T00:00:00Z", "2024-12-31T23:59:59Z")
CONFIGURED_COUNTERS = {"RunInstances": ["RunInstances"], "CreateDBInstance": ["CreateDBInstance"],
                       "CreateFunction": ["CreateFunction20150331", "CreateFunction"],
                       "CreateLoadBalancer": ["CreateLoadBalancer"]}


def aggregate_path(by: str, first: str, last: str, user: str | None = None) -> str:
    path = f"/aggregates?by={by}&from={quote(first)}&to={quote(last)}"
    return path + (f"&user={quote(user)}" if user else "")


def _range_query(first: str, last: str) -> str:
    return f"from={quote(first)}&to={quote(last)}"


def _expected_counters(api, first, last, user=None) -> dict[str, int]:
    names = api(aggregate_path("eventName", first, last, user))
    errors = api(aggregate_path("errorCode", first, last, user))
    by_name = {i["key"]: i["count"] for i in names["items"]}
    expected = {label: sum(by_name.get(n, 0) for n in event_names) for label, event_names in CONFIGURED_COUNTERS.items()}
    expected["_total"] = names["total"]
    expected["_failed"] = sum(i["count"] for i in errors["items"])
    return expected


def test_overview_shows_the_apis_numbers_and_pages_through_events(dash, page, local_api, api, screenshot):
    api.prefetch([aggregate_path(by, *YEAR_2024) for by in ("eventName", "errorCode", "service", "user", "day")])
    dash.open_view(page, local_api, f"overview?{_range_query(*YEAR_2024)}")
    shown = dash.counters(page)
    assert shown == _expected_counters(api, *YEAR_2024)
    assert shown["_total"] > 20 and shown["RunInstances"] >= 1 and shown["_failed"] >= 1
    for section, by in [("by-service", "service"), ("by-actor", "user"), ("by-error", "errorCode")]:
        assert dash.chart_numbers(page, section) == api(aggregate_path(by, *YEAR_2024))["items"], section
    days = api(aggregate_path("day", *YEAR_2024))
    assert days["granularity"] == "week"  # 366 days: weekly bins (auto), the whole year shown
    assert dash.chart_numbers(page, "by-day") == days["items"] and len(days["items"]) == 53
    assert sum(i["count"] for i in days["items"]) == shown["_total"]
    assert "per week" in page.text_content("#by-day h3")
    assert page.locator("#by-service canvas").count() == 1  # drawn by Chart.js

    first_page = api(f"/scan?{_range_query(*YEAR_2024)}&limit=25")
    assert dash.table_event_ids(page) == [row["eventID"] for row in first_page["items"]]
    assert first_page["next"], "the samples give more than one page in 2024"
    page.click("#events button.next")
    page.wait_for_selector("#events .page-status:text('page 2')")
    second_page = api(f"/scan?{_range_query(*YEAR_2024)}&limit=25&next={quote(first_page['next'])}")
    assert dash.table_event_ids(page) == [row["eventID"] for row in second_page["items"]]
    page.click("#events button.previous")
    page.wait_for_selector("#events .page-status:text('page 1')")
    assert dash.table_event_ids(page)[0] == first_page["items"][0]["eventID"]

    label = page.text_content("#range-label")
    assert "America/New_York" in label and "2023-12-31 19:00:00" in label  # 2024-01-01T00:00Z in New York
    screenshot(page, "overview")


def test_changing_the_range_changes_the_numbers(dash, page, local_api, api):
    dash.open_view(page, local_api, f"overview?{_range_query('2024-11-01T00:00:00Z', '2024-11-30T23:59:59Z')}")
    before = dash.counters(page)
    page.click("button[data-range=custom]")
    page.fill("#custom-range input[name=from]", "2022-09-01T00:00:00")
    page.fill("#custom-range input[name=to]", "2022-12-31T23:59:59")
    page.click("#custom-range button[type=submit]")
    page.wait_for_function("() => location.hash.includes('2022-09-01')")
    dash.wait_ready(page)
    first, last = dash.current_range(page)
    assert (first, last) == ("2022-09-01T04:00:00Z", "2023-01-01T04:59:59Z")  # New York local -> UTC
    after = dash.counters(page)
    assert after == _expected_counters(api, first, last)
    assert after != before
    assert dash.chart_numbers(page, "by-actor") == api(aggregate_path("user", first, last))["items"]

    page.click("button[data-range='7d']")  # the samples are older than a week: nothing to count
    page.wait_for_function("() => location.hash.includes('range=7d')")
    dash.wait_ready(page)
    assert dash.counters(page)["_total"] == 0
    assert page.locator("#events .empty").count() == 1


def test_an_event_row_opens_its_full_record(dash, page, local_api, api, screenshot):
    dash.open_view(page, local_api, f"overview?{_range_query(*YEAR_2024)}")
    row = page.locator("#events tr.event-row").first
    event_id = row.get_attribute("data-event-id")
    row.click()
    page.wait_for_selector("#record-dialog[open] pre.record")
    detail = api(f"/events/{quote(event_id)}?at={quote(row.get_attribute('data-event-time'))}")
    assert detail["event"]["eventName"] in page.text_content("#record-title")
    assert f'"eventID": "{event_id}"' in page.text_content("pre.record")
    assert detail["record"]["eventName"] == detail["event"]["eventName"]
    screenshot(page, "event-record")
    page.click("#record-dialog button[aria-label=close]")
    assert page.locator("#record-dialog[open]").count() == 0


def test_actor_view(dash, page, local_api, api, screenshot):
    actor, window = "SampleRole:leroy.jenkins@111122223333", ("2024-11-01T00:00:00Z", "2024-11-30T23:59:59Z")
    dash.open_view(page, local_api, f"actor?actor={quote(actor)}&{_range_query(*window)}")
    assert page.text_content("h3.actor-name") == actor
    assert dash.counters(page) == _expected_counters(api, *window, user=actor)
    for section, by in [("actor-services", "service"), ("actor-event-names", "eventName"),
                        ("actor-timeline", "day"), ("actor-denied", "errorCode")]:
        assert dash.chart_numbers(page, section) == api(aggregate_path(by, *window, user=actor))["items"], section
    # 6 writes and GetPasswordData, a read-only call the ingest keeps because it is sensitive
    assert sum(i["count"] for i in dash.chart_numbers(page, "actor-timeline")) == 7
    events = api(f"/users/{quote(actor)}?{_range_query(*window)}&limit=25")["items"]
    assert dash.table_event_ids(page) == [e["eventID"] for e in events] and len(events) == 7
    screenshot(page, "actor")

    # every actor /users lists can be found by searching; Enter on an exact name opens it
    users = api("/users?limit=1000")["items"]
    assert page.text_content("#actor-picker .match-count") == f"{len(users)} actors"
    page.fill("#actor-search", "alice")
    found = page.eval_on_selector_all("#actor-matches li[data-actor]", "items => items.map(li => li.dataset.actor)")
    assert "Alice" in found and all("alice" in name.lower() for name in found)
    page.press("#actor-search", "Enter")
    page.wait_for_function("() => location.hash.includes('actor=Alice')")
    dash.wait_rendered(page)
    assert page.text_content("h3.actor-name") == "Alice"


def test_resource_view(dash, page, local_api, api, screenshot):
    rows = api(f"/scan?{_range_query(*YEAR_2024)}&limit=200")["items"]
    arn = next(arn for row in rows for arn in row["resources"] if arn.startswith("arn:aws:s3:::"))
    dash.open_view(page, local_api, f"resource?arn={quote(arn, safe='')}&{_range_query(*YEAR_2024)}")
    expected = api(f"/resources?arn={quote(arn, safe='')}&{_range_query(*YEAR_2024)}&limit=25")["items"]
    assert expected
    assert dash.table_event_ids(page) == [e["eventID"] for e in expected]
    assert [r["actor"] for r in dash.table_rows(page)] == [e["actor"] for e in expected]
    assert page.input_value("#arn-input") == arn
    screenshot(page, "resource")


def test_phone_width(dash, phone_page, local_api, screenshot):
    dash.open_view(phone_page, local_api, f"overview?{_range_query(*YEAR_2024)}")
    overflow = phone_page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a 375px screen"
    assert phone_page.locator("#counters .counter").count() == 6
    screenshot(phone_page, "overview-phone")
    screenshot(phone_page, "overview-phone-events", "#events")
    dash.open_view(phone_page, local_api, f"actor?actor={quote('SampleRole:leroy.jenkins@111122223333')}&{_range_query(*YEAR_2024)}")
    assert phone_page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0
    screenshot(phone_page, "actor-phone")
