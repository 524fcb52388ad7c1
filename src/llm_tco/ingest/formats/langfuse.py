"""Langfuse observations / generations export (FORMATS.md section 9): JSON (an array, the API's
``{data: […], meta}`` envelope, or JSON lines) and the UI's CSV export.

Usage lives on observations of type ``GENERATION`` and ``EMBEDDING``; other observations (spans,
events) are not usage records and are skipped (they do not count as records read).

Convention. ``usageDetails`` keys are free-form and their meaning depends on the integration that wrote
them, so the adapter reads the input total from ``input`` (or ``input_tokens``/``prompt_tokens``), cache
reads from ``input_cached_tokens``/``cache_read_input_tokens``/``input_cache_read``, cache writes from
``cache_creation_input_tokens``/``input_cache_creation``/``input_cache_write``, output from ``output``
(…) and reasoning from ``output_reasoning_tokens``. It **never sums all keys** into a total (Langfuse's own
total without a ``total`` key, which double-counts cache keys that are parts of the input). Whether
``input`` includes the cache (and ``output`` the reasoning) is decided per record:

- with ``total``: the reading whose parts add up to it (``input + output`` → inclusive;
  ``input + cache + output + reasoning`` → exclusive; the two mixed forms likewise); a total no reading
  explains quarantines the record;
- without ``total``: inclusive (cache keys as subsets of input, as in FORMATS.md's example), unless the
  parts exceed the whole (cache > input, reasoning > output), which only the exclusive reading allows.

Reported cost: ``costDetails.total``, else the sum of the ``costDetails`` values (costs are disjoint), else
``calculatedTotalCost``/``totalPrice``. The deprecated ``usage`` object and the CSV's
``inputUsage``/``outputUsage``/``totalUsage`` (or ``promptTokens``/``completionTokens``) columns are read
when ``usageDetails`` is absent.

Natural workload: the trace name (``traceName``), else the model.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from llm_tco.ingest.base import IngestOptions, Probe, StagedSource
from llm_tco.ingest.formats._sql import column, first_of, jtext, lit, require_kind, staged_select
from llm_tco.ingest.json_fields import JsonRead, Shape, json_fields
from llm_tco.ingest.json_readers import json_documents
from llm_tco.ingest.reader_sql import quote_ident
from llm_tco.ingest.readers import csv_reader

__all__ = ["ADAPTER", "LangfuseAdapter"]

_IN = ["$.input", "$.input_tokens", "$.prompt_tokens", "$.promptTokens"]
_OUT = ["$.output", "$.output_tokens", "$.completion_tokens", "$.completionTokens"]
_TOTAL = ["$.total", "$.total_tokens", "$.totalTokens"]
_CACHE_READ = [
    "$.input_cached_tokens",
    "$.cache_read_input_tokens",
    "$.input_cache_read",
    "$.cached_tokens",
    "$.input_tokens_details.cached_tokens",
    "$.prompt_tokens_details.cached_tokens",
]
_CACHE_WRITE = [
    "$.cache_creation_input_tokens",
    "$.input_cache_creation",
    "$.input_cache_write",
    "$.input_cache_write_tokens",
]
_CACHE_WRITE_1H = ["$.input_cache_creation_1h", "$.ephemeral_1h_input_tokens"]
_REASONING = [
    "$.output_reasoning_tokens",
    "$.output_reasoning",
    "$.reasoning_tokens",
    "$.output_tokens_details.reasoning_tokens",
    "$.completion_tokens_details.reasoning_tokens",
]
_USAGE_TYPES = ("GENERATION", "EMBEDDING")
_TEXT_FIELDS = (
    "id",
    "projectId",
    "traceName",
    "trace_name",
    "type",
    "startTime",
    "endTime",
    "model",
    "userId",
    "calculatedTotalCost",
    "totalPrice",
)
_FIELDS: dict[str, Shape] = {
    **{f"$.{k}": "VARCHAR" for k in _TEXT_FIELDS},
    **{f"$.{k}": "JSON" for k in ("usageDetails", "usage", "costDetails", "metadata")},
}
"""What DuckDB's reader reads of an observation (its input and output bodies are never parsed)."""
_FAST_USAGE = 'coalesce("usageDetails", "usage")'
_COST_SUM = r"""list_sum(list_transform(json_keys({cost}), lambda k: TRY_CAST(json_extract_string({cost},
    '$."' || replace(k, '"', '\"') || '"') AS DECIMAL(38, 12))))"""
