"""The policy generator: resources, S3 bucket vs objects, PassRole, denied and unknown calls, the size split,
determinism and speed. Calls are written by hand; ARNs follow the formats of the IAM Service Authorization
Reference, and the record of ``test_observed_call_from_record`` follows the CloudTrail User Guide's S3 data-event
example."""

from __future__ import annotations

import json
import random
import re
import time
from typing import Any

from cloudtrail_tracker.policy import (
    MAX_POLICY_CHARS,
    MAX_RESOURCES_PER_ACTION,
    ObservedCall,
    PolicyReport,
    build_policy,
    is_access_denied,
    is_iam_action,
    observed_call_from_record,
)
from cloudtrail_tracker.policy.actions import _table

ACCOUNT = "123456789012"
TABLE = f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/Events"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/service-role/ingest-lambda"


def compact(document: dict[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"))


def grants(report: PolicyReport) -> dict[str, set[str]]:
    """action -> resources it is granted on, over all documents."""
    granted: dict[str, set[str]] = {}
    for document in report.policies:
        for statement in document["Statement"]:
            resources = statement["Resource"]
            for action in statement["Action"]:
                granted.setdefault(action, set()).update([resources] if isinstance(resources, str) else resources)
    return granted


def test_document_shape() -> None:
    report = build_policy([ObservedCall("dynamodb.amazonaws.com", "GetItem", denied=False, resources=(TABLE,))])
    assert len(report.policies) == 1
    document = report.policies[0]
    assert document["Version"] == "2012-10-17"
    (statement,) = document["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == ["dynamodb:GetItem"]
    assert statement["Resource"] == [TABLE]
    assert re.fullmatch(r"[A-Za-z0-9]+", statement["Sid"])
    assert report.calls == 1


def test_resources_only_where_the_action_takes_that_resource_type() -> None:
    function = f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:ingest"
    report = build_policy(
        [
            ObservedCall("lambda.amazonaws.com", "GetFunction20150331v2", denied=False, resources=(function,)),
            # a role ARN is no lambda function: GetFunction on it would grant nothing, so "*"
            ObservedCall("lambda.amazonaws.com", "GetPolicy20150331v2", denied=False, resources=(ROLE,)),
            # DescribeInstances supports no resource-level permissions at all
            ObservedCall(
                "ec2.amazonaws.com", "DescribeInstances", denied=False, resources=(f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/i-0abc",)
            ),
        ]
    )
    granted = grants(report)
    assert granted["lambda:GetFunction"] == {function}
    assert granted["lambda:GetPolicy"] == {"*"}
    assert granted["ec2:DescribeInstances"] == {"*"}


def test_a_call_without_resources_widens_the_action_to_star() -> None:
    report = build_policy(
        [
            ObservedCall("dynamodb.amazonaws.com", "Query", denied=False, resources=(TABLE,)),
            ObservedCall("dynamodb.amazonaws.com", "Query", denied=False),
        ]
    )
    assert grants(report)["dynamodb:Query"] == {"*"}


def test_s3_bucket_actions_on_the_bucket_and_object_actions_on_its_objects() -> None:
    report = build_policy(
        [
            ObservedCall("s3.amazonaws.com", "GetObject", denied=False, resources=("arn:aws:s3:::logs-bucket/AWSLogs/1/a.json.gz",)),
            ObservedCall("s3.amazonaws.com", "PutObject", denied=False, resources=("arn:aws:s3:::upload-bucket",)),
            ObservedCall("s3.amazonaws.com", "ListObjectsV2", denied=False, resources=("arn:aws:s3:::logs-bucket/AWSLogs/",)),
            ObservedCall("s3.amazonaws.com", "GetBucketPolicy", denied=False, resources=("arn:aws:s3:::logs-bucket",)),
            ObservedCall("s3.amazonaws.com", "ListBuckets", denied=False),
        ]
    )
    granted = grants(report)
    assert granted["s3:GetObject"] == {"arn:aws:s3:::logs-bucket/*"}
    assert granted["s3:PutObject"] == {"arn:aws:s3:::upload-bucket/*"}
    assert granted["s3:ListBucket"] == {"arn:aws:s3:::logs-bucket"}
    assert granted["s3:GetBucketPolicy"] == {"arn:aws:s3:::logs-bucket"}
    assert granted["s3:ListAllMyBuckets"] == {"*"}


def test_statements_group_actions_with_the_same_resources() -> None:
    queue = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:ingest"
    report = build_policy(
        [
            ObservedCall("sqs.amazonaws.com", "ReceiveMessage", denied=False, resources=(queue,)),
            ObservedCall("sqs.amazonaws.com", "DeleteMessage", denied=False, resources=(queue,)),
            ObservedCall("dynamodb.amazonaws.com", "PutItem", denied=False, resources=(TABLE,)),
        ]
    )
    statements = report.policies[0]["Statement"]
    by_resource = {tuple(s["Resource"]): s["Action"] for s in statements}
    assert by_resource[(queue,)] == ["sqs:DeleteMessage", "sqs:ReceiveMessage"]
    assert by_resource[(TABLE,)] == ["dynamodb:PutItem"]
    assert len({s["Sid"] for s in statements}) == len(statements)


def test_more_than_fifty_resources_become_star() -> None:
    tables = [f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/T{n}" for n in range(MAX_RESOURCES_PER_ACTION + 1)]
    at_cap = build_policy([ObservedCall("dynamodb.amazonaws.com", "GetItem", denied=False, resources=tuple(tables[:-1]))])
    over_cap = build_policy([ObservedCall("dynamodb.amazonaws.com", "GetItem", denied=False, resources=tuple(tables))])
    assert grants(at_cap)["dynamodb:GetItem"] == set(tables[:-1])
    assert grants(over_cap)["dynamodb:GetItem"] == {"*"}


def test_pass_role_is_granted_on_the_roles_passed() -> None:
    other = f"arn:aws:iam::{ACCOUNT}:role/batch"
    report = build_policy(
        [
            ObservedCall("lambda.amazonaws.com", "CreateFunction20150331", denied=False, passed_roles=(ROLE,)),
            ObservedCall("ec2.amazonaws.com", "RunInstances", denied=False, passed_roles=(other,)),
        ]
    )
    granted = grants(report)
    assert granted["iam:PassRole"] == {ROLE, other}
    assert granted["lambda:CreateFunction"] == {"*"}
    assert granted["ec2:RunInstances"] == {"*"}


def test_denied_calls_are_reported_apart_and_granted_only_when_asked() -> None:
    secret = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:prod/db-AbCdEf"
    calls = [
        ObservedCall("secretsmanager.amazonaws.com", "GetSecretValue", denied=True, resources=(secret,), count=3),
        ObservedCall("dynamodb.amazonaws.com", "GetItem", denied=False, resources=(TABLE,)),
    ]
    report = build_policy(calls)
    assert "secretsmanager:GetSecretValue" not in grants(report)
    assert report.denied == [
        {
            "action": "secretsmanager:GetSecretValue",
            "eventSource": "secretsmanager.amazonaws.com",
            "eventName": "GetSecretValue",
            "count": 3,
            "resources": [secret],
        }
    ]
    with_denied = build_policy(calls, include_denied=True)
    assert grants(with_denied)["secretsmanager:GetSecretValue"] == {secret}
    assert with_denied.denied == report.denied
    assert report.calls == 4


def test_unknown_and_permission_free_calls_are_reported_never_granted() -> None:
    report = build_policy(
        [
            ObservedCall("iam.amazonaws.com", "NotCreateUser", denied=False, count=2),
            ObservedCall("sts.amazonaws.com", "GetCallerIdentity", denied=False, count=5),
            ObservedCall("signin.amazonaws.com", "ConsoleLogin", denied=False),
        ]
    )
    assert report.policies == []
    assert report.unknown == [{"eventSource": "iam.amazonaws.com", "eventName": "NotCreateUser", "action": "iam:NotCreateUser", "count": 2}]
    assert report.no_permission_needed == [
        {"eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "count": 1},
        {"eventSource": "sts.amazonaws.com", "eventName": "GetCallerIdentity", "count": 5},
    ]


def _many_calls(services: tuple[str, ...]) -> list[ObservedCall]:
    """One call per real action of ``services``, with the action name as event name (a known mapping)."""
    calls = []
    for prefix in services:
        for name, _types in sorted(_table().actions[prefix].values()):
            calls.append(ObservedCall(f"{prefix}.amazonaws.com", name, denied=False))
    return calls


def test_large_policies_are_split_under_the_size_limit_keeping_every_action() -> None:
    calls = _many_calls(("ec2", "iam", "rds"))
    expected = {f"{c.event_source.split('.')[0]}:{c.event_name}" for c in calls}
    report = build_policy(calls)
    assert len(report.policies) > 1
    for document in report.policies:
        assert len(compact(document)) <= MAX_POLICY_CHARS
    assert set(grants(report)) == expected
    sids = [s["Sid"] for d in report.policies for s in d["Statement"]]
    assert len(sids) == len(set(sids))


def test_a_statement_with_many_long_resources_is_split() -> None:
    # 8 actions x 50 table ARNs of ~170 characters: the one statement they share would be ~9 KB
    tables = tuple(f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/{'very-long-table-name-' * 6}{n}" for n in range(50))
    names = ("GetItem", "PutItem", "Query", "Scan", "UpdateItem", "DeleteItem", "BatchGetItem", "BatchWriteItem")
    report = build_policy([ObservedCall("dynamodb.amazonaws.com", name, denied=False, resources=tables) for name in names])
    assert len(report.policies) > 1
    assert all(len(compact(d)) <= MAX_POLICY_CHARS for d in report.policies)
    granted = grants(report)
    assert set(granted) == {f"dynamodb:{n}" for n in names}
    assert all(resources == set(tables) for resources in granted.values())


def test_an_arn_longer_than_a_policy_grants_the_action_on_star() -> None:
    # 2,000 non-ASCII characters are escaped as \uXXXX: one statement naming it would be ~12,000 characters
    huge = f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/" + "\u00e9" * 2000
    report = build_policy([ObservedCall("dynamodb.amazonaws.com", "GetItem", denied=False, resources=(huge,))])
    assert all(len(compact(d)) <= MAX_POLICY_CHARS for d in report.policies)
    assert grants(report) == {"dynamodb:GetItem": {"*"}}


def test_same_calls_in_any_order_give_byte_identical_policies() -> None:
    calls = _many_calls(("s3", "kms")) + [
        ObservedCall("dynamodb.amazonaws.com", "GetItem", denied=False, resources=(TABLE,)),
        ObservedCall("lambda.amazonaws.com", "CreateFunction20150331", denied=True, passed_roles=(ROLE,)),
    ]
    first = build_policy(calls, include_denied=True)
    shuffled = calls[:]
    random.Random(7).shuffle(shuffled)
    second = build_policy(shuffled, include_denied=True)
    assert [compact(d) for d in first.policies] == [compact(d) for d in second.policies]
    assert first.denied == second.denied and first.unknown == second.unknown


def test_five_thousand_distinct_calls_in_well_under_a_second() -> None:
    calls = _many_calls(("ec2", "iam", "s3", "rds", "sagemaker", "glue", "lambda", "dynamodb"))
    calls += [
        ObservedCall("dynamodb.amazonaws.com", "GetItem", denied=n % 3 == 0, resources=(f"{TABLE}{n}",), passed_roles=(f"{ROLE}{n}",))
        for n in range(5_000 - len(calls))
    ]
    assert len({(c.event_source, c.event_name, c.resources) for c in calls}) == 5_000
    build_policy(calls[:10])  # the data file is loaded once, on first use
    started = time.perf_counter()
    report = build_policy(calls)
    assert time.perf_counter() - started < 1.0
    assert all(is_iam_action(a) for a in grants(report))


def test_access_denied_error_codes() -> None:
    for code in ("AccessDenied", "AccessDeniedException", "Client.UnauthorizedOperation", "UnauthorizedOperation"):
        assert is_access_denied(code), code
    for other in (None, "", "ThrottlingException", "NoSuchBucket", "ValidationException"):
        assert not is_access_denied(other), other


def test_observed_call_from_record() -> None:
    record = {
        "eventVersion": "1.08",
        "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject",
        "eventType": "AwsApiCall",
        "errorCode": "AccessDenied",
        "resources": [
            {"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::amzn-s3-demo-bucket/report.csv"},
            {"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::amzn-s3-demo-bucket"},
        ],
    }
    call = observed_call_from_record(record)
    assert call == ObservedCall(
        "s3.amazonaws.com",
        "GetObject",
        denied=True,
        resources=("arn:aws:s3:::amzn-s3-demo-bucket/report.csv", "arn:aws:s3:::amzn-s3-demo-bucket"),
    )
    assert observed_call_from_record({**record, "eventType": "AwsServiceEvent"}) is None
    assert observed_call_from_record({"eventName": "ConsoleLogin"}) is None
