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

COUNTER_PREFIXES = {"event": "e:", "service": "s:", "error": "x:", "attribute": "a:"}
ACTOR_REGISTRY = "ACTOR"
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
