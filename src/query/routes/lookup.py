"""The known name a caller means by an actor, service, event name, error code or account they
gave: the exact name (one GetItem of its registry entry), else the one known name that matches
ignoring case (one Query of the registry), else a 404 naming the closest known names
(logic/names.py).

Nothing is cached across requests: an entry is written before the first event it lists, so a
name read here is never staler than the events the answer then reads.

Tenancy: a non-admin (``caller`` given and not an admin) is never told other actors' names or
accounts: their ``user`` is their own actor or the 403 of :meth:`Caller.require_actor` (no read),
and an unknown account is a 404 that lists no accounts. Services, event names and error codes are
AWS's vocabulary, not anyone's data: their hints list the closest names to everyone.

Old tables: the EVENT-NAME and ACCOUNT registries are written since this version. While one is
empty (nothing ingested since), the name is taken as given (no 404), as before.
"""

from __future__ import annotations

from cloudtrail_tracker.dal.reader import EventReader

from ..logic.names import canonical, service_name
from ..logic.tenancy import Caller


def known_actor(store: EventReader, name: str, parameter: str = "user", caller: Caller | None = None) -> str:
    """The actor ``name`` means (``Leroy.Jenkins`` -> ``leroy.jenkins``), or NotFound for
    ``parameter`` with the closest actor names in its hint.

    Pass ``caller`` whenever there is one: a non-admin then gets their own actor (any case of it)
    or the 403 of :meth:`Caller.require_actor`, and never a 404 (which would list other actors).
    Without ``caller`` the lookup is an admin's: only call it so for an admin."""
    if caller is not None and not caller.admin:
        if caller.actor and name.casefold() == caller.actor.casefold():
            return caller.actor
        caller.require_actor(name, parameter)
    return _known(store, "actor", name, parameter, "actor", "/users")


def known_service(store: EventReader, name: str, parameter: str = "service", caller: Caller | None = None) -> str:
    """The stored service ``name`` means: ``ec2``, ``EC2`` and ``ec2.amazonaws.com`` all mean ``ec2``."""
    return _known(store, "service", service_name(name), parameter, "service", "/services")


def known_event_name(store: EventReader, name: str, parameter: str = "eventName", caller: Caller | None = None) -> str:
    """The event name ``name`` means (``runinstances`` -> ``RunInstances``)."""
    return _known(store, "eventName", name, parameter, "event name", "", open_when_empty=True)


def known_error_code(store: EventReader, name: str, parameter: str = "errorCode", caller: Caller | None = None) -> str:
    """The error code ``name`` means (``accessdenied`` -> ``AccessDenied``)."""
    return _known(store, "errorCode", name, parameter, "error code", "")


def known_account(store: EventReader, name: str, parameter: str = "account", caller: Caller | None = None) -> str:
    """The account ``name`` means; a non-admin's 404 lists no accounts."""
    private = None
    if caller is not None and not caller.admin:
        private = f"no events are recorded for that account; your own events: /users/{caller.actor}"
    return _known(store, "account", name.strip(), parameter, "account", "", open_when_empty=True, private=private)


def _known(store: EventReader, registry: str, name: str, parameter: str, what: str, listed_at: str,
           open_when_empty: bool = False, private: str | None = None) -> str:
    if store.has_name(registry, name):
        return name
    known = store.known_names(registry)
    if not known and open_when_empty:
        return name
    return canonical(name, known, parameter, what, listed_at, private)
