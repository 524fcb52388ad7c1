"""Anthropic Admin API cost report (``GET /v1/organizations/cost_report``; also the Analytics API's cost
rows), FORMATS.md sections 4.2-4.3: *reported cost* records for reconciliation, never usage.

``amount`` is a **string in cents** (the lowest currency unit; ``"123.45"`` = $1.2345), so it is divided by
100 here; ``currency`` is ``"USD"``. The grouping fields (workspace, description, model, service tier,
context window, inference geo, cost type, token type) make the record's id, so a re-read export is not
counted twice. The line item is the ``description``, else ``cost_type``/``token_type``.

Natural workload: the ``workspace_id``.
"""

from __future__ import annotations

import duckdb

from llm_tco.ingest.base import IngestOptions, Probe, StagedSource
from llm_tco.ingest.formats._sql import EMPTY_USAGE_SQL, cost_select, head_matches, jtext, require_kind
from llm_tco.ingest.formats.anthropic_usage import REPORT, UNCACHED_KEY
from llm_tco.ingest.formats.openai_usage import page_records
from llm_tco.ingest.json_readers import json_documents

__all__ = ["ADAPTER", "AnthropicCostsAdapter"]

_GROUPS = (
    "workspace_id",
    "description",
    "model",
    "service_tier",
    "context_window",
    "inference_geo",
    "cost_type",
    "token_type",
    "speed",
    "product",
)


class AnthropicCostsAdapter:
    name = "anthropic-costs"
    description = "Anthropic Admin API cost report (JSON pages; reported cost)"

    def detect(self, probe: Probe) -> bool:
        return (
            probe.kind in ("json", "jsonl")
            and head_matches(probe, REPORT, r'"amount"\s*:', r'"currency"\s*:')
            and not head_matches(probe, UNCACHED_KEY)
        )

    def stage(self, con: duckdb.DuckDBPyConnection, probe: Probe, options: IngestOptions) -> StagedSource:
        require_kind(probe, self.name, "json", "jsonl")
        reader = json_documents(con, probe)
        r = "result"
        start, end = jtext("bucket", "$.starting_at"), jtext("bucket", "$.ending_at")
        cents = jtext(r, "$.amount")
        dollars = (
            f"CASE WHEN TRY_CAST({cents} AS DECIMAL(38, 12)) IS NOT NULL "
            f"THEN CAST(CAST({cents} AS DECIMAL(38, 12)) / 100 AS VARCHAR) ELSE {cents} END"
        )
        cost_type, token_type = jtext(r, "$.cost_type"), jtext(r, "$.token_type")
        group_key = ", ".join(f"coalesce({jtext(r, '$.' + g)}, '')" for g in _GROUPS)
        exprs = {
            "record_no": "row_number() OVER (ORDER BY doc_no, bucket_no, result_no)",
            "source_record_id": (
                f"CASE WHEN _bad IS NULL THEN 'anthropic-cost:' || concat_ws(':', {start}, "
                f"{end}, "
                f"{group_key}) END"
            ),
            "ts_start": start,
            "ts_end": end,
            "provider": "'anthropic'",
            "model_raw": jtext(r, "$.model"),
            "workload": jtext(r, "$.workspace_id"),
            "project": jtext(r, "$.workspace_id"),
            "service_tier": jtext(r, "$.service_tier"),
            "line_item": (
                f"coalesce({jtext(r, '$.description')}, nullif(concat_ws(' ', {cost_type}, "
                f"{token_type}), ''))"
            ),
            "amount_usd": dollars,
            "list_usd": f"CAST(TRY_CAST({jtext(r, '$.list_amount')} AS DECIMAL(38, 12)) / 100 AS VARCHAR)",
            "currency": jtext(r, "$.currency"),
            "reject_reason": "_bad",
        }
        return StagedSource(
            self.name,
            EMPTY_USAGE_SQL,
            reported_cost_sql=cost_select(exprs, page_records(reader.table, "results")),
            reported_cost_params=reader.params,
        )


ADAPTER = AnthropicCostsAdapter()
