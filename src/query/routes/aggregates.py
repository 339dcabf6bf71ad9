"""Counts per user, service, event name, error code or day over a window, from the daily counters."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from ..logic.aggregates import aggregate
from ..logic.errors import BadRequest
from ..logic.window import parse_window
from ..models import Aggregates
from .common import From, To, answers, caller_of, non_empty, query_params, reader

router = Router()
MAX_DAYS = 366 * 2


@router.get("/aggregates", responses=answers(), tags=["aggregates"],
            summary="Counts over a window read from the per-day counters (whole UTC days), never from events")
def aggregates(by: Annotated[Literal["user", "service", "eventName", "day", "errorCode"], Query(description="what to count by")],
               from_: From = None, to: To = None,
               user: Annotated[str | None, Query(description="only this actor's counters")] = None) -> Aggregates:
    event = router.current_event
    params = query_params(event, frozenset({"by", "from", "to", "user"}))
    caller = caller_of(event)
    user = non_empty(params, "user")
    if user:
        caller.require_actor(user)
    elif not caller.admin:
        user = caller.actor
    window = parse_window(from_, to)
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
