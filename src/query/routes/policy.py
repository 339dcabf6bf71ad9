"""Least-privilege policies from what was called: ``/users/{user}/policy``, ``/roles/{role}/policy``.

The calls are read from the calls items of the window (every event, the ones the noise filter
dropped too); the policy is built by cloudtrail_tracker.policy. A non-admin's role policy is made
of their own calls under that role only (the role's other sessions are other people's).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import unquote

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from cloudtrail_tracker.dal.calls import CallRow
from cloudtrail_tracker.policy import iam_data_source

from ..logic.errors import Forbidden, NotFound
from ..logic.policies import policy_answer
from ..logic.window import parse_window
from ..models import PolicyAnswer
from .answers import answers
from .caller import call_reader, caller_of, reader
from .lookup import known_actor
from .parameters import PolicyQuery, check_names, parse_flag

router = Router()
POLICY_DAYS = 90  # the default window (IAM Access Analyzer's longest)
_TAG = ["policies"]


def _window(query: PolicyQuery):
    return parse_window(query.from_, query.to, default_days=POLICY_DAYS)


def _include_denied(query: PolicyQuery) -> bool:
    return parse_flag(query.include_denied, "includeDenied", "use includeDenied=true to grant denied calls too")


def _answer(subject: str, kind: str, query: PolicyQuery, keep: Callable[[CallRow], bool], store=None) -> dict:
    """The policy answer of the calls ``keep`` selects in the query's window (``store``: the event reader, if made)."""
    window, include_denied = _window(query), _include_denied(query)
    months = (store or reader()).months_with_events(window.first_day, window.last_day)
    rows = [row for row in call_reader().calls(window.first_day, window.last_day, months) if keep(row)]
    source, date = iam_data_source()
    return policy_answer(subject, kind, window, include_denied, rows, source, date)


@router.get("/users/<user>/policy", tags=_TAG, responses=answers(404),
            summary="A least-privilege IAM policy from the calls an actor made in the window")
def user_policy(user: str, query: Annotated[PolicyQuery, Query()]) -> PolicyAnswer:
    event = router.current_event
    check_names(event, PolicyQuery)
    store = reader()
    actor = known_actor(store, unquote(user), "user", caller_of(event))
    return PolicyAnswer.model_validate(_answer(actor, "user", query, lambda row: row.actor == actor, store))


@router.get("/roles/<role>/policy", tags=_TAG, responses=answers(404),
            summary="A least-privilege IAM policy from the calls of a role's sessions in the window")
def role_policy(role: str, query: Annotated[PolicyQuery, Query()]) -> PolicyAnswer:
    event = router.current_event
    check_names(event, PolicyQuery)
    caller = caller_of(event)
    if not caller.admin and not caller.actor:
        raise Forbidden("your sign-in names no actor", "ask an admin to map your user to an actor")
    name = unquote(role).strip()
    answer = _answer(name, "role", query, lambda row: row.role == name and (caller.admin or row.actor == caller.actor))
    if not answer["calls"]:
        raise NotFound(f"no calls by role {name!r} from {answer['from'][:10]} to {answer['to'][:10]}"
                       + ("" if caller.admin else " in your sessions"),
                       "give the role's name as the events show it (an actor's role), or a wider window", "role")
    return PolicyAnswer.model_validate(answer)
