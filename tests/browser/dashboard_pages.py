"""Reading what the dashboard shows, for comparing it with the API."""

from __future__ import annotations

READY = "main#view[data-state=ready]"


def open_view(page, base_url: str, route: str) -> None:
    page.goto(f"{base_url}/#/{route}")
    wait_ready(page)


def wait_ready(page) -> None:
    """Until the view has drawn everything; no part of it may show an API error."""
    page.wait_for_selector(READY, timeout=30_000)
    errors = page.eval_on_selector_all(".error-box", "boxes => boxes.map(b => b.textContent)")
    assert not errors, errors
    # a missing value appended as a node's text ("null", "undefined") is a page bug
    stray = page.evaluate("""() => {
        const walker = document.createTreeWalker(document.getElementById('view'), NodeFilter.SHOW_TEXT);
        const found = [];
        while (walker.nextNode()) if (['null', 'undefined'].includes(walker.currentNode.textContent.trim())) {
            found.push(walker.currentNode.parentElement.outerHTML.slice(0, 120));
        }
        return found;
    }""")
    assert not stray, f"stray null/undefined text in the page: {stray}"


def chart_numbers(page, section_id: str) -> list[dict]:
    """The {key, count} list printed under a chart, in page order."""
    return page.eval_on_selector_all(
        f"#{section_id} ol.numbers li",
        "items => items.map(li => ({key: li.dataset.key, count: Number(li.dataset.count)}))")


def counters(page) -> dict[str, int]:
    return page.eval_on_selector_all(
        "#counters .counter", "cards => Object.fromEntries(cards.map(c => [c.dataset.key, Number(c.dataset.count)]))")


def table_event_ids(page, section_id: str = "events") -> list[str]:
    return page.eval_on_selector_all(f"#{section_id} tr.event-row", "rows => rows.map(r => r.dataset.eventId)")


def table_column(page, css_class: str, section_id: str = "events") -> list[str]:
    return page.eval_on_selector_all(f"#{section_id} tr.event-row td.{css_class}", "cells => cells.map(c => c.textContent)")


def current_range(page) -> tuple[str, str]:
    """The from/to (UTC) the page sends to the API, from its address."""
    return page.evaluate("""() => {
        const params = new URLSearchParams(location.hash.split('?')[1] || '');
        return [params.get('from'), params.get('to')];
    }""")


def wait_rendered(page) -> None:
    """Until the view has drawn the current address (not an earlier one), without API errors."""
    page.wait_for_function(
        "() => { const v = document.getElementById('view'); return v.dataset.state === 'ready' && v.dataset.route === location.hash; }",
        timeout=60_000)
    wait_ready(page)


def route_params(page) -> dict[str, str]:
    """The parameters in the address's hash route."""
    return page.evaluate("() => Object.fromEntries(new URLSearchParams(location.hash.split('?')[1] || ''))")


def table_rows(page, section_id: str = "events") -> list[dict]:
    """Each event row's data (eventId, eventName, service, actor, errorCode, readOnly)."""
    return page.eval_on_selector_all(f"#{section_id} tr.event-row", "rows => rows.map(r => ({...r.dataset}))")


def download_text(page, selector: str) -> tuple[str, str]:
    """(file name, text) of the download a click on ``selector`` starts."""
    with page.expect_download(timeout=30_000) as started:
        page.click(selector)
    download = started.value
    with open(download.path(), encoding="utf-8") as file:
        return download.suggested_filename, file.read()


def click_bar(page, section_id: str, index: int) -> None:
    """A real mouse click on bar ``index`` of the Chart.js chart in ``section_id``."""
    canvas = page.locator(f"#{section_id} canvas")
    canvas.scroll_into_view_if_needed()  # a mouse click lands only inside the window
    box = canvas.bounding_box()
    x, y = page.evaluate("""([id, index]) => {
        const chart = Chart.getChart(document.querySelector(`#${id} canvas`));
        const bar = chart.getDatasetMeta(0).data[index];
        const horizontal = chart.options.indexAxis === 'y';
        return horizontal ? [(bar.x + bar.base) / 2, bar.y] : [bar.x, (bar.y + bar.base) / 2];
    }""", [section_id, index])
    page.mouse.click(box["x"] + x, box["y"] + y)


def in_viewport(page, selector: str) -> dict:
    """The element's box and whether its top is inside the window."""
    box = page.locator(selector).bounding_box()
    height = page.evaluate("() => window.innerHeight")
    return {"box": box, "height": height, "visible": box is not None and -1 <= box["y"] < height}  # -1: sub-pixel scrolling