"""Sum of a costDetails object's numeric values (keys are data, so the JSON path escapes quotes)."""


_USAGE_PATHS = list(
    dict.fromkeys([*_IN, *_OUT, *_TOTAL, *_CACHE_READ, *_CACHE_WRITE, *_CACHE_WRITE_1H, *_REASONING])
)
"""Every ``usageDetails`` path read, extracted in one call per record (each JSON function parses again)."""


_COUNTS = ("_n_in", "_n_out", "_n_total", "_n_cache", "_n_rsn")
"""The usage counts as numbers, columns :func:`_with_usage` adds: input, output, total, cache, reasoning."""


def _with_usage(table: str, usage: str) -> str:
    """``table`` plus ``_usage`` (the usage object), ``_uv`` (the text of each of ``_USAGE_PATHS``), the
    counts as numbers (``_n_in``, ``_n_out``, ``_n_total``, ``_n_cache``, ``_n_rsn``) and which reading
    explains the parts (``_in_incl``: input includes the cache, ``_out_incl``: output includes the
    reasoning). Each layer computes its columns once per record for the expressions above it, which use
    them several times."""
    paths = "[" + ", ".join(lit(p) for p in _USAGE_PATHS) + "]"

    def num(paths: list[str]) -> str:
        return f"TRY_CAST({_uv(paths)} AS HUGEINT)"

    inp, out, total, cache, rsn = _COUNTS
    in_incl = (
        f"CASE WHEN {total} IS NULL THEN NOT ({cache} > coalesce({inp}, 0)) "
        f"WHEN {total} IN ({inp} + {out}, {inp} + {out} + {rsn}) THEN true "
        f"WHEN {total} IN ({inp} + {cache} + {out}, {inp} + {cache} + {out} + {rsn}) THEN false END"
    )
    out_incl = (
        f"CASE WHEN {total} IS NULL THEN NOT ({rsn} > coalesce({out}, 0)) "
        f"WHEN {total} IN ({inp} + {out}, {inp} + {cache} + {out}) THEN true "
        f"WHEN {total} IN ({inp} + {out} + {rsn}, {inp} + {cache} + {out} + {rsn}) THEN false END"
    )
    numbers = (
        f"{num(_IN)} AS {inp}, {num(_OUT)} AS {out}, {num(_TOTAL)} AS {total}, "
        f"(coalesce({num(_CACHE_READ)}, 0) + coalesce({num(_CACHE_WRITE)}, 0)) AS {cache}, "
        f"coalesce({num(_REASONING)}, 0) AS {rsn}"
    )
    return (
        f"(SELECT *, {in_incl} AS _in_incl, {out_incl} AS _out_incl FROM"
        f" (SELECT *, {numbers} FROM"
        f" (SELECT *, _usage_json AS _usage, json_extract_string(_usage_json, {paths}) AS _uv"
        f" FROM (SELECT *, {usage} AS _usage_json FROM {table}))))"
    )


def _uv(paths: list[str]) -> str:
    """The first present of several usage paths, as text."""
    parts = [f"_uv[{_USAGE_PATHS.index(p) + 1}]" for p in paths]
    return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"


