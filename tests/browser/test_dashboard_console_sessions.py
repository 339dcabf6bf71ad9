"""The actor page's "Console sessions" card against the local stack with the sample logs: its rows are
the API's answer for the same range, its event links open the records, and an empty range says so.

The samples' console sessions: Mary_Major (CloudTrail User Guide examples: a ConsoleLogin in June 2019
and console changes in April 2019 whose sign-in is not in the samples) and nicholas.hakmiller (Panther:
an SSO ConsoleLogin and a call of the same session)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser

CASES = [("Mary_Major", "2019-01-01T00:00:00Z", "2019-12-31T23:59:59Z"),
         ("nicholas.hakmiller", "2024-06-01T00:00:00Z", "2024-06-30T23:59:59Z")]


def _range_query(first: str, last: str) -> str:
    return f"from={quote(first)}&to={quote(last)}"


def _api_path(actor: str, first: str, last: str) -> str:
    return f"/users/{quote(actor, safe='')}/console-sessions?{_range_query(first, last)}"


def _shown(page) -> list[dict]:
    return page.eval_on_selector_all("#actor-console-sessions li.console-session", """items => items.map(li => ({
        signIn: li.dataset.signInId, start: li.dataset.sessionStart, outcome: li.dataset.outcome, mfa: li.dataset.mfa,
        sourceIP: li.dataset.sourceIp, changeCount: Number(li.dataset.changeCount),
        time: li.querySelector('.console-sign-in time')?.textContent || '',
        changes: [...li.querySelectorAll('li.console-change')].map(c => c.dataset.eventId)}))""")


def _expected(answer: dict) -> list[dict]:
    rows = []
    for session in answer["sessions"]:
        sign_in = session["signIn"] or {}
        rows.append({"signIn": sign_in.get("eventID", ""), "start": session["sessionStart"], "outcome": sign_in.get("outcome", ""),
                     "mfa": sign_in.get("mfa", ""), "sourceIP": sign_in.get("sourceIP", ""), "changeCount": session["changeCount"],
                     # shown as every table shows times: UTC as written
                     "time": f"{session['sessionStart'].replace('T', ' ').removesuffix('Z')} UTC" if session["sessionStart"] else "",
                     "changes": [c["eventID"] for c in session["changes"]]})
    return rows


@pytest.mark.parametrize(("actor", "first", "last"), CASES, ids=[c[0] for c in CASES])
def test_the_card_lists_the_apis_sessions(dash, page, local_api, api, actor, first, last):
    api.prefetch([_api_path(actor, first, last)])
    dash.open_view(page, local_api, f"actor?actor={quote(actor)}&{_range_query(first, last)}")
    answer = api(_api_path(actor, first, last))
    assert answer["sessions"], "the samples give this actor console sessions in this range"
    assert page.text_content("#actor-console-sessions h3") == "Console sessions"
    assert _shown(page) == _expected(answer)
    change = next((c for s in answer["sessions"] for c in s["changes"]), None)
    if change:  # a change's link opens its record
        page.click(f"#actor-console-sessions li.console-change[data-event-id='{change['eventID']}'] a.event-link")
        page.wait_for_selector("#record-dialog[open] pre.record")
        assert change["eventName"] in page.text_content("#record-title")


def test_a_range_without_console_sign_ins_says_so(dash, page, local_api, api):
    actor, first, last = "Mary_Major", "2019-05-01T00:00:00Z", "2019-05-31T23:59:59Z"
    assert api(_api_path(actor, first, last))["sessions"] == []
    dash.open_view(page, local_api, f"actor?actor={quote(actor)}&{_range_query(first, last)}")
    assert _shown(page) == []
    assert page.text_content("#actor-console-sessions p.empty") == "no console sign-ins in this range"
    assert page.get_attribute("#actor-console-sessions", "aria-busy") is None
