"""Issue 11, items 5 and 6: chart bars, counter cards, actor names and resource IDs are links to
their views; a role session is shown as its session name with the role beside it."""

from __future__ import annotations

from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser

# Short windows: each view asks the API for its aggregates, and they cost per day of counters.
LAST_QUARTER = "from=2024-10-01&to=2024-12-31"  # 92 days: the timeline in day bins
QUARTER = ("2024-10-01T00:00:00Z", "2024-12-31T23:59:59Z")
NOVEMBER = "from=2024-11-01&to=2024-11-30"
NOVEMBER_UTC = ("2024-11-01T00:00:00Z", "2024-11-30T23:59:59Z")


def test_chart_bars_and_counter_cards_open_their_views(dash, page, local_api, api, screenshot):
    dash.open_view(page, local_api, f"overview?{LAST_QUARTER}")
    bins = dash.chart_numbers(page, "by-day")
    failed = dash.counters(page)["_failed"]
    service = dash.chart_numbers(page, "by-service")[1]["key"]  # the second bar: not simply the first thing
    dash.click_bar(page, "by-service", 1)
    page.wait_for_function(f"() => location.hash.includes('service={service}')")
    dash.wait_rendered(page)
    rows = dash.table_rows(page)
    assert rows and {r["service"] for r in rows} == {service}
    expected = api(f"/services/{service}?from={quote(QUARTER[0])}&to={quote(QUARTER[1])}&limit=25")["items"]
    assert [r["eventId"] for r in rows] == [e["eventID"] for e in expected]
    assert dash.route_params(page)["from"] == "2024-10-01"  # the range is kept
    screenshot(page, "followed-service-bar")

    # the failed-calls card: the table of every failed call (its other filters dropped)
    page.click("#counters .counter[data-key=_failed]")
    page.wait_for_function("() => location.hash.includes('errorCode=any') && !location.hash.includes('service=')")
    dash.wait_rendered(page)
    rows = dash.table_rows(page)
    assert rows and all(r["errorCode"] for r in rows) and len(rows) == min(failed, 25)

    # a timeline bar: the range of its bin (a day here), whose counters add up to the bar
    assert len(bins) == 92
    busiest = max(range(len(bins)), key=lambda i: bins[i]["count"])
    dash.click_bar(page, "by-day", busiest)
    page.wait_for_function(f"() => location.hash.includes('from={bins[busiest]['key']}')")
    dash.wait_rendered(page)
    assert dash.route_params(page)["to"] == bins[busiest]["key"]
    assert dash.counters(page)["_total"] == bins[busiest]["count"]


def test_an_actor_name_opens_the_actor_view_and_shows_the_role(dash, page, local_api, api, screenshot):
    actor = "SampleRole:leroy.jenkins@111122223333"
    dash.open_view(page, local_api, f"overview?{NOVEMBER}")
    link = page.locator(f"#events td.who a.actor-link[data-actor='{actor}']").first
    assert link.locator(".session-name").text_content() == "leroy.jenkins"
    assert link.locator(".role-badge").text_content() == "SampleRole"  # the role beside the session name
    link.click()
    page.wait_for_function("() => location.hash.startsWith('#/actor')")
    dash.wait_rendered(page)
    assert page.text_content("h3.actor-name") == actor
    assert "role SampleRole" in page.text_content(".actor-role")
    assert set(dash.table_column(page, "what")) >= {"PutBucketLifecycle"}
    screenshot(page, "followed-actor-name")


def test_a_resource_id_opens_the_resource_view(dash, page, local_api, api, screenshot):
    dash.open_view(page, local_api, f"overview?{NOVEMBER}")
    link = page.locator("#events td.resources a.resource-link").first
    arn = link.get_attribute("title")
    assert arn.startswith("arn:") and link.text_content() in arn
    link.click()
    page.wait_for_function("() => location.hash.startsWith('#/resource')")
    dash.wait_rendered(page)
    assert page.input_value("#arn-input") == arn
    expected = api(f"/resources?arn={quote(arn, safe='')}&from={quote(NOVEMBER_UTC[0])}&to={quote(NOVEMBER_UTC[1])}&limit=25")["items"]
    assert dash.table_event_ids(page) == [e["eventID"] for e in expected] and expected
    screenshot(page, "followed-resource-id")
