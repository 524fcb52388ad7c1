"""The audit's pricing as data and SQL for the warehouse where usage logs already live.

:mod:`llm_tco.warehouse.prices` turns the price data in force into two tables (dated rates, and
genai-prices' model-matching rules); :mod:`llm_tco.warehouse.query` generates, from one definition, the
query that prices and aggregates a usage table against them in a chosen SQL dialect.
"""

from __future__ import annotations

from llm_tco.warehouse.prices import PriceExport, build_price_export, write_price_export
from llm_tco.warehouse.query import DIALECTS, QueryTables, warehouse_sql

__all__ = [
    "DIALECTS",
    "PriceExport",
    "QueryTables",
    "build_price_export",
    "warehouse_sql",
    "write_price_export",
]
