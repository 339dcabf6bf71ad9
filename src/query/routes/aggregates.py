"""Counts per user, service, event name, error code or day over a window, from the daily counters.

Any window up to MAX_DAYS answers: ``by=day`` bins the days by day, week or month (``granularity``,
auto by the window's length), and long windows read only the months that have events.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from ..logic.aggregates import aggregate
from ..logic.errors import BadRequest
from ..logic.window import bin_starts, choose_granularity, parse_window
from ..models import Aggregates
from .answers import answers
from .caller import caller_of, reader
from .lookup import known_actor
from .parameters import AggregatesQuery, check_names, non_empty

router = Router()
MAX_DAYS = 100 * 366  # a century: wider is a typo (year 9999), not a question about a trail
MAX_DAY_BINS = 366 * 2  # granularity=day lists at most two years of days (a chart cannot show more)


@router.get("/aggregates", responses=answers(), tags=["aggregates"],
            summary="Counts over a window read from the per-day counters (whole UTC days), never from events")
def aggregates(query: Annotated[AggregatesQuery, Query()]) -> Aggregates:
    event = router.current_event
    check_names(event, AggregatesQuery)
    caller = caller_of(event)
    by = query.by
    user = non_empty(query.user, "user")
    window = parse_window(query.from_, query.to)
    if window.day_count > MAX_DAYS:
        raise BadRequest(f"the window has {window.day_count} days", f"aggregate at most {MAX_DAYS} days (100 years) at a time", "from")
    # other `by` values ignore granularity: their counts do not depend on it (the counters are per day)
    granularity = choose_granularity(query.granularity, window.day_count) if by == "day" else "day"
    if by == "day" and granularity == "day" and window.day_count > MAX_DAY_BINS:
        raise BadRequest(f"granularity=day over {window.day_count} days", f"give granularity=week, month or auto "
                         f"(day bins for windows of at most {MAX_DAY_BINS} days)", "granularity")
    store = reader()
    if user:
        user = known_actor(store, user, "user", caller)  # the name's actor, or a 404 naming the closest
    elif not caller.admin:
        user = caller.actor
    if user:
        counts = store.actor_day_rows_of(user, window.first_day, window.last_day)
    else:
        counts = store.actor_day_rows_in_months_with_events(window.first_day, window.last_day)
    bins = bin_starts(window.first_day, window.last_day, granularity) if by == "day" else [window.first_day]
    total, rows = aggregate(by, counts, bins, granularity)
    return Aggregates.model_validate({"by": by, "from": window.first_day, "to": window.last_day, "granularity": granularity,
                                      "user": user, "total": total, "items": rows})
