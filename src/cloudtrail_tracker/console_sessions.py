"""Console sessions: each console sign-in of a person and the console changes (ClickOps) made under it.

Two halves, both pure (no AWS):

- At ingest, :func:`console_marker` gives every event a short marker kept in its page summary
  (dal/pages.py): ``L|<outcome>|<MFA used>`` for a ConsoleLogin, ``C|<session start>`` for a
  successful change made in the console (the ``console_change`` check of the shipped rules.yaml's
  ``console-change`` rule), ``""`` for everything else. It costs bytes in the pages, no new items.
- At query time, :func:`sessions_of` groups one actor's marked rows of a window into sessions: a
  change belongs to the latest successful sign-in at or before its session's start (the role
  session's ``creationDate``, 60 s of clock slack allowed); changes whose sign-in is not in the
  window are grouped by their session start under a session "started before this range".
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from .alerts.evaluate import CHECKS
from .alerts.rules import load_rule_file

CONSOLE_CHANGE_RULE = "console-change"
LOGIN_EVENT = "ConsoleLogin"
LOGIN, CHANGE = "L", "C"  # the marker's kinds
NO_MARKER = ""
SEP = "|"
MAX_VALUE_CHARS = 32  # outcome / MFA values: "Success", "Yes"; anything longer is not CloudTrail's
SLACK_S = 60  # a session's creationDate may read a little before its ConsoleLogin's eventTime
MAX_SESSIONS = 100
MAX_CHANGES = 200  # per session
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

Test = Callable[[Mapping[str, Any]], bool]


# ---- the marker (ingest)

@functools.cache
def _console_change() -> Test:
    """The shipped console-change rule's check, compiled once (it runs on every event)."""
    rule = next((r for r in load_rule_file() if r.id == CONSOLE_CHANGE_RULE), None)
    factory = CHECKS.get("console_change")
    test = factory(rule.parameters) if rule is not None and factory is not None else None
    return test if test is not None else (lambda _record: False)


def console_marker(record: Mapping[str, Any], error_code: str) -> str:
    """The console marker of ``record`` (``error_code``: its errorCode, "" when absent)."""
    if record.get("eventName") == LOGIN_EVENT:
        outcome = _text(_get(record, "responseElements", "ConsoleLogin"))
        mfa = _text(_get(record, "additionalEventData", "MFAUsed"))
        mfa = {"yes": "Yes", "no": "No"}.get(mfa.lower(), mfa)  # root sign-ins have been seen saying "YES"
        return f"{LOGIN}{SEP}{outcome}{SEP}{mfa}"
    if error_code or not _console_change()(record):
        return NO_MARKER
    start = _get(record, "userIdentity", "sessionContext", "attributes", "creationDate")
    return f"{CHANGE}{SEP}{normalised_time(start)}"


def _get(record: Mapping[str, Any], *path: str) -> object:
    node: object = record
    for name in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(name)
    return node


def _text(value: object) -> str:
    """A short plain ASCII value (always writable to a page); anything else, or the separator, is left out."""
    ok = isinstance(value, str) and len(value) <= MAX_VALUE_CHARS and value.isascii() and SEP not in value
    return value if ok and isinstance(value, str) else ""


