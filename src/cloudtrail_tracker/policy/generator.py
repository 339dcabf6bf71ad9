"""Least-privilege IAM policy documents from the calls a person or role was seen making. Pure.

Each observed call is mapped to its IAM actions (``actions.iam_actions_for``); each action is granted on
the ARNs seen with it where the action supports resource-level permissions for that resource type, else on
``*``. Actions with the same resource set share a statement; documents are split to stay within IAM's
6,144-character managed-policy limit. Calls that were denied, actions the IAM list does not know, and calls
that need no permission are reported apart, so the policy never silently grants a guess. The same input
always gives byte-identical documents.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from cloudtrail_tracker.call_fields import is_access_denied
from cloudtrail_tracker.policy.actions import action_resource_types, iam_actions_for, is_iam_action, resource_arn_format

POLICY_VERSION = "2012-10-17"
MAX_POLICY_CHARS = 6_144  # IAM's managed-policy size, counted without whitespace
MAX_RESOURCES_PER_ACTION = 50  # beyond this an explicit list stops being readable: grant "*"
PASS_ROLE = "iam:PassRole"
WILDCARD = "*"

_S3_ARN = re.compile(r"^arn:(?P<partition>[^:]+):s3:::(?P<bucket>[^/]+)(?:/.*)?$")
_ARN_VARIABLE = re.compile(r"\$\{([^}]+)\}")
# ARN-format variables that never contain ":" (the rest are names that may hold paths)
_SEGMENT_VARIABLES = {"Partition": r"aws[a-z-]*", "Region": r"[^:]*", "Account": r"[^:]*"}


@dataclass(frozen=True, slots=True)
class ObservedCall:
    """One kind of call an actor made, as recorded at ingest."""

    event_source: str
    event_name: str
    denied: bool  # errorCode AccessDenied* / *UnauthorizedOperation (see is_access_denied)
    resources: tuple[str, ...] = ()  # ARNs seen on it; empty means "*"
    passed_roles: tuple[str, ...] = ()  # role ARNs passed to the service (needs iam:PassRole)
    count: int = 1


@dataclass
class PolicyReport:
    """The policy documents and everything that was kept out of them."""

    policies: list[dict[str, Any]] = field(default_factory=list)
    denied: list[dict[str, Any]] = field(default_factory=list)  # {"action", "eventSource", "eventName", "count", "resources"}
    unknown: list[dict[str, Any]] = field(default_factory=list)  # {"eventSource", "eventName", "action", "count"}
    no_permission_needed: list[dict[str, Any]] = field(default_factory=list)  # {"eventSource", "eventName", "count"}
    calls: int = 0


def observed_call_from_record(record: Mapping[str, Any]) -> ObservedCall | None:
    """An ObservedCall for one CloudTrail record (resources from ``resources[].ARN``; no passed roles, which need
    per-API knowledge of requestParameters); None for a record without eventSource or eventName, and for an
    AwsServiceEvent (the service acted on its own: no permission of the actor was used)."""
    if record.get("eventType") == "AwsServiceEvent":
        return None
    source, name = record.get("eventSource"), record.get("eventName")
    if not isinstance(source, str) or not isinstance(name, str) or not source or not name:
        return None
    arns = tuple(item["ARN"] for item in record.get("resources") or () if isinstance(item, Mapping) and isinstance(item.get("ARN"), str))
    error_code = record.get("errorCode")
    return ObservedCall(source, name, denied=is_access_denied(error_code if isinstance(error_code, str) else None), resources=arns)


@cache
def _arn_pattern(prefix: str, resource_type: str) -> re.Pattern[str] | None:
    """A regex for the ARNs of one resource type, from its ARN format in the shipped data."""
    arn_format = resource_arn_format(prefix, resource_type)
    if arn_format is None:
        return None
    pieces: list[str] = []
    position = 0
    variables = list(_ARN_VARIABLE.finditer(arn_format))
    for index, variable in enumerate(variables):
        pieces.append(re.escape(arn_format[position : variable.start()]))
        name = variable[1]
        last = index == len(variables) - 1 and variable.end() == len(arn_format)
        # the trailing name may hold "/" and ":" (role paths, object keys, log-group ":*"); inner ones may not
        pieces.append(_SEGMENT_VARIABLES.get(name, r".+" if last else r"[^:/]+"))
        position = variable.end()
    pieces.append(re.escape(arn_format[position:]))
    return re.compile("".join(pieces))


def _scoped_resources(action: str, arns: Iterable[str]) -> set[str] | None:
    """The ARNs ``action`` can be granted on; None when it must be granted on "*"."""
    types = action_resource_types(action)
    if not types:
        return None
    prefix = action.partition(":")[0]
    kinds = {t.lower() for t in types}
    scoped: set[str] = set()
    for arn in arns:
        s3 = _S3_ARN.match(arn) if prefix == "s3" else None
        if s3 and "object" in kinds:
            scoped.add(f"arn:{s3['partition']}:s3:::{s3['bucket']}/*")
        elif s3 and "bucket" in kinds:
            scoped.add(f"arn:{s3['partition']}:s3:::{s3['bucket']}")
        elif any((pattern := _arn_pattern(prefix, t)) is not None and pattern.fullmatch(arn) for t in types):
            scoped.add(arn)
    return scoped or None


@dataclass
class _Grant:
    """What one action is granted on, accumulated over calls."""

    resources: set[str] = field(default_factory=set)
    wildcard: bool = False
    count: int = 0

    def add(self, scoped: set[str] | None, count: int) -> None:
        self.count += count
        if scoped is None:
            self.wildcard = True
        else:
            self.resources |= scoped

    def resource_key(self) -> tuple[str, ...]:
        if self.wildcard or len(self.resources) > MAX_RESOURCES_PER_ACTION:
            return (WILDCARD,)
        return tuple(sorted(self.resources))


def _call_actions(call: ObservedCall, actions: tuple[str, ...]) -> list[tuple[str, set[str] | None]]:
    """(action, scoped resources) for each action the call needed, with iam:PassRole for passed roles."""
    needed = [(action, _scoped_resources(action, call.resources)) for action in actions]
    if call.passed_roles:
        needed.append((PASS_ROLE, _scoped_resources(PASS_ROLE, call.passed_roles)))
    return needed


def build_policy(calls: Iterable[ObservedCall], *, include_denied: bool = False) -> PolicyReport:
    """Policy documents granting what ``calls`` used; denied, unknown and permission-free calls reported apart."""
    granted: dict[str, _Grant] = {}
    denied: dict[tuple[str, str, str], _Grant] = {}
    unknown: dict[tuple[str, str, str], int] = {}
    free: dict[tuple[str, str], int] = {}
    total = 0
    for call in calls:
        total += call.count
        mapping = iam_actions_for(call.event_source, call.event_name)
        if not mapping.actions and not call.passed_roles:
            free[(call.event_source, call.event_name)] = free.get((call.event_source, call.event_name), 0) + call.count
            continue
        for action in mapping.actions:
            if not is_iam_action(action):
                key = (call.event_source, call.event_name, action)
                unknown[key] = unknown.get(key, 0) + call.count
        known_actions = tuple(action for action in mapping.actions if is_iam_action(action))
        for action, scoped in _call_actions(call, known_actions):
            if call.denied:
                denied.setdefault((action, call.event_source, call.event_name), _Grant()).add(scoped, call.count)
            if not call.denied or include_denied:
                granted.setdefault(action, _Grant()).add(scoped, call.count)
    return PolicyReport(
        policies=_documents(_statements(granted)),
        denied=[
            {"action": action, "eventSource": source, "eventName": name, "count": grant.count, "resources": list(grant.resource_key())}
            for (action, source, name), grant in sorted(denied.items())
        ],
        unknown=[
            {"eventSource": source, "eventName": name, "action": action, "count": count}
            for (source, name, action), count in sorted(unknown.items())
        ],
        no_permission_needed=[{"eventSource": source, "eventName": name, "count": count} for (source, name), count in sorted(free.items())],
        calls=total,
    )


def _statement(actions: list[str], resources: tuple[str, ...], sid: str = "") -> dict[str, Any]:
    statement: dict[str, Any] = {"Sid": sid} if sid else {}
    statement["Effect"] = "Allow"
    statement["Action"] = actions
    statement["Resource"] = WILDCARD if resources == (WILDCARD,) else list(resources)
    return statement


def _compact_len(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":")))


_SID_ALLOWANCE = len('"Sid":"Observed999999",')  # room kept for the Sid assigned after splitting
_EMPTY_DOCUMENT_CHARS = _compact_len({"Version": POLICY_VERSION, "Statement": []})


def _fits(statement: dict[str, Any]) -> bool:
    return _EMPTY_DOCUMENT_CHARS + _SID_ALLOWANCE + _compact_len(statement) <= MAX_POLICY_CHARS


def _split(actions: list[str], resources: tuple[str, ...]) -> list[dict[str, Any]]:
    """Statements for ``actions`` on ``resources``, each small enough for a document of its own."""
    whole = _statement(actions, resources)
    if _fits(whole):
        return [whole]
    if len(actions) > 1:
        middle = len(actions) // 2
        return _split(actions[:middle], resources) + _split(actions[middle:], resources)
    if len(resources) > 1:
        middle = len(resources) // 2
        return _split(actions, resources[:middle]) + _split(actions, resources[middle:])
    # one ARN longer than a policy takes (escaped non-ASCII can make 2,048 characters six times longer): the
    # action on every resource, rather than no policy at all
    return [_statement(actions, ("*",))]


def _statements(granted: Mapping[str, _Grant]) -> list[dict[str, Any]]:
    """One statement per distinct resource set ("*" first), actions sorted, with a Sid each."""
    by_resources: dict[tuple[str, ...], list[str]] = {}
    for action in sorted(granted):
        by_resources.setdefault(granted[action].resource_key(), []).append(action)
    ordered = sorted(by_resources.items(), key=lambda item: (item[0] != (WILDCARD,), item[0]))
    statements = [piece for resources, actions in ordered for piece in _split(actions, resources)]
    return [_statement(s["Action"], _resources_of(s), sid=f"Observed{n}") for n, s in enumerate(statements, start=1)]


def _resources_of(statement: Mapping[str, Any]) -> tuple[str, ...]:
    resource = statement["Resource"]
    return (resource,) if isinstance(resource, str) else tuple(resource)


def _documents(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Statements packed in order into as few documents as fit under the size limit."""
    documents: list[list[dict[str, Any]]] = []
    size = 0
    for statement in statements:
        length = _compact_len(statement)
        if documents and size + 1 + length <= MAX_POLICY_CHARS:
            documents[-1].append(statement)
            size += 1 + length  # the "," between statements
        else:
            documents.append([statement])
            size = _EMPTY_DOCUMENT_CHARS + length
    return [{"Version": POLICY_VERSION, "Statement": group} for group in documents]
