"""The budget rules: an actor whose running resources cost more per hour than a course allows.

Evaluated by the ingest after a write that creates, starts or resizes resources, over what is running
then in the accounts the write touched (the caller reads it: one Query of the Running index per
account), never per event: a person's resources in other accounts are not counted. Pure: an alert is a
(StoredEvent, Match) pair like the event rules' (the event that took the actor over budget), stored and
deduplicated the same way (one per actor and dedupe window).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ..dal.resources import StoredResource
from ..models import StoredEvent
from ..pricing import PriceTable
from ..resource_costs import hourly_now, rate_of
from .evaluate import Excluder, Match, RuleSet
from .rules import Rule

RAISING_KINDS = frozenset({"create", "start", "resize"})  # the changes that can raise what an actor is running


@dataclass(frozen=True)
class BudgetRule:
    rule: Rule
    dollars_per_hour: float
    excluder: Excluder


def budget_rules(rules: Iterable[Rule]) -> list[BudgetRule]:
    """The enabled budget rules with a budget (0 switches one off)."""
    found = []
    for rule in rules:
        budget = float(rule.parameters.get("dollars_per_hour", 0) or 0)
        if rule.enabled and rule.kind == "budget" and budget > 0:
            found.append(BudgetRule(rule, budget, Excluder.of(rule.exclude)))
    return found


@functools.lru_cache(maxsize=4)
def budget_rules_of(rule_set: RuleSet) -> list[BudgetRule]:
    """:func:`budget_rules` of a compiled rule set (the ingest asks at every file; a set changes at most once a minute)."""
    return budget_rules(rule_set.rules)


def raising_events(events: Iterable[StoredEvent]) -> list[StoredEvent]:
    """The events of a write that create, start or resize a resource."""
    return [event for event in events if any(change.kind in RAISING_KINDS for change in event.changes)]


def hourly_by_creator(running: Iterable[StoredResource], prices: PriceTable) -> dict[str, float]:
    """Dollars per hour of the running resources per creator (unknown prices count 0: the alert says "at least")."""
    totals: dict[str, float] = defaultdict(float)
    for resource in running:
        life = resource.lives[-1]
        if life.state.state != "running" or not life.creator:
            continue
        totals[life.creator["actor"]] += hourly_now(life, rate_of(life, resource, prices)) or 0.0
    return dict(totals)


def over_budget(rules: list[BudgetRule], events: Iterable[StoredEvent], running: Iterable[StoredResource],
                prices: PriceTable, changed: Iterable[StoredResource] = ()) -> list[tuple[StoredEvent, Match]]:
    """For each actor of ``events`` (raising events), and each creator of a resource they ``changed`` (an
    instructor starting a student's instance puts the student over), now running more than a rule's budget:
    (the latest raising event of theirs, else the latest that changed their resource; the rule's match).
    ``running``: what runs in the write's accounts, its own changes included."""
    events = list(events)
    latest: dict[str, StoredEvent] = {}
    for event in events:
        _keep_latest(latest, event.actor.name, event)
    by_resource: dict[str, StoredEvent] = {}
    for event in events:
        for change in event.changes:
            _keep_latest(by_resource, change.resource_id, event)
    for resource in changed:
        creator = (resource.creator or {}).get("actor")
        changer = by_resource.get(resource.state.resource_id)
        if creator and changer is not None and creator not in latest:
            latest[creator] = changer
    if not rules or not latest:
        return []
    totals = hourly_by_creator(running, prices)
    found = []
    for actor, event in sorted(latest.items()):
        spent = totals.get(actor, 0.0)
        for budget in rules:
            if spent <= budget.dollars_per_hour or budget.excluder.excludes(actor, event.actor.role, event.account):
                continue
            rule = budget.rule
            title = f"{rule.title}: ${spent:.2f}/h against ${budget.dollars_per_hour:.2f}/h"
            found.append((event, Match(rule_id=rule.id, severity=rule.severity, title=title, dedupe_key=actor, threshold=1,
                                       window_minutes=0, dedupe_minutes=rule.dedupe_minutes, subject=actor)))
    return found


def _keep_latest(latest: dict[str, StoredEvent], name: str, event: StoredEvent) -> None:
    held = latest.get(name)
    if held is None or (event.event_time, event.event_id) > (held.event_time, held.event_id):
        latest[name] = event

