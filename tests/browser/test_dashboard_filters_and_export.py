"""Issue 11, items 5 and 7: the events table's filters (kept in the address, so a reload or a shared
link shows the same rows), the actor search, and CSV/JSON exports whose rows are the table's."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser

# Aug-Dec 2024: failed ec2 calls of two actors, and leroy.jenkins's writes (a short window is a fast view)
AUG_TO_DEC = "from=2024-08-01&to=2024-12-31"
WINDOW = f"from={quote('2024-08-01T00:00:00Z')}&to={quote('2024-12-31T23:59:59Z')}"


def test_filter_by_service_and_error_code_survives_a_reload_and_exports(dash, page, local_api, api, screenshot):
    dash.open_view(page, local_api, f"overview?{AUG_TO_DEC}")
    page.select_option("#filter-service", "ec2")
    page.wait_for_function("() => location.hash.includes('service=ec2')")
    dash.wait_rendered(page)
    page.select_option("#filter-error", "Client.UnauthorizedOperation")  # offered from the range's error codes
    page.wait_for_function("() => location.hash.includes('errorCode=Client.UnauthorizedOperation')")
    dash.wait_rendered(page)
    params = dash.route_params(page)
    assert params["service"] == "ec2" and params["errorCode"] == "Client.UnauthorizedOperation"

    rows = dash.table_rows(page)
    assert rows, "the samples have failed ec2 calls in 2024"
    assert all(r["service"] == "ec2" and r["errorCode"] == "Client.UnauthorizedOperation" for r in rows), rows
    expected = api(f"/services/ec2?{WINDOW}&errorCode=Client.UnauthorizedOperation&limit=25")["items"]
    assert [r["eventId"] for r in rows] == [e["eventID"] for e in expected]
    assert "Filtered on service ec2, error Client.UnauthorizedOperation" in page.text_content("#events .active-filters")
    screenshot(page, "events-filtered")

    page.reload()
    dash.wait_rendered(page)
    assert page.input_value("#filter-service") == "ec2"
    assert page.input_value("#filter-error") == "Client.UnauthorizedOperation"
    assert dash.table_rows(page) == rows

    name, text = dash.download_text(page, "#events .export-csv")
    assert name.endswith(".csv")
    exported = list(csv.DictReader(io.StringIO(text)))
    assert [r["eventID"] for r in exported] == [r["eventId"] for r in rows]
    assert [(r["eventName"], r["actor"], r["errorCode"]) for r in exported] == \
        [(r["eventName"], r["actor"], r["errorCode"]) for r in rows]
    assert {r["eventSource"] for r in exported} == {"ec2.amazonaws.com"}
    _, text = dash.download_text(page, "#events .export-json")
    assert [r["eventID"] for r in json.loads(text)] == [r["eventId"] for r in rows]

    page.click("#copy-link")
    assert page.input_value("#events .shared-link") == page.url


def test_filter_by_actor_and_writes(dash, page, local_api, api):
    actor = "SampleRole:leroy.jenkins@111122223333"
    dash.open_view(page, local_api, f"overview?{AUG_TO_DEC}")
    page.fill("#filter-actor", actor)
    page.select_option("#filter-access", "write")  # a change applies the whole form, the typed actor too
    page.wait_for_function("() => location.hash.includes('access=write')")
    dash.wait_rendered(page)
    assert dash.route_params(page)["actor"] == actor
    rows = dash.table_rows(page)
    assert rows and all(r["actor"] == actor and r["readOnly"] == "false" for r in rows), rows
    expected = api(f"/users/{quote(actor)}?{WINDOW}&params=readOnly&value=false&limit=25")["items"]
    assert [r["eventId"] for r in rows] == [e["eventID"] for e in expected]

    page.click("#events .clear-filters")
    page.wait_for_function("() => !location.hash.includes('access=')")
    dash.wait_rendered(page)
    assert {"actor", "access"}.isdisjoint(dash.route_params(page))


def test_the_actor_picker_searches_and_exports(dash, page, local_api, api, screenshot):
    dash.open_view(page, local_api, f"actor?{AUG_TO_DEC}")
    users = api("/users?limit=1000")["items"]
    page.fill("#actor-search", "jenkins")
    matches = page.eval_on_selector_all("#actor-matches li[data-actor]", "items => items.map(li => li.dataset.actor)")
    assert matches and set(matches) == {u["name"] for u in users if "jenkins" in u["name"].lower()}
    screenshot(page, "actor-search")
    page.click("#actor-matches a[data-actor='SampleRole:leroy.jenkins@111122223333']")
    page.wait_for_function("() => location.hash.includes('actor=')")
    dash.wait_rendered(page)
    assert page.text_content("h3.actor-name") == "SampleRole:leroy.jenkins@111122223333"
    assert dash.route_params(page)["from"] == "2024-08-01"

    _, text = dash.download_text(page, "#actor-picker .export-csv")
    exported = list(csv.DictReader(io.StringIO(text)))
    assert len(exported) == len(users) and {r["name"] for r in exported} == {u["name"] for u in users}
    by_name = {u["name"]: u for u in users}
    assert all(r["role"] == by_name[r["name"]]["role"] and r["type"] == by_name[r["name"]]["type"] for r in exported)


def test_an_unknown_event_name_says_the_closest_and_links_them(dash, page, local_api):
    day = "from=2024-12-16&to=2024-12-16"  # AutoScaling's RunInstances
    page.goto(f"{local_api}/#/overview?{day}&eventName=RunInstance")
    page.wait_for_selector("#events .error-box")
    assert "no event name 'RunInstance'" in page.text_content("#events .error-box")
    page.click("#events .did-you-mean a:text-is('RunInstances')")
    page.wait_for_function("() => location.hash.includes('eventName=RunInstances')")
    dash.wait_rendered(page)
    rows = dash.table_rows(page)
    assert rows and {r["eventName"] for r in rows} == {"RunInstances"}
