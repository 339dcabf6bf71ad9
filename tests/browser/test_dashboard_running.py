"""The accountability views in headless Chromium against a local stack loaded with a generated class
lab day (yesterday, UTC): Running now lists exactly what the lab day left running with the API's
creators, prices and totals; a resource's page shows its creator and lifecycle; an actor's page shows
their running resources, their spend and a least-privilege policy.

The lab day's stack runs in a child process (this file run as a script): moto keeps its state per
process, so a second stack in the test process would share, and on stop wipe, the samples' stack the
other browser tests use.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

import pytest

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "build" / "artifacts"
READY = "main#view[data-state=ready]"
START_TIMEOUT = 240  # seconds: the lab day's ingest into moto takes a while


def _serve(out_dir: Path, day: date) -> None:
    """The child: generate the lab day, ingest it, serve API + dashboard; print {url, resources}; stop when stdin closes."""
    from cloudtrail_tracker.backfill.lab_day import generate_lab_day
    from cloudtrail_tracker.local import api_server
    from cloudtrail_tracker.local.stack import run_ingest

    lab = generate_lab_day(out_dir, day=day)
    stack, _summary = run_ingest(out_dir)
    url, stop = api_server.start_in_background(stack)
    print(json.dumps({"url": url, "resources": [asdict(r) for r in lab.resources]}), flush=True)
    try:
        sys.stdin.read()  # until the test process closes the pipe (or dies)
    finally:
        stop()
        stack.stop()


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[dict[str, Any]]:
    """{url, resources (the lab day's ground truth, as dicts), day, get(path) -> JSON} of the lab day's stack."""
    pytest.importorskip("moto")
    day = (datetime.now(UTC) - timedelta(days=1)).date()
    out_dir = tmp_path_factory.mktemp("lab-day")
    child = subprocess.Popen([sys.executable, __file__, "serve", str(out_dir), day.isoformat()], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2])
    assert child.stdout is not None and child.stdin is not None  # both are pipes
    output, control = child.stdout, child.stdin
    first: list[str] = []
    reader = threading.Thread(target=lambda: first.append(output.readline()), daemon=True)
    reader.start()
    reader.join(START_TIMEOUT)
    if not first or not first[0].strip():
        child.kill()
        pytest.fail(f"the lab day's stack did not start within {START_TIMEOUT} s (exit code {child.poll()})")
    started = json.loads(first[0])
    url = started["url"]

    def get(path: str):
        try:
            with urllib.request.urlopen(url + path, timeout=60) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise AssertionError(f"{path}: HTTP {error.code} {error.read()[:300]!r}") from None

    yield {"url": url, "resources": started["resources"], "day": day, "get": get}
    control.close()
    try:
        child.wait(timeout=60)
    except subprocess.TimeoutExpired:
        child.kill()


def _open(dash, page, url: str, route: str) -> None:
    dash.open_view(page, url, route)
    dash.wait_rendered(page)


def _running_rows(page, selector: str = "#running-table") -> list[dict]:
    return page.eval_on_selector_all(f"{selector} tr[data-resource-id]", """rows => rows.map(r => ({...r.dataset,
        rate: r.querySelector('td.rate').textContent, cost: r.querySelector('td.cost').textContent}))""")


def _money(value: float, digits: int) -> str:
    """A dollar amount as the page writes it (en-US currency, 2 to ``digits`` decimals)."""
    text = f"{value:,.{digits}f}"
    while digits > 2 and text.endswith("0"):
        text, digits = text[:-1], digits - 1
    return f"${text}"


def _shown_rate(row: dict) -> str:
    """What the page must show for a row's $/hour: a price, or why there is none (never $0 or blank)."""
    if row["dollarsPerHour"] is None:
        return "usage" if row["priceBasis"] == "usage" else "unknown"
    return _money(row["dollarsPerHour"], 4)


def test_running_now_lists_what_the_lab_day_left_running(dash, page, lab):
    left_running = {r["resource_id"]: r for r in lab["resources"] if r["state"] == "running"}
    assert len(left_running) >= 5, "the lab day leaves several resources running"
    _open(dash, page, lab["url"], "running")
    answer = lab["get"]("/running")
    rows = _running_rows(page)
    assert sorted(r["resourceId"] for r in rows) == sorted(left_running) == sorted(i["id"] for i in answer["items"])

    by_id = {i["id"]: i for i in answer["items"]}
    for row in rows:
        expected = by_id[row["resourceId"]]
        assert row["creator"] == (expected["creator"] or {}).get("actor", "") == left_running[row["resourceId"]]["creator"]
        assert row["dollarsPerHour"] == ("" if expected["dollarsPerHour"] is None else str(expected["dollarsPerHour"]))
        assert row["rate"] == _shown_rate(expected)
        if expected["costSoFar"] is None:
            assert row["cost"] in {"unknown", "usage"}
    assert any(i["dollarsPerHour"] is None for i in answer["items"]), "the lab day has a usage-billed resource"

    total = page.eval_on_selector("#running-total", "p => ({...p.dataset, text: p.textContent})")
    assert int(total["running"]) == answer["total"]["running"] == len(rows)
    assert float(total["dollarsPerHour"]) == answer["total"]["dollarsPerHour"]
    assert abs(float(total["costSoFar"]) - answer["total"]["costSoFar"]) < 0.05  # costs run on between the two reads
    assert int(total["unknownPrices"]) == answer["total"]["unknownPrices"]
    assert f"{answer['total']['unknownPrices']} with unknown price" in total["text"]
    assert f"Prices as of {answer['priceTableDate']}" in page.text_content("#running .price-note")
    # the creator's name links to their actor page; each group's first row carries it
    for group in answer["actors"]:
        if group["actor"]:
            href = page.get_attribute(f"#running-table tbody[data-actor='{group['actor']}'] a.actor-link", "href")
            assert href.startswith("#/actor?") and parse_qs(href.split("?", 1)[1])["actor"] == [group["actor"]]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "running.png"), full_page=True)

    page.click("#running-table th button[data-sort=since]")
    firsts = page.eval_on_selector_all("#running-table tbody", "groups => groups.map(g => g.querySelector('tr').dataset.since)")
    assert firsts == sorted(firsts), "oldest first after a click on Since"
    name, text = dash.download_text(page, "#running-export")
    exported = list(csv.DictReader(io.StringIO(text)))
    assert name.endswith(".csv") and sorted(r["id"] for r in exported) == sorted(left_running)
    assert all(r["dollarsPerHour"] for r in exported), "an unknown price is written as such, never blank"


