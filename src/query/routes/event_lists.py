"""The API's central answer: an event list (or its count) of one scope, from a validated :class:`ListQuery`."""

from __future__ import annotations

from dataclasses import replace

from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent

from cloudtrail_tracker.dal.reader import EventReader

from ..logic import walk as walking
from ..logic.cursor import ListPosition, encode_list_cursor, list_position, query_identity
from ..logic.filters import parse_filters
from ..logic.plans import ListRequest, plan_list
from ..logic.rows import event_row
from ..logic.tenancy import Caller
from ..logic.window import parse_window
from ..models import EventCount, EventList
from .caller import caller_of, reader
from .lookup import known_account, known_actor, known_error_code, known_event_name, known_service
from .parameters import ListQuery, check_names, non_empty, parse_count


def list_events(event: BaseProxyEvent, scope: str, subject: str | None, query: ListQuery,
                user: str | None = None) -> EventList | EventCount:
    """Answer an event list (or its count) for ``scope``/``subject`` (``user``: /errors?user=)."""
    check_names(event, type(query))
    caller = caller_of(event)
    request = ListRequest(
        scope=scope, subject=subject, window=parse_window(query.from_, query.to),
        event_name=non_empty(query.event_name, "eventName"), error_code=non_empty(query.error_code, "errorCode"), user=user,
        filters=tuple(parse_filters(query.params, query.param, query.value, query.values)),
    )
    counting = parse_count(query.count)
    identity = query_identity(f"{event.path}|{scope}|{subject}", {k: str(v) for k, v in query.given().items()}, caller.scope_key)
    position = list_position(query.next, identity) if query.next else None
    store = reader()
    request = known_names(store, request, caller)
    plan = plan_list(request, caller, days_with_events=store.days_with_events, months_with_events=store.months_with_events)
    if counting:
        number, position = walking.count(store, plan, position)
        return EventCount(count=number, next=_next(identity, position))
    items, position = walking.walk(store, plan, query.limit, position)
    return EventList(items=[event_row(item) for item in items], next=_next(identity, position))


def known_names(store: EventReader, request: ListRequest, caller: Caller) -> ListRequest:
    """``request`` with each name it gives as the known name it means (lookup.py): ``ec2.amazonaws.com``
    is ``ec2``, ``runinstances`` ``RunInstances``; an unknown name is a 404 naming the closest ones."""
    scope, subject, since = request.scope, request.subject, request.window.first_day
    if subject is not None and scope == "user":
        subject = known_actor(store, subject, "user", caller)
    elif subject is not None and scope == "service":
        subject = known_service(store, subject, "service", caller)
    elif subject is not None and scope == "account":
        subject = known_account(store, subject, "account", caller, since)
    elif subject is not None and scope == "errors":
        subject = known_error_code(store, subject, "errorCode", caller)
    user = known_actor(store, request.user, "user", caller) if request.user else None
    event_name = known_event_name(store, request.event_name, "eventName", caller, since) if request.event_name else None
    error_code = request.error_code
    if error_code:
        error_code = subject if scope == "errors" else known_error_code(store, error_code, "errorCode", caller)
    return replace(request, subject=subject, user=user, event_name=event_name, error_code=error_code)


def _next(identity: str, position: ListPosition | None) -> str | None:
    return encode_list_cursor(identity, position) if position is not None else None
