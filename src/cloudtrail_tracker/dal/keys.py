"""The single-table key design (storage model v2). Every key string the project uses is built here.

Events are not stored one item each. A log file is cut into parts of at most PART_EVENTS events;
each part writes, once:

| item | pk | sk | holds |
|---|---|---|---|
| page | ``D#<day>`` (every event), ``U#<actor>`` (one actor's, from writes with OWN_PAGE_EVENTS of theirs), ``G#<group>`` (the other actors' of a group), ``X#<day>`` (failed calls) | ``<newest eventTime>#<flush tag>#<n>`` | the compressed summaries of up to PAGE_ROWS events spanning at most PAGE_SPAN, each with its part's tag |
| counts | ``C#<YYYY-MM>`` | ``<day>#<part tag>#<n>`` | the part's counters of that day per actor (``n``, ``e:``, ``s:``, ``x:``, ``a:``); ``n`` = 0: the part's log file |
| locator | ``E#<eventID>`` | ``E`` | the counts sk naming its file (``/events/{id}`` without ``at``; only with EVENT_ID_LOOKUP) |
| claim | ``K#<account>#<region>#<5-minute slot>`` | ``<level>.<hash bits>`` | ``c``: ``<part tag> <eventID>`` entries; the first entry of an id names the part that owns it (exactly once) |
| registry | ``ACTOR`` / ``SERVICE`` / ``MONTH`` / ``DAY`` / ``ERROR`` / ``EVENT-NAME`` / ``ACCOUNT`` | name | type, role, account, ``firstSeen``, ``lastSeen`` |
| backfill progress | ``B#<execution>`` | ``PROGRESS`` / ``P#<day prefix>`` | |
| resource change | ``R#<resource id>`` | ``<place>C#<eventTime>#<eventID>`` | one create/stop/start/resize/delete of it (resources.py; place: ``<account>#<region>#<type>#``) |
| resource marker | ``R#<resource id>`` | ``T`` | the id names a resource the table tracks (mentions are kept of those only) |
| resource state | ``RS#<resource id>`` | ``<place>`` | its changes folded into lives; ``ra``/``rk`` while running (the Running index) |
| resource mentions | ``RM#<resource id>`` | ``<newest eventTime>#<flush tag>`` | a flush's events naming it |
| resources created | ``RC#<actor>`` | ``<createdAt>#<place><resource id>#<eventID>`` | what an actor created (``/users/{user}/cost``) |
| alert | ``AL#<rule>#<dedupe key>`` | ``<window start>`` | ``es``: the matching events (a set), ``fired``, ``pub`` (alerts.py) |
| alert dedupe marker | ``AL#<rule>#<dedupe key>`` | ``D#<dedupe window start>`` | a threshold rule's: the token of the window that alerted in it |
| alert listing | ``ALD#<day>`` | ``<window start>#<alert hash>`` | the alert's key, rule, severity, actor, once it fired |
| calls | ``P#<YYYY-MM>`` | ``<day>#<flush tag>#<n>`` | per actor: (eventSource, eventName, denied) called, stored or not (policies, calls.py) |

One secondary index, ``Running``, and sparse: only resource states that are running have its keys
(``ra`` account, ``rk`` region#type#id), so it costs a write unit per change of a running resource,
not per event. Any other index would cost a write unit per event.
"""  # noqa: E501 - a table does not wrap

from __future__ import annotations

import hashlib

from .. import counting

PK = "pk"
SK = "sk"

# DynamoDB's key limits, in UTF-8 bytes.
MAX_PK_BYTES = 2048
MAX_SK_BYTES = 1024
# What a value may take of the keys it feeds (the longest prefix and suffix around it below).
MAX_EVENT_ID_BYTES = 512  # locator pk, claim attribute name
MAX_NAME_BYTES = 900  # an actor (page pk), service / error code / actor (registry sk)
MAX_PLACE_BYTES = 256  # account and region in the claim pk

