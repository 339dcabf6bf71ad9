"""The alert evaluator: which rules a raw CloudTrail record matches, for the caller to count, dedupe and store.

Pure and fast: it runs on every stored event. Each rule's condition is compiled once into a closure,
and rules whose condition pins the eventName (or, failing that, the eventSource) are indexed by it,
so a record is tested only against the few rules that could match it. Threshold counting, dedupe
storage and delivery happen elsewhere; a Match says what to count and dedupe on. Odd records never
raise: a field that is missing or not where a dict should be simply fails the test.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .rules import KNOWN_CHECKS, Exclusions, Rule, load_rule_file

Test = Callable[[Mapping[str, Any]], bool]
_MISSING = object()
_WORLD = frozenset({"0.0.0.0/0", "::/0"})
_CIDR_KEYS = frozenset({"cidrip", "cidripv6", "cidripv4"})  # ipRanges / ipv6Ranges items; ModifySecurityGroupRules' CidrIpv4
_MAX_DEPTH = 12  # requestParameters nest a few levels; a cap keeps a hostile record cheap


@dataclass(frozen=True, slots=True)
class Match:
    rule_id: str
    severity: str
    title: str
    dedupe_key: str  # what the dedupe is per: the actor by default; e.g. the trail name for cloudtrail-stopped
    threshold: int  # 1 for plain rules
    window_minutes: int  # threshold window (0 for plain rules)
    dedupe_minutes: int
    subject: str = ""  # whom the alert is about, when not the event's actor (a budget alert: the resources' creator)


def load_rules(path: str | Path | None = None) -> RuleSet:
    """The rules of ``path`` (default: the shipped rules.yaml) compiled for matching."""
    return RuleSet(list(load_rule_file(path)))


class RuleSet:
    """Enabled per-event rules, compiled and indexed by the eventName / eventSource they pin."""

    def __init__(self, rules: list[Rule]):
        self.rules = tuple(rules)  # all of them, as loaded (budget rules are evaluated elsewhere: budget.py)
        self._compiled: list[_CompiledRule] = []
        self._by_name: dict[str, list[int]] = {}
        self._by_source: dict[str, list[int]] = {}
        self._always: list[int] = []
        for rule in rules:
            compiled = _compile_rule(rule)
            if compiled is None:
                continue
            position = len(self._compiled)
            self._compiled.append(compiled)
            names = _pinned(rule.condition, "eventName")
            sources = None if names is not None else _pinned(rule.condition, "eventSource")
            if names is not None:
                for name in names:
                    self._by_name.setdefault(name, []).append(position)
            elif sources is not None:
                for source in sources:
                    self._by_source.setdefault(source, []).append(position)
            else:
                self._always.append(position)

    @property
    def rule_ids(self) -> list[str]:
        """The active rules (enabled, per event, not switched off by empty parameters), in file order."""
        return [compiled.rule.id for compiled in self._compiled]

    def matches(self, record: dict, actor: str, role: str, account: str) -> list[Match]:
        """The rules ``record`` matches, in file order, leaving out rules that exclude this actor, role or account."""
        if not isinstance(record, dict):
            return []
        name = record.get("eventName")
        source = record.get("eventSource")
        candidates = list(self._always)
        if isinstance(name, str):
            candidates += self._by_name.get(name, ())
        if isinstance(source, str):
            candidates += self._by_source.get(source, ())
        if len(candidates) > 1:
            candidates.sort()
        found: list[Match] = []
        for position in candidates:
            compiled = self._compiled[position]
            try:
                hit = compiled.test(record)
            except Exception:  # a rule that cannot be tested on an odd record does not match
                hit = False
            # the test first: it fails for most records, and most rules exclude no one
            if hit and not (compiled.excluder and compiled.excluder.excludes(actor, role, account)):
                found.append(compiled.match(record, actor))
        return found


@dataclass(frozen=True, slots=True)
class Excluder:
    """A rule's ``exclude`` compiled: whether it ignores an actor, role or account."""

    actors: _Names
    roles: _Names
    accounts: _Names

    @classmethod
    def of(cls, exclude: Exclusions) -> Excluder:
        return cls(_Names.of(exclude.actors), _Names.of(exclude.roles), _Names.of(exclude.accounts))

    def excludes(self, actor: str, role: str, account: str) -> bool:
        return self.actors.has(actor) or self.roles.has(role) or self.accounts.has(account)

    def names_any(self) -> bool:
        return any(names.exact or names.prefixes for names in (self.actors, self.roles, self.accounts))


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    rule: Rule
    test: Test
    excluder: Excluder | None  # None: the rule excludes no one

    def match(self, record: Mapping[str, Any], actor: str) -> Match:
        rule = self.rule
        key = actor
        if rule.dedupe_by:
            value = _scalar(_get(record, rule.dedupe_by.split(".")))
            if value:
                key = value
        return Match(rule_id=rule.id, severity=rule.severity, title=rule.title, dedupe_key=key,
                     threshold=rule.threshold, window_minutes=rule.window_minutes, dedupe_minutes=rule.dedupe_minutes)


