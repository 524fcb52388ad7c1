"""``--export-focus FILE.csv``: the priced usage as FinOps FOCUS 1.2 rows, for the FinOps tools users have.

One row per token type per group, a group being a usage series (provider, model, workload, team, project,
tier, region…) in one period (UTC month, or day). Token types are the disjoint partitions pricing uses:
``Input Tokens`` (uncached input), ``Cached Input Tokens``, ``Cache Write Tokens`` (5-minute),
``Cache Write 1h Tokens``, ``Output Tokens`` (reasoning included), plus ``Requests`` where a model has a
per-request price. Quantities are ``ConsumedQuantity`` in ``Tokens`` and ``PricingQuantity`` in
``1000000 Tokens`` (FOCUS UnitFormat); costs are llm-tco's computed list-price cost, so ``BilledCost`` =
``EffectiveCost`` = ``ListCost`` = ``ContractedCost``. Unpriced groups are left out (a FOCUS cost is
never null, and $0 would be a lie) and counted in the result. Extra columns use FOCUS's ``x_`` prefix:
``x_Model``, ``x_Provider``, ``x_Workload``, ``x_ServiceTier`` (``batch`` for batch usage),
``x_ContextWindow`` (the series' long-context group, else ``200k-1M`` when the group's mean input per request
exceeds 200k tokens), ``x_TokenType``, ``x_Source``. ``Requests`` rows appear only where a per-request
price applies.

The CSV is written by DuckDB (``COPY``), in one query; ingesting it back with the FOCUS adapter gives the
same tokens and, as reported cost, the same cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

import duckdb

from llm_tco.errors import InputFileError
from llm_tco.pricing.query import PricingContext, prepare_pricing, priced_usage_sql

__all__ = ["FOCUS_COLUMNS", "FocusExport", "export_focus"]

FOCUS_COLUMNS: tuple[str, ...] = (
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ContractedCost",
    "BillingCurrency",
    "BillingPeriodStart",
    "BillingPeriodEnd",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ConsumedQuantity",
    "ConsumedUnit",
    "PricingQuantity",
    "PricingUnit",
    "ListUnitPrice",
    "ContractedUnitPrice",
    "ProviderName",
    "PublisherName",
    "InvoiceIssuerName",
    "ServiceName",
    "ServiceCategory",
    "ServiceSubcategory",
    "SkuId",
    "SkuMeter",
    "SkuPriceDetails",
    "RegionId",
    "ResourceName",
    "SubAccountId",
    "Tags",
    "x_Model",
    "x_Provider",
    "x_Workload",
    "x_ServiceTier",
    "x_ContextWindow",
    "x_TokenType",
    "x_Source",
)

# (meter, x_TokenType, quantity expression over the priced group, cost column, unit)
_PARTS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "Input Tokens",
        "input",
        "input_tokens - cache_read_tokens - cache_write_tokens",
        "uncached_input_cost_usd",
        "Tokens",
    ),
    ("Cached Input Tokens", "cache_read", "cache_read_tokens", "cache_read_cost_usd", "Tokens"),
    (
        "Cache Write Tokens",
        "cache_write",
        "cache_write_tokens - cache_write_1h_tokens",
        "cache_write_5m_cost_usd",
        "Tokens",
    ),
    ("Cache Write 1h Tokens", "cache_write_1h", "cache_write_1h_tokens", "cache_write_1h_cost_usd", "Tokens"),
    ("Output Tokens", "output", "output_tokens", "output_cost_usd", "Tokens"),
    ("Requests", "requests", "coalesce(requests, 0)", "request_cost_usd", "Requests"),
)
_COST = "DECIMAL(38, 12)"


@dataclass(frozen=True)
class FocusExport:
    path: Path
    rows: int
    """FOCUS rows written."""
    unpriced_groups: int
    """Series × period groups left out because no price applies to them."""


def export_focus(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    *,
    pricing: PricingContext | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    grain: Literal["month", "day"] = "month",
) -> FocusExport:
    """Write the priced usage of the store (``since`` inclusive, ``until`` exclusive) as FOCUS 1.2 CSV."""
    target = Path(path)
    pricing = pricing or prepare_pricing(con)
    priced_sql, params = priced_usage_sql("usage", grain=grain, since=since, until=until, pricing=pricing)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _focus_priced AS {priced_sql}", params)
    try:
        unpriced = con.execute("SELECT count(*) FROM _focus_priced WHERE NOT priced").fetchone()
        step = "INTERVAL 1 MONTH" if grain == "month" else "INTERVAL 1 DAY"
        parts = " UNION ALL ".join(
            f"SELECT p.*, '{meter}' AS meter, '{kind}' AS token_type, CAST({qty} AS HUGEINT) AS quantity, "
            f"CAST({cost} AS {_COST}) AS part_cost, '{unit}' AS unit FROM _focus_priced p WHERE priced"
            for meter, kind, qty, cost, unit in _PARTS
        )
        query = f"""
        SELECT
            x.part_cost AS BilledCost, x.part_cost AS EffectiveCost, x.part_cost AS ListCost,
            x.part_cost AS ContractedCost, 'USD' AS BillingCurrency,
            strftime(date_trunc('month', x.period), '%Y-%m-%dT%H:%M:%SZ') AS BillingPeriodStart,
            strftime(date_trunc('month', x.period) + INTERVAL 1 MONTH, '%Y-%m-%dT%H:%M:%SZ') AS
            BillingPeriodEnd,
            'Usage' AS ChargeCategory, NULL AS ChargeClass,
            coalesce(s.model, s.model_raw) || ' ' || lower(x.meter) || ' (computed by llm-tco)' AS
            ChargeDescription,
            'Usage-Based' AS ChargeFrequency,
            strftime(x.period, '%Y-%m-%dT%H:%M:%SZ') AS ChargePeriodStart,
            strftime(x.period + {step}, '%Y-%m-%dT%H:%M:%SZ') AS ChargePeriodEnd,
            x.quantity AS ConsumedQuantity, x.unit AS ConsumedUnit,
            CASE WHEN x.unit = 'Tokens' THEN CAST(x.quantity AS DECIMAL(38, 6)) / 1000000 ELSE x.quantity END
                AS PricingQuantity,
            CASE WHEN x.unit = 'Tokens' THEN '1000000 Tokens' ELSE 'Requests' END AS PricingUnit,
            CASE WHEN x.quantity > 0 THEN CAST(x.part_cost / (CASE WHEN x.unit = 'Tokens'
                THEN CAST(x.quantity AS DECIMAL(38, 6)) / 1000000 ELSE x.quantity END) AS {_COST}) END AS
                ListUnitPrice,
            CASE WHEN x.quantity > 0 THEN CAST(x.part_cost / (CASE WHEN x.unit = 'Tokens'
                THEN CAST(x.quantity AS DECIMAL(38, 6)) / 1000000 ELSE x.quantity END) AS {_COST}) END
                AS ContractedUnitPrice,
            s.provider AS ProviderName, s.provider AS PublisherName, s.provider AS InvoiceIssuerName,
            s.provider || ' API' AS ServiceName, 'AI and Machine Learning' AS ServiceCategory,
            'Generative AI' AS ServiceSubcategory,
            concat_ws(':', s.provider, coalesce(s.model, s.model_raw), x.token_type) AS SkuId,
            x.meter AS SkuMeter,
            to_json({{'x_Model': coalesce(s.model, s.model_raw), 'x_TokenType': x.token_type}}) AS
            SkuPriceDetails,
            s.region AS RegionId, s.model_raw AS ResourceName, s.project AS SubAccountId,
            to_json({{'workload': s.workload, 'team': s.team, 'api_key_id': s.api_key_id, 'user':
            s."user"}}) AS Tags,
            s.model_raw AS x_Model, s.provider AS x_Provider, s.workload AS x_Workload,
            CASE WHEN s.batch THEN 'batch' ELSE s.service_tier END AS x_ServiceTier,
            coalesce(s.context_window, CASE WHEN x.requests > 0 AND x.input_tokens > 200000 * x.requests
                THEN '200k-1M' ELSE '0-200k' END) AS x_ContextWindow,
            x.token_type AS x_TokenType, s.source_format AS x_Source
        FROM ({parts}) x JOIN usage_series s USING (series_key)
        WHERE (x.unit = 'Tokens' AND x.quantity > 0) OR x.part_cost <> 0
        ORDER BY x.period, s.provider, coalesce(s.model, s.model_raw), s.series_key, x.token_type
        """
        con.execute(f"CREATE OR REPLACE TEMP TABLE _focus_rows AS {query}")
        written = con.execute("SELECT count(*) FROM _focus_rows").fetchone()
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            con.execute("COPY _focus_rows TO ? (FORMAT csv, HEADER true)", [str(target)])
        except duckdb.Error as exc:
            raise InputFileError(
                str(target), f"cannot write the FOCUS export ({str(exc).splitlines()[0]})"
            ) from exc
    finally:
        con.execute("DROP TABLE IF EXISTS _focus_priced")
        con.execute("DROP TABLE IF EXISTS _focus_rows")
    return FocusExport(target, int(written[0]) if written else 0, int(unpriced[0]) if unpriced else 0)
