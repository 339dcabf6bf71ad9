"""Alerts: detection rules as data (rules.yaml, rules.py) and the pure per-event evaluator (evaluate.py).

Storage, threshold counting, dedupe and delivery live elsewhere; this package only says which rules a
CloudTrail record matches and what to count and dedupe on.
"""

from __future__ import annotations

from .evaluate import Match, RuleSet, load_rules
from .rules import SEVERITIES, SHIPPED_RULES_PATH, Exclusions, Rule, load_rule_file, parse_rules

__all__ = ["SEVERITIES", "SHIPPED_RULES_PATH", "Exclusions", "Match", "Rule", "RuleSet", "load_rule_file", "load_rules", "parse_rules"]
