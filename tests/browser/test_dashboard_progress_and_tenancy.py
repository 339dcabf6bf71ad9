"""Course progress from the checklist fixture, and what a non-admin is (not) offered."""

from __future__ import annotations

import csv
import io

import pytest

pytestmark = pytest.mark.browser

# tests/browser/fixtures/checklists.yaml against the samples: actor -> checklist -> (percent, missing)
RYAN = "Operator:ryan@example.com@112233445566"  # a session of a role that does not vouch for its names
EXPECTED = {
    "Alice": {"ec2-lab": (37.5, {"CreateSecurityGroup": 1, "RunInstances": 2, "TerminateInstances": 2}),
              "sg-lab": (0.0, None), "rds-lab": (0.0, None)},
    RYAN: {"sg-lab": (75.0, {"RunInstances": 1})},
    "johndoe": {"rds-lab": (50.0, {"CreateDBInstance (dBInstanceClass=db.t3.micro)": 1})},
}


def _detail(page) -> dict:
    return page.eval_on_selector_all("#progress-detail article.checklist", """cards => Object.fromEntries(cards.map(c => [
        c.dataset.checklist,
        {percent: Number(c.dataset.percent),
         missing: Object.fromEntries([...c.querySelectorAll('li.missing')].map(li => [li.dataset.event, Number(li.dataset.missing)]))}
    ]))""")


def test_progress_matrix_and_details_match_the_checklist_fixture(dash, page, local_api, api, screenshot):
    dash.open_view(page, local_api, "progress?actor=Alice")
    cells = page.eval_on_selector_all("#progress-matrix tbody tr", """rows => Object.fromEntries(rows.map(r => [
        r.dataset.actor, Object.fromEntries([...r.querySelectorAll('td')].map(td => [td.dataset.checklist, Number(td.dataset.percent)]))
    ]))""")
    for actor, checklists in EXPECTED.items():
        for checklist, (percent, _) in checklists.items():
            assert cells[actor][checklist] == percent, (actor, checklist)
    assert page.locator("#progress-matrix th", has_text="EC2 lab").count() == 1
    matrix = api("/progress/matrix")
    assert sorted(cells) == sorted(row["actor"] for row in matrix["items"])

    detail = _detail(page)
    for checklist, (percent, missing) in EXPECTED["Alice"].items():
        assert detail[checklist]["percent"] == percent
        if missing is not None:
            assert detail[checklist]["missing"] == missing
    screenshot(page, "progress")

    for actor in (RYAN, "johndoe"):
        page.click(f"#progress-matrix tbody tr[data-actor='{actor}'] a")
        page.wait_for_function(f"() => decodeURIComponent(location.hash).includes('actor={actor}')")
        page.wait_for_function("actor => { const d = document.getElementById('progress-detail');"
                               " return d.dataset.actor === actor && d.dataset.state === 'ready'; }", arg=actor)
        for checklist, (percent, missing) in EXPECTED[actor].items():
            assert _detail(page)[checklist] == {"percent": percent, "missing": missing}


def test_a_non_admin_is_offered_only_themselves(dash, student_page, local_api, api, screenshot):
    page = student_page
    dash.open_view(page, local_api, "overview?from=2014-01-01T00:00:00Z&to=2015-12-31T23:59:59Z")
    assert page.text_content("#who") == "Alice"
    assert page.get_attribute("#session", "data-admin") == "false"
    assert [i["key"] for i in dash.chart_numbers(page, "by-actor")] == ["Alice"]
    assert set(dash.table_column(page, "who")) == {"Alice"}
    screenshot(page, "overview-non-admin")

    # asking for someone else in the address still shows only Alice, with no picker
    dash.open_view(page, local_api, "actor?actor=SampleRole:leroy.jenkins@111122223333&from=2014-01-01T00:00:00Z&to=2015-12-31T23:59:59Z")
    assert page.locator("#actor-search").count() == 0
    assert page.text_content("h3.actor-name") == "Alice"
    assert sum(i["count"] for i in dash.chart_numbers(page, "actor-timeline")) == 5
    screenshot(page, "actor-non-admin")

    dash.open_view(page, local_api, "progress?actor=johndoe")
    assert page.locator("#progress-matrix").count() == 0
    assert page.text_content("#progress-detail h3") == "Progress of Alice"
    assert api("/progress", as_user="Alice")["items"][0]["percent"] == 37.5
    screenshot(page, "progress-non-admin")


