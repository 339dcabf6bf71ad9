"""The known name a caller means by an actor, service, event name, error code or account they
gave: the exact name (one GetItem of its registry entry), else the one known name that matches
ignoring case (one Query of the registry), else a 404 naming the closest known names
(logic/names.py).

Nothing is cached across requests: an entry is written before the first event it lists, so a
name read here is never staler than the events the answer then reads.

Tenancy: a non-admin (``caller`` not an admin) is told nothing of what others did: their ``user``
is their own actor or the 403 of :meth:`Caller.require_actor` (no read), and their services, event
names, error codes and accounts are taken as given (a service's eventSource form still cut to the
service): a 404 or its hint would say whether anyone used a service, called an API or has events
in an account.

Old tables: the EVENT-NAME and ACCOUNT registries are written since this version, so they are
complete only from their oldest entry's day on: a name they miss is a 404 only for a window that
starts after that day, else it is taken as given, as before (a backfill re-registers the history).
"""

from __future__ import annotations

from cloudtrail_tracker.dal.reader import EventReader
from cloudtrail_tracker.event_names import display_name

from ..logic.errors import NotFound
from ..logic.names import canonical, service_name
from ..logic.tenancy import Caller


def known_actor(store: EventReader, name: str, parameter: str, caller: Caller | None) -> str:
    """The actor ``name`` means (``Leroy.Jenkins`` -> ``leroy.jenkins``), or NotFound for
    ``parameter`` with the closest actor names in its hint.

    A non-admin ``caller`` gets their own actor (any case of it) or the 403 of
    :meth:`Caller.require_actor`, never a 404 (which would list other actors). ``None``: an admin's
    lookup (no caller to scope, e.g. a job)."""
    if caller is not None and not caller.admin:
        if caller.actor and name.casefold() == caller.actor.casefold():
            return caller.actor
        caller.require_actor(name, parameter)
    return _known(store, "actor", name, parameter, "actor", "/users")


def known_service(store: EventReader, name: str, parameter: str, caller: Caller | None) -> str:
    """The stored service ``name`` means: ``ec2``, ``EC2`` and ``ec2.amazonaws.com`` all mean ``ec2``."""
    if _private(caller):
        return service_name(name)
    return _known(store, "service", service_name(name), parameter, "service", "/services")


def known_event_name(store: EventReader, name: str, parameter: str, caller: Caller | None, since: str) -> str:
    """The event name ``name`` means (``runinstances`` -> ``RunInstances``, ``CreateFunction`` ->
    ``CreateFunction20150331`` when that is the one versioned name it stands for), for a window
    starting on day ``since``."""
    if _private(caller):
        return name
    if store.has_name("eventName", name):
        return name
    known = store.known_names("eventName")
    versioned = [known_name for known_name in known if display_name(known_name) == name]
    if len(versioned) == 1:
        return versioned[0]
    return _canonical_or_given(store, "eventName", name, known, parameter, "event name", since)


def known_error_code(store: EventReader, name: str, parameter: str, caller: Caller | None) -> str:
    """The error code ``name`` means (``accessdenied`` -> ``AccessDenied``)."""
    if _private(caller):
        return name
    return _known(store, "errorCode", name, parameter, "error code", "")


def known_account(store: EventReader, name: str, parameter: str, caller: Caller | None, since: str) -> str:
    """The account ``name`` means, for a window starting on day ``since``."""
    name = name.strip()
    if _private(caller) or store.has_name("account", name):
        return name
    return _canonical_or_given(store, "account", name, store.known_names("account"), parameter, "account", since)


def _private(caller: Caller | None) -> bool:
    return caller is not None and not caller.admin


def _canonical_or_given(store: EventReader, registry: str, name: str, known: list[str], parameter: str, what: str,
                        since: str) -> str:
    """:func:`canonical`, except for a window the registry may not cover (an older table's history)."""
    try:
        return canonical(name, known, parameter, what)
    except NotFound:
        oldest = store.oldest_registered_day(registry)
        first_day = store.day_span()[0]  # a window from before any event starts with the events
        if oldest is None or max(since, first_day or since) < oldest:
            return name  # events older than the registry may carry it
        raise


def _known(store: EventReader, registry: str, name: str, parameter: str, what: str, listed_at: str) -> str:
    if store.has_name(registry, name):
        return name
    return canonical(name, store.known_names(registry), parameter, what, listed_at)
