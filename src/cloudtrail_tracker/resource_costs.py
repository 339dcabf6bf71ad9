"""What a resource costs per hour now: its price-table rate while it bills. Shared by the API's running and
spend views and the ingest's budget alerts."""

from __future__ import annotations

from .dal.resources import Life, StoredResource
from .pricing import PriceTable, Rate


def rate_of(life: Life, stored: StoredResource, prices: PriceTable) -> Rate:
    return prices.rate(life.state.resource_type, dict(life.state.attributes), stored.region)


def hourly_now(life: Life, rate: Rate) -> float | None:
    """What it costs per hour now: the rate while it bills (running; stopped where the type bills when
    stopped), 0 once deleted or stopped, None when unknown (its state or its price)."""
    state = life.state
    if state.state == "deleted" or (state.state == "stopped" and not state.bills_when_stopped):
        return 0.0 if rate.known else None
    if state.state == "unknown":
        return None
    return None if rate.dollars_per_hour is None else round(rate.dollars_per_hour, 4)
