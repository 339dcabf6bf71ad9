"""Response bodies of the API (pydantic: validated on the way out and described in the OpenAPI)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class EventRow(BaseModel):
    eventID: str
    eventName: str
    eventSource: str
    eventTime: str = Field(description="UTC, YYYY-MM-DDTHH:MM:SSZ")
    userIdentity_userName: str = Field(description="the actor, under the original's field name")
    actor: str
    actorType: str
    role: str
    account: str
    region: str
    sourceIPAddress: str
    errorCode: str
    readOnly: bool | None
    resources: list[str]


class EventList(BaseModel):
    items: list[EventRow]
    next: str | None = Field(description="cursor of the next page (pass as ?next=); null at the end")


class EventCount(BaseModel):
    count: int
    next: str | None = Field(default=None, description="set only when the count stopped at the call's budget: "
                             "call again with ?next= and add the counts")


class ActorRow(BaseModel):
    name: str
    type: str
    role: str
    account: str
    lastSeen: str


class ActorList(BaseModel):
    items: list[ActorRow]
    next: str | None = None


class ServiceRow(BaseModel):
    name: str
    eventSource: str
    lastSeen: str


class ServiceList(BaseModel):
    items: list[ServiceRow]
    next: str | None = None


class ParameterList(BaseModel):
    items: list[str]


class EventDetail(BaseModel):
    event: EventRow
    record: dict[str, Any] = Field(description="the full CloudTrail record as stored (secrets removed)")
    shortened: list[str] = Field(description="record fields replaced because the item would exceed 400 KB")


class AggregateRow(BaseModel):
    key: str
    count: int


class Aggregates(BaseModel):
    by: str
    from_: str = Field(alias="from", serialization_alias="from")
    to: str
    granularity: Literal["day", "week", "month"] = Field(
        description="the bins of by=day (items keyed by their first day: a week's Monday, a month's 1st; the first "
        "bin starts at from); other by values: day (the counters are per UTC day: from/to are whole days)")
    user: str | None = None
    total: int
    items: list[AggregateRow]


class Span(BaseModel):
    first: str | None = Field(description="the first UTC day (YYYY-MM-DD) with events the caller may see; null: none")
    last: str | None = Field(description="the last UTC day with events the caller may see; null: none")


class WhoAmI(BaseModel):
    actor: str | None
    admin: bool
    auth: str


class ErrorBody(BaseModel):
    """The body of every error answer (4xx and 5xx)."""

    error: str = Field(description="what is wrong")
    hint: str = Field(description="how to fix it")
    parameter: str | None = Field(default=None, description="the query parameter at fault, when one is")
