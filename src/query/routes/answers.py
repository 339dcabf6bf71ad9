"""The answers a route can give, for the OpenAPI: 200 (the route's return type) and the errors,
each with the body every error answer has (:class:`~query.models.ErrorBody`)."""

from __future__ import annotations

from ..models import ErrorBody

_ERROR_MEANINGS = {
    400: "bad input (an unknown, repeated or invalid parameter): `error` says what is wrong, `hint` how to fix it, "
         "`parameter` which one",
    401: "not signed in (AuthMode COGNITO or IAM)",
    403: "a non-admin asking for another actor's data, or a sign-in that names no actor",
    404: "no such item, or an unknown actor, service, event name, error code or account (`hint`: the closest known names)",
    500: "the server is misconfigured (or built an invalid answer)",
    503: "the table is busy (reads were throttled): retry in a few seconds",
}


def answers(*extra: int) -> dict:
    """OpenAPI ``responses`` of a route: 200 and the errors every route can give (400, 401, 403,
    500, 503), plus ``extra`` ones."""
    statuses = sorted({400, 401, 403, 500, 503, *extra})
    errors = {status: {"description": _ERROR_MEANINGS[status], "content": {"application/json": {"model": ErrorBody}}}
              for status in statuses}
    return {200: {"description": "Successful Response"}, **errors}
