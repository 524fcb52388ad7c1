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
from llm_tco.ingest.formats._pages import page_fields, page_rows
from llm_tco.ingest.formats._sql import head_matches, require_kind, staged_select, sum_counts
from llm_tco.ingest.json_fields import JsonRead, Shape

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
_BUCKET: dict[str, Shape] = {"starting_at": "VARCHAR", "ending_at": "VARCHAR"}
_RESULT: dict[str, Shape] = {
    **dict.fromkeys(_GROUPS, "VARCHAR"),
    **dict.fromkeys(
        (
            "uncached_input_tokens",
            "cache_read_input_tokens",
            "cache_creation_input_tokens",
            "output_tokens",
            "requests",
        ),
        "VARCHAR",
    ),
    "cache_creation": {"ephemeral_5m_input_tokens": "VARCHAR", "ephemeral_1h_input_tokens": "VARCHAR"},
}
"""The fields of a usage-report result that are read; its other members are not."""


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
        return self._stage(con, probe, read="fast")

    def _stage(self, con: duckdb.DuckDBPyConnection, probe: Probe, *, read: JsonRead) -> StagedSource:
        fields = page_fields(con, probe, _BUCKET, _RESULT, read=read)

        def r(key: str) -> str:
            return f"result['{key}']"

        start, end = "bucket['starting_at']", "bucket['ending_at']"
        model = r("model")
        five_m = "result['cache_creation']['ephemeral_5m_input_tokens']"
        five = f"coalesce({five_m}, {r('cache_creation_input_tokens')})"
        one_hour = "result['cache_creation']['ephemeral_1h_input_tokens']"
        group_key = ", ".join(f"coalesce({r(g)}, '')" for g in _GROUPS)
        exprs = {
            "record_no": "NULL::BIGINT",  # the position (llm_tco.ingest.staging)
            "source_record_id": (
                f"CASE WHEN _bad IS NULL THEN 'anthropic-usage:' || concat_ws(':', {start}, {end}, "
                f"{group_key}) END"
            ),
            "ts_start": start,
            "ts_end": end,
            "provider": "'anthropic'",
            "model_raw": model,
            "workload": r("workspace_id"),
            "project": r("workspace_id"),
            "api_key_id": r("api_key_id"),
            "user": f"coalesce({r('account_id')}, {r('service_account_id')})",
            "service_tier": r("service_tier"),
            "batch": f"({r('service_tier')} = 'batch')",
            "region": r("inference_geo"),
            "context_window": r("context_window"),
            "requests": r("requests"),
            "input_tokens": r("uncached_input_tokens"),
            "cache_read_tokens": r("cache_read_input_tokens"),
            "cache_write_tokens": sum_counts(five, one_hour),
            "cache_write_1h_tokens": one_hour,
            "output_tokens": r("output_tokens"),
            "reject_reason": (
                f"coalesce(_bad, CASE WHEN {model} IS NULL THEN "
                "'result names no model (export the "
                "usage report with group_by=model to price it)' END)"
            ),
        }
        return StagedSource(
            self.name,
            staged_select(exprs, page_rows(fields)),
            fields.reader.params,
            input_includes_cache=False,
            materialize=True,
            fallback=None if read != "fast" else lambda: self._stage(con, probe, read="per_record"),
            lenient=None if read != "fast" else lambda: self._stage(con, probe, read="lenient"),
            unread_lines=fields.reader.unread,
            notes_if_all_null=(
                ("requests", "Anthropic usage report: no request counts (requests are null)"),
            ),
        )


ADAPTER = AnthropicUsageAdapter()
