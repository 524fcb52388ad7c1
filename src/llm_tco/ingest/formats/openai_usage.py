"""OpenAI Usage API completions pages (``GET /v1/organization/usage/completions``) and the dashboard's
usage CSV export (FORMATS.md sections 1 and 3).

Convention: ``input_tokens`` counts **all** input, cache reads (``input_cached_tokens``) and cache writes
(``input_cache_write_tokens``) included — the canonical convention, so it is kept as it is. When a row
gives the uncached part too, the parts must add up to the total (else the row is quarantined).

A page is ``{object: "page", data: [bucket…]}``; each bucket ``{start_time, end_time, results: […]}``
(unix seconds) becomes one canonical row per result, with ``requests`` = ``num_model_requests`` and
``ts_start``/``ts_end`` = the bucket's bounds. A bucket without activity (``results: []``) has no
records. The ``group_by`` fields (project, user, api key, model, batch, service tier) are kept; the row's
id is made of the bucket bounds and those fields, so re-reading an overlapping export does not count a
bucket twice. A folder of pages is one file per page. Without ``group_by=model`` a result names no
model and cannot be priced: it is quarantined with that reason. Embeddings results (no output) count
zero output tokens; other result objects (images, audio…) are not token usage and are quarantined.

Natural workload: the ``project_id``.
"""

from __future__ import annotations

import duckdb

from llm_tco.ingest.base import IngestOptions, Probe, StagedSource
from llm_tco.ingest.formats._pages import page_fields, page_rows
from llm_tco.ingest.formats._sql import column, head_matches, lit, require_kind, staged_select
from llm_tco.ingest.json_fields import JsonRead, Shape
from llm_tco.ingest.readers import csv_reader

__all__ = ["ADAPTER", "OpenAIUsageAdapter"]

PAGE = r'"object"\s*:\s*"page"'
COMPLETIONS = "organization.usage.completions.result"
EMBEDDINGS = "organization.usage.embeddings.result"
EMPTY = ""
_TIME_COLUMNS = {"start_time", "end_time", "start_time_iso", "end_time_iso"}
_BUCKET: dict[str, Shape] = {"start_time": "VARCHAR", "end_time": "VARCHAR"}
_RESULT: dict[str, Shape] = dict.fromkeys(
    (
        "object",
        "input_tokens",
        "input_cached_tokens",
        "input_cache_write_tokens",
        "input_uncached_tokens",
        "output_tokens",
        "num_model_requests",
        "project_id",
        "user_id",
        "api_key_id",
        "model",
        "batch",
        "service_tier",
    ),
    "VARCHAR",
)
"""The fields of a completions (or embeddings) result that are read; its other members are not."""


def page_records(docs: str, member: str) -> str:
    """Rows (doc_no, bucket_no, result_no, bucket, result, _bad) of every result of every bucket of the
    pages in ``docs``, plus one row per malformed line, page without ``data`` or bucket without
    ``member`` (the results array), each with the reason in ``_bad``."""
    return f"""(
        WITH docs AS MATERIALIZED (SELECT * FROM {docs}),
        buckets AS (
            SELECT d.doc_no, b.bucket_no, b.bucket
            FROM docs d, unnest(json_extract(d.doc, '$.data[*]')) WITH ORDINALITY AS b(bucket, bucket_no)
            WHERE d.doc IS NOT NULL AND json_type(d.doc, '$.data') = 'ARRAY'
        )
        SELECT b.doc_no, b.bucket_no, r.result_no, b.bucket, r.result, NULL::VARCHAR AS _bad
        FROM buckets b, unnest(json_extract(b.bucket, '$.{member}[*]')) WITH ORDINALITY AS r(result,
        result_no)
        WHERE json_type(b.bucket, '$.{member}') = 'ARRAY'
        UNION ALL
        SELECT doc_no, bucket_no, 0, bucket, NULL::JSON, 'bucket without a "{member}" array'
        FROM buckets WHERE coalesce(json_type(bucket, '$.{member}'), '') <> 'ARRAY'
        UNION ALL
        SELECT doc_no, 0, 0, NULL::JSON, NULL::JSON, coalesce(_reject_reason,
            'not a usage page: no "data" array of buckets')
        FROM docs WHERE doc IS NULL OR coalesce(json_type(doc, '$.data'), '') <> 'ARRAY'
    )"""


def _partition_check(total: str, parts: list[str]) -> str:
    """Reason when a row gives the parts of its input and they do not add up to the total."""
    nums = [f"TRY_CAST({p} AS HUGEINT)" for p in parts]
    all_there = " AND ".join(f"{n} IS NOT NULL" for n in [*nums, f"TRY_CAST({total} AS HUGEINT)"])
    summed = " + ".join(nums)
    return (
        f"CASE WHEN {all_there} AND {summed} <> TRY_CAST({total} AS HUGEINT) THEN "
        f"'input_cached_tokens + input_cache_write_tokens + input_uncached_tokens (' || ({summed}) || "
        f"') differ from input_tokens (' || {total} || ')' END"
    )


def _missing_model(model: str) -> str:
    return (
        f"CASE WHEN {model} IS NULL THEN 'result names no model (export the Usage API with "
        "group_by=model to price it)' END"
    )


