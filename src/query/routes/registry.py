"""Who and what has events: actors, services, and the names attribute filters can use."""

from __future__ import annotations

from collections import defaultdict

from aws_lambda_powertools.event_handler.api_gateway import Router

from cloudtrail_tracker.dal import keys
from cloudtrail_tracker.dal.reader import InvalidStartKey, Partition

from ..logic.aggregates import services_seen
from ..logic.cursor import decode_cursor, encode_cursor, query_identity
from ..logic.errors import BadRequest
from ..logic.filters import SUMMARY_ATTRIBUTES, request_parameter_names
from ..logic.rows import actor_row, service_row
from ..models import ActorList, ParameterList, ServiceList
from .common import Limit, Next, answers, caller_of, query_params, reader

router = Router()
_PAGE_PARAMS = frozenset({"limit", "next"})
RECENT_RECORDS = 50  # records /parameters looks into
ACTIVE_DAYS = 366  # the latest days with events of a non-admin that /services looks into
ACTIVE_ROWS = 20_000  # and at most this many of their newest events (a few Queries of their pages)


def _registry_page(kind: str, limit: int, row):
    event = router.current_event
    params = query_params(event, _PAGE_PARAMS)
    caller = caller_of(event)
    store = reader()
    if not caller.admin:
        _no_next_for_one_page(params)
        page = store.registry(kind, limit=limit, names=(caller.actor,))
        return [row(item) for item in page.items], None
    identity = query_identity(event.path, params, caller.scope_key)
    start = None
    if params.get("next"):
        position = decode_cursor(params["next"], identity)
        start = position.get("k")
        if set(position) != {"k"} or start is None:
            raise BadRequest("next is not a cursor this API issued", "start again without next", "next")
    try:
        page = store.registry(kind, limit=limit, start_key=start)
    except InvalidStartKey:
        raise BadRequest("next is not a cursor this API issued", "start again without next", "next") from None
    return [row(item) for item in page.items], encode_cursor(identity, {"k": page.last_key}) if page.last_key else None


def _no_next_for_one_page(params: dict[str, str]) -> None:
    """A non-admin's registry list is one page (their own entries): no cursor was issued for it."""
    if params.get("next"):
        raise BadRequest("next is not a cursor this API issued", "your list is one page: start again without next", "next")


@router.get("/users", responses=answers(), tags=["registry"], summary="Every actor the ingest resolved (IAM users, role sessions, root, services, ...)")
def users(limit: Limit = 1000, next: Next = None) -> ActorList:
    items, cursor = _registry_page(keys.ACTOR_REGISTRY, limit, actor_row)
    return ActorList(items=items, next=cursor)


@router.get("/services", responses=answers(), tags=["registry"], summary="Services with events (a non-admin: the ones they used)")
def services(limit: Limit = 1000, next: Next = None) -> ServiceList:
    event = router.current_event
    caller = caller_of(event)
    if caller.admin:
        items, cursor = _registry_page(keys.SERVICE_REGISTRY, limit, service_row)
        return ServiceList(items=items, next=cursor)
    _no_next_for_one_page(query_params(event, _PAGE_PARAMS))
    store = reader()
    seen = services_seen(_latest_service_days(store, caller.actor))
    registered = {item[keys.SK]: item for item in store.registry(
        keys.SERVICE_REGISTRY, limit=len(seen), names=tuple(s["name"] for s in seen)).items} if seen else {}
    for row in seen:
        row["eventSource"] = registered.get(row["name"], {}).get("eventSource") or row["eventSource"]
    return ServiceList(items=seen, next=None)


def _latest_service_days(store, actor: str) -> list[dict]:
    """``{"day", "counts": {"s:<service>": n}}`` of ``actor``'s latest ACTIVE_DAYS days with events
    (at most ACTIVE_ROWS events), from the actor's own pages, newest first: however long ago they were."""
    partition = Partition(keys.page_pk(keys.VIEW_ACTOR, actor), "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z")
    per_day: dict[str, dict[str, int]] = defaultdict(dict)
    start, looked = None, 0
    while looked < ACTIVE_ROWS:
        page = store.query_events(partition, limit=min(5000, ACTIVE_ROWS - looked), start_key=start)
        for row in page.items:
            day = row["eventTime"][:10]
            if day not in per_day and len(per_day) >= ACTIVE_DAYS:
                return [{"day": d, "counts": c} for d, c in per_day.items()]
            name = keys.COUNTER_PREFIXES["service"] + row["eventSource"].split(".", 1)[0]
            per_day[day][name] = per_day[day].get(name, 0) + 1
        looked += len(page.items)
        if page.last_key is None:
            break
        start = page.last_key
    return [{"day": d, "counts": c} for d, c in per_day.items()]


@router.get("/parameters", responses=answers(), tags=["registry"], summary="Names usable in params= (summary fields and recent requestParameters)")
def parameters() -> ParameterList:
    event = router.current_event
    query_params(event, frozenset())
    caller = caller_of(event)
    store = reader()
    latest = store.latest_events(RECENT_RECORDS, actor=None if caller.admin else caller.actor)
    records = list(store.records([item["eventID"] for item in latest]).values()) if latest else []
    summary = [name for name in SUMMARY_ATTRIBUTES if name not in {"actor", "actorType", "role", "account", "region"}]
    return ParameterList(items=summary + request_parameter_names(records))
