"""Make moto's Lambda run our real Python handlers, in this process.

moto without Docker only echoes the payload; this patches
``LambdaSimpleBackend.invoke`` (the verified way, docs/reference local-aws.md) to import the
function's ``Handler`` and call it. An exception becomes a Lambda function error, as on AWS.
The patch is process-wide: hold it for a scope (:func:`installed`, or :func:`install` with
``LocalStack.on_stop(uninstall)``), never leave it behind.
"""

from __future__ import annotations

import json
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

from .driver import LocalContext
from .template import import_handler

_original_invoke = None
# One invocation at a time, as one Lambda instance runs one at a time. It is also needed: the
# Distributed Map runs its children in threads, and moto's DynamoDB has no locks: two children claiming
# the same event at once could both read a claim item without the other's entry and both own it. On AWS
# each invocation is its own process and DynamoDB applies an UpdateItem atomically.
_one_at_a_time = threading.Lock()


def _invoke(self, function_name, qualifier, body, headers, response_headers):
    function = self.get_function(function_name, qualifier)
    handler = import_handler(function.handler)
    if isinstance(body, bytes):
        body = body.decode()
    event = json.loads(body) if body else {}
    try:
        with _one_at_a_time:
            result = handler(event, LocalContext(function_name=function.function_name))
    except Exception as error:  # noqa: BLE001 - reported to the caller as Lambda does
        response_headers["x-amz-function-error"] = "Unhandled"
        return json.dumps({"errorMessage": str(error), "errorType": type(error).__name__,
                           "stackTrace": traceback.format_exc().splitlines()}).encode()
    return json.dumps(result).encode()


def install() -> None:
    """Patch moto (idempotent). Handlers' modules are imported on first invoke."""
    global _original_invoke
    from moto.awslambda_simple.models import LambdaSimpleBackend

    if _original_invoke is None:
        _original_invoke = LambdaSimpleBackend.invoke
        setattr(LambdaSimpleBackend, "invoke", _invoke)  # noqa: B010 - a patch, on purpose


def uninstall() -> None:
    global _original_invoke
    from moto.awslambda_simple.models import LambdaSimpleBackend

    if _original_invoke is not None:
        setattr(LambdaSimpleBackend, "invoke", _original_invoke)  # noqa: B010
        _original_invoke = None


@contextmanager
def installed() -> Iterator[None]:
    """moto's Lambda runs our handlers inside the ``with`` block (and no longer after it)."""
    install()
    try:
        yield
    finally:
        uninstall()
