"""From a raw CloudTrail record to the event we store: normalised, attributed, secret-free.

One odd record never fails its file. What cannot be stored is rejected with a reason, and
what can be mended is normalised and counted, by one rule:

- The fields that say what happened, when and how it ended -- eventID, eventTime, eventName,
  eventSource, errorCode -- reject the record (``bad-<field>``) when they are empty, not a
  string, not a real time, or longer than the DynamoDB key they feed (partition keys 2,048
  bytes, sort keys 1,024, in UTF-8; the budgets below come from dal/keys.py). An
  altered one would file the event under a name or time it does not have. eventTime must
  also lie between 2005 and a day from now: a far-future time would pin the ``lastSeen`` of
  actors and services and the month list for ever.
- The fields that only describe it -- recipientAccountId, awsRegion, sourceIPAddress, the
  resources' ARNs, tracked request parameters -- are normalised: a number becomes its
  decimal string; anything else that is not a string (a map, a list), or is too long for its
  key, is left out of the summary (the record in the trail bucket keeps it). Counted as ``bad-<field>``.
- What the table keeps must be writable by orjson, which refuses some of what the stdlib json
  reads: lone surrogates become U+FFFD (``lone-surrogate``). A record without an eventID is
  named by a hash of its JSON, so it is first made writable (:func:`writable`: integers beyond
  64 bits become strings, ``big-integer``; containers nested deeper than orjson writes become an
  ``omitted`` marker, ``deep-nesting``); dal/records.py names it the same way when it reads it back.

Odd ``userIdentity`` shapes are identity.py's: resolve_actor always returns a usable actor.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from datetime import UTC, datetime

import orjson

from . import resources
from .alerts import RuleSet, current_rules
from .call_fields import is_access_denied, passed_roles, policy_resources
from .console_sessions import console_marker
from .dal import keys
from .identity import resolve_actor
from .models import Actor, Call, StoredEvent
from .noise import NoiseFilter
from .sanitize import is_secret_key
from .settings import Settings

MAX_RESOURCES = 20
_ID_NAMESPACE = uuid.UUID("6f1c3a0e-9a52-4c59-a2a4-1a3b7e0d2c11")

EARLIEST_TIME = "2005-01-01T00:00:00Z"  # CloudTrail started in 2013; earlier is a broken clock
CLOCK_SKEW_S = 86_400  # events up to a day ahead are kept
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

# What each field may take of the keys it feeds (UTF-8 bytes; dal/keys.py keeps every key within
# DynamoDB's limits): an eventID names its locator and claim, a service or error code its registry entry.
MAX_EVENT_ID_BYTES = keys.MAX_EVENT_ID_BYTES
MAX_EVENT_NAME_BYTES = keys.MAX_NAME_BYTES  # it names counters, which live in one item with the others
MAX_SOURCE_BYTES = keys.MAX_NAME_BYTES
MAX_ERROR_CODE_BYTES = keys.MAX_NAME_BYTES
MAX_ARN_BYTES = 2048  # an ARN is at most 2,048 characters
MAX_PLACE_BYTES = keys.MAX_PLACE_BYTES  # account and region name claim items
MAX_TRACKED_VALUE_CHARS = 256  # it names a counter; real instance types and engines are short

MAX_DEPTH = 200  # orjson writes at most 254 levels
_INT_RANGE = (-(2**63), 2**64 - 1)  # what orjson writes
_TOO_DEEP = {"omitted": True, "reason": "nested too deep"}


class RecordRejected(Exception):
    """A record that is not stored; ``reason`` goes into the file's summary. ``noise``: a real call the
    noise filter drops (its call still counts for the policies: :meth:`EventBuilder.call_of`)."""

    def __init__(self, reason: str, noise: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.noise = noise


def normalise_time(value, latest: str | None = None) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` in UTC from the spellings found in the wild, between
    :data:`EARLIEST_TIME` and ``latest`` (default: a day from now)."""
    if value is None or value == "":
        raise RecordRejected("no-eventTime")
    if latest is None:
        latest = time.strftime(_TIME_FORMAT, time.gmtime(time.time() + CLOCK_SKEW_S))
    if not isinstance(value, str):
        raise RecordRejected("bad-eventTime")
    if _is_canonical(value):  # CloudTrail's own form: the hot path
        try:
            datetime.fromisoformat(value)  # a real date and time of day, in ASCII digits
        except ValueError:
            raise RecordRejected("bad-eventTime") from None
        text = value
    else:
        text = _parsed_time(value)
    if not EARLIEST_TIME <= text <= latest:
        raise RecordRejected("bad-eventTime")
    return text