@dataclass(frozen=True, slots=True)
class _Names:
    """Exact names plus ``prefix*`` patterns."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]

    @classmethod
    def of(cls, entries: Iterable[str]) -> _Names:
        entries = list(entries)
        return cls(frozenset(e for e in entries if not e.endswith("*")), tuple(e[:-1] for e in entries if e.endswith("*")))

    def has(self, name: str) -> bool:
        return bool(name) and (name in self.exact or (bool(self.prefixes) and name.startswith(self.prefixes)))


def _compile_rule(rule: Rule) -> _CompiledRule | None:
    if not rule.enabled or rule.kind != "event" or rule.condition is None:
        return None  # budget rules are evaluated over running costs, elsewhere
    test = _compile(rule.condition, rule.parameters)
    if test is None:
        return None  # a check with nothing configured (e.g. no allowed regions) switches the rule off
    excluder = Excluder.of(rule.exclude)
    return _CompiledRule(rule, test, excluder if excluder.names_any() else None)


# --- conditions -------------------------------------------------------------------------------------------


def _compile(node: Mapping[str, Any], parameters: Mapping[str, Any]) -> Test | None:
    """A closure for one validated condition node; None when a named check is inactive (so the rule is)."""
    if "all" in node:
        children = [_compile(child, parameters) for child in node["all"]]
        if any(child is None for child in children):
            return None
        all_tests = tuple(c for c in children if c is not None)
        if len(all_tests) == 2:  # the usual shape: no generator per record
            first, second = all_tests
            return lambda record: first(record) and second(record)
        if len(all_tests) == 3:
            first, second, third = all_tests
            return lambda record: first(record) and second(record) and third(record)
        return lambda record: all(test(record) for test in all_tests)
    if "any" in node:
        any_tests = tuple(c for c in (_compile(child, parameters) for child in node["any"]) if c is not None)
        if not any_tests:
            return None
        return lambda record: any(test(record) for test in any_tests)
    if "not" in node:
        inner = _compile(node["not"], parameters)
        if inner is None:
            return None
        return lambda record: not inner(record)
    if "check" in node:
        return CHECKS[node["check"]](parameters)
    return _compile_field_test(node)


def _compile_field_test(node: Mapping[str, Any]) -> Test:
    path = tuple(node["field"].split("."))
    op = next(k for k in node if k != "field")
    operand = node[op]

    def value(record: Mapping[str, Any]) -> str | None:
        found = record.get(path[0], _MISSING) if len(path) == 1 else _get(record, path)
        return found if type(found) is str else _scalar(found)  # most values are strings: one check

    if op == "equals":
        wanted = _scalar(operand)
        return lambda record: value(record) == wanted
    if op == "not_equals":
        unwanted = _scalar(operand)
        return lambda record: value(record) != unwanted
    if op in ("in", "not_in"):
        choices = frozenset(_scalar(v) for v in operand)
        if op == "in":
            return lambda record: value(record) in choices
        return lambda record: value(record) not in choices
    if op in ("prefix", "suffix"):
        texts = tuple(operand) if isinstance(operand, list) else (operand,)

        def text_test(record: Mapping[str, Any]) -> bool:
            found = value(record)
            if found is None:
                return False
            return found.startswith(texts) if op == "prefix" else found.endswith(texts)

        return text_test
    if op == "exists":
        wanted_presence = bool(operand)
        return lambda record: _present(_get(record, path)) is wanted_presence
    pattern = re.compile(operand)  # matches

    def regex_test(record: Mapping[str, Any]) -> bool:
        found = value(record)
        return found is not None and pattern.search(found) is not None

    return regex_test


def _get(record: Mapping[str, Any], path: Iterable[str]) -> object:
    current: object = record
    for part in path:
        if not isinstance(current, dict):
            return _MISSING
        current = current.get(part, _MISSING)
    return current


def _present(value: object) -> bool:
    # JSON null and "" say "not there" in CloudTrail (invokedBy "", errorCode null in exports)
    return value is not _MISSING and value is not None and value != ""


def _scalar(value: object) -> str | None:
    """A comparable form: strings as they are, booleans as JSON writes them ("readOnly": true == "true")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return None  # missing, null, dicts and lists equal no scalar