# ---- parts, pages and claims
PART_EVENTS = 1000  # events of one part (a log file has one or more): bounds every item a part writes
PAGE_ROWS = 500  # summaries per page
PAGE_BYTES = 200_000  # uncompressed summaries per page: far under the 400 KB item limit
PAGE_SPAN_S = 600  # the newest and oldest event of a page are at most 10 minutes apart
CLAIM_SLOT_MINUTES = 5
CLAIM_CAP = 400  # claim entries an item takes before it is full (then its children take over)
CLAIM_LEVELS = 24  # depth of the claim tree: 2**24 x CLAIM_CAP events per slot

VIEW_ALL, VIEW_ACTOR, VIEW_ERRORS = "D#", "U#", "X#"
# An actor with fewer than OWN_PAGE_EVENTS events in a write has them in its group's page (``G#<group>``,
# actors hashed into ACTOR_GROUPS) instead of a page of its own: a page costs a write unit however few
# summaries it holds, and a write of a shared account names many actors with one or two events each.
VIEW_ACTOR_GROUP = "G#"
OWN_PAGE_EVENTS = 10
ACTOR_GROUPS = 8
LOCATOR_SK = "E"


def bounded(value: str, max_bytes: int) -> str:
    """``value`` when it fits ``max_bytes`` in UTF-8, else a prefix and a hash of the whole: the same
    value always gives the same key, and two long values that share a prefix stay apart."""
    if len(value) * 4 <= max_bytes:  # no character takes more than 4 bytes
        return value
    encoded = value.encode("utf-8", "surrogatepass")
    if len(encoded) <= max_bytes:
        return value
    digest = hashlib.blake2b(encoded, digest_size=8).hexdigest()
    return encoded[: max_bytes - 18].decode("utf-8", "ignore") + "~" + digest


def part_tag(bucket: str, key: str, part: int) -> str:
    """A short, stable name of one part of one log file."""
    digest = hashlib.blake2b(f"{bucket}/{key}".encode("utf-8", "surrogatepass"), digest_size=6).hexdigest()
    return f"{digest}.{part}"


def page_pk(view: str, value: str) -> str:
    return view + (bounded(value, MAX_NAME_BYTES) if view == VIEW_ACTOR else value)


def actor_group_pk(actor: str) -> str:
    """The pk of the group pages that hold ``actor``'s events of writes where it had few."""
    digest = hashlib.blake2b(actor.encode("utf-8", "surrogatepass"), digest_size=4).digest()
    return f"{VIEW_ACTOR_GROUP}{int.from_bytes(digest, 'big') % ACTOR_GROUPS}"


def page_sk(newest_time: str, tag: str, number: int) -> str:
    return f"{newest_time}#{tag}#{number}"


def newest_time_of_page(sort_key: str) -> str:
    """The newest eventTime of a page, from its ``sk`` (:func:`page_sk`)."""
    return sort_key[:20]


def day_of_page_pk(value: str) -> str | None:
    """The day of a day view's page pk (``D#<day>``, ``X#<day>``); None for any other string."""
    for view in (VIEW_ALL, VIEW_ERRORS):
        if value.startswith(view) and len(value) == len(view) + 10:
            return value[len(view):]
    return None


def counts_pk(day: str) -> str:
    return f"C#{day[:7]}"


def counts_sk(day: str, tag: str, number: int) -> str:
    return f"{day}#{tag}#{number}"


def counts_key(sort_key: str) -> dict:
    """The key of the counts item whose ``sk`` is ``sort_key`` (a locator names it so)."""
    return {PK: {"S": counts_pk(sort_key)}, SK: {"S": sort_key}}


def file_counts_sk(day: str, tag: str) -> str:
    """The sk of the counts item that names the log file of part ``tag`` (a summary of ``day`` names its tag)."""
    return counts_sk(day, tag, 0)


def locator_key(event_id: str) -> dict:
    return {PK: {"S": f"E#{bounded(event_id, MAX_EVENT_ID_BYTES)}"}, SK: {"S": LOCATOR_SK}}


def event_id_of_locator(pk: str) -> str:
    """The (bounded) eventID a locator's pk names."""
    return pk[2:]


