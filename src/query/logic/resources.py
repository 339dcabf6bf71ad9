"""Resources as the API shows them: their price now, their cost so far, what is running per actor. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from cloudtrail_tracker.dal.resources import StoredResource
from cloudtrail_tracker.pricing import PriceTable, Rate, billed_hours, cost_by_day, cost_so_far


def _rounded(value: float | None, places: int = 4) -> float | None:
    return None if value is None else round(value, places)


def since_of(stored: StoredResource) -> str | None:
    state = stored.state
    if state.state == "deleted":
        return state.deleted_at
    return state.intervals[-1].start if state.intervals else None


def resource_row(stored: StoredResource, prices: PriceTable, titles: Mapping[str, str], now: str) -> dict:
    """A :class:`query.models.ResourceRow` of ``stored``: its rate is the price table's for its size
    attributes now; its cost the billed hours of its intervals at that rate."""
    state = stored.state
    rate = rate_of(stored, prices)
    running = state.state == "running"
    return {
        "id": state.resource_id, "arn": state.arn, "type": state.resource_type,
        "title": titles.get(state.resource_type, state.resource_type),
        "account": stored.account, "region": stored.region, "state": state.state, "since": since_of(stored),
        "createdAt": state.created_at, "creator": stored.creator, "deletedAt": state.deleted_at,
        "deletedBy": stored.deleted_by, "attributes": dict(state.attributes),
        "dollarsPerHour": _rounded(rate.dollars_per_hour) if running else (0.0 if rate.known else None),
        "costSoFar": _rounded(cost_so_far(state.intervals, rate, state.bills_when_stopped, now), 2),
        "priceBasis": rate.basis, "priceNote": rate.note,
    }


def rate_of(stored: StoredResource, prices: PriceTable) -> Rate:
    return prices.rate(stored.state.resource_type, dict(stored.state.attributes), stored.region)


def sort_by_rate(rows: list[dict]) -> list[dict]:
    """Highest dollarsPerHour first, unknown prices last, then by id (a stable order)."""
    return sorted(rows, key=lambda row: (row["dollarsPerHour"] is None, -(row["dollarsPerHour"] or 0.0), row["id"]))


def running_totals(rows: Iterable[dict]) -> tuple[list[dict], dict]:
    """(per creator, total) of running ``rows``: counts, known $/hour and cost so far, unknown prices apart."""
    per: dict[str, dict] = defaultdict(lambda: {"running": 0, "dollarsPerHour": 0.0, "costSoFar": 0.0, "unknownPrices": 0})
    total = {"running": 0, "dollarsPerHour": 0.0, "costSoFar": 0.0, "unknownPrices": 0}
    for row in rows:
        actor = (row["creator"] or {}).get("actor", "")
        for sums in (per[actor], total):
            sums["running"] += 1
            if row["dollarsPerHour"] is None:
                sums["unknownPrices"] += 1
            else:
                sums["dollarsPerHour"] += row["dollarsPerHour"]
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


def spend(resources: Iterable[StoredResource], prices: PriceTable, first: str, last: str, now: str) -> dict:
    """Spend inside the window [``first``, ``last``] (times): per resource (billed hours, cost) and per day."""
    rows: list[dict] = []
    days: dict[str, float] = defaultdict(float)
    unknown = 0
    end = min(last, now)
    for stored in resources:
        state = stored.state
        if state.deleted_at and state.deleted_at < first:
            continue
        rate = rate_of(stored, prices)
        hours = billed_hours(state.intervals, state.bills_when_stopped, now, start=first, end=end) if first <= end else 0.0
        per_day = (cost_by_day(state.intervals, rate, state.bills_when_stopped, first[:10], last[:10], now)
                   if first <= end else {})
        cost = None if per_day is None else sum(per_day.values())
        if per_day is None:
            unknown += 1
        else:
            for day, amount in per_day.items():
                days[day] += amount
        rows.append({"id": state.resource_id, "type": state.resource_type, "account": stored.account,
                     "region": stored.region, "state": state.state, "hours": round(hours, 2),
                     "cost": _rounded(cost, 2), "dollarsPerHour": _rounded(rate.dollars_per_hour),
                     "priceBasis": rate.basis})
    rows.sort(key=lambda row: (row["cost"] is None, -float(row["cost"] or 0.0), row["id"]))
    return {"resources": rows, "days": [{"day": day, "cost": round(amount, 2)} for day, amount in sorted(days.items()) if amount],
            "total": round(sum(float(row["cost"] or 0.0) for row in rows), 2), "unknownPrices": unknown}