def _pinned(node: Mapping[str, Any] | None, field_name: str) -> frozenset[str] | None:
    """The values ``field_name`` must take for ``node`` to hold, or None when the node does not pin it."""
    if node is None:
        return None
    if node.get("field") == field_name:
        if "equals" in node:
            return frozenset({_scalar(node["equals"]) or ""})
        if "in" in node:
            return frozenset(_scalar(v) or "" for v in node["in"])
        return None
    if "all" in node:
        # any child that pins the field pins the conjunction; intersect when several do
        pins = [p for p in (_pinned(child, field_name) for child in node["all"]) if p is not None]
        return frozenset.intersection(*pins) if pins else None
    if "any" in node:
        pins_any = [_pinned(child, field_name) for child in node["any"]]
        if any(p is None for p in pins_any):
            return None
        return frozenset().union(*(p for p in pins_any if p is not None))
    return None


# --- named checks: what a field test cannot say --------------------------------------------------------------

CheckFactory = Callable[[Mapping[str, Any]], Test | None]


def _open_to_world(_parameters: Mapping[str, Any]) -> Test:
    """Any cidrIp 0.0.0.0/0 or cidrIpv6 ::/0 nested anywhere under requestParameters."""

    def walk(node: object, depth: int) -> bool:
        if depth > _MAX_DEPTH:
            return False
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, str):
                    if value in _WORLD and isinstance(key, str) and key.lower() in _CIDR_KEYS:
                        return True
                elif walk(value, depth + 1):
                    return True
        elif isinstance(node, list):
            return any(walk(item, depth + 1) for item in node)
        return False

    return lambda record: walk(record.get("requestParameters"), 0)


def _source_is_ip(_parameters: Mapping[str, Any]) -> Test:
    """sourceIPAddress is an address, not a service name (sqs.amazonaws.com: AWS acting on the actor's behalf)."""

    def test(record: Mapping[str, Any]) -> bool:
        source = record.get("sourceIPAddress")
        if not isinstance(source, str):
            return False
        try:
            ipaddress.ip_address(source)
        except ValueError:
            return False
        return True

    return test


def _string_list(parameters: Mapping[str, Any], name: str) -> list[str]:
    values = parameters.get(name) or []
    return [v for v in values if isinstance(v, str) and v] if isinstance(values, list) else []


def _disallowed_region(parameters: Mapping[str, Any]) -> Test | None:
    allowed = frozenset(_string_list(parameters, "allowed_regions"))
    if not allowed:
        return None
    return lambda record: isinstance(record.get("awsRegion"), str) and record["awsRegion"] not in allowed


