"""The query parameters of each route, as pydantic models (Powertools validates them and lists each
field in the OpenAPI), and the checks Powertools does not make: a name the path does not take, or a
name given twice, is a 400 (a typo must not widen a query)."""

from __future__ import annotations

from functools import cache
from typing import Literal

from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent
from pydantic import BaseModel, ConfigDict, Field

from ..logic.errors import BadRequest

_FROM = "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[Z|+HH:MM], UTC when no offset; default 6 days before to"
_TO = "same forms as from; a date alone includes that whole day; default today"
_NEXT = "the `next` cursor of the previous page"


class QueryParameters(BaseModel):
    """The query string of a route: its fields (by alias) are the names the route takes."""

    model_config = ConfigDict(frozen=True)

    def given(self) -> dict[str, object]:
        """The parameters given, by their names in the query string."""
        return self.model_dump(by_alias=True, exclude_none=True)


class NoParameters(QueryParameters):
    """A route that takes no query parameter."""


class EventQuery(QueryParameters):
    """One event's record."""

    at: str | None = Field(None, description="the event's eventTime (YYYY-MM-DDTHH:MM:SS[Z|+HH:MM]; up to a minute off "
                           "still finds it; every row gives it); needed unless the stack keeps event-id locators (EventIdLookup)")


class ListQuery(QueryParameters):
    """The parameters of every event list."""

    from_: str | None = Field(None, alias="from", description=_FROM)
    to: str | None = Field(None, description=_TO)
    limit: int = Field(100, ge=1, le=1000, description="items per page, 1..1000")
    next: str | None = Field(None, description=_NEXT)
    event_name: str | None = Field(None, alias="eventName", description="only this event name, e.g. RunInstances")
    error_code: str | None = Field(None, alias="errorCode", description="only failed calls with this errorCode, e.g. AccessDenied")
    params: str | None = Field(None, description="attribute names, ['instanceType','eventSource'] or instanceType,eventSource; "
                               "short names mean requestParameters_<name>")
    param: str | None = Field(None, description="alias of params")
    value: str | None = Field(None, description="values of params, same spellings, as many as params (ANDed equality)")
    values: str | None = Field(None, description="alias of value")
    count: str | None = Field(None, description="true: answer {\"count\": N} instead of the events")


class ErrorsQuery(ListQuery):
    user: str | None = Field(None, description="only this actor's failures")


class ResourceQuery(ListQuery):
    arn: str | None = Field(None, description="the resource's ARN")


class PageQuery(QueryParameters):
    """A registry list's pages."""

    limit: int = Field(1000, ge=1, le=1000, description="items per page, 1..1000")
    next: str | None = Field(None, description=_NEXT)


class AggregatesQuery(QueryParameters):
    by: Literal["user", "service", "eventName", "day", "errorCode"] = Field(description="what to count by")
    from_: str | None = Field(None, alias="from", description=_FROM)
    to: str | None = Field(None, description=_TO)
    user: str | None = Field(None, description="only this actor's counters")
    granularity: Literal["auto", "day", "week", "month"] = Field(
        "auto", description="bins of by=day: auto (day up to 92 days, week up to 732, month beyond), day (windows of "
        "at most 732 days), week (from Monday) or month; the first bin starts at from. Other by values ignore it")


_CHECKLIST = "checklist id(s), comma-separated; default all"
_COURSE = "only the checklists of this course"


class ProgressQuery(QueryParameters):
    checklist: str | None = Field(None, description=_CHECKLIST)
    user: str | None = Field(None, description="the actor; default the caller's own")
    course: str | None = Field(None, description=_COURSE)


class MatrixQuery(QueryParameters):
    checklist: str | None = Field(None, description=_CHECKLIST)
    course: str | None = Field(None, description=_COURSE)
    everyone: str | None = Field(None, description="true: every actor with events (services, roles, accounts too) "
                                 "besides the class; default false: the class roster (people only without one)")


