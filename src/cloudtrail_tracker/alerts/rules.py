"""Alert rules as data: load and validate a rules file (the shipped ``rules.yaml`` or a user's own).

Pure: no AWS calls. A rules file is YAML ``{rules: [...]}``; each rule names what it detects
(``condition``: ``all``/``any``/``not`` over field tests on dotted paths into the raw CloudTrail
record, plus a few named ``check``s where the data cannot say it), how it is counted
(``threshold`` matching events per actor in ``window_minutes``) and stored (``dedupe_minutes``, per
actor or per the ``dedupe_by`` field), who it ignores (``exclude``) and what a course sets
(``parameters``). Any mistake is a ValueError naming the rule id and the field, so a bad user file
is refused when it is loaded rather than silently never matching. evaluate.py compiles the result.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SHIPPED_RULES_PATH = Path(__file__).with_name("rules.yaml")

SEVERITIES = ("info", "low", "medium", "high", "critical")
KINDS = ("event", "budget")  # budget rules are evaluated over running costs, not per event
# The named checks evaluate.py implements (a test keeps the two lists equal).
KNOWN_CHECKS = frozenset({"open_to_world", "console_change", "source_is_ip", "disallowed_region", "disallowed_instance_type"})
# Field-test operators and the type of their operand.
SCALAR_OPS = ("equals", "not_equals")
LIST_OPS = ("in", "not_in")
TEXT_OPS = ("prefix", "suffix")  # a string or a list of strings
FIELD_OPS = (*SCALAR_OPS, *LIST_OPS, *TEXT_OPS, "exists", "matches")

_RULE_KEYS = frozenset({
    "id", "title", "severity", "description", "kind", "condition", "threshold", "window_minutes",
    "dedupe_minutes", "dedupe_by", "exclude", "parameters", "enabled",
})
_EXCLUDE_KEYS = ("actors", "roles", "accounts")
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DEFAULT_DEDUPE_MINUTES = 60


@dataclass(frozen=True, slots=True)
class Exclusions:
    """Callers a rule never alerts on, matched against the actor, role and account the caller resolved.

    An entry ending in ``*`` matches by prefix (``AWSReservedSSO_*``).
    """

    actors: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    severity: str
    description: str
    condition: Mapping[str, Any] | None  # None only for kind "budget"
    kind: str = "event"
    threshold: int = 1
    window_minutes: int = 0
    dedupe_minutes: int = DEFAULT_DEDUPE_MINUTES
    dedupe_by: str | None = None  # a dotted path; the actor when absent
    exclude: Exclusions = field(default_factory=Exclusions)
    parameters: Mapping[str, Any] = field(default_factory=dict)
    enabled: bool = True


def load_rule_file(path: str | Path | None = None) -> tuple[Rule, ...]:
    """The rules of ``path`` (default: the shipped rules.yaml), read and validated once per path."""
    return _load_cached(str(Path(path).resolve()) if path is not None else str(SHIPPED_RULES_PATH))


@functools.cache
def _load_cached(path: str) -> tuple[Rule, ...]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"rules file {path}: cannot be read ({exc})") from exc
    return parse_rules(text, source=path)


def parse_rules(text: str, source: str = "<rules>") -> tuple[Rule, ...]:
    """Validate a rules document (YAML or JSON text); a ValueError names the rule id and field at fault."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"{source}: not valid YAML ({exc})") from exc
    if isinstance(document, dict) and "overrides" in document:
        document = with_overrides(document, source)
    if not isinstance(document, dict) or not isinstance(document.get("rules"), list):
        raise ValueError(f"{source}: expected a mapping with a 'rules' list (a whole rules file) or 'overrides'")
    rules: list[Rule] = []
    seen: set[str] = set()
    for position, raw in enumerate(document["rules"]):
        rule = _parse_rule(raw, position)
        if rule.id in seen:
            raise ValueError(f"rule {rule.id!r}: field 'id': duplicate id")
        seen.add(rule.id)
        rules.append(rule)
    return tuple(rules)