def _usage_sql(cost: str, fallback_cost: str) -> dict[str, str]:
    """Staged token columns (and the per-record convention) from the columns :func:`_with_usage` adds."""
    usage = "_usage"
    inp, out, total, _, rsn = _COUNTS
    in_incl, out_incl = "_in_incl", "_out_incl"
    output = f"CASE WHEN {out_incl} = false THEN CAST({out} + {rsn} AS VARCHAR) ELSE {_uv(_OUT)} END"
    cost_sum = _COST_SUM.replace("{cost}", cost)
    return {
        "input_tokens": _uv(_IN),
        "cache_read_tokens": _uv(_CACHE_READ),
        "cache_write_tokens": _uv(_CACHE_WRITE),
        "cache_write_1h_tokens": _uv(_CACHE_WRITE_1H),
        "output_tokens": output,
        "reasoning_tokens": _uv(_REASONING),
        "input_includes_cache": f"coalesce({in_incl}, true)",
        "reported_cost_usd": (
            f"coalesce({jtext(cost, '$.total')}, CAST({cost_sum} AS VARCHAR), {fallback_cost})"
        ),
        "_usage_reason": (
            f"CASE WHEN {usage} IS NULL OR {_uv(_IN + _OUT)} IS NULL THEN "
            "'generation without usage' "
            f"WHEN {total} IS NOT NULL AND {inp} IS NOT NULL AND {out} IS NOT NULL AND ({in_incl} IS NULL "
            f"OR {out_incl} IS NULL) THEN 'usageDetails total (' || {total} || "
            "') matches no reading of its parts' END"
        ),
    }


