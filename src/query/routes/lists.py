"""Event lists: everyone's, one actor's, service's, account's, failures, a resource's.

Each route takes the validated query parameters (one model, :class:`ListQuery`, for every list)
and passes them on to :func:`list_events`, which looks the names up (``/users/Leroy.Jenkins`` is
``leroy.jenkins``'s, ``/services/ec2.amazonaws.com`` is ``/services/ec2``; unknown names are 404s)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import unquote

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from ..logic.errors import BadRequest
from ..models import EventCount, EventList
from .answers import answers
from .event_lists import list_events
from .parameters import ErrorsQuery, ListQuery, ResourceQuery, non_empty

router = Router()
_TAG = ["events"]
# 404: an unknown actor, service, account, eventName or errorCode (routes/lookup.py)
_ANSWERS = answers(404)


@router.get("/scan", tags=_TAG, responses=_ANSWERS, summary="Events of everyone in a window (newest first)")
def scan(query: Annotated[ListQuery, Query()]) -> EventList | EventCount:
    return list_events(router.current_event, "scan", None, query)


@router.get("/users/<user>", tags=_TAG, responses=_ANSWERS, summary="Events of one actor")
def user_events(user: str, query: Annotated[ListQuery, Query()]) -> EventList | EventCount:
    return list_events(router.current_event, "user", unquote(user), query)


@router.get("/services/<service>", tags=_TAG, responses=_ANSWERS, summary="Events of one service (ec2, s3, ... or its eventSource)")
def service_events(service: str, query: Annotated[ListQuery, Query()]) -> EventList | EventCount:
    return list_events(router.current_event, "service", unquote(service), query)


@router.get("/accounts/<account>", tags=_TAG, responses=_ANSWERS, summary="Events recorded for one account (organization trails)")
def account_events(account: str, query: Annotated[ListQuery, Query()]) -> EventList | EventCount:
    return list_events(router.current_event, "account", unquote(account), query)


@router.get("/errors", tags=_TAG, responses=_ANSWERS, summary="Failed and denied calls (of one errorCode, or all; of one user, or all)")
def errors(query: Annotated[ErrorsQuery, Query()]) -> EventList | EventCount:
    return list_events(router.current_event, "errors", query.error_code or None, query, user=non_empty(query.user, "user"))


def _resource(arn: str | None, query: ListQuery) -> EventList | EventCount:
    if not arn or not arn.startswith("arn:"):
        raise BadRequest("arn is missing or not an ARN", "give the resource's ARN, e.g. ?arn=arn:aws:s3:::my-bucket", "arn")
    return list_events(router.current_event, "resource", arn, query)


@router.get("/resources", tags=_TAG, responses=_ANSWERS, summary="Events that touched a resource (CloudTrail's resources[].ARN)")
def resource_events(query: Annotated[ResourceQuery, Query()]) -> EventList | EventCount:
    return _resource(query.arn, query)

