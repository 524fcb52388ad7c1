"""LiteLLM proxy ``LiteLLM_SpendLogs`` (FORMATS.md section 8): a CSV / Parquet / JSON export of the table,
or the table itself read from the proxy's PostgreSQL database (``llm_tco.ingest.postgres``).

Convention: ``prompt_tokens`` follows OpenAI semantics — it **includes** cache reads and writes (LiteLLM
adds Anthropic's ``cache_creation`` and ``cache_read`` to it). The split is in
``metadata.additional_usage_values``: cache reads in ``prompt_tokens_details.cached_tokens`` (or
``cache_read_input_tokens``), cache writes in ``cache_creation_input_tokens`` (or
``prompt_tokens_details.cache_creation_tokens``), the 1-hour part in
``cache_creation_token_details.ephemeral_1h_input_tokens``, reasoning in
``completion_tokens_details.reasoning_tokens``. ``spend`` (USD from LiteLLM's price map) is the reported
cost. Each row is one request, keyed by ``request_id``; a failed request (zero tokens) is a valid record
and counts as a request. A ``metadata`` value that is not JSON makes its row quarantined (its cache split
would be unknown).

Natural workload: the first request tag, else the team (alias, else id). Tags and metadata are offered
to attribution rules (``tag = …``, ``metadata = { user_api_key_alias = … }``).
"""

from __future__ import annotations

import duckdb

from llm_tco.ingest.base import IngestOptions, Probe, StagedSource
from llm_tco.ingest.formats._sql import column, lit, require_kind, staged_select
from llm_tco.ingest.json_fields import JsonRead
from llm_tco.ingest.readers import table_reader
from llm_tco.ingest.value_sql import column_kinds

__all__ = ["ADAPTER", "LiteLLMAdapter"]

_REQUIRED = {"request_id", "spend", "prompt_tokens", "completion_tokens", "starttime"}
_AUX = "$.additional_usage_values"
_META_PATHS = [
    "$.user_api_key_team_alias",
    "$.user_api_key_user_id",
    f"{_AUX}.prompt_tokens_details.cached_tokens",
    f"{_AUX}.cache_read_input_tokens",
    f"{_AUX}.cache_creation_input_tokens",
    f"{_AUX}.prompt_tokens_details.cache_creation_tokens",
    f"{_AUX}.cache_creation_token_details.ephemeral_1h_input_tokens",
    f"{_AUX}.cache_creation.ephemeral_1h_input_tokens",
    f"{_AUX}.completion_tokens_details.reasoning_tokens",
]
"""The metadata paths read (team, user, the cache and reasoning split), extracted in one call per row."""


def _json_of(col: str, kind: str, column_name: str, ends: tuple[str, str]) -> tuple[str, str]:
    """(JSON value or NULL, reason when the text is not JSON) for a column holding JSON as text or typed;
    the reason reads the value back from ``column_name``, the column the caller computes it into (one
    parse per row: ``TRY_CAST`` checks and converts at once).

    The value is trimmed (and blank is NULL), but ``trim`` copies every string it is given, which was half
    of a JSON export's staging: a value that opens and closes with the ``ends`` the column normally has
    (``{`` and ``}`` for an object) has nothing to trim and is cast as it is; only the others are trimmed.
    (``value_sql.text_sql`` guards ``trim`` by an ASCII space at either end instead, which would leave a
    value padded with other Unicode spaces untrimmed, and so no longer JSON.)"""
    if col == "NULL":
        return "NULL::JSON", "NULL"
    if kind in ("text", "json"):
        raw = f"CAST({col} AS VARCHAR)"
        text = f"nullif(trim({raw}), '')"
        opens, closes = (lit(end) for end in ends)
        bare = f"starts_with({raw}, {opens}) AND ends_with({raw}, {closes})"
        untrimmed = f"(CASE WHEN {bare} THEN {raw} ELSE {text} END)"
        return (
            f"TRY_CAST({untrimmed} AS JSON)",
            f"CASE WHEN {column_name} IS NULL AND {text} IS NOT NULL THEN 'not valid JSON' END",
        )
    return f"to_json({col})", "NULL"


