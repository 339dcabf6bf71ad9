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


# ---- accountability: resources, their cost, policies (routes/running.py, spend.py, policy.py)
class Creator(BaseModel):
    actor: str
    actorType: str
    role: str
    sourceIP: str
    userAgent: str
    time: str
    eventID: str


class Deleter(BaseModel):
    actor: str
    actorType: str
    role: str
    time: str
    eventID: str


class StateInterval(BaseModel):
    state: Literal["running", "stopped"]
    start: str
    end: str | None = Field(description="null: still in this state")


class ResourceRow(BaseModel):
    id: str
    arn: str
    type: str = Field(description="resource type of the catalog (src/cloudtrail_tracker/resources/resource_types.yaml)")
    title: str
    account: str
    region: str
    state: Literal["running", "stopped", "deleted", "unknown"]
    since: str | None = Field(description="start of the current state (running, stopped); the deletion time when deleted")
    createdAt: str | None = Field(description="null: the create event is not in the table (made before it, or by a failed read)")
    creator: Creator | None
    deletedAt: str | None
    deletedBy: Deleter | None
    attributes: dict[str, str] = Field(description="size attributes: instanceType, dBInstanceClass, multiAZ, size, ...")
    dollarsPerHour: float | None = Field(description="on-demand list price now; null: unknown or billed by use (see priceBasis)")
    costSoFar: float | None = Field(description="billed hours (running; stopped too where the type bills when stopped) x rate")
    priceBasis: Literal["hourly", "gb-month", "usage", "free", "unknown"]
    priceNote: str


class ActorSpend(BaseModel):
    actor: str
    running: int
    dollarsPerHour: float = Field(description="sum of the known hourly rates")
    costSoFar: float = Field(description="sum of the known costs so far")
    unknownPrices: int = Field(description="resources whose price is unknown (not in the sums)")
    usageBilled: int = Field(description="resources billed by use (buckets, functions, tables: no hourly price)")


class RunningTotals(BaseModel):
    running: int
    dollarsPerHour: float
    costSoFar: float
    unknownPrices: int
    usageBilled: int


class RunningList(BaseModel):
    items: list[ResourceRow] = Field(description="running resources, highest dollarsPerHour first (unknown prices last)")
    actors: list[ActorSpend] = Field(description="per creator (\"\" when the create event is unknown), highest dollarsPerHour first")
    total: RunningTotals
    asOf: str = Field(description="the time costs are computed to (now, UTC)")
    priceTableDate: str
    priceTableSource: str


class ResourceEvent(BaseModel):
    eventID: str
    eventTime: str
    eventName: str
    actor: str
    errorCode: str
    account: str
    region: str
    change: str | None = Field(description="create, stop, start, resize or delete when the event changed the resource")


class ResourceDetail(BaseModel):
    resource: ResourceRow
    intervals: list[StateInterval]
    others: list[ResourceRow] = Field(description="other resources of the same id (another account, region or type)")
    earlier: list[ResourceRow] = Field(description="earlier lives of the same id, newest first: created again after a delete "
                                       "(a reused bucket, table or database name), perhaps by someone else")
    events: list[ResourceEvent] = Field(description="the events that name it, newest first")
    truncated: bool = Field(description="true: it has more changes or mentions than one answer reads; the newest are shown")
    asOf: str


class ResourceSpend(BaseModel):
    id: str
    type: str
    account: str
    region: str
    state: str
    createdAt: str | None
    hours: float = Field(description="billed hours inside the window")
    cost: float | None = Field(description="cost inside the window; null: unknown or billed by use")
    dollarsPerHour: float | None
    priceBasis: str


class DaySpend(BaseModel):
    day: str
    cost: float


class SpendAnswer(BaseModel):
    user: str
    from_: str = Field(alias="from", serialization_alias="from")
    to: str
    total: float = Field(description="sum of the known costs")
    unknownPrices: int
    resources: list[ResourceSpend]
    days: list[DaySpend]
    asOf: str
    priceTableDate: str


class ResourceType(BaseModel):
    type: str
    title: str
    services: list[str]
    billsWhenStopped: bool
    create: list[str]
    stop: list[str]
    start: list[str]
    resize: list[str]
    delete: list[str]


class ResourceTypeList(BaseModel):
    items: list[ResourceType]


class PolicyCall(BaseModel):
    eventSource: str
    eventName: str
    count: int
    action: str | None = None
    resources: list[str] = Field(default_factory=list)


class PolicyAnswer(BaseModel):
    subject: str = Field(description="the actor or role")
    kind: Literal["user", "role"]
    from_: str = Field(alias="from", serialization_alias="from")
    to: str
    includeDenied: bool
    policies: list[dict[str, Any]] = Field(description="IAM policy documents, each under the 6,144-character managed-policy limit")
    denied: list[PolicyCall] = Field(description="asked for but not granted (in policies only with includeDenied=true)")
    unknown: list[PolicyCall] = Field(description="calls whose action is not in the IAM action list: never put in a policy")
    noPermissionNeeded: list[PolicyCall]
    calls: int
    iamDataSource: str
    iamDataDate: str


# ---- alerts (routes/alerts.py)
class AlertEvent(BaseModel):
    eventTime: str
    eventID: str
    eventName: str


class Alert(BaseModel):
    id: str = Field(description="pass to /alerts/{id}")
    rule: str = Field(description="the rule's id (src/cloudtrail_tracker/alerts/rules.yaml)")
    title: str
    severity: Literal["info", "low", "medium", "high", "critical"]
    actor: str
    account: str
    window: str = Field(description="start of the dedupe (or threshold) window the alert is one of")
    firstSeen: str | None
    lastSeen: str | None
    count: int = Field(description="events that matched in the window (the first 10 kept, or its threshold if higher: countIsAtLeast)")
    countIsAtLeast: bool
    threshold: int
    fired: str | None = Field(description="when it reached its threshold")
    published: str | None = Field(description="when it was sent to the alerts topic; null: not sent (no topic, or a backfill)")
    events: list[AlertEvent] = Field(description="the events that triggered it, oldest first")


class AlertList(BaseModel):
    items: list[Alert] = Field(description="newest first")
    truncated: bool = Field(False, description="more alerts match than an answer holds (1,000): these are the newest; "
                                               "narrow the range or filter by rule, actor or severity")
    from_: str = Field(alias="from", serialization_alias="from")
    to: str
