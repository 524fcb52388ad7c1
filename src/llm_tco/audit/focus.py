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
``x_ContextWindow``, ``x_TokenType``, ``x_Source``. ``Requests`` rows appear only where a per-request
price applies.

Long context: a group is split by the long-context band its requests were priced in, using the tier
boundaries of the row's *own* model in the price data (gemini-1.5-pro's 128k, gpt-5.4's 272k, Claude's
200k…), so a month holding both short and long requests gives one set of rows per band, each at its own
price. ``x_ContextWindow`` names the band by its input tokens per request — ``0-128k`` (up to and
including the boundary), ``128k+`` (above it), ``128k-272k`` between two — or keeps the source's own group
(e.g. an Anthropic usage report's ``200k-1M``); it is empty for a model without long-context prices. FOCUS
has no request counts, so the band is what lets a re-import price each row in the same tier.

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
from llm_tco.pricing.table import NO_UPPER_TOKENS

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


def _tokens_label_sql(tokens: str) -> str:
    """A token count as a short label: ``128k``, ``1M``, or the number itself (``524288``)."""
    return (
        f"CASE WHEN {tokens} = 0 THEN '0' "
        f"WHEN {tokens} % 1000000 = 0 THEN CAST({tokens} // 1000000 AS VARCHAR) || 'M' "
        f"WHEN {tokens} % 1000 = 0 THEN CAST({tokens} // 1000 AS VARCHAR) || 'k' "
        f"ELSE CAST({tokens} AS VARCHAR) END"
    )


def _band_label_sql(band_from: str, band_to: str) -> str:
    """The long-context band ``[from, to)`` of a row's model as ``x_ContextWindow``: ``0-128k``,
    ``128k-272k``, ``272k+``; NULL for the single band of a model without long-context prices. The lower
    bound is what a re-import reads back as the rows' tier floor."""
    top = f"{band_to} >= {NO_UPPER_TOKENS}"
    return (
        f"CASE WHEN {band_from} = 0 AND {top} THEN NULL "
        f"WHEN {top} THEN {_tokens_label_sql(band_from)} || '+' "
        f"ELSE {_tokens_label_sql(band_from)} || '-' || {_tokens_label_sql(band_to)} END"
    )


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
    priced_sql, params = priced_usage_sql(
        "usage", grain=grain, since=since, until=until, pricing=pricing, by_band=True
    )
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
            coalesce(s.context_window, {_band_label_sql("x.band_from_tokens", "x.band_to_tokens")})
                AS x_ContextWindow,
            x.token_type AS x_TokenType, s.source_format AS x_Source
        FROM ({parts}) x JOIN usage_series s USING (series_key)
        WHERE (x.unit = 'Tokens' AND x.quantity > 0) OR x.part_cost <> 0
        ORDER BY x.period, s.provider, coalesce(s.model, s.model_raw), s.series_key, x.band_from_tokens,
            x.token_type
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
