"""The budget rules' parsing and selection (alerts/budget.py); the evaluation over running resources is tested
through the ingest (tests/integration/ingest/test_budget_alert_at_ingest.py)."""

from __future__ import annotations

import pytest
import yaml

from cloudtrail_tracker.alerts import SHIPPED_RULES_PATH, load_rules, parse_rules
from cloudtrail_tracker.alerts.budget import budget_rules, budget_rules_of, raising_events
from cloudtrail_tracker.models import Actor, StoredEvent
from cloudtrail_tracker.resources.extract import ResourceChange


def _rules_text(dollars) -> str:
    shipped = yaml.safe_load(SHIPPED_RULES_PATH.read_text(encoding="utf-8"))
    rule = next(rule for rule in shipped["rules"] if rule["id"] == "running-cost-over-budget")
    return yaml.safe_dump({**shipped, "rules": [dict(rule, parameters={"dollars_per_hour": dollars})]})


def test_the_shipped_budget_rule_is_off_until_a_course_sets_a_budget():
    assert budget_rules_of(load_rules()) == []
    (on,) = budget_rules(parse_rules(_rules_text(2.5), "rules.yaml"))
    assert on.rule.id == "running-cost-over-budget" and on.dollars_per_hour == 2.5


@pytest.mark.parametrize("dollars", [-1, "two", True])
def test_a_budget_that_is_not_a_number_is_refused_with_the_rule_named(dollars):
    with pytest.raises(ValueError, match="running-cost-over-budget.*dollars_per_hour"):
        list(parse_rules(_rules_text(dollars), "rules.yaml"))


def _event(kinds: tuple[str, ...]) -> StoredEvent:
    changes = tuple(ResourceChange("ec2-instance", f"i-{n:017x}", "", kind, "e", "2025-03-06T10:00:00Z", "X", ())
                    for n, kind in enumerate(kinds))
    return StoredEvent(event_id="e", event_time="2025-03-06T10:00:00Z", event_name="X", event_source="ec2.amazonaws.com",
                       service="ec2", actor=Actor("alice", "IAMUser"), account="1", region="us-east-1", source_ip="",
                       error_code="", read_only=False, resources=(), tracked=(), changes=changes)


def test_only_creates_starts_and_resizes_raise_what_runs():
    raising = [_event(("create",)), _event(("start",)), _event(("resize",)), _event(("stop", "create"))]
    quiet = [_event(("stop",)), _event(("delete",)), _event(())]
    assert raising_events(raising + quiet) == raising
