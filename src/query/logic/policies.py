"""A policy answer from the call rows of one actor or role. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from cloudtrail_tracker.dal.calls import CallRow
from cloudtrail_tracker.policy import ObservedCall, build_policy

from .window import Window


def observed_calls(rows: Iterable[CallRow]) -> list[ObservedCall]:
    """The rows merged per (eventSource, eventName, denied): counts added, resources and passed roles united."""
    merged: dict[tuple[str, str, bool], list] = defaultdict(lambda: [0, {}, {}])
    for row in rows:
        entry = merged[(row.event_source, row.event_name, row.denied)]
        entry[0] += row.count
        entry[1].update(dict.fromkeys(row.resources))
        entry[2].update(dict.fromkeys(row.passed_roles))
    return [ObservedCall(source, name, denied, tuple(sorted(arns)), tuple(sorted(roles)), count)
            for (source, name, denied), (count, arns, roles) in sorted(merged.items())]


def policy_answer(subject: str, kind: str, window: Window, include_denied: bool, rows: Iterable[CallRow],
                  iam_source: str, iam_date: str) -> dict:
    """A :class:`query.models.PolicyAnswer` of the rows."""
    report = build_policy(observed_calls(rows), include_denied=include_denied)
    return {"subject": subject, "kind": kind, "from": window.start, "to": window.end, "includeDenied": include_denied,
            "policies": report.policies, "denied": report.denied, "unknown": report.unknown,
            "noPermissionNeeded": report.no_permission_needed, "calls": report.calls,
            "iamDataSource": iam_source, "iamDataDate": iam_date}
