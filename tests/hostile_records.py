"""CloudTrail records with secrets planted in every shape issue 8 found reaching the table, and
records whose identifiers must survive redaction. Shared by the unit and integration tests."""

from __future__ import annotations

import json
from dataclasses import dataclass

ACCOUNT = "111122223333"
EVENT_TIME = "2025-03-06T03:00:00Z"
USER_IDENTITY = {"type": "IAMUser", "principalId": "AIDAEXAMPLEALICE0001", "arn": f"arn:aws:iam::{ACCOUNT}:user/alice",
                 "accountId": ACCOUNT, "accessKeyId": "AKIAEXAMPLEALICE0001", "userName": "alice"}


def record(event_id: str, source: str, name: str, **parts) -> dict:
    """A well-formed management event; ``parts`` adds or replaces top-level fields."""
    base = {"eventVersion": "1.08", "userIdentity": dict(USER_IDENTITY), "eventTime": EVENT_TIME,
            "eventSource": f"{source}.amazonaws.com", "eventName": name, "awsRegion": "us-east-1",
            "sourceIPAddress": "203.0.113.7", "userAgent": "aws-cli/2.15.0", "eventID": event_id,
            "readOnly": False, "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": ACCOUNT}
    base.update(parts)
    return base


@dataclass(frozen=True)
class Shape:
    """One way a secret was stored: ``record`` holds each value of ``secrets``."""

    id: str
    record: dict
    secrets: tuple[str, ...]  # as they appear in serialised JSON (numbers as digits)


def _shape(id: str, source: str, name: str, secrets: tuple, **parts) -> Shape:
    return Shape(id, record(f"hostile-{id}", source, name, **parts), tuple(str(s) for s in secrets))


def _json(value) -> str:
    return json.dumps(value)