def _disallowed_instance_type(parameters: Mapping[str, Any]) -> Test | None:
    patterns = _string_list(parameters, "allowed_instance_types")
    if not patterns:
        return None
    allowed = re.compile("|".join(fnmatch.translate(p) for p in patterns))

    def test(record: Mapping[str, Any]) -> bool:
        types = _instance_types(record)
        return bool(types) and any(not allowed.match(t) for t in types)

    return test


def _instance_types(record: Mapping[str, Any]) -> list[str]:
    """RunInstances' requested type, else the types of the instances it returned."""
    requested = _get(record, ("requestParameters", "instanceType"))
    if isinstance(requested, str) and requested:
        return [requested]
    items = _get(record, ("responseElements", "instancesSet", "items"))
    if not isinstance(items, list):
        return []
    return [item["instanceType"] for item in items if isinstance(item, dict) and isinstance(item.get("instanceType"), str)]


def _console_change(parameters: Mapping[str, Any]) -> Test:
    """clickopsnotifier's chain: not read-only, from the console, not a read, not an ignored call, not a service."""
    ua_patterns = [re.compile(p) for p in _string_list(parameters, "console_user_agents")]
    ua_pattern = _one_pattern(ua_patterns)  # one search instead of one per pattern, when joining them changes nothing
    ua_exact = frozenset(_string_list(parameters, "console_user_agents_exact"))
    console_invokers = frozenset(_string_list(parameters, "console_invokers"))
    read_prefixes = tuple(_string_list(parameters, "read_prefixes"))
    ignored = frozenset(_string_list(parameters, "ignored_events"))
    scoped = _Names.of(_string_list(parameters, "ignored_scoped_events"))

    def from_console(record: Mapping[str, Any]) -> bool:
        if _scalar(record.get("sessionCredentialFromConsole")) == "true":
            return True
        if _scalar(_get(record, ("userIdentity", "sessionContext", "attributes", "sessionCredentialFromConsole"))) == "true":
            return True
        agent = record.get("userAgent")
        if not isinstance(agent, str):
            return False
        if agent in ua_exact:
            return True
        if ua_pattern is not None:
            return ua_pattern.search(agent) is not None
        return any(p.search(agent) for p in ua_patterns)

    def test(record: Mapping[str, Any]) -> bool:
        if _scalar(record.get("readOnly")) == "true":
            return False
        if not from_console(record):
            return False
        name = record.get("eventName")
        if not isinstance(name, str) or not name:
            return False
        if (read_prefixes and name.startswith(read_prefixes)) or name in ignored:
            return False
        source = record.get("eventSource")
        service = source.split(".", 1)[0] if isinstance(source, str) else ""
        if scoped.has(f"{service}:{name}"):
            return False
        invoked_by = _get(record, ("userIdentity", "invokedBy"))
        return not _present(invoked_by) or invoked_by in console_invokers

    return test


_UNJOINABLE = re.compile(r"\\[1-9]|\(\?P=|\(\?[aiLmsux]+[):]")  # a backreference, inline flags


def _one_pattern(patterns: list[re.Pattern[str]]) -> re.Pattern[str] | None:
    """``patterns`` as one alternation that finds what any of them does, or None when joining could change that:
    a backreference (groups are renumbered), a named group (names could clash) or inline flags (they apply to
    the whole pattern). Plain groups, as in the shipped ``signin.amazonaws.com(.*)``, only capture."""
    if not patterns or any(p.groupindex or p.flags & ~re.UNICODE or _UNJOINABLE.search(p.pattern) for p in patterns):
        return None
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns))


CHECKS: dict[str, CheckFactory] = {
    "open_to_world": _open_to_world,
    "console_change": _console_change,
    "source_is_ip": _source_is_ip,
    "disallowed_region": _disallowed_region,
    "disallowed_instance_type": _disallowed_instance_type,
}
assert frozenset(CHECKS) == KNOWN_CHECKS, "rules.py validates the check names evaluate.py implements"