def normalised_time(value: object) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` (UTC) of a CloudTrail time in any of its spellings, "" when it is none."""
    if not isinstance(value, str) or not value.isascii() or len(value) > 40:
        return ""
    try:
        parsed = datetime.fromisoformat(value.strip().replace(" ", "T", 1))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        text = parsed.astimezone(UTC).strftime(_TIME_FORMAT)
    except (ValueError, OverflowError):
        return ""
    return text if len(text) == 20 else ""  # years before 1000 print short: not a real session


def parse_marker(marker: object) -> tuple[str, ...]:
    """``("L", outcome, mfa)``, ``("C", session start)`` or ``()`` for no (or an unknown) marker."""
    if not isinstance(marker, str) or not marker:
        return ()
    parts = tuple(marker.split(SEP))
    if parts[0] == LOGIN and len(parts) == 3 or parts[0] == CHANGE and len(parts) == 2:
        return parts
    return ()


# ---- sessions (query)

def _shift(event_time: str, seconds: int) -> str:
    try:
        moment = datetime.strptime(event_time[:19], "%Y-%m-%dT%H:%M:%S") + timedelta(seconds=seconds)
    except (ValueError, OverflowError):
        return event_time
    return moment.strftime(_TIME_FORMAT)


def _sign_in(row: Mapping[str, Any], outcome: str, mfa: str) -> dict:
    return {"eventTime": row.get("eventTime", ""), "eventID": row.get("eventID", ""), "outcome": outcome, "mfa": mfa,
            "sourceIP": row.get("sourceIP", "") or "", "region": row.get("region", "") or ""}


def _change(row: Mapping[str, Any]) -> dict:
    source = row.get("eventSource", "") or ""
    return {"eventTime": row.get("eventTime", ""), "eventID": row.get("eventID", ""), "eventName": row.get("eventName", ""),
            "service": source.split(".", 1)[0], "region": row.get("region", "") or "",
            "resources": list(row.get("resources") or [])}


def sessions_of(rows: Iterable[Mapping[str, Any]], max_sessions: int = MAX_SESSIONS,
                max_changes: int = MAX_CHANGES) -> dict:
    """One actor's console sessions from their rows of a window (any order; rows without a marker are
    ignored): ``{"sessions": [...], "truncated": bool}``, newest session first, each session's
    changes oldest first. A session is ``{"signIn": {...} | None, "sessionStart", "startedBeforeRange",
    "changes", "changeCount", "truncated"}``; a failed sign-in is a session without changes."""
    sign_ins: list[tuple[Mapping[str, Any], str, str]] = []
    changes: list[tuple[Mapping[str, Any], str]] = []
    for row in rows:
        marker = parse_marker(row.get("console"))
        if marker and marker[0] == LOGIN:
            sign_ins.append((row, marker[1], marker[2]))
        elif marker:
            changes.append((row, marker[1]))
    sign_ins.sort(key=lambda entry: (entry[0].get("eventTime", ""), entry[0].get("eventID", "")))
    sessions = [{"signIn": _sign_in(row, outcome, mfa), "sessionStart": row.get("eventTime", ""),
                 "startedBeforeRange": False, "changes": []} for row, outcome, mfa in sign_ins]
    # A failed sign-in starts no session: its changes (none) cannot be attributed to it.
    opened = [i for i, (_, outcome, _mfa) in enumerate(sign_ins) if outcome != "Failure"]
    opened_at = [_shift(sessions[i]["sessionStart"], -SLACK_S) for i in opened]
    before: dict[str, dict] = {}
    for row, start in changes:
        moment = start or row.get("eventTime", "")  # no creationDate: the change's own time is the best guess
        found = bisect_right(opened_at, moment)
        if found:
            sessions[opened[found - 1]]["changes"].append(_change(row))
        else:
            before.setdefault(start, {"signIn": None, "sessionStart": start, "startedBeforeRange": True,
                                      "changes": []})["changes"].append(_change(row))
    everything = sessions + list(before.values())
    # newest first: by start, a sign-in after the sessions it follows; an unknown start ("") last
    everything.sort(key=lambda s: (s["sessionStart"], s["signIn"]["eventID"] if s["signIn"] else ""), reverse=True)
    for session in everything:
        found_changes = sorted(session["changes"], key=lambda c: (c["eventTime"], c["eventID"]))
        session["changeCount"] = len(found_changes)
        session["truncated"] = len(found_changes) > max_changes
        session["changes"] = found_changes[:max_changes]
    return {"sessions": everything[:max_sessions], "truncated": len(everything) > max_sessions}
