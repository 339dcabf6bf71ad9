"""Course progress from the checklist fixture, and what a non-admin is (not) offered."""

from __future__ import annotations

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
        page.wait_for_selector(f"#progress-detail h3:text('Progress of {actor}')")
        page.wait_for_selector("main#view[data-state=ready]")
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
    assert page.locator("#actor-select").count() == 0
    assert page.text_content("h3.actor-name") == "Alice"
    assert sum(i["count"] for i in dash.chart_numbers(page, "actor-timeline")) == 5
    screenshot(page, "actor-non-admin")

    dash.open_view(page, local_api, "progress?actor=johndoe")
    assert page.locator("#progress-matrix").count() == 0
    assert page.text_content("#progress-detail h3") == "Progress of Alice"
    assert api("/progress", as_user="Alice")["items"][0]["percent"] == 37.5
    screenshot(page, "progress-non-admin")