def claim_pk(account: str, region: str, event_time: str) -> str:
    minute = int(event_time[14:16]) // CLAIM_SLOT_MINUTES * CLAIM_SLOT_MINUTES
    return (f"K#{bounded(account, MAX_PLACE_BYTES)}#{bounded(region, MAX_PLACE_BYTES)}"
            f"#{event_time[:14]}{minute:02d}")


def claim_sk(event_id: str, level: int) -> str:
    """The claim item of ``event_id`` at ``level`` of its slot's tree: the root holds the first
    CLAIM_CAP claims; once full, each level splits the ids by ``level`` more bits of their hash."""
    if level == 0:
        return "0"
    bits = int.from_bytes(hashlib.blake2b(event_id.encode("utf-8", "surrogatepass"), digest_size=4).digest(), "big")
    return f"{level}.{bits >> (32 - level)}"


def claim_id(event_id: str) -> str:
    """How a claim item names ``event_id``."""
    return bounded(event_id, MAX_EVENT_ID_BYTES)


def claim_entry(event_id: str, tag: str) -> str:
    """One claim: ``<part tag> <id>`` (a tag has no space)."""
    return f"{tag} {claim_id(event_id)}"


# ---- registries
ACTOR_REGISTRY = "ACTOR"
SERVICE_REGISTRY = "SERVICE"
MONTH_REGISTRY = "MONTH"  # sk YYYY-MM: the months that have events
DAY_REGISTRY = "DAY"  # sk YYYY-MM-DD: the days that have events
ERROR_REGISTRY = "ERROR"  # sk <errorCode>: every error code seen
EVENT_NAME_REGISTRY = "EVENT-NAME"  # sk <eventName>: every event name seen
ACCOUNT_REGISTRY = "ACCOUNT"  # sk <account>: every account events were recorded for
# The registries the query API looks names up in (routes/lookup.py), by what they list.
NAME_REGISTRIES = {"actor": ACTOR_REGISTRY, "service": SERVICE_REGISTRY, "eventName": EVENT_NAME_REGISTRY,
                   "errorCode": ERROR_REGISTRY, "account": ACCOUNT_REGISTRY}


def registry_key(kind: str, name: str) -> dict:
    return {PK: {"S": kind}, SK: {"S": bounded(name, MAX_NAME_BYTES)}}


def registry_start(kind: str, after: str) -> dict:
    """The ExclusiveStartKey that resumes a Query of registry ``kind`` after the entry whose ``sk`` is ``after``."""
    return {PK: {"S": kind}, SK: {"S": after}}


def months_between(first_day: str, last_day: str) -> list[str]:
    """``YYYY-MM`` of every month from ``first_day`` to ``last_day`` (both ``YYYY-MM-DD``)."""
    year, month = int(first_day[:4]), int(first_day[5:7])
    end = (int(last_day[:4]), int(last_day[5:7]))
    months = []
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


# ---- resources (resources.py)
RESOURCE_PREFIX, STATE_PREFIX, MENTIONS_PREFIX, CREATED_PREFIX = "R#", "RS#", "RM#", "RC#"
RUNNING_INDEX = "Running"
RUNNING_PK, RUNNING_SK = "ra", "rk"  # the Running index's keys: account; region#type#id
MAX_RESOURCE_ID_BYTES = 512
MAX_PLACE_PART_BYTES = 96  # account or region in a resource's sort keys (they hold an event id and a resource id too)
RESOURCE_MARKER_SK = "T"
NO_ACCOUNT = "-"  # the Running index's key of resources whose events name no account (a key cannot be empty)


def _place_part(value: str) -> str:
    """An account or region as a sort-key part: short, and without ``#`` (so two places never read alike)."""
    if "#" in value or len(value.encode("utf-8", "surrogatepass")) > MAX_PLACE_PART_BYTES:
        return "~" + hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()
    return value


def resource_pk(resource_id: str) -> str:
    return RESOURCE_PREFIX + bounded(resource_id, MAX_RESOURCE_ID_BYTES)


def state_pk(resource_id: str) -> str:
    return STATE_PREFIX + bounded(resource_id, MAX_RESOURCE_ID_BYTES)


def mentions_pk(resource_id: str) -> str:
    return MENTIONS_PREFIX + bounded(resource_id, MAX_RESOURCE_ID_BYTES)