def with_overrides(document: dict, source: str) -> dict:
    """The shipped rules with ``document``'s changes: ``overrides: {<rule id>: {<field>: value}}`` replaces those
    fields of that rule (``parameters`` are merged name by name), and an optional ``rules`` list adds rules or
    replaces a shipped one of the same id. Small enough for an SSM parameter (4 KB, 8 KB advanced), where a whole file is not."""
    overrides = document.get("overrides")
    if not isinstance(overrides, dict) or not all(isinstance(k, str) and isinstance(v, dict) for k, v in overrides.items()):
        raise ValueError(f"{source}: 'overrides' must map rule ids to the fields they change")
    extra = document.get("rules", [])
    if not isinstance(extra, list) or not all(isinstance(rule, dict) for rule in extra):
        raise ValueError(f"{source}: 'rules' must be a list of rules")
    rules = {rule["id"]: dict(rule) for rule in _shipped_document()["rules"]}
    rules.update({rule.get("id"): dict(rule) for rule in extra})
    for rule_id, changes in overrides.items():
        if rule_id not in rules:
            raise ValueError(f"{source}: overrides: no rule {rule_id!r} (known: {', '.join(sorted(map(str, rules)))})")
        unknown = sorted(set(changes) - _OVERRIDABLE)
        if unknown:
            raise ValueError(f"rule {rule_id!r}: override of {', '.join(unknown)}: only {', '.join(sorted(_OVERRIDABLE))} can be changed")
        rule = rules[rule_id]
        for name, value in changes.items():
            if name == "parameters" and isinstance(value, dict) and isinstance(rule.get("parameters"), dict):
                value = {**rule["parameters"], **value}
            rule[name] = value
    return {"rules": list(rules.values())}


_OVERRIDABLE = frozenset({"title", "severity", "enabled", "threshold", "window_minutes", "dedupe_minutes", "exclude", "parameters"})


@functools.cache
def _shipped_document() -> dict:
    return yaml.safe_load(SHIPPED_RULES_PATH.read_text(encoding="utf-8"))


def _parse_rule(raw: object, position: int) -> Rule:
    if not isinstance(raw, dict):
        raise ValueError(f"rule #{position}: expected a mapping")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not _ID.match(rule_id):
        raise ValueError(f"rule #{position} ({rule_id!r}): field 'id': must be kebab-case (a-z, 0-9, '-')")

    def fail(field_name: str, why: str) -> ValueError:
        return ValueError(f"rule {rule_id!r}: field {field_name!r}: {why}")

    unknown = sorted(set(raw) - _RULE_KEYS)
    if unknown:
        raise fail(unknown[0], "unknown field")
    for name in ("title", "description"):
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            raise fail(name, "a non-empty string is required")
    severity = raw.get("severity")
    if severity not in SEVERITIES:
        raise fail("severity", f"must be one of {', '.join(SEVERITIES)}")
    kind = raw.get("kind", "event")
    if kind not in KINDS:
        raise fail("kind", f"must be one of {', '.join(KINDS)}")
    condition = raw.get("condition")
    if kind == "event":
        if condition is None:
            raise fail("condition", "required")
        _validate_condition(condition, "condition", fail)
    elif condition is not None:
        _validate_condition(condition, "condition", fail)

    threshold = _int_field(raw, "threshold", 1, 1, fail)
    window = _int_field(raw, "window_minutes", 0, 0, fail)
    if threshold > 1 and window < 1:
        raise fail("window_minutes", "a rule with a threshold above 1 needs a window of at least 1 minute")
    dedupe = _int_field(raw, "dedupe_minutes", DEFAULT_DEDUPE_MINUTES, 0, fail)
    dedupe_by = raw.get("dedupe_by")
    if dedupe_by is not None and (not isinstance(dedupe_by, str) or not dedupe_by):
        raise fail("dedupe_by", "must be a dotted field path")
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise fail("enabled", "must be true or false")
    parameters = raw.get("parameters", {})
    if not isinstance(parameters, dict) or not all(isinstance(k, str) for k in parameters):
        raise fail("parameters", "must be a mapping of names to values")
    if kind == "budget":
        budget = parameters.get("dollars_per_hour", 0)
        if isinstance(budget, bool) or not isinstance(budget, int | float) or budget < 0:
            raise fail("parameters", "a budget rule needs dollars_per_hour: a number >= 0 (0 switches it off)")
    return Rule(
        id=rule_id, title=raw["title"].strip(), severity=severity, description=raw["description"].strip(),
        condition=condition, kind=kind, threshold=threshold, window_minutes=window, dedupe_minutes=dedupe,
        dedupe_by=dedupe_by, exclude=_exclusions(raw.get("exclude"), fail), parameters=parameters, enabled=enabled,
    )


