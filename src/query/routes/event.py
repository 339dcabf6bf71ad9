"""One event's full record."""

from __future__ import annotations

from urllib.parse import unquote

from aws_lambda_powertools.event_handler.api_gateway import Router

from cloudtrail_tracker.settings import auth_settings

from ..logic.errors import NotFound
from ..logic.rows import event_row, fit_for_response, summary_row
from ..models import EventDetail
from .answers import answers
from .caller import caller_of, reader
from .parameters import NoParameters, check_names

router = Router()


@router.get("/events/<event_id>", responses=answers(404), tags=["events"],
            summary="One event: its row and its full record (from the trail bucket, secrets removed)")
def event_detail(event_id: str) -> EventDetail:
    event = router.current_event
    check_names(event, NoParameters)
    caller = caller_of(event)
    event_id = unquote(event_id)
    found = reader().event_record(event_id)
    row = summary_row(*found, auth_settings().trusted_session_roles) if found else None
    # a non-admin gets the same 404 for someone else's event as for a missing one: no existence leak
    if found is None or row is None or not caller.may_see(row["actor"]):
        raise NotFound(f"no event {event_id!r}", "take eventID from a row of an event list (the full record is read "
                       "from the trail bucket: a log file deleted there has no record here)", "eventID")
    record, shortened = fit_for_response(found[0])
    return EventDetail(event=event_row(row), record=record, shortened=shortened)
