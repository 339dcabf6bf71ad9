"""Which partitions answer an event list, and which filters apply: a :class:`Plan`.

The path picks the partition (``/users/alice`` -> ByActor ``U#alice``); ``/scan`` uses the most
selective of errorCode (ByError), eventName (ByEventName), else the ByDay partitions of the days
that have events: the months with events come from the MONTH registry (one Query however long
the window), and a month's days from its day totals, read only when the walk reaches that month
(so empty months and days cost nothing). ``/errors`` without errorCode walks ByError code by
code, the codes from the ERROR registry (one Query). A non-admin always walks their own ByActor
partition (or a resource's links) with the rest as filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from cloudtrail_tracker.dal import keys
from cloudtrail_tracker.dal.reader import Condition, Partition

from .filters import AttributeFilter
from .tenancy import Caller
from .window import Window, searched_days

@dataclass(frozen=True)
class ListRequest:
    scope: str
    subject: str | None  # the user, service, account, resource ARN or (errors) errorCode
    window: Window
    event_name: str | None = None
    error_code: str | None = None
    user: str | None = None  # /errors?user=
    filters: tuple[AttributeFilter, ...] = ()


@dataclass(frozen=True)
class Plan:
    partitions: tuple[Partition, ...]  # in walk order
    descending_values: bool = False  # partitions sorted by value, largest first
    conditions: tuple[Condition, ...] = ()
    record_filters: tuple[AttributeFilter, ...] = ()
    # ByDay walks: the window's months that have events (MONTH registry), newest first, turned into
    # day partitions only when the walk reaches them (one read of the month's day totals), so a
    # long window costs per page one registry Query plus the months that page touches.
    months: tuple[str, ...] = ()
    expand_month: Callable[[str], list[Partition]] | None = None


def _index(index: str, value: str, window: Window) -> Partition:
    low, high = keys.time_range(window.start, window.end)
    return Partition(index, keys.index_pk(index, value), low, high)


def plan_list(request: ListRequest, caller: Caller, days_with_events: Callable[[str, str], list[str]],
              error_codes: Callable[[], list[str]], months_with_events: Callable[[str, str], list[str]]) -> Plan:
    """``months_with_events(first_day, last_day)`` (``YYYY-MM``, any order) and ``error_codes()`` read
    the MONTH and ERROR registries, ``days_with_events(first_day, last_day)`` one month's day totals;
    each is called only by the plans that need it (the days lazily, by the walk)."""
    window = request.window
    conditions: list[Condition] = []
    event_name, error_code = request.event_name, request.error_code
    descending = False
    months: tuple[str, ...] = ()
    expand_month = None
    scope, subject = request.scope, request.subject

    if scope == "user":
        caller.require_actor(subject, "user")
    if scope == "errors" and request.user:
        caller.require_actor(request.user, "user")
    own = None if caller.admin else caller.actor

    if scope == "resource":
        low, high = keys.time_range(window.start, window.end)
        partitions = [Partition(None, keys.resource_pk(subject), low, high)]
        if own:
            conditions.append(Condition("actor", "eq", own))
    elif own or scope == "user" or (scope == "errors" and request.user):
        actor = own or (subject if scope == "user" else request.user)
        partitions = [_index("ByActor", actor, window)]
        if scope == "service":
            conditions.append(Condition("eventSource", "begins_with", f"{subject}."))
        elif scope == "account":
            conditions.append(Condition("account", "eq", subject))
        elif scope == "errors":
            conditions.append(Condition("errorCode", "eq", subject) if subject else Condition("errorCode", "exists"))
    elif scope == "service":
        partitions = [_index("ByService", subject, window)]
    elif scope == "account":
        partitions = [_index("ByAccount", subject, window)]
    elif scope == "errors":
        codes = [subject] if subject else error_codes()
        partitions = [_index("ByError", code, window) for code in sorted(codes)]
        if subject:
            error_code = None  # answered by the partition
    elif error_code:
        partitions = [_index("ByError", error_code, window)]
        error_code = None
    elif event_name:
        partitions = [_index("ByEventName", event_name, window)]
        event_name = None
    else:
        partitions = []
        descending = True
        searched = searched_days(window.first_day, window.last_day)
        spanned = keys.months_between(*searched) if searched else []
        # one month: its day totals tell as much as the registry would, for the same one request
        listed = spanned if len(spanned) <= 1 else months_with_events(*searched)
        months = tuple(sorted(set(listed), reverse=True))

        def expand_month(month: str) -> list[Partition]:
            first, last = max(window.first_day, f"{month}-01"), min(window.last_day, f"{month}-31")
            return [_index("ByDay", day, window) for day in sorted(days_with_events(first, last), reverse=True)]

    if event_name:
        conditions.append(Condition("eventName", "eq", event_name))
    if error_code and not (scope == "errors" and subject):
        conditions.append(Condition("errorCode", "eq", error_code))
    record_filters = []
    for attribute_filter in request.filters:
        attribute = attribute_filter.summary_attribute
        if attribute == "readOnly":
            conditions.append(Condition(attribute, "eq", attribute_filter.value.lower() == "true"))
        elif attribute:
            conditions.append(Condition(attribute, "eq", attribute_filter.value))
        else:
            record_filters.append(attribute_filter)
    return Plan(tuple(partitions), descending, tuple(conditions), tuple(record_filters), months, expand_month)