def test_the_type_filter_is_in_the_address(dash, page, lab):
    _open(dash, page, lab["url"], "running?type=ec2-instance")
    expected = lab["get"]("/running?type=ec2-instance")
    rows = _running_rows(page)
    assert [r["type"] for r in rows] == ["ec2-instance"] * len(expected["items"]) and rows
    assert sorted(r["resourceId"] for r in rows) == sorted(i["id"] for i in expected["items"])
    assert page.input_value("#running-type") == "ec2-instance"
    assert int(page.get_attribute("#running-total", "data-running")) == expected["total"]["running"]


def test_a_resource_page_shows_its_creator_and_lifecycle(dash, page, lab):
    answer = lab["get"]("/running")
    chosen = next(i for i in answer["items"] if i["type"] == "ec2-instance" and i["creator"])
    _open(dash, page, lab["url"], "running")
    page.click(f"#running-table tr[data-resource-id='{chosen['id']}'] td.id a")
    page.wait_for_function("() => location.hash.startsWith('#/resource')")
    dash.wait_rendered(page)
    detail = lab["get"](f"/resources/{quote(chosen['id'], safe='')}")
    assert page.get_attribute("#resource-card", "data-resource-id") == chosen["id"]
    assert page.get_attribute("#resource-card .creator a.actor-link", "data-actor") == detail["resource"]["creator"]["actor"]
    card = page.text_content("#resource-card")
    assert detail["resource"]["creator"]["sourceIP"] in card and detail["resource"]["arn"] in card
    assert chosen["attributes"]["instanceType"] in card
    spans = page.eval_on_selector_all("#resource-lifecycle li.interval", "items => items.map(li => ({...li.dataset}))")
    assert spans == [{"state": i["state"], "start": i["start"], "end": i["end"] or ""} for i in detail["intervals"]] and spans
    assert spans[-1] == {**spans[-1], "state": "running", "end": ""}
    shown_events = page.eval_on_selector_all("#resource-events tr.resource-event", "rows => rows.map(r => r.dataset.eventId)")
    assert shown_events == [e["eventID"] for e in detail["events"]]
    assert "create" in page.eval_on_selector_all("#resource-events tr.resource-event", "rows => rows.map(r => r.dataset.change)")

    page.goto(f"{lab['url']}/#/resource?id=i-0doesnotexist0000")
    page.wait_for_function("() => document.getElementById('view').dataset.route.includes('doesnotexist')")
    page.wait_for_selector(READY)
    box = page.text_content("#resource-card .error-box")
    assert "404" in box and "no resource" in box and "/running" in box  # the API's error and its hint


