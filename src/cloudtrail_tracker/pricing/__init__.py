"""Prices of the resources students leave running: a dated table of AWS on-demand list prices (prices.json),
the hourly rate of a resource from it, and what a resource has cost so far."""

from __future__ import annotations

from .cost import billed_hours, cost_by_day, cost_so_far
from .table import SHIPPED_TABLE, PriceTable, PriceTableError, Rate, price_table

__all__ = ["SHIPPED_TABLE", "PriceTable", "PriceTableError", "Rate", "billed_hours", "cost_by_day", "cost_so_far",
           "price_table"]