ROSTER = {"Alice": "Alice Liddell", "johndoe": "John Doe", RYAN: "Ryan Operator", "nora.newcomer": "Nora Newcomer"}


def _matrix_rows(page) -> list[dict]:
    return page.eval_on_selector_all("#progress-matrix tbody tr", """rows => rows.map(r => ({
        actor: r.dataset.actor, name: r.dataset.name || '', label: r.querySelector('th').textContent}))""")


def test_the_matrix_lists_the_roster_by_name_and_everyone_on_request(dash, page, local_api, api, screenshot):
    dash.open_view(page, local_api, "progress")
    rows = _matrix_rows(page)
    assert {r["actor"]: r["name"] for r in rows} == ROSTER  # roster only by default, a student without calls too
    assert all(r["label"].startswith(r["name"]) for r in rows), "the roster's names are shown"
    shown_order = [(r["name"] or r["actor"]).casefold() for r in rows]
    assert shown_order == sorted(shown_order)
    assert not page.is_checked("#everyone")
    screenshot(page, "progress-roster")

    page.check("#everyone")
    page.wait_for_function("() => location.hash.includes('everyone=true')")
    dash.wait_rendered(page)
    everyone = _matrix_rows(page)
    expected = api("/progress/matrix?everyone=true")["items"]
    assert {r["actor"] for r in everyone} == {r["actor"] for r in expected} > set(ROSTER)
    shown_order = [(r["name"] or r["actor"]).casefold() for r in everyone]
    assert shown_order == sorted(shown_order), "case-insensitive order"
    screenshot(page, "progress-everyone")


@pytest.mark.parametrize("size", [(1280, 900), (375, 740)], ids=["beside", "phone"])
def test_clicking_a_student_shows_their_card_where_the_user_is_looking(dash, browser_page, local_api, screenshot, size):
    page = browser_page(*size)
    dash.open_view(page, local_api, "progress?everyone=true")
    last = page.locator("#progress-matrix tbody tr a.student").last
    actor = page.eval_on_selector_all("#progress-matrix tbody tr", "rows => rows.at(-1).dataset.actor")
    last.scroll_into_view_if_needed()
    last.click()
    page.wait_for_function("actor => { const d = document.getElementById('progress-detail');"
                           " return d.dataset.actor === actor && d.dataset.state === 'ready'; }", arg=actor)
    assert page.text_content("#progress-detail h3") == f"Progress of {actor}"
    assert page.evaluate("() => decodeURIComponent(location.hash)").endswith(f"actor={actor}")
    seen = dash.in_viewport(page, "#progress-detail")
    assert seen["visible"], f"the report card starts at y={seen['box']['y']:.0f}, outside the {seen['height']}px window"
    if size[0] >= 1000:  # opened beside the matrix, not below it
        matrix = page.locator("#progress-matrix").bounding_box()
        assert seen["box"]["x"] >= matrix["x"] + matrix["width"]
    screenshot(page, f"progress-card-{'beside' if size[0] >= 1000 else 'phone'}")
    page.go_back()  # the matrix link was a real address: Back shows the page without the card
    page.wait_for_function("() => !location.hash.includes('actor=')")
    dash.wait_rendered(page)
    assert page.locator("#progress-detail article.checklist").count() == 0


def test_the_grade_sheet_is_the_matrix(dash, page, local_api, api):
    dash.open_view(page, local_api, "progress")
    name, text = dash.download_text(page, "#progress-matrix .export-csv")
    assert name == "grade-sheet.csv"
    matrix = api("/progress/matrix")
    sheet = list(csv.DictReader(io.StringIO(text)))
    titles = [c["title"] for c in matrix["checklists"]]
    assert list(sheet[0]) == ["actor", "name", *titles]
    assert [r["actor"] for r in sheet] == [r["actor"] for r in _matrix_rows(page)]
    by_actor = {r["actor"]: r for r in matrix["items"]}
    for row in sheet:
        assert row["name"] == ROSTER[row["actor"]]
        for checklist in matrix["checklists"]:
            assert float(row[checklist["title"]]) == by_actor[row["actor"]]["checklists"][checklist["id"]]["percent"]
