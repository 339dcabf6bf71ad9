"""The single-table key design. Every key string the project uses is built here.

| item | pk | sk | index keys |
|---|---|---|---|
| event | ``E#<eventID>`` | ``EVENT`` | ByActor ``U#<actor>``, ByService ``S#<service>``, ByDay ``D#<day>``, ByEventName ``N#<eventName>``, ByError ``X#<errorCode>`` (failed calls only), ByAccount ``A#<account>``; all sorted by ``ts`` = ``<eventTime>#<eventID>`` |
| resource link | ``R#<ARN>`` | ``<eventTime>#<eventID>`` | |
| actor-day counter | ``C#<YYYY-MM>`` | ``<day>#<actor>`` | ByActor ``U#<actor>``, ts ``C#<day>`` |
| day totals | ``T#<YYYY-MM>`` | ``<day>#<account>#<region>`` | |
| actor registry | ``ACTOR`` | ``<actor>`` | |
| service registry | ``SERVICE`` | ``<service>`` | |

Counter and totals items hold ``n`` (events) and one number per ``e:<eventName>``,
``s:<service>``, ``x:<errorCode>`` and ``a:<eventName>:<attribute>=<value>``.
"""

from __future__ import annotations

from .. import counting

PK = "pk"
SK = "sk"
TS = "ts"  # sort key of every index
EVENT_SK = "EVENT"

# index name -> (partition attribute, key prefix)
INDEXES: dict[str, tuple[str, str]] = {
    "ByActor": ("byActor", "U#"),
    "ByService": ("byService", "S#"),
    "ByDay": ("byDay", "D#"),
    "ByEventName": ("byEventName", "N#"),
    "ByError": ("byError", "X#"),
    "ByAccount": ("byAccount", "A#"),
}
# The summary fields every index projects, so list endpoints never read the full records.
SUMMARY_FIELDS = (
    "eventID", "eventName", "eventSource", "eventTime", "actor", "actorType", "role",
    "account", "region", "sourceIP", "errorCode", "readOnly", "resources",
)

COUNTER_PREFIXES = counting.PREFIXES
ACTOR_REGISTRY = "ACTOR"
MONTH_REGISTRY = "MONTH"  # sk YYYY-MM: the months that have events
ERROR_REGISTRY = "ERROR"  # sk <errorCode>: every error code seen
SERVICE_REGISTRY = "SERVICE"


def event_pk(event_id: str) -> str:
    return f"E#{event_id}"


def time_sort(event_time: str, event_id: str) -> str:
    return f"{event_time}#{event_id}"


def index_pk(index: str, value: str) -> str:
    return INDEXES[index][1] + value


def resource_pk(arn: str) -> str:
    return f"R#{arn}"


def counter_pk(day: str) -> str:
    return f"C#{day[:7]}"


def counter_sk(day: str, actor: str) -> str:
    return f"{day}#{actor}"


def counter_ts(day: str) -> str:
    return f"C#{day}"


def totals_pk(day: str) -> str:
    return f"T#{day[:7]}"


def totals_sk(day: str, account: str, region: str) -> str:
    return f"{day}#{account}#{region}"


def months_between(first_day: str, last_day: str) -> list[str]:
    """``YYYY-MM`` of every month from ``first_day`` to ``last_day`` (both ``YYYY-MM-DD``)."""
    year, month = int(first_day[:4]), int(first_day[5:7])
    end = (int(last_day[:4]), int(last_day[5:7]))
    months = []
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


# ---- read side (query API): ranges and keys the reader queries by

HIGH = "\uffff"  # sorts after every character an eventID, actor or region can hold


def index_attribute(index: str) -> str:
    """The attribute holding ``index``'s partition key."""
    return INDEXES[index][0]


def time_range(first_time: str, last_time: str) -> tuple[str, str]:
    """Inclusive ``ts``/resource-link ``sk`` bounds of events from ``first_time`` to ``last_time``."""
    return first_time, f"{last_time}#{HIGH}"


def day_range(first_day: str, last_day: str) -> tuple[str, str]:
    """Inclusive ``sk`` bounds of counter and totals items from ``first_day`` to ``last_day``."""
    return f"{first_day}#", f"{last_day}#{HIGH}"


def event_key(event_id: str) -> dict:
    return {PK: {"S": event_pk(event_id)}, SK: {"S": EVENT_SK}}


def counter_key(day: str, actor: str) -> dict:
    return {PK: {"S": counter_pk(day)}, SK: {"S": counter_sk(day, actor)}}


def day_of_sort(sort_key: str) -> str:
    """``YYYY-MM-DD`` of a counter/totals ``sk`` (``<day>#...``)."""
    return sort_key[:10]


# ---- backfill progress: one partition per execution, read by the CLI's progress bar
# | backfill progress | ``B#<execution name>`` | ``PROGRESS`` (live counters) / ``P#<day prefix>`` (a child's result) |
BACKFILL_PROGRESS_SK = "PROGRESS"
BACKFILL_PREFIX_SK = "P#"


def backfill_pk(execution: str) -> str:
    return f"B#{execution}"


def backfill_prefix_sk(prefix: str) -> str:
    return f"{BACKFILL_PREFIX_SK}{prefix}"


# ---- counter names (the ``e:``/``s:``/``x:``/``a:`` attributes of counter and totals items)
COUNTER_TOTAL = counting.TOTAL


def is_counter(name: str) -> bool:
    """Whether attribute ``name`` of a counter or totals item is a count (``n`` or a prefixed counter)."""
    return name == COUNTER_TOTAL or any(name.startswith(prefix) for prefix in COUNTER_PREFIXES.values())


def counters_of(item: dict, kind: str) -> dict[str, object]:
    """``{name without prefix: value}`` of ``item``'s counters of ``kind`` (a COUNTER_PREFIXES key:
    ``event``, ``service``, ``error`` or ``attribute``)."""
    prefix = COUNTER_PREFIXES[kind]
    return {name[len(prefix):]: value for name, value in item.items() if name.startswith(prefix)}
