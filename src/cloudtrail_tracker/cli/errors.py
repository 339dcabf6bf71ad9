"""Every CLI failure is one line on stderr that says what to do, and a non-zero exit status.

A subcommand raises :class:`CliError` for what it knows is wrong; AWS's own errors (no region, no
credentials, an endpoint that does not answer, a refused call) are translated here, once, for every
subcommand. Anything else is a bug: one line too, and ``--debug`` (or ``CLOUDTRAIL_TRACKER_DEBUG=1``)
shows the traceback.
"""

from __future__ import annotations

import os
import sys

DEBUG_ENV = "CLOUDTRAIL_TRACKER_DEBUG"
USAGE = 2  # the input is wrong: fix the command line or the file
FAILED = 1  # the command ran and something did not work


class CliError(Exception):
    """A failure the message explains (what is wrong and what to do)."""

    def __init__(self, message: str, status: int = USAGE):
        super().__init__(message)
        self.status = status


def debug_requested(argv: list[str] | None) -> bool:
    argv = sys.argv[1:] if argv is None else argv
    return "--debug" in argv or os.environ.get(DEBUG_ENV, "") not in ("", "0", "false", "no")


def explain(error: BaseException, region_hint: str = "") -> CliError:
    """The one line of ``error`` (an exception a command did not handle)."""
    if isinstance(error, CliError):
        return error
    try:
        from botocore import exceptions as boto
    except ImportError:  # pragma: no cover - botocore is a dependency
        boto = None
    if boto is not None:
        found = _aws_error(error, boto, region_hint)
        if found:
            return found
    if isinstance(error, (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)):
        return CliError(f"{error.strerror or error}: {error.filename}")
    text = str(error) or type(error).__name__
    return CliError(f"{type(error).__name__}: {text} (for the traceback, run again with --debug)", FAILED)


def _aws_error(error: BaseException, boto, region_hint: str) -> CliError | None:
    if isinstance(error, boto.NoRegionError):
        where = region_hint or "set AWS_DEFAULT_REGION (or AWS_PROFILE with a region)"
        return CliError(f"no AWS region configured: {where}, or `aws configure set region REGION`", USAGE)
    if isinstance(error, boto.NoCredentialsError):
        return CliError("no AWS credentials found: run `aws configure` or `aws sso login --profile NAME` and set "
                        "AWS_PROFILE, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", USAGE)
    if isinstance(error, boto.PartialCredentialsError):
        return CliError(f"incomplete AWS credentials ({error}): set both AWS_ACCESS_KEY_ID and "
                        "AWS_SECRET_ACCESS_KEY, or use a profile (AWS_PROFILE)", USAGE)
    if isinstance(error, boto.ProfileNotFound):
        return CliError(f"{error}: pick a profile from `aws configure list-profiles` (AWS_PROFILE)", USAGE)
    if isinstance(error, boto.TokenRetrievalError | boto.SSOTokenLoadError | boto.UnauthorizedSSOTokenError):
        return CliError(f"the AWS SSO session has expired: run `aws sso login` ({error})", USAGE)
    if isinstance(error, boto.EndpointConnectionError | boto.ConnectTimeoutError):
        url = getattr(error, "kwargs", {}).get("endpoint_url", "") or str(error)
        return CliError(f"cannot reach AWS at {url}: check the network, or that `cloudtrail-tracker local` is still "
                        "running when --endpoint-url points at it", FAILED)
    if isinstance(error, boto.ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        operation = getattr(error, "operation_name", "the call")
        if code in ("ExpiredToken", "ExpiredTokenException", "RequestExpired"):
            return CliError(f"the AWS credentials have expired: sign in again (`aws sso login`), {operation} "
                            "was refused", USAGE)
        if code in ("InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch",
                    "InvalidSignatureException"):
            return CliError(f"AWS does not accept these credentials ({code}): check AWS_PROFILE or the access key",
                            USAGE)
        if code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation"):
            return CliError(f"AWS denied {operation}: {message} (use credentials allowed to call it)", FAILED)
        return CliError(f"AWS refused {operation}: {code}: {message}", FAILED)
    if isinstance(error, boto.BotoCoreError):
        return CliError(f"AWS: {error}", FAILED)
    return None
