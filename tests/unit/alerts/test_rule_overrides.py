"""Overrides of the shipped rules (rules.with_overrides): what an operator changes without copying the whole
file, small enough for an SSM parameter."""

from __future__ import annotations

import json

import pytest

from cloudtrail_tracker.alerts import RuleSet, load_rule_file, parse_rules


def _by_id(rules) -> dict:
    return {rule.id: rule for rule in rules}


def test_overrides_change_only_what_they_name():
    text = json.dumps({"overrides": {
        "console-change": {"enabled": False},
        "instance-in-disallowed-region": {"parameters": {"allowed_regions": ["us-east-1"]}},
        "running-cost-over-budget": {"parameters": {"dollars_per_hour": 1.5}, "severity": "critical"},
        "unauthorized-api-calls": {"exclude": {"roles": ["AWSReservedSSO_Admin*"]}, "dedupe_minutes": 60}}})
    assert len(text) < 4096  # an SSM standard parameter
    shipped, changed = _by_id(load_rule_file()), _by_id(parse_rules(text, "ssm:/course/rules"))
    assert sorted(changed) == sorted(shipped)
    assert changed["console-change"].enabled is False and changed["console-change"].condition == shipped["console-change"].condition
    assert changed["instance-in-disallowed-region"].parameters["allowed_regions"] == ["us-east-1"]
    assert changed["running-cost-over-budget"].parameters == {"dollars_per_hour": 1.5}
    assert changed["running-cost-over-budget"].severity == "critical"
    assert list(changed["unauthorized-api-calls"].exclude.roles) == ["AWSReservedSSO_Admin*"]
    assert changed["unauthorized-api-calls"].dedupe_minutes == 60
    untouched = set(shipped) - {"console-change", "instance-in-disallowed-region", "running-cost-over-budget", "unauthorized-api-calls"}
    assert all(changed[rule_id] == shipped[rule_id] for rule_id in untouched)
    assert "console-change" not in RuleSet(list(changed.values())).rule_ids
    assert "instance-in-disallowed-region" in RuleSet(list(changed.values())).rule_ids  # on once it has regions


def test_an_override_may_add_a_rule():
    new = {"id": "bucket-deleted", "title": "Bucket deleted", "severity": "low", "description": "A bucket was deleted.",
           "condition": {"field": "eventName", "equals": "DeleteBucket"}}
    rules = _by_id(parse_rules(json.dumps({"overrides": {"bucket-deleted": {"severity": "high"}}, "rules": [new]}), "x"))
    assert rules["bucket-deleted"].severity == "high" and "root-user-use" in rules


@pytest.mark.parametrize(("overrides", "message"), [
    ({"no-such-rule": {"enabled": False}}, "no rule 'no-such-rule'"),
    ({"console-change": {"condition": {"field": "x", "equals": 1}}}, "override of condition"),
    ({"console-change": {"severity": "urgent"}}, "console-change.*severity"),
    ({"console-change": "off"}, "'overrides' must map rule ids"),
])
def test_a_bad_override_names_what_to_fix(overrides, message):
    with pytest.raises(ValueError, match=message):
        parse_rules(json.dumps({"overrides": overrides}), "ssm:/course/rules")
