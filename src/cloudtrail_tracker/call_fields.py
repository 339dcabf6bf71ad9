"""What a record says about the permissions its call used: whether it was denied, the ARNs a policy
would grant it on and the roles it passed to a service (``iam:PassRole``). Cheap on purpose (it runs for every record,
stored or dropped): the record's ``resources[]``, S3's bucket name, and the top-level request
parameters that hold a role ARN."""

from __future__ import annotations

MAX_ARN_CHARS = 2048
MAX_PASSED = 5
# AssumeRole's roleArn is the role asked for, not one handed to a service
_NOT_PASSING = frozenset({"sts.amazonaws.com", "signin.amazonaws.com", "sso.amazonaws.com"})


def policy_resources(record: dict, resource_arns: tuple[str, ...]) -> tuple[str, ...]:
    """``resource_arns`` (the record's ``resources[]``) and, for S3, its bucket's ARN."""
    if record.get("eventSource") != "s3.amazonaws.com":
        return resource_arns
    request = record.get("requestParameters")
    bucket = request.get("bucketName") if isinstance(request, dict) else None
    if not isinstance(bucket, str) or not bucket or len(bucket) > 255 or "/" in bucket:
        return resource_arns
    arn = f"arn:aws:s3:::{bucket}"
    return resource_arns if arn in resource_arns else (*resource_arns, arn)


def passed_roles(record: dict) -> tuple[str, ...]:
    """Role ARNs among the top-level request parameters of a call that hands them to a service."""
    request = record.get("requestParameters")
    if not isinstance(request, dict) or record.get("readOnly") is True or record.get("eventSource") in _NOT_PASSING:
        return ()
    found: list[str] = []
    for value in request.values():
        if (isinstance(value, str) and value.startswith("arn:aws") and ":iam::" in value and ":role/" in value
                and len(value) <= MAX_ARN_CHARS and value not in found):
            found.append(value)
            if len(found) == MAX_PASSED:
                break
    return tuple(found)


def is_access_denied(error_code: str | None) -> bool:
    """Whether a CloudTrail ``errorCode`` says the caller lacked permission (AccessDenied, AccessDeniedException,
    Client.UnauthorizedOperation, UnauthorizedOperation, ...)."""
    if not error_code:
        return False
    return error_code.startswith("AccessDenied") or error_code.endswith("UnauthorizedOperation")
