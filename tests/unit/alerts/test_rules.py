"""The rules file: the shipped rules are valid and complete, a user's file replaces them, mistakes name rule and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloudtrail_tracker.alerts import evaluate
from cloudtrail_tracker.alerts.rules import KNOWN_CHECKS, SEVERITIES, SHIPPED_RULES_PATH, load_rule_file, parse_rules

# The rules the issue asks for (CIS AWS Foundations monitoring set + the extra detections).
REQUIRED_RULE_IDS = {
    "root-user-use", "unauthorized-api-calls", "console-login-without-mfa", "iam-policy-changes",
    "cloudtrail-config-changes", "console-authentication-failures", "kms-key-disabled-or-deleted",
    "s3-bucket-policy-changes", "aws-config-changes", "security-group-changes", "nacl-changes",
    "network-gateway-changes", "route-table-changes", "vpc-changes", "organizations-changes",
    "security-group-ingress-open-to-world", "security-group-egress-open-to-world", "root-access-key-created",
    "instance-in-disallowed-region", "instance-of-disallowed-type", "access-denied-burst", "console-change",
    "cloudtrail-stopped", "running-cost-over-budget",
}

MINIMAL = """
rules:
  - id: my-rule
    title: Mine
    severity: low
    description: Something.
    condition: {field: eventName, equals: CreateBucket}
"""


def test_shipped_rules_cover_the_issue_and_are_well_formed() -> None:
    rules = {rule.id: rule for rule in load_rule_file()}
    assert REQUIRED_RULE_IDS <= set(rules)
    assert all(rule.severity in SEVERITIES and rule.description for rule in rules.values())
    assert rules["running-cost-over-budget"].kind == "budget"
    assert "dollars_per_hour" in rules["running-cost-over-budget"].parameters
    burst = rules["access-denied-burst"]
    assert (burst.threshold, burst.window_minutes, burst.dedupe_minutes) == (20, 60, 1440)
    assert rules["cloudtrail-stopped"].dedupe_by == "requestParameters.name"
    assert rules["instance-in-disallowed-region"].parameters["allowed_regions"] == []
    assert rules["instance-of-disallowed-type"].parameters["allowed_instance_types"] == []


def test_every_shipped_rule_says_which_source_it_follows() -> None:
    lines = SHIPPED_RULES_PATH.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if line.startswith("  - id: "):
            assert lines[index - 1].strip().startswith("#"), f"no source comment above {line.strip()}"


def test_the_checks_rules_accept_are_the_checks_the_evaluator_implements() -> None:
    assert set(evaluate.CHECKS) == KNOWN_CHECKS


def test_loading_is_cached_per_path(tmp_path: Path) -> None:
    assert load_rule_file() is load_rule_file(None)
    own = tmp_path / "rules.yaml"
    own.write_text(MINIMAL, encoding="utf-8")
    first = load_rule_file(own)
    assert first is load_rule_file(str(own))
    assert [rule.id for rule in first] == ["my-rule"]  # a user's file replaces the shipped rules
    assert first[0].dedupe_minutes == 60 and first[0].threshold == 1 and first[0].enabled


def test_a_missing_file_is_a_value_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot be read"):
        load_rule_file(tmp_path / "nope.yaml")


BAD_RULES = [
    ("severity: low", "severity: urgent", "'severity'"),
    ("id: my-rule", "id: My_Rule", "'id'"),
    ("condition: {field: eventName, equals: CreateBucket}", "condition: {field: eventName, equalz: CreateBucket}", "'condition'"),
    ("condition: {field: eventName, equals: CreateBucket}", "condition: {check: teleport}", "'condition.check'"),
    ("condition: {field: eventName, equals: CreateBucket}", "condition: {all: []}", "'condition.all'"),
    ("condition: {field: eventName, equals: CreateBucket}",
     "condition: {any: [{field: errorCode, prefix: []}]}", "'condition.any[0].prefix'"),
    ("condition: {field: eventName, equals: CreateBucket}", "condition: {field: eventName, matches: '('}", "'condition.matches'"),
    ("condition: {field: eventName, equals: CreateBucket}", "condition: {field: eventName, exists: maybe}", "'condition.exists'"),
    ("title: Mine", "title: Mine\n    threshold: 5", "'window_minutes'"),
    ("title: Mine", "title: Mine\n    dedupe_minutes: -1", "'dedupe_minutes'"),
    ("title: Mine", "title: Mine\n    exclude: {people: [x]}", "'exclude.people'"),
    ("title: Mine", "title: Mine\n    exclude: {actors: alice}", "'exclude.actors'"),
    ("title: Mine", "title: Mine\n    enabled: sometimes", "'enabled'"),
    ("title: Mine", "title: Mine\n    colour: red", "'colour'"),
    ("description: Something.", "description: ''", "'description'"),
]


@pytest.mark.parametrize(("old", "new", "field"), BAD_RULES)
def test_a_bad_rule_names_the_rule_and_the_field(old: str, new: str, field: str) -> None:
    assert old in MINIMAL
    with pytest.raises(ValueError) as error:
        parse_rules(MINIMAL.replace(old, new))
    message = str(error.value)
    assert field in message
    assert "my-rule" in message or "My_Rule" in message


def test_malformed_documents_are_refused() -> None:
    with pytest.raises(ValueError, match="not valid YAML"):
        parse_rules("rules: [ {id: x")
    with pytest.raises(ValueError, match="'rules' list"):
        parse_rules("- id: x")
    with pytest.raises(ValueError, match="duplicate"):
        parse_rules(MINIMAL + MINIMAL.split("rules:\n", 1)[1])


def test_a_budget_rule_needs_no_condition_but_an_event_rule_does() -> None:
    budget = MINIMAL.replace("    condition: {field: eventName, equals: CreateBucket}\n", "    kind: budget\n")
    assert parse_rules(budget)[0].condition is None
    with pytest.raises(ValueError, match="'condition': required"):
        parse_rules(MINIMAL.replace("    condition: {field: eventName, equals: CreateBucket}\n", ""))


def test_the_readme_lists_every_shipped_rule_with_its_severity_and_dedupe():
    """The README's alert table is what the rules file ships (docs that match the code)."""
    import re
    from pathlib import Path

    from cloudtrail_tracker.alerts import load_rule_file

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    rows = {m[1]: (m[2], m[3]) for m in re.finditer(r"^\| `([a-z0-9-]+)` \| (\w+) \| .* \| \w+ and (hour|day|\d+ min) \|$", readme, re.M)}
    shipped = list(load_rule_file())
    assert sorted(rows) == sorted(rule.id for rule in shipped)
    for rule in shipped:
        span = {60: "hour", 1440: "day"}.get(rule.dedupe_minutes, f"{rule.dedupe_minutes} min")
        assert rows[rule.id] == (rule.severity, span), rule.id