def _is_canonical(value: str) -> bool:
    """Shaped ``YYYY-MM-DDTHH:MM:SSZ`` (fromisoformat then checks the digits and ranges)."""
    return (len(value) == 20 and value[19] == "Z" and value[10] == "T" and value[4] == value[7] == "-"
            and value[13] == value[16] == ":" and value.isascii())


def _parsed_time(value: str) -> str:
    if not value.isascii():  # fromisoformat would read other scripts' digits
        raise RecordRejected("bad-eventTime")
    try:
        parsed = datetime.fromisoformat(value.replace(" ", "T", 1))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC).strftime(_TIME_FORMAT)
    except (ValueError, OverflowError):  # OverflowError: an offset past year 1 or 9999
        raise RecordRejected("bad-eventTime") from None


def service_of(event_source: str) -> str:
    return event_source.split(".", 1)[0]


def event_id_of(record: dict) -> str:
    """CloudTrail's eventID; records before 1.01 have none, so derive a stable one."""
    event_id = record.get("eventID")
    if isinstance(event_id, str) and event_id:
        return event_id
    return str(uuid.uuid5(_ID_NAMESPACE, orjson.dumps(record, option=orjson.OPT_SORT_KEYS).decode()))


class EventBuilder:
    """Turns records into :class:`StoredEvent` with the configured noise filter."""

    def __init__(self, settings: Settings):
        self._noise = NoiseFilter(settings)
        secret = [name for name in settings.tracked_attributes if is_secret_key(name)]
        if secret:  # its values would be counted and listed: fail closed
            raise ValueError(f"TRACKED_ATTRIBUTES names secret fields: {', '.join(secret)}")
        self._tracked = settings.tracked_attributes
        self._rules_location = settings.alert_rules_path
        self._rules = current_rules(self._rules_location)
        self._trusted_roles = settings.trusted_session_roles
        self._latest = ""
        self._latest_until = 0.0

    def build(self, record: dict, default_account: str = "", normalised: Counter | None = None) -> StoredEvent:
        """The event of ``record``, or :class:`RecordRejected`; what had to be normalised is
        counted in ``normalised`` (see the module docstring)."""
        event_name = record.get("eventName")
        event_source = record.get("eventSource")
        if not isinstance(event_name, str) or not isinstance(event_source, str):
            raise RecordRejected("not-an-event")
        reason = self._noise.drop_reason(event_name, event_source, _error_code(record), record.get("requestParameters"))
        if reason and not resources.handles(event_source, event_name):  # what resources are made of is never noise
            raise RecordRejected(reason, noise=True)
        event_time = normalise_time(record.get("eventTime") or record.get("@timestamp"), self._latest_time())
        event_id, record = identify(record, normalised)
        # Read again: making the record writable may have replaced characters in these.
        event_name, event_source, error_code = record["eventName"], record["eventSource"], _error_code(record)
        service = service_of(event_source)
        if not _fits(event_id, MAX_EVENT_ID_BYTES):
            raise RecordRejected("bad-eventID")
        if not event_name or not _fits(event_name, MAX_EVENT_NAME_BYTES):
            raise RecordRejected("bad-eventName")
        if not service or not _fits(event_source, MAX_SOURCE_BYTES):
            raise RecordRejected("bad-eventSource")
        if not _fits(error_code, MAX_ERROR_CODE_BYTES):
            raise RecordRejected("bad-errorCode")
        actor = resolve_actor(record.get("userIdentity"), self._trusted_roles)
        account = (_place(record.get("recipientAccountId"), "recipientAccountId", normalised)
                   or _place(actor.account, "userIdentity.accountId", normalised) or default_account)
        event = StoredEvent(
            event_id=event_id,
            event_time=event_time,
            event_name=event_name,
            event_source=event_source,
            service=service,
            actor=actor,
            account=account,
            region=_place(record.get("awsRegion"), "awsRegion", normalised),
            source_ip=_place(record.get("sourceIPAddress"), "sourceIPAddress", normalised),
            error_code=error_code,
            read_only=record.get("readOnly") if isinstance(record.get("readOnly"), bool) else None,
            resources=_resource_arns(record.get("resources"), normalised),
            tracked=self._tracked_values(record.get("requestParameters"), normalised),
        )
        self._add_accountability(event, record)
        event.alerts = tuple(self._rules.matches(record, actor.name, actor.role, account))
        event.console = console_marker(record, error_code)  # ASCII or cut out: nothing for _summary_writable to mend
        return _summary_writable(event, normalised)

    def call_of(self, record: dict, default_account: str = "") -> Call | None:
        """The call of a record the noise filter dropped (None when it has no usable time or names)."""
        try:
            event_time = normalise_time(record.get("eventTime") or record.get("@timestamp"), self._latest_time())
        except RecordRejected:
            return None
        event_name, event_source = record["eventName"], record["eventSource"]
        if not _fits(event_name, MAX_EVENT_NAME_BYTES) or not _fits(event_source, MAX_SOURCE_BYTES):
            return None
        actor = resolve_actor(record.get("userIdentity"), self._trusted_roles)
        call = Call(event_time[:10], actor, event_source, event_name, is_access_denied(_error_code(record)),
                    policy_resources(record, _resource_arns(record.get("resources"), None)), passed_roles(record))
        try:
            orjson.dumps((call.actor.name, call.actor.role, call.event_name, call.event_source, call.resources, call.passed_roles))
        except orjson.JSONEncodeError:  # a lone surrogate: the call is not worth a failed file
            return None
        return call

    @staticmethod
    def _add_accountability(event: StoredEvent, record: dict) -> None:
        """What the resource and policy views need of the record (empty for most events)."""
        if resources.handles(event.event_source, event.event_name):
            changes = resources.changes_of(record, event_id=event.event_id, event_time=event.event_time,
                                           account=event.account, region=event.region)
            if changes:
                event.changes = tuple(changes)
                agent = record.get("userAgent")
                event.user_agent = agent if isinstance(agent, str) else ""
        event.mentions = tuple(sorted(resources.mentioned_ids(record)))
        event.call_resources = policy_resources(record, event.resources)
        event.passed_roles = passed_roles(record)

    @property
    def rules(self) -> RuleSet:
        """The alert rules the events are matched against now."""
        return self._rules

    def refresh_rules(self) -> None:
        """Look at the alert rules again (at most once a minute: an operator may have edited them)."""
        self._rules = current_rules(self._rules_location)

    def _latest_time(self) -> str:
        """A day from now, recomputed once a minute (a warm Lambda lives for hours)."""
        now = time.time()
        if now >= self._latest_until:
            self._latest = time.strftime(_TIME_FORMAT, time.gmtime(now + CLOCK_SKEW_S))
            self._latest_until = now + 60
        return self._latest

    def _tracked_values(self, request, notes: Counter | None) -> tuple[str, ...]:
        if not isinstance(request, dict) or not self._tracked:
            return ()
        found = []
        for name in self._tracked:
            value = request.get(name)
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                text = f"{name}={value}"
                if len(text) <= MAX_TRACKED_VALUE_CHARS:
                    found.append(text)
                else:
                    _note(notes, "bad-tracked-attribute")
        return tuple(found)