class LiteLLMAdapter:
    name = "litellm"
    description = "LiteLLM proxy LiteLLM_SpendLogs (CSV/Parquet/JSON export, or postgresql:// URL)"

    def detect(self, probe: Probe) -> bool:
        if probe.kind not in ("csv", "parquet", "json", "jsonl"):
            return False
        return {c.lower() for c in probe.columns} >= _REQUIRED

    def stage(self, con: duckdb.DuckDBPyConnection, probe: Probe, options: IngestOptions) -> StagedSource:
        require_kind(probe, self.name, "csv", "parquet", "json", "jsonl")
        return self._stage(con, probe, read="fast")

    def _stage(self, con: duckdb.DuckDBPyConnection, probe: Probe, *, read: JsonRead) -> StagedSource:
        # JSON and CSV: DuckDB's reader, read once into the staged table; per record (JSON) or checked
        # for rejected lines first (CSV) when it refuses the file
        reader, cols = table_reader(
            con,
            probe,
            json_read=read,
            positions=probe.kind != "parquet",
            csv_checked=read == "per_record",
        )
        kinds = column_kinds(con, f"SELECT * FROM {reader.table}", reader.params)
        by_lower = {c.lower(): c for c in cols}

        def c(*names: str) -> str:
            return column(cols, *names)

        def kind(name: str) -> str:
            return kinds.get(by_lower.get(name.lower(), ""), "null")

        meta, meta_bad = _json_of(c("metadata"), kind("metadata"), "_meta", ("{", "}"))
        tags_json, tags_bad = _json_of(c("request_tags"), kind("request_tags"), "_tags_json", ("[", "]"))
        tags = (
            f"CAST({c('request_tags')} AS VARCHAR[])"
            if kind("request_tags") == "list"
            else "(CASE WHEN json_type(_tags_json) = 'ARRAY' THEN from_json(_tags_json, '[\"VARCHAR\"]') END)"
        )
        # Every metadata path in one call per row: each JSON function parses the text again.
        paths = "[" + ", ".join(lit(p) for p in _META_PATHS) + "]"
        # the tags list built once per row, in the layer below its two uses (workload, tags)
        source = (
            f"(SELECT *, json_extract_string(_meta, {paths}) AS _mv, {tags} AS _tags FROM "
            f"(SELECT *, {meta} AS _meta, {tags_json} AS _tags_json FROM {reader.table}))"
        )

        def mv(*names: str) -> str:
            found = [f"_mv[{_META_PATHS.index(n) + 1}]" for n in names]
            return found[0] if len(found) == 1 else f"coalesce({', '.join(found)})"

        team = (
            f"coalesce(nullif(trim({mv('$.user_api_key_team_alias')}), ''), nullif(trim({c('team_id')}), ''))"
        )
        exprs = {
            "record_no": "record_no",
            "source_record_id": c("request_id"),
            "ts_start": c("startTime"),
            "ts_end": c("endTime"),
            "provider": c("custom_llm_provider"),
            "model_raw": f"coalesce(nullif(trim({c('model')}), ''), {c('model_group')})",
            "workload": f"coalesce(nullif(trim(_tags[1]), ''), {team})",
            "team": team,
            "api_key_id": c("api_key"),
            "user": f"coalesce(nullif(trim({c('end_user')}), ''), nullif(trim({c('user')}), ''), "
            f"{mv('$.user_api_key_user_id')})",
            "requests": "1",
            "input_tokens": c("prompt_tokens"),
            "cache_read_tokens": mv(
                f"{_AUX}.prompt_tokens_details.cached_tokens", f"{_AUX}.cache_read_input_tokens"
            ),
            "cache_write_tokens": mv(
                f"{_AUX}.cache_creation_input_tokens", f"{_AUX}.prompt_tokens_details.cache_creation_tokens"
            ),
            "cache_write_1h_tokens": mv(
                f"{_AUX}.cache_creation_token_details.ephemeral_1h_input_tokens",
                f"{_AUX}.cache_creation.ephemeral_1h_input_tokens",
            ),
            "output_tokens": c("completion_tokens"),
            "reasoning_tokens": mv(f"{_AUX}.completion_tokens_details.reasoning_tokens"),
            "reported_cost_usd": c("spend"),
            "reject_reason": (
                f"coalesce(_reject_reason, 'metadata ' || ({meta_bad}), 'request_tags ' || ({tags_bad}))"
            ),
            "tags": "_tags",
            "metadata": "_meta",
        }
        return StagedSource(
            self.name,
            staged_select(exprs, source),
            reader.params,
            setup_sql=reader.setup,
            # the metadata column's JSON is parsed once, into the staged table, not on every pass
            materialize=probe.kind != "parquet",
            fallback=(lambda: self._stage(con, probe, read="per_record"))
            if probe.kind != "parquet" and read == "fast"
            else None,
            lenient=(lambda: self._stage(con, probe, read="lenient"))
            if probe.kind in ("json", "jsonl") and read == "fast"
            else None,
            unread_lines=reader.unread,
        )


ADAPTER = LiteLLMAdapter()
