"""Event lists: everyone's, one actor's, service's, account's, failures, a resource's."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import unquote

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from ..logic.errors import BadRequest
from ..models import EventCount, EventList
from .common import (
    LIST_PARAMS,
    CountFlag,
    ErrorCode,
    EventName,
    From,
    Limit,
    Next,
    Param,
    Params,
    To,
    Value,
    Values,
    answers,
    list_events,
    non_empty,
)

router = Router()
_TAG = ["events"]
_ANSWERS = answers()


@router.get("/scan", tags=_TAG, responses=_ANSWERS, summary="Events of everyone in a window (newest first)")
def scan(from_: From = None, to: To = None, limit: Limit = 100, next: Next = None, eventName: EventName = None,
         errorCode: ErrorCode = None, params: Params = None, param: Param = None, value: Value = None,
         values: Values = None, count: CountFlag = None) -> EventList | EventCount:
    return list_events(router.current_event, "scan", None, limit=limit)


@router.get("/users/<user>", tags=_TAG, responses=_ANSWERS, summary="Events of one actor")
def user_events(user: str, from_: From = None, to: To = None, limit: Limit = 100, next: Next = None,
                eventName: EventName = None, errorCode: ErrorCode = None, params: Params = None, param: Param = None,
                value: Value = None, values: Values = None, count: CountFlag = None) -> EventList | EventCount:
    return list_events(router.current_event, "user", unquote(user), limit=limit)


@router.get("/services/<service>", tags=_TAG, responses=_ANSWERS, summary="Events of one service (ec2, s3, ...)")
def service_events(service: str, from_: From = None, to: To = None, limit: Limit = 100, next: Next = None,
                   eventName: EventName = None, errorCode: ErrorCode = None, params: Params = None,
                   param: Param = None, value: Value = None, values: Values = None,
                   count: CountFlag = None) -> EventList | EventCount:
    return list_events(router.current_event, "service", unquote(service), limit=limit)


@router.get("/accounts/<account>", tags=_TAG, responses=_ANSWERS, summary="Events recorded for one account (organization trails)")
def account_events(account: str, from_: From = None, to: To = None, limit: Limit = 100, next: Next = None,
                   eventName: EventName = None, errorCode: ErrorCode = None, params: Params = None,
                   param: Param = None, value: Value = None, values: Values = None,
                   count: CountFlag = None) -> EventList | EventCount:
    return list_events(router.current_event, "account", unquote(account), limit=limit)


@router.get("/errors", tags=_TAG, responses=_ANSWERS, summary="Failed and denied calls (of one errorCode, or all; of one user, or all)")
def errors(from_: From = None, to: To = None, limit: Limit = 100, next: Next = None, eventName: EventName = None,
           errorCode: ErrorCode = None, user: Annotated[str | None, Query(description="only this actor's failures")] = None,
           params: Params = None, param: Param = None, value: Value = None, values: Values = None,
           count: CountFlag = None) -> EventList | EventCount:
    return list_events(router.current_event, "errors", errorCode or None, LIST_PARAMS | {"user"},
                       user=non_empty({"user": user}, "user"), limit=limit)


def _resource(arn: str | None, limit: int) -> EventList | EventCount:
    if not arn or not arn.startswith("arn:"):
        raise BadRequest("arn is missing or not an ARN", "give the resource's ARN, e.g. ?arn=arn:aws:s3:::my-bucket", "arn")
    return list_events(router.current_event, "resource", arn, LIST_PARAMS | {"arn"}, limit=limit)


@router.get("/resources", tags=_TAG, responses=_ANSWERS, summary="Events that touched a resource (CloudTrail's resources[].ARN)")
def resource_events(arn: Annotated[str | None, Query(description="the resource's ARN")] = None, from_: From = None,
                    to: To = None, limit: Limit = 100, next: Next = None, eventName: EventName = None,
                    errorCode: ErrorCode = None, params: Params = None, param: Param = None, value: Value = None,
                    values: Values = None, count: CountFlag = None) -> EventList | EventCount:
    return _resource(arn, limit)


@router.get("/resources/<arn>", tags=_TAG, responses=_ANSWERS, summary="Same as /resources?arn= for ARNs without '/' (or with it as %2F)")
def resource_events_by_path(arn: str, from_: From = None, to: To = None, limit: Limit = 100, next: Next = None,
                            eventName: EventName = None, errorCode: ErrorCode = None, params: Params = None,
                            param: Param = None, value: Value = None, values: Values = None,
                            count: CountFlag = None) -> EventList | EventCount:
    return _resource(unquote(arn), limit)