def _error_code(record: dict) -> str:
    error_code = record.get("errorCode") or ""
    return error_code if isinstance(error_code, str) else str(error_code)


def _fits(text: str, limit: int) -> bool:
    """Whether ``text`` takes at most ``limit`` bytes of UTF-8 (without encoding short ones)."""
    return len(text) <= limit // 4 or len(text.encode()) <= limit


def _note(notes: Counter | None, reason: str) -> None:
    if notes is not None:
        notes[reason] += 1


def _place(value, field: str, notes: Counter | None) -> str:
    """A descriptive field as a string that fits its key, or "" (counted) when it cannot be one."""
    if isinstance(value, str) and _fits(value, MAX_PLACE_BYTES):
        return value
    if value is None or value == "":
        return ""
    _note(notes, f"bad-{field}")
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else ""
    return text if _fits(text, MAX_PLACE_BYTES) else ""


def _resource_arns(resources, notes: Counter | None) -> tuple[str, ...]:
    if not isinstance(resources, list):
        return ()
    arns, unusable = [], False
    for resource in resources:
        arn = (resource.get("ARN") or resource.get("arn")) if isinstance(resource, dict) else None
        if arn is None:
            continue
        if not isinstance(arn, str) or not arn or not _fits(arn, MAX_ARN_BYTES):
            unusable = True  # no link under it; the stored record keeps it
        elif arn not in arns:
            arns.append(arn)
            if len(arns) == MAX_RESOURCES:
                break
    if unusable:
        _note(notes, "bad-resource-ARN")
    return tuple(arns)


