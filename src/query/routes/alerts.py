"""Alerts: ``/alerts`` (newest first, filtered) and ``/alerts/{id}``. A non-admin sees the alerts about them."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from cloudtrail_tracker.clients import client
from cloudtrail_tracker.dal.alerts import AlertReader, alert_key
from cloudtrail_tracker.settings import query_settings

from ..logic.errors import BadRequest, NotFound
from ..logic.window import parse_window
from ..models import Alert, AlertList
from .answers import answers
from .caller import caller_of
from .parameters import AlertsQuery, NoParameters, check_names, non_empty

router = Router()
_TAG = ["alerts"]
MAX_ALERT_DAYS = 92  # one Query per day of the window
MAX_ALERTS = 1000  # an answer's alerts (up to ~1.8 KB of JSON each, 10 events): the newest, well inside Lambda's 6 MB response


def _reader() -> AlertReader:
    return AlertReader(client("dynamodb"), query_settings().table_name)


@router.get("/alerts", tags=_TAG, responses=answers(), summary="Alerts whose window starts in the range, newest first")
def alerts(query: Annotated[AlertsQuery, Query()]) -> AlertList:
    event = router.current_event
    check_names(event, AlertsQuery)
    caller = caller_of(event)
    window = parse_window(query.from_, query.to)
    if window.day_count > MAX_ALERT_DAYS:
        raise BadRequest(f"the window spans {window.day_count} days", f"give at most {MAX_ALERT_DAYS} days between from and to", "from")
    actor = non_empty(query.actor, "actor")
    if not caller.admin:
        caller.require_actor(actor or caller.actor or "", "actor")
        actor = caller.actor
    rule = non_empty(query.rule, "rule")

    def wanted(entry: dict) -> bool:  # decided from the day's list: other people's alerts are never read
        return ((actor is None or entry["actor"] == actor) and (rule is None or entry["rule"] == rule)
                and (query.severity is None or entry["severity"] == query.severity)
                and window.start <= entry["window"] <= window.end)

    items = _reader().listed(reversed(window.days()), wanted, MAX_ALERTS)
    return AlertList.model_validate({"items": items[:MAX_ALERTS], "truncated": len(items) > MAX_ALERTS,
                                     "from": window.start, "to": window.end})


@router.get("/alerts/<alert_id>", tags=_TAG, responses=answers(404), summary="One alert and the events that triggered it")
def one_alert(alert_id: str) -> Alert:
    event = router.current_event
    check_names(event, NoParameters)
    caller = caller_of(event)
    key = alert_key(alert_id)
    found = _reader().one(*key) if key else None
    if found is None or not caller.may_see(found["actor"]):
        raise NotFound(f"no alert {alert_id!r}", "take an id from /alerts", "id")
    return Alert.model_validate(found)
