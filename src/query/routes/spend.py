"""What an actor's resources cost inside a window: ``/users/{user}/cost``."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import unquote

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from cloudtrail_tracker.pricing import price_table

from ..logic.errors import BadRequest
from ..logic.resources import spend
from ..logic.window import parse_window
from ..models import SpendAnswer
from .answers import answers
from .caller import caller_of, reader, resource_reader
from .lookup import known_actor
from .parameters import SpendQuery, check_names
from .running import now_text

router = Router()
SPEND_DAYS = 30  # the default window: the last 30 days
MAX_SPEND_DAYS = 732  # per day per resource: two years of days


@router.get("/users/<user>/cost", tags=["resources"], responses=answers(404),
            summary="Spend on the resources an actor created: per resource and per day, inside the window")
def user_cost(user: str, query: Annotated[SpendQuery, Query()]) -> SpendAnswer:
    event = router.current_event
    check_names(event, SpendQuery)
    caller = caller_of(event)
    actor = known_actor(reader(), unquote(user), "user", caller)
    window = parse_window(query.from_, query.to, default_days=SPEND_DAYS)
    prices, now = price_table(), now_text()
    if window.day_count > MAX_SPEND_DAYS:
        raise BadRequest(f"the window spans {window.day_count} days", f"give at most {MAX_SPEND_DAYS} days between from and to", "from")
    found = spend(resource_reader().created_by(actor, window.end), actor, prices, window.start, window.end, now)
    return SpendAnswer.model_validate({"user": actor, "from": window.start, "to": window.end, **found, "asOf": now,
                                       "priceTableDate": prices.date})
