"""What every route shares: the caller, the reader, parameter checks and event-list answers."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from cloudtrail_tracker.clients import client
from cloudtrail_tracker.dal.reader import EventReader
from cloudtrail_tracker.dal.records import RecordStore
from cloudtrail_tracker.settings import auth_settings, query_settings

from ..logic import walk as walking
from ..logic.cursor import encode_cursor, list_position, query_identity
from ..logic.errors import BadRequest
from ..logic.filters import parse_filters
from ..logic.plans import ListRequest, plan_list
from ..logic.rows import event_row
from ..logic.tenancy import Caller, resolve_caller
from ..logic.window import parse_window
from ..models import ErrorBody, EventCount, EventList

# ---- parameters shared by the event lists (declared once: validation and the OpenAPI come from here)
From = Annotated[str | None, Query(alias="from", description="YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[Z|+HH:MM], UTC when no offset; default 6 days before to")]
To = Annotated[str | None, Query(description="same forms as from; a date alone includes that whole day; default today")]
Limit = Annotated[int, Query(ge=1, le=1000, description="items per page, 1..1000")]
Next = Annotated[str | None, Query(description="the `next` cursor of the previous page")]
EventName = Annotated[str | None, Query(description="only this event name, e.g. RunInstances")]
ErrorCode = Annotated[str | None, Query(description="only failed calls with this errorCode, e.g. AccessDenied")]
Params = Annotated[str | None, Query(description="attribute names, ['instanceType','eventSource'] or instanceType,eventSource; "
                                     "short names mean requestParameters_<name>")]
Param = Annotated[str | None, Query(description="alias of params")]
Value = Annotated[str | None, Query(description="values of params, same spellings, as many as params (ANDed equality)")]
Values = Annotated[str | None, Query(description="alias of value")]
CountFlag = Annotated[str | None, Query(description="true: answer {\"count\": N} instead of the events")]

# ---- the answers a route can give, for the OpenAPI (every error has the body ErrorBody)
_ERROR_MEANINGS = {
    400: "bad input: `error` says what is wrong, `hint` how to fix it, `parameter` which one",
    401: "not signed in (AuthMode COGNITO or IAM)",
    403: "a non-admin asking for another actor's data, or a sign-in that names no actor",
    404: "no such item",
    500: "the server is misconfigured",
    503: "the table is busy (reads were throttled): retry in a few seconds",
}


def answers(*extra: int) -> dict:
    """OpenAPI ``responses`` of a route: 200 (its return type) and the errors every route can give
    (400, 401, 403, 503), plus ``extra`` ones."""
    statuses = sorted({400, 401, 403, 503, *extra})
    errors = {status: {"description": _ERROR_MEANINGS[status], "content": {"application/json": {"model": ErrorBody}}}
              for status in statuses}
    return {200: {"description": "Successful Response"}, **errors}


LIST_PARAMS = frozenset({"from", "to", "limit", "next", "eventName", "errorCode", "params", "param", "value", "values", "count"})


def reader() -> EventReader:
    """The table's reader; full records come from the trail bucket."""
    return EventReader(client("dynamodb"), query_settings().table_name, RecordStore(client("s3")))


def caller_of(event: APIGatewayProxyEvent) -> Caller:
    context = event.request_context
    claims = (event.raw_event.get("requestContext") or {}).get("authorizer") or {}
    claims = claims.get("claims") if isinstance(claims, dict) else None
    return resolve_caller(claims or None, context.identity.user_arn, auth_settings())


def query_params(event: APIGatewayProxyEvent, allowed: frozenset[str]) -> dict[str, str]:
    """The query string, refusing names this path does not take (a typo must not widen a query)
    and names given more than once."""
    params = dict(event.query_string_parameters or {})
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise BadRequest(f"unknown parameter {unknown[0]!r}", f"this path takes: {', '.join(sorted(allowed))}", unknown[0])
    repeated = repeated_parameter(event)
    if repeated:
        raise given_twice(repeated)
    return params


def repeated_parameter(event: APIGatewayProxyEvent) -> str | None:
    """The first query-string name given more than once (``from=..&from=..``), if any."""
    multi = event.multi_value_query_string_parameters or {}
    return next((name for name in sorted(multi) if len(multi[name] or ()) > 1), None)


def given_twice(name: str) -> BadRequest:
    return BadRequest(f"{name} is given more than once", f"give {name} once (lists go in one value: a,b)", name)


def non_empty(params: dict[str, str], name: str) -> str | None:
    """``params[name]``, None when absent; an empty value (``eventName=``) is a 400."""
    value = params.get(name)
    if value is not None and not value.strip():
        raise BadRequest(f"{name} is empty", f"give a value, e.g. {EXAMPLES.get(name, name + '=...')}, or leave {name} out", name)
    return value


EXAMPLES = {"eventName": "eventName=RunInstances", "errorCode": "errorCode=AccessDenied", "user": "user=alice"}


def parse_count(value: str | None) -> bool:
    if value is None or value.lower() in {"false", "0", ""}:
        return False
    if value.lower() in {"true", "1"}:
        return True
    raise BadRequest(f"count={value!r} is not true or false", "use count=true to get the number of events", "count")


def list_events(event: APIGatewayProxyEvent, scope: str, subject: str | None, allowed: frozenset[str] = LIST_PARAMS,
                user: str | None = None, limit: int = 100) -> EventList | EventCount:
    """Answer an event list (or its count) for ``scope``/``subject`` from the request's parameters."""
    params = query_params(event, allowed)
    caller = caller_of(event)
    window = parse_window(params.get("from"), params.get("to"))
    request = ListRequest(
        scope=scope, subject=subject, window=window,
        event_name=non_empty(params, "eventName"), error_code=non_empty(params, "errorCode"), user=user,
        filters=tuple(parse_filters(params.get("params"), params.get("param"), params.get("value"), params.get("values"))),
    )
    counting = parse_count(params.get("count"))
    identity = query_identity(f"{event.path}|{scope}|{subject}", params, caller.scope_key)
    position = list_position(params["next"], identity) if params.get("next") else None
    store = reader()
    plan = plan_list(request, caller, days_with_events=store.days_with_events, months_with_events=store.months_with_events)
    if counting:
        number, position = walking.count(store, plan, position)
        return EventCount(count=number, next=_next(identity, position))
    items, position = walking.walk(store, plan, limit, position)
    return EventList(items=[event_row(item) for item in items], next=_next(identity, position))


def _next(identity: str, position: dict | None) -> str | None:
    return encode_cursor(identity, position) if position is not None else None
