"""One event's full record."""

from __future__ import annotations

from urllib.parse import unquote

from aws_lambda_powertools.event_handler.api_gateway import Router

from cloudtrail_tracker.dal.items import decode_record

from ..logic.errors import NotFound
from ..logic.rows import event_row
from ..models import EventDetail
from .common import answers, caller_of, query_params, reader

router = Router()


@router.get("/events/<event_id>", responses=answers(404), tags=["events"], summary="One event: its row and the full stored record")
def event_detail(event_id: str) -> EventDetail:
    event = router.current_event
    query_params(event, frozenset())
    caller = caller_of(event)
    event_id = unquote(event_id)
    item = reader().get_event(event_id)
    # a non-admin gets the same 404 for someone else's event as for a missing one: no existence leak
    if item is None or not caller.may_see(item.get("actor")):
        raise NotFound(f"no event {event_id!r}", "take eventID from a row of an event list", "eventID")
    return EventDetail(event=event_row(item), record=decode_record(item["raw"]), shortened=list(item.get("shortened", [])))
