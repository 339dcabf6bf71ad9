"""Finding a name the caller gave (an actor, service, event name, error code or account) among the
known names: the exact name, else the one name that matches ignoring case, else a 404 whose hint
lists the closest known names. No AWS calls: the routes read the known names (routes/lookup.py).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from cloudtrail_tracker.event_builder import service_of

from .errors import NotFound

MAX_CLOSEST = 5  # names a 404's hint lists
CUTOFF = 0.6  # difflib's similarity a name needs to be "close"


def canonical(wanted: str, known: Iterable[str], parameter: str, what: str, listed_at: str = "") -> str:
    """The known name ``wanted`` means: itself when known, else the one known name equal to it
    ignoring case. Otherwise (unknown, or several names differ from it only in case) NotFound for
    ``parameter`` with the closest known names in its hint; ``what`` names the kind in the error
    ("actor", "service", ...), ``listed_at`` where the caller finds every name ("/users")."""
    names = set(known)
    if wanted in names:
        return wanted
    folded = wanted.casefold()
    same = sorted(name for name in names if name.casefold() == folded)
    if len(same) == 1:
        return same[0]
    error = f"no {what} {wanted!r}"
    if same:
        raise NotFound(error, f"{len(same)} {what}s differ from it only in case, give one exactly: {', '.join(same)}",
                       parameter)
    raise NotFound(error, _hint(wanted, names, what, listed_at), parameter)


def closest(wanted: str, known: Iterable[str], limit: int = MAX_CLOSEST) -> list[str]:
    """Up to ``limit`` known names closest to ``wanted`` ignoring case, closest first: difflib's,
    then names that hold ``wanted`` or that it holds (``jenkins`` finds ``leroy.jenkins``)."""
    by_folded: dict[str, list[str]] = {}
    for name in sorted(set(known)):
        by_folded.setdefault(name.casefold(), []).append(name)
    folded = wanted.casefold()
    picked = difflib.get_close_matches(folded, list(by_folded), n=limit, cutoff=CUTOFF)
    if folded:
        picked += [name for name in by_folded if name not in picked and (folded in name or name in folded)]
    return [name for key in picked for name in by_folded[key]][:limit]


def _hint(wanted: str, names: set[str], what: str, listed_at: str) -> str:
    everything = f" (every {what}: {listed_at})" if listed_at else ""
    if not names:
        return f"no {what} has events yet{everything}"
    near = closest(wanted, names)
    if not near:
        return f"no {what} is close to it{everything}"
    return f"closest: {', '.join(near)}{everything}"


def service_name(wanted: str) -> str:
    """The stored service name of ``wanted``: a service (``ec2``) unchanged, an eventSource
    (``ec2.amazonaws.com``, as /services rows carry it) cut the way ingest cuts it (event_builder)."""
    return service_of(wanted.strip())