class RunningQuery(QueryParameters):
    actor: str | None = Field(None, description="only what this actor created")
    account: str | None = Field(None, description="only this account's resources")
    region: str | None = Field(None, description="only this region's resources, e.g. us-east-1")
    type: str | None = Field(None, description="only this resource type, e.g. ec2-instance (see /resource-types)")


class ResourceDetailQuery(QueryParameters):
    account: str | None = Field(None, description="the resource's account, when its id names resources in several")
    region: str | None = Field(None, description="the resource's region, when its id names resources in several")
    type: str | None = Field(None, description="the resource's type, when its id names resources of several types")


class SpendQuery(QueryParameters):
    from_: str | None = Field(None, alias="from", description=_FROM.replace("6 days", "29 days"))
    to: str | None = Field(None, description=_TO)


class PolicyQuery(QueryParameters):
    from_: str | None = Field(None, alias="from", description=_FROM.replace("6 days", "89 days"))
    to: str | None = Field(None, description=_TO)
    include_denied: str | None = Field(None, alias="includeDenied", description="true: also grant what was asked for and "
                                       "denied (always listed apart in `denied`); default false")


class AlertsQuery(QueryParameters):
    from_: str | None = Field(None, alias="from", description=_FROM)
    to: str | None = Field(None, description=_TO)
    rule: str | None = Field(None, description="only this rule's alerts (its id, e.g. root-user-activity)")
    actor: str | None = Field(None, description="only this actor's alerts")
    severity: Literal["info", "low", "medium", "high", "critical"] | None = Field(None, description="only this severity")


QUERY_MODELS: tuple[type[QueryParameters], ...] = (NoParameters, EventQuery, ListQuery, ErrorsQuery, ResourceQuery, PageQuery,
                                                   AggregatesQuery, ProgressQuery, MatrixQuery, RunningQuery,
                                                   ResourceDetailQuery, SpendQuery, PolicyQuery, AlertsQuery)


@cache
def names_of(model: type[QueryParameters]) -> frozenset[str]:
    """The query-string names ``model`` takes (its fields' aliases): the one source of what a path takes."""
    return frozenset(field.alias or name for name, field in model.model_fields.items())


def check_names(event: BaseProxyEvent, model: type[QueryParameters]) -> None:
    """Refuse names ``model`` does not take and names given more than once (Powertools would take
    the first of a repeated name)."""
    allowed = names_of(model)
    unknown = sorted(set(event.query_string_parameters or {}) - allowed)
    if unknown:
        raise BadRequest(f"unknown parameter {unknown[0]!r}", f"this path takes: {', '.join(sorted(allowed))}", unknown[0])
    repeated = repeated_parameter(event)
    if repeated:
        raise given_twice(repeated)


def repeated_parameter(event: BaseProxyEvent) -> str | None:
    """The first query-string name given more than once (``from=..&from=..``), if any."""
    multi = event.multi_value_query_string_parameters or {}
    return next((name for name in sorted(multi) if len(multi[name] or ()) > 1), None)


def given_twice(name: str) -> BadRequest:
    return BadRequest(f"{name} is given more than once", f"give {name} once (lists go in one value: a,b)", name)


EXAMPLES = {"eventName": "eventName=RunInstances", "errorCode": "errorCode=AccessDenied", "user": "user=alice"}


def non_empty(value: str | None, name: str) -> str | None:
    """``value`` of parameter ``name``, None when absent; an empty value (``eventName=``) is a 400."""
    if value is not None and not value.strip():
        raise BadRequest(f"{name} is empty", f"give a value, e.g. {EXAMPLES.get(name, name + '=...')}, or leave {name} out", name)
    return value


def parse_count(value: str | None) -> bool:
    return parse_flag(value, "count", "use count=true to get the number of events")


def parse_flag(value: str | None, name: str, hint: str) -> bool:
    """A true/false parameter (``1``/``0`` too); absent or empty: false; anything else a 400."""
    if value is None or value.lower() in {"false", "0", ""}:
        return False
    if value.lower() in {"true", "1"}:
        return True
    raise BadRequest(f"{name}={value!r} is not true or false", hint, name)
