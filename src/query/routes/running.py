"""What is running and what it costs: ``/running``, ``/resources/{id}``, ``/resource-types``.

Tenancy: a non-admin sees the resources they created, and of a resource's events their own.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import unquote

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from cloudtrail_tracker.pricing import price_table
from cloudtrail_tracker.resources import load_catalog

from ..logic.errors import Forbidden, NotFound
from ..logic.resources import matches, resource_row, running_totals, sort_by_rate
from ..logic.window import time_text
from ..models import ResourceDetail, RunningList
from .answers import answers
from .caller import caller_of, reader, resource_reader
from .lookup import known_actor
from .parameters import NoParameters, ResourceDetailQuery, RunningQuery, check_names, non_empty

router = Router()
_TAG = ["resources"]


def now_text() -> str:
    return time_text(datetime.now(UTC))


def titles() -> dict[str, str]:
    return {name: kind.title for name, kind in load_catalog().types.items()}


@router.get("/running", tags=_TAG, responses=answers(404),
            summary="Resources still running, highest $/hour first, with totals per creator (a non-admin: their own)")
def running(query: Annotated[RunningQuery, Query()]) -> RunningList:
    event = router.current_event
    check_names(event, RunningQuery)
    caller = caller_of(event)
    actor = non_empty(query.actor, "actor")
    if actor is not None:
        actor = known_actor(reader(), actor, "actor", caller)
    elif not caller.admin:
        if not caller.actor:
            raise Forbidden("your sign-in names no actor", "ask an admin to map your user to an actor")
        actor = caller.actor
    account, region, kind = non_empty(query.account, "account"), non_empty(query.region, "region"), non_empty(query.type, "type")
    if kind is not None and kind not in load_catalog().types:
        raise NotFound(f"unknown resource type {kind!r}", f"one of: {', '.join(sorted(load_catalog().types))}", "type")
    store, prices, now, names = resource_reader(), price_table(), now_text(), titles()
    rows = [resource_row(stored, prices, names, now) for stored in store.running_everywhere([account] if account else None)]
    rows = sort_by_rate([row for row in rows if matches(row, actor, account, region, kind)])
    actors, total = running_totals(rows)
    return RunningList.model_validate({"items": rows, "actors": actors, "total": total, "asOf": now,
                                       "priceTableDate": prices.date, "priceTableSource": prices.source})


@router.get("/resources/<resource_id>", tags=_TAG, responses=answers(404),
            summary="One resource by its id or ARN: creator, lifecycle, $/hour, cost so far, the events that name it")
def resource(resource_id: str, query: Annotated[ResourceDetailQuery, Query()]) -> ResourceDetail:
    event = router.current_event
    check_names(event, ResourceDetailQuery)
    caller = caller_of(event)
    wanted = unquote(resource_id).strip()
    store = resource_reader()
    found, partition = None, None
    for candidate in _id_candidates(wanted):
        partition = store.partition(candidate)
        states = [s for s in partition.states if _wanted(s, query) and (caller.admin or (s.creator or {}).get("actor") == caller.actor)]
        if wanted.startswith("arn:") and any(s.state.arn == wanted for s in states):
            states = [s for s in states if s.state.arn == wanted]
        if states:
            found = states
            break
    if not found or partition is None:
        raise NotFound(f"no resource {wanted!r}" + ("" if caller.admin else " created by you"),
                       "give the id (i-0abc..., a DB identifier, a bucket name) or ARN a create, stop, start or delete "
                       "event named; see /running", "id")
    prices, now, names = price_table(), now_text(), titles()
    chosen = found[0]
    place = (chosen.account, chosen.region)
    changes = {c["change"].event_id: c["change"].kind for c in partition.changes
               if (c["account"], c["region"], c["change"].resource_type) == (*place, chosen.state.resource_type)}
    events: dict[str, dict] = {}
    for change in partition.changes:
        record = change["change"]
        if record.event_id in changes and (caller.admin or change["actor"] == caller.actor):
            events[record.event_id] = {"eventID": record.event_id, "eventTime": record.event_time, "eventName": record.event_name,
                                       "actor": change["actor"], "errorCode": "", "account": change["account"],
                                       "region": change["region"], "change": record.kind}
    for mention in partition.mentions:
        if (mention["account"], mention["region"]) == place and mention["eventID"] not in events \
                and (caller.admin or mention["actor"] == caller.actor):
            events[mention["eventID"]] = {**mention, "change": None}
    ordered = sorted(events.values(), key=lambda e: (e["eventTime"], e["eventID"]), reverse=True)
    return ResourceDetail.model_validate({
        "resource": resource_row(chosen, prices, names, now),
        "intervals": [{"state": i.state, "start": i.start, "end": i.end} for i in chosen.state.intervals],
        "others": [resource_row(s, prices, names, now) for s in found[1:]],
        "events": ordered, "truncated": partition.truncated, "asOf": now})


@router.get("/resource-types", tags=_TAG, responses=answers(),
            summary="The resource types tracked: their create, stop, start, resize and delete events")
def resource_types() -> dict:
    check_names(router.current_event, NoParameters)
    catalog = load_catalog()
    return {"items": [{"type": name, "title": kind.title, "services": list(kind.services),
                       "billsWhenStopped": kind.bills_when_stopped,
                       **{verb: list(kind.events(verb)) for verb in ("create", "stop", "start", "resize", "delete")}}
                      for name, kind in sorted(catalog.types.items())]}


def _id_candidates(wanted: str) -> list[str]:
    """The ids an id or ARN may be stored under: itself, and an ARN's last part (``instance/i-0abc`` -> ``i-0abc``)."""
    candidates = [wanted]
    if wanted.startswith("arn:"):
        tail = wanted.rsplit("/", 1)[-1] if "/" in wanted.split(":", 5)[-1] else wanted.rsplit(":", 1)[-1]
        if tail and tail not in candidates:
            candidates.append(tail)
    return candidates


def _wanted(stored, query: ResourceDetailQuery) -> bool:
    return ((query.account is None or stored.account == query.account) and (query.region is None or stored.region == query.region)
            and (query.type is None or stored.state.resource_type == query.type))
