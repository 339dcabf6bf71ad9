"""Issue 11, item 1 and 2: the link `make demo` prints (the whole 2014-2025 span) renders every card and
chart, the timeline in coarser bins labelled by their size; the plain URL (last week: empty) says
where the data is and offers exactly that range."""

from __future__ import annotations

from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser


def _path(by: str, first: str, last: str) -> str:
    return f"/aggregates?by={by}&from={quote(first)}&to={quote(last)}"


def _aggregate(api, by: str, first: str, last: str) -> dict:
    return api(_path(by, first, last))


def test_the_link_make_demo_prints_shows_the_whole_span(dash, page, demo_link, api, screenshot):
    span = api("/span")
    first, last = span["first"], span["last"]
    api.prefetch([_path(by, first, last) for by in ("eventName", "day")])  # asked while the page loads
    page.goto(demo_link)
    dash.wait_rendered(page)  # fails on any error box: the "Error 400" replaced every card
    names, days = _aggregate(api, "eventName", first, last), _aggregate(api, "day", first, last)
    assert tuple(dash.current_range(page)) == (first, last), "the CLI's link should cover what /span reports"

    assert dash.counters(page)["_total"] == names["total"] > 100
    assert days["granularity"] == "month", "11 years should come in month bins (auto granularity)"
    assert dash.chart_numbers(page, "by-day") == days["items"]
    assert sum(i["count"] for i in days["items"]) == names["total"]
    assert days["items"][0]["key"] <= first[:10] and days["items"][-1]["key"] <= last[:10]
    assert "per month" in page.text_content("#by-day h3")
    assert "chart shows top" not in page.text_content("main")
    # the other charts add up to the cards (each checked against the API for a shorter window elsewhere)
    for section in ("by-service", "by-actor"):
        assert sum(i["count"] for i in dash.chart_numbers(page, section)) == names["total"], section
    assert sum(i["count"] for i in dash.chart_numbers(page, "by-error")) == dash.counters(page)["_failed"] > 0
    assert len(dash.table_event_ids(page)) == 25
    screenshot(page, "demo-link-whole-span")


def test_the_plain_url_says_where_the_data_is_and_offers_it(dash, page, local_api, api, screenshot):
    page.goto(f"{local_api}/")
    dash.wait_rendered(page)
    assert dash.counters(page)["_total"] == 0  # the last week: the samples are older
    span = api("/span")
    offer = page.locator("#span-offer")
    assert offer.is_visible(), "an empty default range must say where the data is"
    assert f"The data is from {span['first']} to {span['last']}" in offer.text_content()
    button = page.locator("#show-span")
    assert button.text_content() == f"show {span['first']} .. {span['last']}"
    screenshot(page, "plain-url-offer")

    button.click()
    page.wait_for_function(f"() => location.hash.includes('from={span['first']}')")
    dash.wait_rendered(page)
    assert dash.route_params(page)["to"] == span["last"]
    total = dash.counters(page)["_total"]
    assert total == sum(i["count"] for i in dash.chart_numbers(page, "by-day")) > 100
    assert page.locator("#span-offer").count() == 0
    assert len(dash.table_event_ids(page)) == 25
    screenshot(page, "plain-url-after-offer")


def test_an_actor_with_nothing_this_week_is_offered_their_last_days(dash, page, local_api, api):
    alice = next(u for u in api("/users?limit=1000")["items"] if u["name"] == "Alice")
    dash.open_view(page, local_api, "actor?actor=Alice")
    assert dash.counters(page)["_total"] == 0
    page.click("#show-last-seen")
    page.wait_for_function(f"() => location.hash.includes('to={alice['lastSeen']}')")
    dash.wait_rendered(page)
    assert page.text_content("h3.actor-name") == "Alice"
    assert dash.counters(page)["_total"] > 0