def resource_place(account: str, region: str, resource_type: str) -> str:
    """The sort-key prefix of one resource among those of its id (an id may name resources of several types and places)."""
    return f"{_place_part(account)}#{_place_part(region)}#{resource_type}#"


def resource_change_sk(place: str, event_time: str, event_id: str) -> str:
    return f"{place}C#{event_time}#{claim_id(event_id)}"


def resource_mentions_sk(newest_time: str, tag: str) -> str:
    return f"{newest_time}#{tag}"


def running_sk(region: str, resource_type: str, resource_id: str) -> str:
    return f"{_place_part(region)}#{resource_type}#{bounded(resource_id, MAX_RESOURCE_ID_BYTES)}"


def created_pk(actor: str) -> str:
    return CREATED_PREFIX + bounded(actor, MAX_NAME_BYTES)


def created_sk(created_at: str, place: str, resource_id: str, event_id: str) -> str:
    """One create event's entry (two creates of one id in one second are two entries)."""
    event = hashlib.blake2b(event_id.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    return f"{created_at}#{place}{bounded(resource_id, MAX_RESOURCE_ID_BYTES)}#{event}"


# ---- alerts (alerts.py)
def alert_pk(rule_id: str, dedupe_key: str) -> str:
    return f"AL#{bounded(rule_id, 128)}#{bounded(dedupe_key, MAX_NAME_BYTES)}"


def alert_dedupe_sk(dedupe_window: str) -> str:
    """Under an alert's pk: which threshold window of a threshold rule alerted in ``dedupe_window`` (alerts.py)."""
    return f"D#{dedupe_window}"


def alert_day_pk(day: str) -> str:
    return f"ALD#{day}"


def alert_day_sk(window: str, pk: str) -> str:
    return f"{window}#{hashlib.blake2b(pk.encode('utf-8', 'surrogatepass'), digest_size=10).hexdigest()}"


# ---- calls (calls.py)
def calls_pk(day: str) -> str:
    return f"P#{day[:7]}"


def calls_sk(day: str, tag: str, number: int) -> str:
    return f"{day}#{tag}#{number}"


# ---- read side
HIGH = "\uffff"  # sorts after every character a time, tag or name can hold


def page_range(first_time: str, last_time: str) -> tuple[str, str]:
    """Inclusive ``sk`` bounds of the pages that can hold events from ``first_time`` to ``last_time``
    (``last_time`` already widened by PAGE_SPAN_S by the caller)."""
    return first_time, f"{last_time}#{HIGH}"


def day_range(first_day: str, last_day: str) -> tuple[str, str]:
    """Inclusive ``sk`` bounds of counts items from ``first_day`` to ``last_day``."""
    return f"{first_day}#", f"{last_day}#{HIGH}"


# ---- backfill progress: one partition per execution, read by the CLI's progress bar
BACKFILL_PROGRESS_SK = "PROGRESS"
BACKFILL_PREFIX_SK = "P#"


def backfill_pk(execution: str) -> str:
    return f"B#{execution}"


def backfill_prefix_sk(prefix: str) -> str:
    return f"{BACKFILL_PREFIX_SK}{prefix}"


# ---- counter names (``n``, ``e:<eventName>``, ``s:<service>``, ``x:<errorCode>``, ``a:<eventName>:<attr>=<value>``)
COUNTER_PREFIXES = counting.PREFIXES
COUNTER_TOTAL = counting.TOTAL


def is_counter(name: str) -> bool:
    """Whether ``name`` of a counter row is a count (``n`` or a prefixed counter)."""
    return name == COUNTER_TOTAL or any(name.startswith(prefix) for prefix in COUNTER_PREFIXES.values())


def counters_of(item: dict, kind: str) -> dict[str, object]:
    """``{name without prefix: value}`` of ``item``'s counters of ``kind`` (a COUNTER_PREFIXES key:
    ``event``, ``service``, ``error`` or ``attribute``)."""
    prefix = COUNTER_PREFIXES[kind]
    return {name[len(prefix):]: value for name, value in item.items() if name.startswith(prefix)}
