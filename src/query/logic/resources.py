"""Resources as the API shows them: their price now, their cost so far, what is running per actor,
the events that name one. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from cloudtrail_tracker.dal.resources import Life, StoredResource
from cloudtrail_tracker.pricing import PriceTable, billed_hours, cost_so_far
from cloudtrail_tracker.resource_costs import hourly_now, rate_of


def _rounded(value: float | None, places: int = 4) -> float | None:
    return None if value is None else round(value, places)


def since_of(life: Life) -> str | None:
    state = life.state
    if state.state == "deleted":
        return state.deleted_at
    return state.intervals[-1].start if state.intervals else None


def resource_row(stored: StoredResource, prices: PriceTable, titles: Mapping[str, str], now: str, life: Life | None = None) -> dict:
    """A :class:`query.models.ResourceRow` of ``life`` (default the last) of ``stored``: its rate is the price
    table's for its size attributes now; its cost the billed hours of its intervals at that rate."""
    life = life or stored.lives[-1]
    state = life.state
    rate = rate_of(life, stored, prices)
    return {
        "id": state.resource_id, "arn": state.arn, "type": state.resource_type,
        "title": titles.get(state.resource_type, state.resource_type),
        "account": stored.account, "region": stored.region, "state": state.state, "since": since_of(life),
        "createdAt": state.created_at, "creator": life.creator, "deletedAt": state.deleted_at,
        "deletedBy": life.deleted_by, "attributes": dict(state.attributes),
        "dollarsPerHour": hourly_now(life, rate),
        "costSoFar": _rounded(cost_so_far(state.intervals, rate, state.bills_when_stopped, now), 2),
        "priceBasis": rate.basis, "priceNote": rate.note,
    }


def sort_by_rate(rows: list[dict]) -> list[dict]:
    """Highest dollarsPerHour first, unknown prices last, then by id (a stable order)."""
    return sorted(rows, key=lambda row: (row["dollarsPerHour"] is None, -(row["dollarsPerHour"] or 0.0), row["id"]))


def _no_sums() -> dict:
    return {"running": 0, "dollarsPerHour": 0.0, "costSoFar": 0.0, "unknownPrices": 0, "usageBilled": 0}


def running_totals(rows: Iterable[dict]) -> tuple[list[dict], dict]:
    """(per creator, total) of running ``rows``: counts, known $/hour and cost so far; unknown prices and
    resources billed by use counted apart."""
    per: dict[str, dict] = defaultdict(_no_sums)
    total = _no_sums()
    for row in rows:
        actor = (row["creator"] or {}).get("actor", "")
        for sums in (per[actor], total):
            sums["running"] += 1
            if row["dollarsPerHour"] is not None:
                sums["dollarsPerHour"] += row["dollarsPerHour"]
            elif row["priceBasis"] == "usage":
                sums["usageBilled"] += 1
            else:
                sums["unknownPrices"] += 1
            sums["costSoFar"] += row["costSoFar"] or 0.0
    actors = [{"actor": actor, **_round_sums(sums)} for actor, sums in per.items()]
    actors.sort(key=lambda entry: (-entry["dollarsPerHour"], entry["actor"]))
    return actors, _round_sums(total)


def _round_sums(sums: dict) -> dict:
    return {**sums, "dollarsPerHour": round(sums["dollarsPerHour"], 4), "costSoFar": round(sums["costSoFar"], 2)}


def matches(row: dict, actor: str | None, account: str | None, region: str | None, resource_type: str | None) -> bool:
    creator = (row["creator"] or {}).get("actor")
    return ((actor is None or creator == actor) and (account is None or row["account"] == account)
            and (region is None or row["region"] == region) and (resource_type is None or row["type"] == resource_type))


def _day_windows(first: str, last: str) -> list[tuple[str, str, str]]:
    """(day, start, end) of each UTC day of [first, last] (times), clipped to them."""
    start = datetime.fromisoformat(first.replace("Z", "+00:00"))
    end = datetime.fromisoformat(last.replace("Z", "+00:00"))
    windows = []
    day = start.replace(hour=0, minute=0, second=0)
    while day <= end:
        following = day + timedelta(days=1)
        low, high = max(day, start), min(following, end)
        windows.append((day.date().isoformat(), _text(low), _text(high)))
        day = following
    return windows


def _text(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def spend(resources: Iterable[StoredResource], actor: str, prices: PriceTable, first: str, last: str, now: str) -> dict:
    """What the lives ``actor`` created cost inside [``first``, ``last``] (times): per resource (billed hours,
    cost) and per day, each day's hours clipped to the window (so cost = hours x rate)."""
    rows: list[dict] = []
    days: dict[str, float] = defaultdict(float)
    unknown = 0
    end = min(last, now)
    windows = _day_windows(first, end) if first <= end else []
    for stored in resources:
        for life in stored.lives:
            state = life.state
            if (life.creator or {}).get("actor") != actor or (state.deleted_at and state.deleted_at < first):
                continue
            rate = rate_of(life, stored, prices)
            per_day = {day: billed_hours(state.intervals, state.bills_when_stopped, now, start=low, end=high)
                       for day, low, high in windows}
            hours = sum(per_day.values())
            cost = None if rate.dollars_per_hour is None else hours * rate.dollars_per_hour
            if cost is None:
                unknown += 1
            else:
                for day, day_hours in per_day.items():
                    days[day] += day_hours * (rate.dollars_per_hour or 0.0)
            rows.append({"id": state.resource_id, "type": state.resource_type, "account": stored.account,
                         "region": stored.region, "state": state.state, "createdAt": state.created_at,
                         "hours": round(hours, 2), "cost": _rounded(cost, 2),
                         "dollarsPerHour": _rounded(rate.dollars_per_hour), "priceBasis": rate.basis})
    rows.sort(key=lambda row: (row["cost"] is None, -float(row["cost"] or 0.0), row["id"]))
    return {"resources": rows, "days": [{"day": day, "cost": round(amount, 2)} for day, amount in sorted(days.items()) if amount],
            "total": round(sum(float(row["cost"] or 0.0) for row in rows), 2), "unknownPrices": unknown}


def resource_events(changes: list[dict], mentions: list[dict], place: tuple[str, str, str], actor: str | None) -> list[dict]:
    """The events naming the resource at ``place`` (account, region, type), newest first, each once: its
    changes (with the change made) and the events that mention it; ``actor``: only theirs (a non-admin)."""
    account, region, resource_type = place
    events: dict[str, dict] = {}
    for change in changes:
        made = change["change"]
        if (change["account"], change["region"], made.resource_type) == place and actor in (None, change["actor"]):
            events[made.event_id] = {"eventID": made.event_id, "eventTime": made.event_time, "eventName": made.event_name,
                                     "actor": change["actor"], "errorCode": "", "account": account, "region": region,
                                     "change": made.kind}
    for mention in mentions:
        if (mention["account"], mention["region"]) == (account, region) and mention["eventID"] not in events \
                and actor in (None, mention["actor"]):
            events[mention["eventID"]] = {**mention, "change": None}
    return sorted(events.values(), key=lambda e: (e["eventTime"], e["eventID"]), reverse=True)
