"""One event's full record."""

from __future__ import annotations

from typing import Annotated, NoReturn
from urllib.parse import unquote

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from cloudtrail_tracker.settings import auth_settings, query_settings

from ..logic.errors import BadRequest, NotFound
from ..logic.rows import event_row, fit_for_response, summary_row
from ..logic.window import parse_instant, time_text
from ..models import EventDetail
from .answers import answers
from .caller import caller_of, reader
from .parameters import EventQuery, check_names

router = Router()


@router.get("/events/<event_id>", responses=answers(404), tags=["events"],
            summary="One event: its row and its full record (from the trail bucket, secrets removed)")
def event_detail(event_id: str, query: Annotated[EventQuery, Query()]) -> EventDetail:
    event = router.current_event
    check_names(event, EventQuery)
    caller = caller_of(event)
    event_id = unquote(event_id)
    at = _event_time(query.at) if query.at is not None else None
    by_id = query_settings().event_id_lookup
    store = reader()
    found = store.record_of({"eventID": event_id}) if at is None or by_id else None  # its locator
    if found is None and at is not None:
        summary = store.summary_at(event_id, at)
        # whose it is, from its summary: another actor's record is not read at all
        found = store.record_of(summary) if summary and caller.may_see(summary["actor"]) else None
    row = summary_row(*found, auth_settings().trusted_session_roles) if found else None
    if found is None or row is None or not caller.may_see(row["actor"]):
        _not_found(event_id, at, by_id)
    record, shortened = fit_for_response(found[0])
    return EventDetail(event=event_row(row), record=record, shortened=shortened)


def _not_found(event_id: str, at: str | None, by_id: bool) -> NoReturn:
    if at is None and not by_id:
        # the same answer whether an old locator exists or not: no existence leak
        raise BadRequest(f"no at= for event {event_id!r}: this stack finds an event by its id and time",
                         "add at=<the event's eventTime> (every event row gives it), or deploy with "
                         "EventIdLookup=true to look events up by id alone", "at")
    # a non-admin gets the same 404 for someone else's event as for a missing one: no existence leak
    raise NotFound(f"no event {event_id!r}" + (f" at {at}" if at else ""),
                   "take eventID and its eventTime (at=) from a row of an event list (the full record is read "
                   "from the trail bucket: a log file deleted there has no record here)", "eventID")


def _event_time(value: str) -> str:
    if len(value.strip()) < 19:
        raise BadRequest(f"at={value!r} is not a date and time", "give the event's eventTime, "
                         "e.g. at=2026-11-30T14:03:07Z", "at")
    return time_text(parse_instant(value, "at", end_of_day=False))
