"""Where the data is: the first and last day with events the caller may see (the dashboard's
"whole span" range and its "no data in this window" hints)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from ..models import Span
from .answers import answers
from .caller import caller_of, reader
from .parameters import NoParameters, check_names

router = Router()


@router.get("/span", responses=answers(), tags=["aggregates"],
            summary="First and last UTC day with events: the whole table for admins, the caller's own actor otherwise")
def span() -> Span:
    check_names(router.current_event, NoParameters)
    caller = caller_of(router.current_event)
    store = reader()
    if caller.admin:
        first, last = store.day_span()  # the DAY registry's two ends
        return Span(first=first, last=last)
    # the caller's ACTOR registry entry (its events may be in its group's pages, whose ends say nothing of it)
    first, last = store.actor_day_span(caller.actor) if caller.actor else (None, None)
    return Span(first=first, last=last)
