"""Which view partitions answer an event list, and which filters apply: a :class:`Plan`.

Three views are stored (dal/keys.py): every event of a day, each actor's events, and the failed
calls of a day (the DAL's :class:`Partition` names them). ``/users/alice`` walks alice's events;
``/errors`` the failed calls of each day with events;
everything else (``/scan``, ``/services/s3``, ``/accounts/...``, ``/resources``) the days with
events, with the rest as filters on the summaries. The days come from the MONTH and DAY registries
(one Query for the months of the window, and one per month the walk reaches), so empty months
and days cost nothing. A non-admin always walks their own actor partition, with the rest as filters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
    partitions: tuple[Partition, ...]  # in walk order (an actor's partition)
    descending_values: bool = False  # partitions sorted by value, largest first
    conditions: tuple[Condition, ...] = ()
    record_filters: tuple[AttributeFilter, ...] = ()
    # Day walks: the window's months that have events, newest first, turned into day partitions
    # only when the walk reaches them (one read of the month's days in the DAY registry).
    months: tuple[str, ...] = ()
    expand_month: Callable[[str], list[Partition]] | None = None


def plan_list(request: ListRequest, caller: Caller, days_with_events: Callable[[str, str], list[str]],
              months_with_events: Callable[[str, str], list[str]]) -> Plan:
    """``months_with_events(first_day, last_day)`` (``YYYY-MM``) and ``days_with_events(first_day,
    last_day)`` (the reader's) read the months and days with events; the days lazily, by the walk."""
    window = request.window
    conditions: list[Condition] = []
    event_name, error_code = request.event_name, request.error_code
    scope, subject = request.scope, request.subject

    if scope == "user":
        caller.require_actor(subject or "", "user")
    if scope == "errors" and request.user:
        caller.require_actor(request.user, "user")
    own = None if caller.admin else caller.actor

    if scope == "service":
        conditions.append(Condition("eventSource", "begins_with", f"{subject}."))
    elif scope == "account":
        conditions.append(Condition("account", "eq", subject))
    elif scope == "resource":
        conditions.append(Condition("resources", "contains", subject))
    elif scope == "errors":
        conditions.append(Condition("errorCode", "eq", subject) if subject else Condition("errorCode", "exists"))
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

    actor = own or (subject if scope == "user" else request.user if scope == "errors" else None)
    if actor:
        return Plan((Partition.of_actor(actor, window.start, window.end),), False, tuple(conditions), tuple(record_filters))

    failures_only = scope == "errors" or bool(error_code)
    searched = searched_days(window.first_day, window.last_day)
    months = tuple(sorted(set(months_with_events(*searched) if searched else ()), reverse=True))

    def expand_month(month: str) -> list[Partition]:
        first, last = max(window.first_day, f"{month}-01"), min(window.last_day, f"{month}-31")
        return [Partition.of_day(day, window.start, window.end, failures_only)
                for day in sorted(days_with_events(first, last), reverse=True)]

    return Plan((), True, tuple(conditions), tuple(record_filters), months, expand_month)