def test_an_actor_page_shows_their_running_resources_spend_and_policy(dash, page, lab):
    answer = lab["get"]("/running")
    actor = next(g["actor"] for g in answer["actors"] if g["actor"] and g["dollarsPerHour"] > 0)
    day = lab["day"].isoformat()
    first, last = f"{day}T00:00:00Z", f"{day}T23:59:59Z"  # a past window: the spend does not move while the test reads
    _open(dash, page, lab["url"], f"actor?actor={quote(actor, safe='')}&from={first}&to={last}")

    running = lab["get"](f"/running?actor={quote(actor, safe='')}")
    assert int(page.get_attribute("#actor-running .running-count", "data-running")) == running["total"]["running"] >= 1
    assert sorted(r["resourceId"] for r in _running_rows(page, "#actor-running")) == sorted(i["id"] for i in running["items"])

    spend = lab["get"](f"/users/{quote(actor, safe='')}/cost?from={first}&to={last}")
    assert float(page.get_attribute("#actor-spend .spend-total", "data-total")) == spend["total"] > 0
    assert page.eval_on_selector_all("#actor-spend tr[data-resource-id]", "rows => rows.map(r => r.dataset.resourceId)") == \
        [r["id"] for r in spend["resources"]]

    policy = json.loads(page.text_content("#policy-json"))
    documents = policy if isinstance(policy, list) else [policy]
    assert documents and all(d["Version"] == "2012-10-17" and d["Statement"] for d in documents)
    expected = lab["get"](f"/users/{quote(actor, safe='')}/policy?from={first}&to={last}&includeDenied=false")
    assert documents == expected["policies"]
    assert page.locator("#policy-copy").is_visible() and page.locator("#policy-download").is_visible()
    name, text = dash.download_text(page, "#policy-download")
    assert name.endswith(".json") and json.loads(text) == policy

    page.check("#policy-include-denied")
    page.wait_for_selector("#policy-json[data-include-denied=true]")
    with_denied = lab["get"](f"/users/{quote(actor, safe='')}/policy?from={first}&to={last}&includeDenied=true")
    shown = json.loads(page.text_content("#policy-json"))
    assert (shown if isinstance(shown, list) else [shown]) == with_denied["policies"]
    assert page.eval_on_selector_all("#policy-denied li", "items => items.map(li => li.dataset.eventName)") == \
        [c["eventName"] for c in with_denied["denied"]]


def test_running_now_fits_a_phone(dash, phone_page, lab):
    _open(dash, phone_page, lab["url"], "running")
    assert phone_page.locator("#running-table tr[data-resource-id]").count() >= 5
    overflow = phone_page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a 375px screen (the table scrolls inside its card)"


if __name__ == "__main__" and sys.argv[1:2] == ["serve"]:
    _serve(Path(sys.argv[2]), date.fromisoformat(sys.argv[3]))
