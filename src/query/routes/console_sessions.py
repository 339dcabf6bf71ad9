"""A person's console sessions: ``/users/{user}/console-sessions``, each console sign-in with the
console changes (ClickOps) made under it, from the actor's own pages (logic/console_sessions.py)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import unquote

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from ..console_models import ConsoleSessionsAnswer
from ..logic.console_sessions import console_sessions
from ..logic.window import parse_window
from .answers import answers
from .caller import caller_of, reader
from .lookup import known_actor
from .parameters import SpendQuery, check_names

router = Router()
SESSION_DAYS = 30  # the default window, as /users/{user}/cost's (the parameters are its SpendQuery's)


@router.get("/users/<user>/console-sessions", tags=["events"], responses=answers(404),
            summary="An actor's console sign-ins, newest first, each with the console changes made in that session")
def user_console_sessions(user: str, query: Annotated[SpendQuery, Query()]) -> ConsoleSessionsAnswer:
    event = router.current_event
    check_names(event, SpendQuery)
    caller = caller_of(event)
    store = reader()
    actor = known_actor(store, unquote(user), "user", caller)
    window = parse_window(query.from_, query.to, default_days=SESSION_DAYS)
    # no cap on the window (the actor page asks for any range): the read budget bounds the work (``partial``)
    found = console_sessions(store, actor, window.start, window.end)
    return ConsoleSessionsAnswer.model_validate({"user": actor, "from": window.start, "to": window.end, **found})
