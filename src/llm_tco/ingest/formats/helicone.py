"""Helicone request export (``npx @helicone/export`` JSON / JSON lines / CSV, or the ClickHouse request
query), FORMATS.md section 10. One record per request, keyed by ``request_id``.

Convention (FORMATS.md: provider-dependent, not verified): Helicone keeps each provider's own meaning of
``prompt_tokens``, so for Anthropic and Bedrock it is read **exclusive** of ``prompt_cache_read_tokens`` /
``prompt_cache_write_tokens`` (their convention) and for every other provider **inclusive** (OpenAI's);
a record whose cache parts exceed its ``prompt_tokens`` can only be exclusive and is read so. ``cost``
(USD; or ``costUSD``) is the reported cost. A failed request with zero tokens is a valid record.

Natural workload: a ``Helicone-Property-Workload`` custom property (stored as ``Workload``/``workload``)
when present, else the model. The properties are the record's metadata for attribution rules.
"""

from __future__ import annotations

import duckdb

from llm_tco.ingest.base import IngestOptions, Probe, StagedSource
from llm_tco.ingest.formats._sql import column, first_of, require_kind, staged_select
from llm_tco.ingest.json_fields import JsonRead
from llm_tco.ingest.readers import table_reader

__all__ = ["ADAPTER", "HeliconeAdapter"]

_EXCLUSIVE_PROVIDERS = ("anthropic", "bedrock", "aws", "aws.bedrock")


class HeliconeAdapter:
    name = "helicone"
    description = "Helicone request export (JSON, JSON lines or CSV)"

    def detect(self, probe: Probe) -> bool:
        if probe.kind not in ("csv", "json", "jsonl", "parquet"):
            return False
        cols = {c.lower() for c in probe.columns}
        return {"request_id", "request_created_at", "prompt_tokens", "completion_tokens"} <= cols

    def stage(self, con: duckdb.DuckDBPyConnection, probe: Probe, options: IngestOptions) -> StagedSource:
        require_kind(probe, self.name, "csv", "json", "jsonl", "parquet")
        return self._stage(con, probe, read="fast")

    def _stage(self, con: duckdb.DuckDBPyConnection, probe: Probe, *, read: JsonRead) -> StagedSource:
        # JSON: DuckDB's reader, read once into the staged table; per record when it refuses the file
        reader, cols = table_reader(con, probe, json_read=read, positions=probe.kind != "parquet")

        def c(*names: str) -> str:
            return column(cols, *names)

        props_text = (
            f"nullif(trim(CAST(coalesce({c('request_properties')}, {c('properties')}) AS VARCHAR)), '')"
        )
        props = (
            f"(CASE WHEN json_valid({props_text}) AND json_type({props_text}) = 'OBJECT' THEN "
            f"CAST({props_text} AS JSON) END)"
        )
        provider = f"lower(nullif(trim({c('provider')}), ''))"
        prompt = c("prompt_tokens")
        cache_read, cache_write = c("prompt_cache_read_tokens"), c("prompt_cache_write_tokens")
        cache = (
            f"coalesce(TRY_CAST({cache_read} AS HUGEINT), 0) + coalesce(TRY_CAST({cache_write} AS "
            "HUGEINT), 0)"
        )
        exprs = {
            "record_no": "record_no",
            "source_record_id": c("request_id"),
            "ts_start": c("request_created_at"),
            "ts_end": c("response_created_at"),
            "provider": provider,
            "model_raw": f"coalesce(nullif(trim({c('model_override')}), ''), nullif(trim({c('model')}), ''), "
            f"nullif(trim({c('request_model')}), ''), nullif(trim({c('response_model')}), ''))",
            "workload": first_of(props, ['$."Helicone-Property-Workload"', "$.Workload", "$.workload"]),
            "user": (
                f"coalesce(nullif(trim({c('request_user_id')}), ''), nullif(trim({c('helicone_user')}), ''))"
            ),
            "requests": "1",
            "input_tokens": prompt,
            "cache_read_tokens": cache_read,
            "cache_write_tokens": cache_write,
            "output_tokens": c("completion_tokens"),
            "reported_cost_usd": f"coalesce({c('cost')}, {c('costUSD')}, {c('cost_usd')})",
            "reject_reason": "_reject_reason",
            "input_includes_cache": f"NOT ({provider} IN {_EXCLUSIVE_PROVIDERS} "
            f"OR {cache} > coalesce(TRY_CAST({prompt} AS HUGEINT), 0))",
            "metadata": props,
        }
        offers = probe.kind in ("json", "jsonl") and read == "fast"  # the slower readings, when this fails
        return StagedSource(
            self.name,
            staged_select(exprs, reader.table),
            reader.params,
            setup_sql=reader.setup,
            materialize=probe.kind != "parquet",
            fallback=(lambda: self._stage(con, probe, read="per_record")) if offers else None,
            lenient=(lambda: self._stage(con, probe, read="lenient")) if offers else None,
            unread_lines=reader.unread,
        )


ADAPTER = HeliconeAdapter()
