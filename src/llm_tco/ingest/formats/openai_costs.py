"""OpenAI Costs API pages (``GET /v1/organization/costs``) and the dashboard cost CSV (FORMATS.md 2, 3).

These are *reported cost* records — the billing truth, per day and per project / line item — never usage:
they go to ``reported_costs`` for reconciliation. ``amount.value`` is in dollars (a number, or a string
that is accepted too); the currency is lower-case ``usd``. ``line_item`` is kept as an opaque string; the
model is derived from it only heuristically (``"gpt-4o-2024-08-06, input"`` -> ``gpt-4o-2024-08-06``).
A CSV day without spend (empty amount and no line item) is not a cost record.

Natural workload: the ``project_id``.
"""

from __future__ import annotations

import duckdb

from llm_tco.ingest.base import IngestOptions, Probe, StagedSource
from llm_tco.ingest.formats._sql import (
    EMPTY_USAGE_SQL,
    column,
    cost_select,
    head_matches,
    jtext,
    require_kind,
)
from llm_tco.ingest.formats.openai_usage import PAGE, page_records
from llm_tco.ingest.json_readers import json_documents
from llm_tco.ingest.readers import csv_reader

__all__ = ["ADAPTER", "OpenAICostsAdapter"]

COSTS = "organization.costs.result"


def _model_of(line_item: str) -> str:
    return (
        f"CASE WHEN contains({line_item}, ', ') THEN nullif(trim(split_part({line_item}, ', ', 1)), '') END"
    )


class OpenAICostsAdapter:
    name = "openai-costs"
    description = "OpenAI Costs API pages (JSON) and the dashboard cost CSV export (reported cost)"

    def detect(self, probe: Probe) -> bool:
        if probe.kind in ("json", "jsonl"):
            return head_matches(probe, PAGE) and COSTS in probe.head
        if probe.kind == "csv":
            cols = {c.lower() for c in probe.columns}
            return {"amount_value", "start_time"} <= cols and bool(cols & {"line_item", "amount_currency"})
        return False

    def stage(self, con: duckdb.DuckDBPyConnection, probe: Probe, options: IngestOptions) -> StagedSource:
        require_kind(probe, self.name, "json", "jsonl", "csv")
        if probe.kind == "csv":
            return self._stage_csv(con, probe)
        reader = json_documents(con, probe)
        r = "result"
        obj = jtext(r, "$.object")
        line_item = jtext(r, "$.line_item")
        start, end = jtext("bucket", "$.start_time"), jtext("bucket", "$.end_time")
        keys = ", ".join(
            f"coalesce({jtext(r, '$.' + k)}, '')" for k in ("project_id", "api_key_id", "line_item")
        )
        exprs = {
            "record_no": "row_number() OVER (ORDER BY doc_no, bucket_no, result_no)",
            "source_record_id": (
                f"CASE WHEN _bad IS NULL THEN 'openai-cost:' || concat_ws(':', {start}, {end}, {keys}) END"
            ),
            "ts_start": start,
            "ts_end": end,
            "provider": "'openai'",
            "model_raw": _model_of(line_item),
            "workload": jtext(r, "$.project_id"),
            "project": jtext(r, "$.project_id"),
            "api_key_id": jtext(r, "$.api_key_id"),
            "line_item": line_item,
            "amount_usd": jtext(r, "$.amount.value"),
            "currency": jtext(r, "$.amount.currency"),
            "reject_reason": f"coalesce(_bad, CASE WHEN {obj} IS DISTINCT FROM '{COSTS}' THEN "
            f"'not a cost result (object ''' || coalesce({obj}, 'missing') || ''')' END)",
        }
        return StagedSource(
            self.name,
            EMPTY_USAGE_SQL,
            reported_cost_sql=cost_select(exprs, page_records(reader.table, "results")),
            reported_cost_params=reader.params,
        )

    def _stage_csv(self, con: duckdb.DuckDBPyConnection, probe: Probe) -> StagedSource:
        reader = csv_reader(con, probe)
        cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {reader.table}").fetchall()]

        def c(*names: str) -> str:
            return column(cols, *names)

        line_item = f"nullif(trim({c('line_item')}), '')"
        start = f"coalesce({c('start_time_iso')}, {c('start_time')})"
        end = f"coalesce({c('end_time_iso')}, {c('end_time')})"
        keys = ", ".join(f"coalesce({c(k)}, '')" for k in ("project_id", "api_key_id", "line_item"))
        exprs = {
            "record_no": "record_no",
            "source_record_id": (
                f"CASE WHEN _reject_reason IS NULL THEN 'openai-cost-csv:' || "
                f"concat_ws(':', {start}, {end}, {keys}) END"
            ),
            "ts_start": start,
            "ts_end": end,
            "provider": "'openai'",
            "model_raw": _model_of(line_item),
            "workload": c("project_id"),
            "project": c("project_id"),
            "api_key_id": c("api_key_id"),
            "line_item": line_item,
            "amount_usd": c("amount_value"),
            "currency": c("amount_currency"),
            "reject_reason": "_reject_reason",
        }
        spend = f"nullif(trim({c('amount_value')}), '') IS NOT NULL OR {line_item} IS NOT NULL"
        source = f"(SELECT * FROM {reader.table} WHERE _reject_reason IS NOT NULL OR {spend})"
        return StagedSource(
            self.name,
            EMPTY_USAGE_SQL,
            setup_sql=reader.setup,
            reported_cost_sql=cost_select(exprs, source),
            reported_cost_params=reader.params,
        )


ADAPTER = OpenAICostsAdapter()
