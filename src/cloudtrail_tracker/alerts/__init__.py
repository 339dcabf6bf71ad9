"""Alerts: detection rules as data (rules.yaml, rules.py) and the pure per-event evaluator (evaluate.py).

Storage, threshold counting, dedupe and delivery live elsewhere; this package only says which rules a
CloudTrail record matches and what to count and dedupe on.
"""

from __future__ import annotations

import functools

from .evaluate import Match, RuleSet, load_rules
from .rules import SEVERITIES, SHIPPED_RULES_PATH, Exclusions, Rule, load_rule_file, parse_rules

__all__ = ["SEVERITIES", "SHIPPED_RULES_PATH", "Exclusions", "Match", "Rule", "RuleSet", "current_rules", "load_rule_file", "load_rules",
           "parse_rules"]


RULES_REFRESH_SECONDS = 60


def current_rules(location: str = "") -> RuleSet:
    """The rules at ``location`` (a path, ``s3://bucket/key`` or ``ssm:/parameter/name``: read again at most every
    minute), else the shipped ones. The document is a whole rules file or ``overrides`` of the shipped rules
    (rules.with_overrides). One that does not parse raises until it is fixed (alerts never silently stop)."""
    if not location:
        return _shipped_rules()
    from ..clients import client
    from ..roster import read_course_file

    return read_course_file(location, _rule_set, RULES_REFRESH_SECONDS, lambda: client("s3"),
                            ssm_client=lambda: client("ssm"))


@functools.cache
def _shipped_rules() -> RuleSet:
    """Compiled once: the ingest asks for the rules at every file it reads."""
    return load_rules()


def _rule_set(text: str, name: str) -> RuleSet:
    return RuleSet(list(parse_rules(text, name)))
