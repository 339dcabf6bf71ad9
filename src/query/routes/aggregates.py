"""Counts per user, service, event name, error code or day over a window, from the daily counters."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from ..logic.aggregates import aggregate
from ..logic.errors import BadRequest
from ..logic.window import parse_window
from ..models import Aggregates
from .answers import answers
from .caller import caller_of, reader
from .parameters import AggregatesQuery, check_names, non_empty

router = Router()
MAX_DAYS = 366 * 2


@router.get("/aggregates", responses=answers(), tags=["aggregates"],
            summary="Counts over a window read from the per-day counters (whole UTC days), never from events")
def aggregates(query: Annotated[AggregatesQuery, Query()]) -> Aggregates:
    event = router.current_event
    check_names(event, AggregatesQuery)
    caller = caller_of(event)
    by = query.by
    user = non_empty(query.user, "user")
    if user:
        caller.require_actor(user)
    elif not caller.admin:
        user = caller.actor
    window = parse_window(query.from_, query.to)
    if window.day_count > MAX_DAYS:
        raise BadRequest(f"the window has {window.day_count} days", f"aggregate at most {MAX_DAYS} days at a time", "from")
    days = window.days()
    store = reader()
    if user:
        counts = store.actor_day_rows_of(user, window.first_day, window.last_day)
    else:
        counts = store.actor_day_rows(window.first_day, window.last_day)
    total, rows = aggregate(by, counts, days)
    return Aggregates.model_validate({"by": by, "from": window.first_day, "to": window.last_day, "granularity": "day",
                                      "user": user, "total": total, "items": rows})