class OpenAIUsageAdapter:
    name = "openai-usage"
    description = "OpenAI Usage API completions pages (JSON) and the dashboard usage CSV export"

    def detect(self, probe: Probe) -> bool:
        if probe.kind in ("json", "jsonl"):
            if not head_matches(probe, PAGE, r'"start_time"') or "organization.costs.result" in probe.head:
                return False
            return COMPLETIONS in probe.head or EMBEDDINGS in probe.head or "organization." not in probe.head
        if probe.kind == "csv":
            cols = {c.lower() for c in probe.columns}
            if "amount_value" in cols or not {"start_time", "end_time"} <= cols:
                return False
            return (
                bool(cols & {"num_model_requests", "input_tokens", "output_tokens"}) or cols == _TIME_COLUMNS
            )
        return False

    def stage(self, con: duckdb.DuckDBPyConnection, probe: Probe, options: IngestOptions) -> StagedSource:
        require_kind(probe, self.name, "json", "jsonl", "csv")
        if probe.kind == "csv":
            return self._stage_csv(con, probe)
        return self._stage_pages(con, probe, read="fast")

    def _stage_pages(self, con: duckdb.DuckDBPyConnection, probe: Probe, *, read: JsonRead) -> StagedSource:
        fields = page_fields(con, probe, _BUCKET, _RESULT, read=read)

        def r(key: str) -> str:
            return f"result['{key}']"

        obj, model = r("object"), r("model")
        inp, cached, write = r("input_tokens"), r("input_cached_tokens"), r("input_cache_write_tokens")
        start, end = "bucket['start_time']", "bucket['end_time']"
        group = ["project_id", "user_id", "api_key_id", "model", "batch", "service_tier"]
        record_id = (
            f"'openai-usage:' || concat_ws(':', coalesce({obj}, ''), {start}, {end}, "
            + ", ".join(f"coalesce({r(g)}, '')" for g in group)
            + ")"
        )
        reject = (
            f"coalesce(_bad, CASE WHEN {obj} IS NOT NULL AND {obj} NOT IN ({lit(COMPLETIONS)}, "
            f"{lit(EMBEDDINGS)}) "
            f"THEN 'not a token usage result (object ''' || {obj} || ''')' END, {_missing_model(model)}, "
            f"{_partition_check(inp, [cached, write, r('input_uncached_tokens')])})"
        )
        exprs = {
            "record_no": "NULL::BIGINT",  # the position (llm_tco.ingest.staging)
            "source_record_id": f"CASE WHEN _bad IS NULL THEN {record_id} END",
            "ts_start": start,
            "ts_end": end,
            "provider": "'openai'",
            "model_raw": model,
            "workload": r("project_id"),
            "project": r("project_id"),
            "api_key_id": r("api_key_id"),
            "user": r("user_id"),
            "service_tier": r("service_tier"),
            "batch": r("batch"),
            "requests": r("num_model_requests"),
            "input_tokens": inp,
            "cache_read_tokens": cached,
            "cache_write_tokens": write,
            "output_tokens": (
                f"CASE WHEN {obj} = {lit(EMBEDDINGS)} THEN coalesce({r('output_tokens')}, '0') "
                f"ELSE {r('output_tokens')} END"
            ),
            "reject_reason": reject,
        }
        return StagedSource(
            self.name,
            staged_select(exprs, page_rows(fields)),
            fields.reader.params,
            materialize=True,
            fallback=None if read != "fast" else lambda: self._stage_pages(con, probe, read="per_record"),
            lenient=None if read != "fast" else lambda: self._stage_pages(con, probe, read="lenient"),
            unread_lines=fields.reader.unread,
        )

    def _stage_csv(self, con: duckdb.DuckDBPyConnection, probe: Probe) -> StagedSource:
        reader = csv_reader(con, probe)
        cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {reader.table}").fetchall()]

        def c(*names: str) -> str:
            return column(cols, *names)

        model = c("model")
        start = f"coalesce({c('start_time_iso')}, {c('start_time')})"
        end = f"coalesce({c('end_time_iso')}, {c('end_time')})"
        group = [c(g) for g in ("project_id", "user_id", "api_key_id", "model", "batch", "service_tier")]
        record_id = (
            f"'openai-usage-csv:' || concat_ws(':', {start}, {end}, "
            + ", ".join(f"coalesce({g}, '')" for g in group)
            + ")"
        )
        tokens = [c("input_tokens"), c("output_tokens"), c("num_model_requests")]
        parts = [c("input_cached_tokens"), c("input_cache_write_tokens"), c("input_uncached_tokens")]
        # A row of an empty bucket (only the time columns filled) is not a usage record.
        activity = " OR ".join(f"nullif(trim({t}), '') IS NOT NULL" for t in tokens if t != "NULL") or "false"
        exprs = {
            "record_no": "record_no",
            "source_record_id": f"CASE WHEN _reject_reason IS NULL THEN {record_id} END",
            "ts_start": start,
            "ts_end": end,
            "provider": "'openai'",
            "model_raw": model,
            "workload": c("project_id"),
            "project": c("project_id"),
            "api_key_id": c("api_key_id"),
            "user": c("user_id"),
            "service_tier": c("service_tier"),
            "batch": c("batch"),
            "requests": c("num_model_requests"),
            "input_tokens": c("input_tokens"),
            "cache_read_tokens": c("input_cached_tokens"),
            "cache_write_tokens": c("input_cache_write_tokens"),
            "output_tokens": c("output_tokens"),
            "reject_reason": (
                f"coalesce(_reject_reason, "
                f"{_missing_model(f'nullif(trim({model}), {lit(EMPTY)})')}, "
                f"{_partition_check(c('input_tokens'), parts)})"
            ),
        }
        source = f"(SELECT * FROM {reader.table} WHERE _reject_reason IS NOT NULL OR ({activity}))"
        return StagedSource(self.name, staged_select(exprs, source), reader.params, setup_sql=reader.setup)


ADAPTER = OpenAIUsageAdapter()
