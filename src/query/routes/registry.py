"""Who and what has events: actors, services, and the names attribute filters can use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from cloudtrail_tracker.dal.reader import EventReader, InvalidStartKey, RegistryPage

from ..logic.aggregates import services_seen
from ..logic.cursor import encode_registry_cursor, query_identity, registry_position
from ..logic.errors import BadRequest
from ..logic.filters import SUMMARY_ATTRIBUTES, request_parameter_names
from ..logic.rows import actor_row, service_row
from ..models import ActorList, ParameterList, ServiceList
from .answers import answers
from .caller import caller_of, reader
from .parameters import NoParameters, PageQuery, check_names

router = Router()
RECENT_RECORDS = 50  # records /parameters looks into
ACTIVE_DAYS = 366  # the latest days with events of a non-admin that /services looks into
ACTIVE_ROWS = 20_000  # and at most this many of their newest events (a few Queries of their pages)
_NOT_OURS = ("next is not a cursor this API issued", "start again without next", "next")


def _registry_page(query: PageQuery, read: Callable[[EventReader, int, str | None], RegistryPage],
                   own: Callable[[EventReader, list[str]], list[dict]], row) -> tuple[list[dict], str | None]:
    """A page of a registry (``read``); a non-admin's is their own entry (``own``), one page."""
    event = router.current_event
    check_names(event, PageQuery)
    caller = caller_of(event)
    store = reader()
    if not caller.admin:
        _no_next_for_one_page(query)
        return [row(entry) for entry in own(store, [caller.actor] if caller.actor else [])], None
    identity = query_identity(event.path, {k: str(v) for k, v in query.given().items()}, caller.scope_key)
    after = registry_position(query.next, identity) if query.next else None
    try:
        page = read(store, query.limit, after)
    except InvalidStartKey:
        raise BadRequest(*_NOT_OURS) from None
    return [row(entry) for entry in page.entries], encode_registry_cursor(identity, page.after) if page.after else None


def _no_next_for_one_page(query: PageQuery) -> None:
    """A non-admin's registry list is one page (their own entries): no cursor was issued for it."""
    if query.next:
        raise BadRequest("next is not a cursor this API issued", "your list is one page: start again without next", "next")


@router.get("/users", responses=answers(), tags=["registry"],
            summary="Every actor the ingest resolved (IAM users, role sessions, root, services, ...)")
def users(query: Annotated[PageQuery, Query()]) -> ActorList:
    items, cursor = _registry_page(query, lambda store, limit, after: store.actors(limit=limit, after=after),
                                   EventReader.actor_entries, actor_row)
    return ActorList(items=items, next=cursor)


@router.get("/services", responses=answers(), tags=["registry"], summary="Services with events (a non-admin: the ones they used)")
def services(query: Annotated[PageQuery, Query()]) -> ServiceList:
    event = router.current_event
    caller = caller_of(event)
    if caller.admin:
        items, cursor = _registry_page(query, lambda store, limit, after: store.services(limit=limit, after=after),
                                       EventReader.service_entries, service_row)
        return ServiceList(items=items, next=cursor)
    check_names(event, PageQuery)
    _no_next_for_one_page(query)
    store = reader()
    seen = services_seen(store.actor_services_by_day(caller.actor, ACTIVE_DAYS, ACTIVE_ROWS)) if caller.actor else []
    registered = {entry["name"]: entry for entry in store.service_entries([s["name"] for s in seen])} if seen else {}
    for row in seen:
        row["eventSource"] = registered.get(row["name"], {}).get("eventSource") or row["eventSource"]
    return ServiceList(items=seen, next=None)


@router.get("/parameters", responses=answers(), tags=["registry"],
            summary="Names usable in params= (summary fields and recent requestParameters)")
def parameters() -> ParameterList:
    event = router.current_event
    check_names(event, NoParameters)
    caller = caller_of(event)
    store = reader()
    latest = store.latest_events(RECENT_RECORDS, actor=None if caller.admin else caller.actor)
    records = list(store.records(latest).values()) if latest else []
    summary = [name for name in SUMMARY_ATTRIBUTES if name not in {"actor", "actorType", "role", "account", "region"}]
    return ParameterList(items=summary + request_parameter_names(records))
