"""Least-privilege IAM policies from observed CloudTrail calls: the event -> IAM action mapping, the shipped
IAM action list it is checked against, and the policy generator."""

from __future__ import annotations

from cloudtrail_tracker.policy.actions import (
    NO_PERMISSION,
    REASON_NO_PERMISSION,
    REASON_UNVERIFIED,
    ActionMapping,
    action_resource_types,
    canonical_action,
    iam_actions_for,
    iam_data_source,
    iam_prefix,
    is_iam_action,
)
from cloudtrail_tracker.policy.generator import (
    MAX_POLICY_CHARS,
    MAX_RESOURCES_PER_ACTION,
    ObservedCall,
    PolicyReport,
    build_policy,
    is_access_denied,
    observed_call_from_record,
)

__all__ = [
    "MAX_POLICY_CHARS",
    "MAX_RESOURCES_PER_ACTION",
    "NO_PERMISSION",
    "REASON_NO_PERMISSION",
    "REASON_UNVERIFIED",
    "ActionMapping",
    "ObservedCall",
    "PolicyReport",
    "action_resource_types",
    "build_policy",
    "canonical_action",
    "iam_actions_for",
    "iam_data_source",
    "iam_prefix",
    "is_access_denied",
    "is_iam_action",
    "observed_call_from_record",
]
