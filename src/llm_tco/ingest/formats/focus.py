"""FinOps FOCUS 1.2 cost-and-usage export (CSV or Parquet), FORMATS.md section 12.

A FOCUS row is one charge. A **token row** (``ChargeCategory`` Usage, a token ``ConsumedUnit`` or
``PricingUnit``, a quantity) becomes one usage row of its single token type, read from ``SkuMeter``
(``Input Tokens``, ``Cached Input Tokens``, ``Cache Write Tokens`` (1h when it says so), ``Output Tokens``,
``Reasoning Tokens``): tokens = ``ConsumedQuantity`` (× the unit's multiplier, ``1000 Tokens`` -> 1000),
else ``PricingQuantity`` × the ``PricingUnit`` multiplier. Cached input and cache writes are parts of the
input (canonical convention), reasoning a part of the output. The row's ``EffectiveCost`` is its reported
cost, ``BilledCost`` and ``ListCost`` are kept beside it. ``ts_start``/``ts_end`` are
``ChargePeriodStart``/``End``; FOCUS has no request counts (``requests`` NULL).

Every other row of the AI and Machine Learning service category (or of an export without that column) —
credits, adjustments, taxes, GPU hours, token rows without a quantity — is a **reported-cost** record
(``EffectiveCost``, ``BilledCost``, ``ListCost``, ``ChargeCategory``), counted under ``reported.records``.
Rows of other service categories are not LLM records and are skipped (with a note).

The model comes from ``x_Model``, else ``SkuPriceDetails.x_Model``, else ``ResourceName``; the provider from
``x_Provider``, else ``ProviderName``. A row's id is the md5 of all its values, so an overlapping
re-export is recognised. A ``BillingCurrency`` other than USD is quarantined.

FOCUS rows aggregate many requests and carry no request count, so their long-context tier cannot follow
the mean tokens per request: it is ``x_ContextWindow`` when present (llm-tco's own export), ``200k-1M`` when
the SKU names long context, else the base tier (``0-200k``). ``x_ServiceTier`` ``batch`` marks batch usage.

Natural workload: ``Tags.workload`` (or ``x_Workload``) when present, else the model.
"""

from __future__ import annotations

import duckdb

from llm_tco.ingest.base import IngestOptions, Probe, StagedSource
from llm_tco.ingest.formats._sql import column, cost_select, first_of, require_kind, staged_select
from llm_tco.ingest.reader_sql import quote_ident
from llm_tco.ingest.readers import table_reader

__all__ = ["ADAPTER", "FocusAdapter"]

_REQUIRED = {"billedcost", "effectivecost", "chargeperiodstart"}
_AI = "AI and Machine Learning"


def _multiplier(unit: str) -> str:
    """Tokens per unit of a unit string: ``Tokens`` 1, ``1000 Tokens`` 1000, ``1M Tokens`` 1e6, ``1K`` 1e3."""
    number = f"TRY_CAST(regexp_extract({unit}, '^\\s*([0-9]+(\\.[0-9]+)?)', 1) AS DOUBLE)"
    scale = (
        f"CASE WHEN regexp_matches({unit}, '^\\s*[0-9.]+\\s*[Mm](illion)?\\b') THEN 1000000 "
        f"WHEN regexp_matches({unit}, '^\\s*[0-9.]+\\s*[Kk]\\b') THEN 1000 ELSE 1 END"
    )
    return f"(coalesce({number}, 1) * {scale})"


def _token_type(meter: str) -> str:
    m = f"lower({meter})"
    return (
        f"CASE WHEN {m} IS NULL THEN NULL "
        f"WHEN contains({m}, 'cache') AND (contains({m}, 'write') OR contains({m}, 'creat')) THEN "
        f"CASE WHEN regexp_matches({m}, '1\\s*h|hour') THEN 'cache_write_1h' ELSE 'cache_write' END "
        f"WHEN contains({m}, 'cache') OR contains({m}, 'cached') THEN 'cache_read' "
        f"WHEN contains({m}, 'reasoning') OR contains({m}, 'thinking') THEN 'reasoning' "
        f"WHEN contains({m}, 'output') OR contains({m}, 'completion') OR contains({m}, 'generated') THEN "
        "'output' "
        f"WHEN contains({m}, 'input') OR contains({m}, 'prompt') THEN 'input' END"
    )