# Event names the default noise filter keeps: the integration test stores every record.
SECRET_SHAPES = [
    # name/value pairs: the secret is in "value", its name in a sibling
    _shape("ecs-environment", "ecs", "RegisterTaskDefinition", ("ecs-env-s3cr3t",), requestParameters={
        "family": "web", "containerDefinitions": [{"name": "app", "image": "nginx", "environment": [
            {"name": "DB_PASSWORD", "value": "ecs-env-s3cr3t"}, {"name": "LOG_LEVEL", "value": "debug"}]}]}),
    _shape("cloudformation-parameters", "cloudformation", "CreateStack", ("cfn-param-s3cr3t",), requestParameters={
        "stackName": "db", "parameters": [{"parameterKey": "DBPassword", "parameterValue": "cfn-param-s3cr3t"},
                                          {"parameterKey": "InstanceType", "parameterValue": "t3.micro"}]}),
    _shape("codebuild-environment", "codebuild", "CreateProject", ("codebuild-env-s3cr3t",), requestParameters={
        "name": "build", "environment": {"type": "LINUX_CONTAINER", "environmentVariables": [
            {"name": "GITHUB_TOKEN", "value": "codebuild-env-s3cr3t", "type": "PLAINTEXT"}]}}),
    # a list, a map or a number under a secret key
    _shape("list-under-secret-key", "elasticache", "CreateUser", ("list-s3cr3t-1", "list-s3cr3t-2"),
           requestParameters={"userName": "app", "passwords": ["list-s3cr3t-1", "list-s3cr3t-2"]}),
    _shape("map-under-secret-key", "secretsmanager", "CreateSecret", ("map-s3cr3t",),
           requestParameters={"name": "prod/db", "secretString": {"engine": "postgres", "value": "map-s3cr3t"}}),
    _shape("number-under-secret-key", "ds", "CreateDirectory", (918273645,),
           requestParameters={"name": "corp.example.com", "password": 918273645}),
    # snake_case and kebab-case names
    *[_shape(f"name-{key}", "iam", "CreateAccessKey", (f"{key}-s3cr3t",), requestParameters={key: f"{key}-s3cr3t"})
      for key in ("secret_access_key", "session_token", "client_secret", "private_key", "secret-string")],
    # names the old list did not have
    _shape("name-secretBinary", "secretsmanager", "PutSecretValue", ("c2VjcmV0LWJpbmFyeQ==",),
           requestParameters={"secretId": "prod/db", "secretBinary": "c2VjcmV0LWJpbmFyeQ=="}),
    _shape("name-authToken", "elasticache", "CreateReplicationGroup", ("auth-token-s3cr3t",),
           requestParameters={"replicationGroupId": "cache", "authToken": "auth-token-s3cr3t"}),
    _shape("name-apiKey", "events", "CreateConnection", ("api-key-s3cr3t",),
           requestParameters={"name": "partner", "authParameters": {"apiKey": "api-key-s3cr3t"}}),
    _shape("name-passwd", "ds", "ResetUserPassword", ("passwd-s3cr3t",),
           requestParameters={"userName": "bob", "passwd": "passwd-s3cr3t"}),
    _shape("name-secretKey", "datasync", "CreateLocationObjectStorage", ("secret-key-s3cr3t",),
           requestParameters={"serverHostname": "minio.example.com", "accessKey": "minio", "secretKey": "secret-key-s3cr3t"}),
    _shape("name-accessToken-refreshToken", "sso-oauth", "CreateToken", ("access-token-s3cr3t", "refresh-token-s3cr3t"),
           responseElements={"tokenType": "Bearer", "expiresIn": 3600, "accessToken": "access-token-s3cr3t",
                             "refreshToken": "refresh-token-s3cr3t"}),
    _shape("name-secret", "cognito-idp", "CreateUserPoolClient", ("plain-secret-s3cr3t",),
           responseElements={"userPoolClient": {"clientId": "abc123", "secret": "plain-secret-s3cr3t"}}),
    # credentials objects spelled otherwise, or given as a list or a string
    _shape("credentials-uppercase", "sts", "AssumeRole", ("ASIAUPPERCASE0000001", "upper-sak-s3cr3t", "upper-st-s3cr3t"),
           responseElements={"CREDENTIALS": {"accessKeyId": "ASIAUPPERCASE0000001", "secretAccessKey": "upper-sak-s3cr3t",
                                             "sessionToken": "upper-st-s3cr3t", "expiration": "Mar 6, 2025, 4:00:00 AM"}}),
    _shape("credentials-list", "sts", "AssumeRoleWithWebIdentity", ("ASIALISTEDCREDS00001", "listed-sak-s3cr3t"),
           responseElements={"credentials": [{"accessKeyId": "ASIALISTEDCREDS00001", "secretAccessKey": "listed-sak-s3cr3t"}]}),
    _shape("credentials-string", "sts", "AssumeRoot", ("ASIASTRINGCREDS00001:string-creds-s3cr3t",),
           responseElements={"credentials": "ASIASTRINGCREDS00001:string-creds-s3cr3t"}),
    # request/response parameters given as a JSON string
    _shape("request-parameters-json-string", "rds", "CreateDBInstance", ("json-request-s3cr3t",),
           requestParameters=_json({"dBInstanceIdentifier": "db1", "masterUserPassword": "json-request-s3cr3t"})),
    _shape("response-elements-json-string", "iam", "CreateAccessKey", ("json-response-s3cr3t",),
           responseElements=_json({"accessKey": {"accessKeyId": "AKIAJSONRESPONSE0001", "secretAccessKey": "json-response-s3cr3t"}})),
    _shape("ecs-overrides-json-string", "ecs", "RunTask", ("overrides-s3cr3t",), requestParameters={
        "cluster": "default", "overrides": _json({"containerOverrides": [
            {"name": "app", "environment": [{"name": "DB_PASSWORD", "value": "overrides-s3cr3t"}]}]})}),
    _shape("json-string-with-escaped-key", "rds", "ModifyDBInstance", ("escaped-key-s3cr3t",),
           requestParameters={"dBInstanceIdentifier": "db1", "settings": '{"masterUserPass\\u0077ord": "escaped-key-s3cr3t"}'}),
    _shape("truncated-json-string", "rds", "ModifyDBInstance", ("truncated-s3cr3t",),
           requestParameters={"dBInstanceIdentifier": "db1", "settings": '{"masterUserPassword": "truncated-s3cr3t", "ap'}),
    # secrets outside requestParameters/responseElements/additionalEventData/serviceEventDetails, and deep
    _shape("error-message-text", "iam", "CreateLoginProfile", ("error-text-s3cr3t",), errorCode="PasswordPolicyViolation",
           errorMessage="Password does not conform to the policy: password=error-text-s3cr3t is too short"),
    _shape("error-message-json", "glue", "CreateConnection", ("error-json-s3cr3t",), errorCode="InvalidInputException",
           errorMessage='Invalid connection properties {"USERNAME": "admin", "PASSWORD": "error-json-s3cr3t"}'),
    _shape("user-identity", "s3", "PutObject", ("identity-s3cr3t",),
           userIdentity={**USER_IDENTITY, "sessionContext": {"attributes": {"session_token": "identity-s3cr3t"}}}),
    _shape("additional-event-data", "s3", "PutObject", ("security-token-s3cr3t",),
           additionalEventData={"SignatureVersion": "SigV4", "x-amz-security-token": "security-token-s3cr3t"}),
    _shape("tls-details", "kms", "CreateKey", ("tls-s3cr3t",),
           tlsDetails={"tlsVersion": "TLSv1.3", "clientProvidedHostHeader": "kms.us-east-1.amazonaws.com", "privateKey": "tls-s3cr3t"}),
    _shape("deep-in-service-event-details", "backup", "CreateBackupJob", ("deep-s3cr3t",),
           serviceEventDetails={"a": [{"b": {"c": [{"d": {"client-secret": "deep-s3cr3t"}}]}}]}),
    # fields that hold a secret under a name that does not say so (the per-API table)
    _shape("api-ec2-CreateKeyPair", "ec2", "CreateKeyPair", ("-----BEGIN RSA PRIVATE KEY-----MIIEkey",),
           responseElements={"keyName": "lab", "keyFingerprint": "1f:51:ae", "keyMaterial": "-----BEGIN RSA PRIVATE KEY-----MIIEkey"}),
    _shape("api-apigateway-CreateApiKey", "apigateway", "CreateApiKey", ("apigw-key-value-0123456789",),
           responseElements={"id": "k1", "name": "partner", "enabled": True, "value": "apigw-key-value-0123456789"}),
    _shape("api-ssm-PutParameter", "ssm", "PutParameter", ("ssm-value-s3cr3t",),
           requestParameters={"name": "/app/db", "type": "SecureString", "value": "ssm-value-s3cr3t"}),
    _shape("api-sts-AssumeRoleWithSAML", "sts", "AssumeRoleWithSAML", ("PHNhbWxwOlJlc3BvbnNlPg==",),
           requestParameters={"roleArn": f"arn:aws:iam::{ACCOUNT}:role/saml", "sAMLAssertion": "PHNhbWxwOlJlc3BvbnNlPg=="}),
]

