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
from cloudtrail_tracker.resources.catalog import ID_FORMS
from cloudtrail_tracker.resources.extract import canonical_id

from ..logic.errors import Forbidden, NotFound
from ..logic.resources import matches, resource_events, resource_row, running_totals, sort_by_rate
from ..logic.window import time_text
from ..models import ResourceDetail, ResourceTypeList, RunningList
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
    account, region = non_empty(query.account, "account"), non_empty(query.region, "region")
    kind = _known_type(non_empty(query.type, "type"))
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
    kind = _known_type(non_empty(query.type, "type"))
    wanted = unquote(resource_id).strip()
    mine = None if caller.admin else caller.actor  # a non-admin: the resources they created, their own events
    store = resource_reader()
    found, partition = [], None
    for candidate in id_candidates(wanted):
        partition = store.partition(candidate)
        found = [s for s in partition.states if _in_place(s, query.account, query.region, kind)
                 and (mine is None or (s.creator or {}).get("actor") == mine)]
        if wanted.startswith("arn:") and any(s.state.arn == wanted for s in found):
            found = [s for s in found if s.state.arn == wanted]
        if found:
            break
    if not found or partition is None:
        raise NotFound(f"no resource {wanted!r}" + ("" if mine is None else " created by you"),
                       "give the id (i-0abc..., a DB identifier, a bucket or function name) or ARN that its create, "
                       "stop, start or delete events name; see /running", "id")
    prices, now, names = price_table(), now_text(), titles()
    chosen = found[0]
    place = (chosen.account, chosen.region, chosen.state.resource_type)
    earlier = [life for life in chosen.lives[:-1] if mine is None or (life.creator or {}).get("actor") == mine]
    return ResourceDetail.model_validate({
        "resource": resource_row(chosen, prices, names, now),
        "intervals": [{"state": i.state, "start": i.start, "end": i.end} for i in chosen.state.intervals],
        "others": [resource_row(s, prices, names, now) for s in found[1:]],
        "earlier": [resource_row(chosen, prices, names, now, life) for life in reversed(earlier)],
        "events": resource_events(partition.changes, partition.mentions, place, mine),
        "truncated": partition.truncated, "asOf": now})


@router.get("/resource-types", tags=_TAG, responses=answers(),
            summary="The resource types tracked: their create, stop, start, resize and delete events")
def resource_types() -> ResourceTypeList:
    check_names(router.current_event, NoParameters)
    catalog = load_catalog()
    return ResourceTypeList.model_validate({"items": [
        {"type": name, "title": kind.title, "services": list(kind.services), "billsWhenStopped": kind.bills_when_stopped,
         **{verb: list(kind.events(verb)) for verb in ("create", "stop", "start", "resize", "delete")}}
        for name, kind in sorted(catalog.types.items())]})


def _known_type(kind: str | None) -> str | None:
    types = load_catalog().types
    if kind is not None and kind not in types:
        raise NotFound(f"unknown resource type {kind!r}", f"one of: {', '.join(sorted(types))}", "type")
    return kind


def id_candidates(wanted: str) -> list[str]:
    """The ids an id or ARN may be stored under: itself, each canonical form of the catalog (DB identifiers in
    lower case, a function's name from its ARN), and an ARN's last part (``instance/i-0abc`` -> ``i-0abc``)."""
    candidates = [wanted]
    for form in ID_FORMS:
        candidates.append(canonical_id(wanted, form))
    if wanted.startswith("arn:"):
        resource = wanted.split(":", 5)[-1]
        candidates.append(resource.rsplit("/", 1)[-1] if "/" in resource else resource.rsplit(":", 1)[-1])
    return [c for c in dict.fromkeys(candidates) if c]


def _in_place(stored, account: str | None, region: str | None, kind: str | None) -> bool:
    return ((account is None or stored.account == account) and (region is None or stored.region == region)
            and (kind is None or stored.state.resource_type == kind))
