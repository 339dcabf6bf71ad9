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