def _int_field(raw: dict[str, Any], name: str, default: int, minimum: int, fail: Any) -> int:
    value = raw.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise fail(name, f"must be an integer >= {minimum}")
    return value


def _exclusions(raw: object, fail: Any) -> Exclusions:
    if raw is None:
        return Exclusions()
    if not isinstance(raw, dict):
        raise fail("exclude", f"must be a mapping with {', '.join(_EXCLUDE_KEYS)}")
    unknown = sorted(set(raw) - set(_EXCLUDE_KEYS))
    if unknown:
        raise fail(f"exclude.{unknown[0]}", "unknown field")
    lists: dict[str, tuple[str, ...]] = {}
    for name in _EXCLUDE_KEYS:
        values = raw.get(name) or []
        if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
            raise fail(f"exclude.{name}", "must be a list of non-empty strings")
        lists[name] = tuple(values)
    return Exclusions(**lists)


def _validate_condition(node: object, where: str, fail: Any) -> None:
    """One node: {all: [...]}, {any: [...]}, {not: node}, {check: name} or {field: path, <op>: operand}."""
    if not isinstance(node, dict):
        raise fail(where, "a condition must be a mapping")
    if "all" in node or "any" in node:
        if len(node) != 1:
            raise fail(where, "'all'/'any' must stand alone in its mapping")
        key = "all" if "all" in node else "any"
        children = node[key]
        if not isinstance(children, list) or not children:
            raise fail(f"{where}.{key}", "must be a non-empty list of conditions")
        for index, child in enumerate(children):
            _validate_condition(child, f"{where}.{key}[{index}]", fail)
    elif "not" in node:
        if len(node) != 1:
            raise fail(where, "'not' must stand alone in its mapping")
        _validate_condition(node["not"], f"{where}.not", fail)
    elif "check" in node:
        if len(node) != 1:
            raise fail(where, "'check' must stand alone in its mapping")
        if node["check"] not in KNOWN_CHECKS:
            raise fail(f"{where}.check", f"unknown check {node['check']!r} (known: {', '.join(sorted(KNOWN_CHECKS))})")
    elif "field" in node:
        path = node["field"]
        if not isinstance(path, str) or not path or any(not part for part in path.split(".")):
            raise fail(f"{where}.field", "must be a dotted path such as userIdentity.type")
        ops = [k for k in node if k != "field"]
        if len(ops) != 1 or ops[0] not in FIELD_OPS:
            raise fail(where, f"a field test needs exactly one of {', '.join(FIELD_OPS)}")
        _validate_operand(ops[0], node[ops[0]], f"{where}.{ops[0]}", fail)
    else:
        raise fail(where, "expected one of all, any, not, check, field")


def _validate_operand(op: str, operand: object, where: str, fail: Any) -> None:
    def scalar(value: object) -> bool:
        return isinstance(value, str | int | float | bool)

    if op in SCALAR_OPS and not scalar(operand):
        raise fail(where, "must be a string, number or boolean")
    if op in LIST_OPS and (not isinstance(operand, list) or not operand or not all(scalar(v) for v in operand)):
        raise fail(where, "must be a non-empty list of strings, numbers or booleans")
    if op in TEXT_OPS:
        values = operand if isinstance(operand, list) else [operand]
        if not values or not all(isinstance(v, str) and v for v in values):
            raise fail(where, "must be a non-empty string or list of strings")
    if op == "exists" and not isinstance(operand, bool):
        raise fail(where, "must be true or false")
    if op == "matches":
        if not isinstance(operand, str):
            raise fail(where, "must be a regular expression")
        try:
            re.compile(operand)
        except re.error as exc:
            raise fail(where, f"not a valid regular expression ({exc})") from exc