class FocusAdapter:
    name = "focus"
    description = (
        "FinOps FOCUS 1.2 cost-and-usage export (CSV/Parquet): token SKUs as usage, the rest as reported cost"
    )

    def detect(self, probe: Probe) -> bool:
        return probe.kind in ("csv", "parquet") and {c.lower() for c in probe.columns} >= _REQUIRED

    def stage(self, con: duckdb.DuckDBPyConnection, probe: Probe, options: IngestOptions) -> StagedSource:
        require_kind(probe, self.name, "csv", "parquet")
        reader, cols = table_reader(con, probe)

        def c(*names: str) -> str:
            return column(cols, *names)

        def text(*names: str) -> str:
            return f"nullif(trim(CAST({c(*names)} AS VARCHAR)), '')"

        details = (
            f"(CASE WHEN json_valid({text('SkuPriceDetails')}) THEN CAST({text('SkuPriceDetails')} AS "
            "JSON) END)"
        )
        tags = f"(CASE WHEN json_valid({text('Tags')}) THEN CAST({text('Tags')} AS JSON) END)"
        model = (
            f"coalesce({text('x_Model')}, {first_of(details, ['$.x_Model', '$.x_ModelId'])}, "
            f"{text('ResourceName')})"
        )
        unit = f"coalesce({text('ConsumedUnit')}, {text('PricingUnit')})"
        consumed = f"TRY_CAST({text('ConsumedQuantity')} AS DOUBLE) * {_multiplier(text('ConsumedUnit'))}"
        priced = f"TRY_CAST({text('PricingQuantity')} AS DOUBLE) * {_multiplier(text('PricingUnit'))}"
        quantity = (
            f"CASE WHEN {text('ConsumedQuantity')} IS NOT NULL AND contains(lower({text('ConsumedUnit')}), "
            "'token') "
            f"THEN coalesce(CAST({consumed} AS VARCHAR), {text('ConsumedQuantity')}) "
            f"WHEN {text('PricingQuantity')} IS NOT NULL THEN coalesce(CAST({priced} AS VARCHAR), "
            f"{text('PricingQuantity')}) "
            f"ELSE {text('ConsumedQuantity')} END"
        )
        category = text("ChargeCategory")
        is_token = (
            f"(coalesce({category}, 'Usage') = 'Usage' AND contains(lower({unit}), 'token') "
            f"AND coalesce({text('ConsumedQuantity')}, {text('PricingQuantity')}) IS NOT NULL)"
        )
        in_scope = f"({c('ServiceCategory')} IS NULL OR {text('ServiceCategory')} = '{_AI}' OR {is_token})"
        if c("ServiceCategory") == "NULL":
            in_scope = "true"
        row_id = (
            "md5(concat_ws(chr(31), "
            + ", ".join(f"coalesce(CAST({quote_ident(x)} AS VARCHAR), chr(0))" for x in cols)
            + "))"
        )
        currency = text("BillingCurrency")
        bad_currency = (
            f"CASE WHEN {currency} IS NOT NULL AND upper({currency}) <> 'USD' THEN 'BillingCurrency ''' || "
            f"{currency} || ''' is not USD' END"
        )
        common = {
            "record_no": "record_no",
            "source_record_id": f"CASE WHEN _reject_reason IS NULL THEN 'focus:' || {row_id} END",
            "ts_start": text("ChargePeriodStart"),
            "ts_end": text("ChargePeriodEnd"),
            "provider": f"coalesce({text('x_Provider')}, {text('ProviderName')})",
            "model_raw": model,
            "workload": f"coalesce({first_of(tags, ['$.workload', '$.Workload'])}, {text('x_Workload')})",
            "project": text("SubAccountId"),
            "service_tier": text("x_ServiceTier"),
        }
        described = f"lower(concat_ws(' ', {text('SkuMeter')}, {text('ChargeDescription')}))"
        long_context = (
            f"coalesce({text('x_ContextWindow')}, CASE WHEN regexp_matches({described}, "
            "'long.context|>\\s*200k|200k-1m|above 200k') THEN '200k-1M' ELSE '0-200k' END)"
        )
        kind = "_token_type"

        def token(name: str) -> str:
            return f"CASE WHEN {kind} = '{name}' THEN _quantity ELSE '0' END"

        usage_exprs = {
            **common,
            "region": text("RegionId"),
            "batch": f"(lower({text('x_ServiceTier')}) = 'batch')",
            "context_window": long_context,
            "input_tokens": f"CASE WHEN {kind} IN ('input', 'cache_read', 'cache_write', 'cache_write_1h') "
            "THEN _quantity ELSE '0' END",
            "cache_read_tokens": token("cache_read"),
            "cache_write_tokens": (
                f"CASE WHEN {kind} IN ('cache_write', 'cache_write_1h') THEN _quantity ELSE '0' END"
            ),
            "cache_write_1h_tokens": token("cache_write_1h"),
            "output_tokens": f"CASE WHEN {kind} IN ('output', 'reasoning') THEN _quantity ELSE '0' END",
            "reasoning_tokens": token("reasoning"),
            "reported_cost_usd": text("EffectiveCost"),
            "reported_billed_cost_usd": text("BilledCost"),
            "reported_list_cost_usd": text("ListCost"),
            "reject_reason": f"coalesce(_reject_reason, {bad_currency}, CASE WHEN {kind} IS NULL THEN "
            f"'unknown token type in SkuMeter ''' || coalesce({text('SkuMeter')}, '') || '''' END)",
            "metadata": f"(CASE WHEN json_type({tags}) = 'OBJECT' THEN {tags} END)",
        }
        meter = f"coalesce({text('x_TokenType')}, {text('SkuMeter')})"
        prepared = (
            f"(SELECT *, {_token_type(meter)} AS _token_type, "
            f"{quantity} AS _quantity, {is_token} AS _is_token, {in_scope} AS _in_scope FROM {reader.table})"
        )
        usage_sql = staged_select(usage_exprs, f"(SELECT * FROM {prepared} WHERE _is_token AND _in_scope)")
        cost_exprs = {
            **common,
            "line_item": f"coalesce({text('ChargeDescription')}, {text('SkuMeter')}, {text('ServiceName')})",
            "amount_usd": text("EffectiveCost"),
            "billed_usd": text("BilledCost"),
            "list_usd": text("ListCost"),
            "currency": currency,
            "charge_category": category,
            "reject_reason": "_reject_reason",
        }
        cost_sql = cost_select(
            cost_exprs,
            f"(SELECT * FROM {prepared} WHERE _reject_reason IS NOT NULL OR (NOT _is_token AND _in_scope))",
        )
        skipped = con.execute(
            f"SELECT count(*) FROM {prepared} WHERE NOT _in_scope AND _reject_reason IS NULL", reader.params
        ).fetchone()
        notes: tuple[str, ...] = ("FOCUS has no request counts (requests are null)",)
        if skipped and skipped[0]:
            notes += (f"{skipped[0]} FOCUS rows outside '{_AI}' skipped (not LLM charges)",)
        return StagedSource(
            self.name,
            usage_sql,
            reader.params,
            setup_sql=reader.setup,
            notes=notes,
            reported_cost_sql=cost_sql,
            reported_cost_params=reader.params,
        )


ADAPTER = FocusAdapter()