class LangfuseAdapter:
    name = "langfuse"
    description = (
        "Langfuse observations/generations export (JSON, JSON lines or CSV; usageDetails/costDetails)"
    )

    def detect(self, probe: Probe) -> bool:
        if probe.kind in ("json", "jsonl"):
            return '"traceId"' in probe.head and any(
                k in probe.head for k in ('"usageDetails"', '"calculatedTotalCost"', '"promptTokens"')
            )
        if probe.kind == "csv":
            cols = {c.lower() for c in probe.columns}
            return "traceid" in cols and bool(
                cols & {"usagedetails", "inputusage", "prompttokens", "totaltokens"}
            )
        return False

    def stage(self, con: duckdb.DuckDBPyConnection, probe: Probe, options: IngestOptions) -> StagedSource:
        require_kind(probe, self.name, "json", "jsonl", "csv")
        if probe.kind == "csv":
            return self._stage_csv(con, probe)
        # DuckDB's reader takes JSON lines or an array of observations, not the API's {data: [...]} envelope
        if probe.kind == "jsonl" or probe.head.lstrip().startswith("["):
            return self._stage_fast(con, probe)
        return self._stage_documents(con, probe)

    def _stage_fast(
        self, con: duckdb.DuckDBPyConnection, probe: Probe, read: JsonRead = "fast"
    ) -> StagedSource:
        """One observation per record, read with DuckDB's reader (``llm_tco.ingest.json_fields``)."""
        fields = json_fields(con, probe, _FIELDS, read=read)
        exprs = self._common(
            lambda p: quote_ident(p) if f"$.{p}" in _FIELDS else "NULL",
            "costDetails",
            'coalesce("calculatedTotalCost", "totalPrice")',
            "metadata",
            "NULL::BIGINT",  # the position (llm_tco.ingest.staging)
        )
        source = _with_usage(f"(SELECT *, _reject_reason AS _bad FROM {fields.reader.table})", _FAST_USAGE)
        kind = 'upper("type")'
        keep = f"_bad IS NOT NULL OR {kind} IN {_USAGE_TYPES} OR ({kind} IS NULL AND _usage IS NOT NULL)"
        return StagedSource(
            self.name,
            staged_select(exprs, f"(SELECT * FROM {source} WHERE {keep})"),
            fields.reader.params,
            materialize=True,
            fallback=lambda: self._stage_documents(con, probe),
            lenient=lambda: self._stage_fast(con, probe, read="lenient"),
            unread_lines=fields.reader.unread,
        )

    def _stage_documents(self, con: duckdb.DuckDBPyConnection, probe: Probe) -> StagedSource:
        """Each line or document parsed on its own (a malformed one quarantined), envelopes unnested."""
        reader = json_documents(con, probe)
        o = "obs"
        source = f"""(
            WITH docs AS MATERIALIZED (SELECT * FROM {reader.table})
            SELECT d.doc_no, x.obs_no, x.obs, NULL::VARCHAR AS _bad
            FROM docs d, unnest(CASE WHEN json_type(d.doc, '$.data') = 'ARRAY' THEN json_extract(d.doc,
            '$.data[*]')
                                     ELSE [d.doc] END) WITH ORDINALITY AS x(obs, obs_no)
            WHERE d.doc IS NOT NULL
            UNION ALL SELECT doc_no, 0, NULL::JSON, _reject_reason FROM docs WHERE doc IS NULL
        )"""
        usage = f"coalesce(json_extract({o}, '$.usageDetails'), json_extract({o}, '$.usage'))"
        cost = f"json_extract({o}, '$.costDetails')"
        fallback = first_of(o, ["$.calculatedTotalCost", "$.totalPrice"])
        exprs = self._common(
            lambda p: jtext(o, "$." + p),
            cost,
            fallback,
            f"json_extract({o}, '$.metadata')",
            "row_number() OVER (ORDER BY doc_no, obs_no)",
        )
        kind = f"upper({jtext(o, '$.type')})"
        keep = f"_bad IS NOT NULL OR {kind} IN {_USAGE_TYPES} OR ({kind} IS NULL AND _usage IS NOT NULL)"
        return StagedSource(
            self.name,
            staged_select(exprs, f"(SELECT * FROM {_with_usage(source, usage)} WHERE {keep})"),
            reader.params,
            materialize=True,
        )

    def _stage_csv(self, con: duckdb.DuckDBPyConnection, probe: Probe) -> StagedSource:
        reader = csv_reader(con, probe)
        cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {reader.table}").fetchall()]

        def c(name: str) -> str:
            return column(cols, name)

        def as_json(col: str) -> str:
            return (
                f"(CASE WHEN json_valid({col}) THEN CAST({col} AS JSON) END)"
                if col != "NULL"
                else "NULL::JSON"
            )

        built = (
            f"json_object('input', TRY_CAST(coalesce({c('inputUsage')}, {c('promptTokens')}) AS HUGEINT), "
            f"'output', TRY_CAST(coalesce({c('outputUsage')}, {c('completionTokens')}) AS HUGEINT), "
            f"'total', TRY_CAST(coalesce({c('totalUsage')}, {c('totalTokens')}) AS HUGEINT))"
        )
        usage = f"coalesce({as_json(c('usageDetails'))}, {built})"
        fallback = f"coalesce({c('calculatedTotalCost')}, {c('totalCost')}, {c('totalPrice')})"
        exprs = self._common(
            lambda p: column(cols, p),
            as_json(c("costDetails")),
            fallback,
            as_json(c("metadata")),
            "record_no",
        )
        kind = f"upper(nullif(trim({c('type')}), ''))"
        keep = f"_reject_reason IS NOT NULL OR {kind} IS NULL OR {kind} IN {_USAGE_TYPES}"
        source = _with_usage(f"(SELECT *, _reject_reason AS _bad FROM {reader.table} WHERE {keep})", usage)
        return StagedSource(self.name, staged_select(exprs, source), reader.params, setup_sql=reader.setup)

    @staticmethod
    def _common(
        get: Callable[[str], str], cost: str, fallback: str, metadata: str, record_no: str
    ) -> dict[str, str]:
        """Staged columns shared by the JSON and CSV forms; ``get`` maps a field name to its SQL text, and
        the usage is the ``_usage``/``_uv`` of :func:`_with_usage`."""
        tokens = _usage_sql(cost, fallback)
        reason = tokens.pop("_usage_reason")
        trace_name = f"coalesce({get('traceName')}, {get('trace_name')})"
        return {
            "record_no": record_no,
            "source_record_id": get("id"),
            "id_scope": get("projectId"),  # observation ids are the project's
            "ts_start": get("startTime"),
            "ts_end": get("endTime"),
            "model_raw": get("model"),
            "workload": trace_name,
            "project": get("projectId"),
            "user": get("userId"),
            "requests": "1",
            **tokens,
            "reject_reason": f"coalesce(_bad, {reason})",
            "metadata": f"(CASE WHEN json_type({metadata}) = 'OBJECT' THEN {metadata} END)",
        }


ADAPTER = LangfuseAdapter()
