"""Anthropic Admin API messages usage report (``GET /v1/organizations/usage_report/messages``, and the
usage rows of the newer Analytics API), FORMATS.md section 4.1.

Convention: Anthropic counts input **exclusive** of cache: ``uncached_input_tokens`` +
``cache_read_input_tokens`` + ``cache_creation.ephemeral_5m_input_tokens`` +
``cache_creation.ephemeral_1h_input_tokens`` is the canonical (inclusive) input. The adapter stages the
uncached count with the source marked exclusive (validation adds cache reads and writes), cache writes as
5m + 1h and the 1-hour part apart. Reasoning is inside ``output_tokens`` and not broken out.

The legacy report has **no request count**: ``requests`` is NULL (the Analytics API's ``requests`` is taken
when present). Each bucket ``{starting_at, ending_at, results}`` gives rows with ``ts_start``/``ts_end`` =
its bounds; the long-context tier follows the report's ``context_window`` group (``0-200k``/``200k-1M``).
``inference_geo`` is the region; ``service_tier`` ``batch`` marks batch usage.

Natural workload: the ``workspace_id`` (NULL for the default workspace, which falls back to the model).
"""

from __future__ import annotations

import duckdb

from llm_tco.ingest.base import IngestOptions, Probe, StagedSource
from llm_tco.ingest.formats._sql import first_of, head_matches, jtext, require_kind, staged_select, sum_counts
from llm_tco.ingest.formats.openai_usage import page_records
from llm_tco.ingest.readers import json_documents

__all__ = ["ADAPTER", "AnthropicUsageAdapter"]

REPORT = r'"starting_at"\s*:'
UNCACHED_KEY = r'"uncached_input_tokens"\s*:'
_GROUPS = (
    "api_key_id",
    "workspace_id",
    "account_id",
    "service_account_id",
    "model",
    "service_tier",
    "context_window",
    "inference_geo",
    "speed",
    "product",
)


class AnthropicUsageAdapter:
    name = "anthropic-usage"
    description = "Anthropic Admin API messages usage report (JSON pages)"

    def detect(self, probe: Probe) -> bool:
        if probe.kind not in ("json", "jsonl") or not head_matches(probe, REPORT, r'"results"\s*:'):
            return False
        if head_matches(probe, UNCACHED_KEY):
            return True
        return not head_matches(probe, r'"amount"\s*:')  # a report of empty buckets only

    def stage(self, con: duckdb.DuckDBPyConnection, probe: Probe, options: IngestOptions) -> StagedSource:
        require_kind(probe, self.name, "json", "jsonl")
        reader = json_documents(con, probe)
        r = "result"
        start, end = jtext("bucket", "$.starting_at"), jtext("bucket", "$.ending_at")
        model = jtext(r, "$.model")
        five = first_of(r, ["$.cache_creation.ephemeral_5m_input_tokens", "$.cache_creation_input_tokens"])
        one_hour = jtext(r, "$.cache_creation.ephemeral_1h_input_tokens")
        group_key = ", ".join(f"coalesce({jtext(r, '$.' + g)}, '')" for g in _GROUPS)
        exprs = {
            "record_no": "row_number() OVER (ORDER BY doc_no, bucket_no, result_no)",
            "source_record_id": (
                f"CASE WHEN _bad IS NULL THEN 'anthropic-usage:' || concat_ws(':', {start}, "
                f"{end}, "
                f"{group_key}) END"
            ),
            "ts_start": start,
            "ts_end": end,
            "provider": "'anthropic'",
            "model_raw": model,
            "workload": jtext(r, "$.workspace_id"),
            "project": jtext(r, "$.workspace_id"),
            "api_key_id": jtext(r, "$.api_key_id"),
            "user": first_of(r, ["$.account_id", "$.service_account_id"]),
            "service_tier": jtext(r, "$.service_tier"),
            "batch": f"({jtext(r, '$.service_tier')} = 'batch')",
            "region": jtext(r, "$.inference_geo"),
            "context_window": jtext(r, "$.context_window"),
            "requests": jtext(r, "$.requests"),
            "input_tokens": jtext(r, "$.uncached_input_tokens"),
            "cache_read_tokens": jtext(r, "$.cache_read_input_tokens"),
            "cache_write_tokens": sum_counts(five, one_hour),
            "cache_write_1h_tokens": one_hour,
            "output_tokens": jtext(r, "$.output_tokens"),
            "reject_reason": (
                f"coalesce(_bad, CASE WHEN {model} IS NULL THEN "
                "'result names no model (export the "
                "usage report with group_by=model to price it)' END)"
            ),
        }
        sql = staged_select(exprs, page_records(reader.table, "results"))
        with_counts = con.execute(f"SELECT count(requests) FROM ({sql})", reader.params).fetchone()
        notes: tuple[str, ...] = ()
        if not with_counts or with_counts[0] == 0:
            notes = ("Anthropic usage report: no request counts (requests are null)",)
        return StagedSource(self.name, sql, reader.params, input_includes_cache=False, notes=notes)


ADAPTER = AnthropicUsageAdapter()