# Identifiers people search for, which redaction must leave alone: (id, record, [(path, value)]).
KEPT_VALUES = [
    ("assume-role", record("kept-assume-role", "sts", "AssumeRole", requestParameters={
        "roleArn": f"arn:aws:iam::{ACCOUNT}:role/deploy", "roleSessionName": "ci"}, responseElements={
        "credentials": {"accessKeyId": "ASIAREDACTEDKEY00001", "sessionToken": "st", "expiration": "Mar 6, 2025, 4:00:00 AM"},
        "assumedRoleUser": {"assumedRoleId": "AROAEXAMPLE:ci", "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/deploy/ci"}}),
     [("eventName", "AssumeRole"), ("userIdentity.arn", USER_IDENTITY["arn"]), ("userIdentity.userName", "alice"),
      ("userIdentity.accountId", ACCOUNT), ("userIdentity.principalId", USER_IDENTITY["principalId"]),
      ("userIdentity.accessKeyId", USER_IDENTITY["accessKeyId"]),
      ("responseElements.credentials.expiration", "Mar 6, 2025, 4:00:00 AM"),
      ("responseElements.assumedRoleUser.arn", f"arn:aws:sts::{ACCOUNT}:assumed-role/deploy/ci")]),
    ("secrets-manager", record("kept-secrets-manager", "secretsmanager", "PutSecretValue", requestParameters={
        "secretId": "prod/db/password", "SecretId": "prod/db/password", "clientRequestToken": "8f7c1a2b", "secretString": "x"},
        responseElements={"arn": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:prod/db/password-AbCdEf",
                          "name": "prod/db/password", "versionId": "8f7c1a2b"}),
     [("requestParameters.secretId", "prod/db/password"), ("requestParameters.SecretId", "prod/db/password"),
      ("requestParameters.clientRequestToken", "8f7c1a2b"), ("responseElements.name", "prod/db/password"),
      ("responseElements.arn", f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:prod/db/password-AbCdEf")]),
    ("data-api", record("kept-data-api", "rds-data", "ExecuteStatement", requestParameters={
        "resourceArn": f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster:db", "database": "app",
        "secretArn": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:db-AbCdEf", "keyId": "1234abcd-12ab"}),
     [("requestParameters.secretArn", f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:db-AbCdEf"),
      ("requestParameters.keyId", "1234abcd-12ab"), ("requestParameters.database", "app")]),
    ("password-policy", record("kept-password-policy", "iam", "UpdateAccountPasswordPolicy", requestParameters={
        "minimumPasswordLength": 14, "maxPasswordAge": 90, "passwordReusePrevention": 5,
        "allowUsersToChangePassword": True, "requireSymbols": True}),
     [("requestParameters.minimumPasswordLength", 14), ("requestParameters.maxPasswordAge", 90),
      ("requestParameters.passwordReusePrevention", 5), ("requestParameters.allowUsersToChangePassword", True)]),
    ("pairs-without-secrets", record("kept-pairs", "ecs", "RegisterTaskDefinition", requestParameters={
        "containerDefinitions": [{"environment": [{"name": "LOG_LEVEL", "value": "debug"}]}],
        "tags": [{"key": "team", "value": "blue"}], "clientToken": "tok-123", "nextToken": "page-2"}),
     [("requestParameters.containerDefinitions.0.environment.0.value", "debug"),
      ("requestParameters.tags.0.value", "blue"), ("requestParameters.clientToken", "tok-123"),
      ("requestParameters.nextToken", "page-2")]),
    ("error-message", record("kept-error-message", "secretsmanager", "PutSecretValue", errorCode="AccessDenied",
        errorMessage=f"User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized to perform: "
                     f"secretsmanager:PutSecretValue on resource: prod/db/password"),
     [("errorMessage", f"User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized to perform: "
                       f"secretsmanager:PutSecretValue on resource: prod/db/password")]),
    ("key-pair-name", record("kept-key-pair", "ec2", "CreateKeyPair", requestParameters={"keyName": "lab"},
        responseElements={"keyName": "lab", "keyFingerprint": "1f:51:ae", "keyMaterial": "k"}),
     [("requestParameters.keyName", "lab"), ("responseElements.keyFingerprint", "1f:51:ae")]),
]


def at(record: dict, path: str):
    """The value at a dotted path (list indexes as numbers)."""
    node = record
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node
