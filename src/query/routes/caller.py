"""Who calls (proven by API Gateway's authorizer or SigV4) and the table they read."""

from __future__ import annotations

from typing import cast

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent

from cloudtrail_tracker.clients import client
from cloudtrail_tracker.dal.calls import CallReader
from cloudtrail_tracker.dal.reader import EventReader
from cloudtrail_tracker.dal.records import RecordStore
from cloudtrail_tracker.dal.resource_reader import ResourceReader
from cloudtrail_tracker.settings import auth_settings, query_settings

from ..logic.tenancy import Caller, resolve_caller


def caller_of(event: BaseProxyEvent) -> Caller:
    context = cast(APIGatewayProxyEvent, event).request_context
    claims = (event.raw_event.get("requestContext") or {}).get("authorizer") or {}
    claims = claims.get("claims") if isinstance(claims, dict) else None
    return resolve_caller(claims or None, context.identity.user_arn, auth_settings())


def reader() -> EventReader:
    """The table's reader (the shared clients); full records come from the trail bucket."""
    return EventReader(client("dynamodb"), query_settings().table_name, RecordStore(client("s3")))


def resource_reader() -> ResourceReader:
    return ResourceReader(client("dynamodb"), query_settings().table_name)


def call_reader() -> CallReader:
    return CallReader(client("dynamodb"), query_settings().table_name)