# ---- records the stdlib json reads but orjson cannot write

def identify(record: dict, notes: Counter | None = None) -> tuple[str, dict]:
    """(eventID, record); a record without an eventID is named by a hash of its JSON, so it is first
    made writable if orjson refuses it (then the record returned is that copy). Records are not
    stored: the trail bucket keeps them, and what the API shows of them is redacted on the way out."""
    try:
        return event_id_of(record), record
    except orjson.JSONEncodeError:
        found: set[str] = set()
        record = _writable(record, 1, found)
        for reason in sorted(found):
            _note(notes, reason)
        return event_id_of(record), record


def writable(record: dict) -> dict:
    """A copy of ``record`` orjson can write (see the module docstring)."""
    return _writable(record, 1, set())


def _summary_writable(event: StoredEvent, notes: Counter | None) -> StoredEvent:
    """``event`` with every string the table keeps of it writable as UTF-8 (a lone surrogate is
    valid JSON, not valid UTF-8): usually a single check."""
    actor = event.actor
    texts = (event.event_id, event.event_name, event.event_source, event.error_code, event.account, event.region,
             event.source_ip, actor.name, actor.type, actor.role, *event.resources, *event.tracked)
    try:
        orjson.dumps(texts)
    except orjson.JSONEncodeError:
        _mend_texts(event, notes)
    try:
        orjson.dumps((event.changes and [(c.resource_id, c.arn, c.attributes) for c in event.changes], event.mentions,
                      event.call_resources, event.passed_roles, event.user_agent))
    except orjson.JSONEncodeError:  # what describes resources is left out rather than mended: ids must be exact
        _note(notes, "lone-surrogate")
        event.changes, event.mentions, event.call_resources, event.passed_roles, event.user_agent = (), (), (), (), ""
    return event


def _mend_texts(event: StoredEvent, notes: Counter | None) -> None:
    actor = event.actor
    found: set[str] = set()
    fix = lambda text: _writable_text(text, found)  # noqa: E731
    event.event_id, event.event_name, event.event_source = fix(event.event_id), fix(event.event_name), fix(event.event_source)
    event.error_code, event.account, event.region = fix(event.error_code), fix(event.account), fix(event.region)
    event.source_ip = fix(event.source_ip)
    event.actor = Actor(name=fix(actor.name), type=fix(actor.type), role=fix(actor.role), account=fix(actor.account),
                        arn=fix(actor.arn))
    event.resources = tuple(fix(arn) for arn in event.resources)
    event.tracked = tuple(fix(value) for value in event.tracked)
    for reason in sorted(found):
        _note(notes, reason)


def _writable(node, depth: int, found: set[str]):
    """A copy of ``node`` orjson can write; ``found`` collects what was changed."""
    if isinstance(node, (dict, list)) and depth > MAX_DEPTH:
        found.add("deep-nesting")
        return dict(_TOO_DEEP)
    if isinstance(node, dict):
        return {_writable_text(key, found): _writable(value, depth + 1, found) for key, value in node.items()}
    if isinstance(node, list):
        return [_writable(value, depth + 1, found) for value in node]
    if isinstance(node, str):
        return _writable_text(node, found)
    if isinstance(node, int) and not isinstance(node, bool) and not _INT_RANGE[0] <= node <= _INT_RANGE[1]:
        found.add("big-integer")
        return str(node)
    return node


def _writable_text(text: str, found: set[str]) -> str:
    try:
        text.encode()
    except UnicodeEncodeError:  # a lone surrogate: "\ud800" is valid JSON, not valid UTF-8
        found.add("lone-surrogate")
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text
