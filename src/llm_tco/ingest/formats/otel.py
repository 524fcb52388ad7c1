"""OpenTelemetry GenAI spans in OTLP/JSON files (FORMATS.md section 11): ``resourceSpans → scopeSpans →
spans``, one ``ExportTraceServiceRequest`` per file or per line (the collector's file exporter).

A record is a GenAI span **with token usage** (``gen_ai.usage.input_tokens``/``output_tokens``, or the
deprecated ``prompt_tokens``/``completion_tokens``). Non-GenAI spans and GenAI spans without usage (agent,
tool or workflow spans) are skipped: they are not usage records and are not counted as read.

Convention: ``gen_ai.usage.input_tokens`` SHOULD include cached input, so input is inclusive, with
``gen_ai.usage.cache_read.input_tokens`` and ``gen_ai.usage.cache_creation.input_tokens`` (and the older
``gen_ai.usage.cache_read_input_tokens``/``cache_creation_input_tokens``) as its parts, and
``gen_ai.usage.reasoning.output_tokens`` inside output. An instrumentation that breaks the SHOULD (cache
parts larger than the input, as Anthropic's own counts are) is read as exclusive for that span.

Embeddings: a span whose operation (``gen_ai.operation.name``, or OpenLLMetry's ``llm.request.type``) is
``embeddings``, or whose model is an embedding model (its name contains ``embed``:
``text-embedding-3-small``, ``gemini-embedding-001``, ``mistral-embed``…), produces no output; when it
carries input tokens and no output token attribute, its output is 0 (not missing), so it is priced at
the model's input price. Any other span without an output count is quarantined.

Provider: ``gen_ai.provider.name``, else the older ``gen_ai.system`` (mapped to genai-prices ids later).
Model: ``gen_ai.response.model`` (the snapshot actually served), else ``gen_ai.request.model``. Time:
``startTimeUnixNano``. Id: ``traceId:spanId``. Span and resource attributes are the record's metadata for
attribution rules; ``service.name`` is the service name.

Natural workload: the resource's ``service.name``.
"""

from __future__ import annotations

import duckdb

from llm_tco.ingest.base import IngestOptions, Probe, StagedSource
from llm_tco.ingest.formats._sql import jtext, lit, require_kind, staged_select
from llm_tco.ingest.readers import json_documents

__all__ = ["ADAPTER", "OtelAdapter"]

_ATTR_TYPE = '[{"key": "VARCHAR", "value": "JSON"}]'
_VALUE = (
    "coalesce(a.value->>'stringValue', a.value->>'intValue', a.value->>'doubleValue', a.value->>'boolValue', "
    "CAST(json_extract(a.value, '$.arrayValue') AS VARCHAR), CAST(a.value AS VARCHAR))"
)


def _attributes(json_list: str) -> str:
    """OTLP ``[{key, value: {stringValue|intValue|…}}]`` as a list of ``{k, v}`` text pairs."""
    return (
        f"list_transform(coalesce(json_transform(json_extract({json_list}, '$'), '{_ATTR_TYPE}'), []), "
        f"lambda a: {{'k': a.key, 'v': {_VALUE}}})"
    )


def _get(attrs: str, *keys: str) -> str:
    """The first attribute present among ``keys`` (text)."""
    found = [f"list_filter({attrs}, lambda x: x.k = {lit(k)})[1].v" for k in keys]
    return found[0] if len(found) == 1 else f"coalesce({', '.join(found)})"


def _embedding(attrs: str) -> str:
    """Whether the span is an embeddings call: by its operation, else by its model's name."""
    operation = f"lower(coalesce({_get(attrs, 'gen_ai.operation.name', 'llm.request.type')}, ''))"
    model = f"lower(coalesce({_get(attrs, 'gen_ai.response.model', 'gen_ai.request.model')}, ''))"
    return f"({operation} IN ('embeddings', 'embedding') OR contains({model}, 'embed'))"


class OtelAdapter:
    name = "otel"
    description = "OpenTelemetry GenAI spans in OTLP/JSON (resourceSpans → scopeSpans → spans)"

    def detect(self, probe: Probe) -> bool:
        return probe.kind in ("json", "jsonl") and '"resourceSpans"' in probe.head

    def stage(self, con: duckdb.DuckDBPyConnection, probe: Probe, options: IngestOptions) -> StagedSource:
        require_kind(probe, self.name, "json", "jsonl")
        reader = json_documents(con, probe)
        spans = f"""(
            WITH docs AS MATERIALIZED (SELECT * FROM {reader.table}),
            resources AS (
                SELECT d.doc_no, r.rs_no, {_attributes("r.rs->'$.resource.attributes'")} AS resource_attrs,
                r.rs
                FROM docs d, unnest(json_extract(d.doc, '$.resourceSpans[*]')) WITH ORDINALITY AS r(rs, rs_no)
                WHERE d.doc IS NOT NULL
            ),
            all_spans AS (
                SELECT r.doc_no, r.rs_no, s.ss_no, p.span_no, r.resource_attrs, p.span,
                       {_attributes("p.span->'$.attributes'")} AS attrs
                FROM resources r,
                     unnest(json_extract(r.rs, '$.scopeSpans[*]')) WITH ORDINALITY AS s(ss, ss_no),
                     unnest(json_extract(s.ss, '$.spans[*]')) WITH ORDINALITY AS p(span, span_no)
            )
            SELECT doc_no, rs_no, ss_no, span_no, resource_attrs, span, attrs, NULL::VARCHAR AS _bad
            FROM all_spans
            WHERE len(list_filter(attrs, lambda x: x.k IN ('gen_ai.usage.input_tokens',
            'gen_ai.usage.output_tokens',
                'gen_ai.usage.prompt_tokens', 'gen_ai.usage.completion_tokens'))) > 0
            UNION ALL
            SELECT doc_no, 0, 0, 0, NULL, NULL, NULL, _reject_reason FROM docs WHERE doc IS NULL
        )"""
        a, res = "attrs", "resource_attrs"

        def timestamp(nanos: str) -> str:
            return (
                f"CASE WHEN TRY_CAST({nanos} AS HUGEINT) IS NOT NULL "
                f"THEN CAST(make_timestamp(CAST(TRY_CAST({nanos} AS HUGEINT) // 1000 AS BIGINT)) AS VARCHAR) "
                f"ELSE {nanos} END"
            )

        start = timestamp(jtext("span", "$.startTimeUnixNano"))
        end = timestamp(jtext("span", "$.endTimeUnixNano"))
        cache_read = _get(a, "gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens")
        cache_write = _get(
            a, "gen_ai.usage.cache_creation.input_tokens", "gen_ai.usage.cache_creation_input_tokens"
        )
        inp = _get(a, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens")
        cache = (
            f"coalesce(TRY_CAST({cache_read} AS HUGEINT), 0) + coalesce(TRY_CAST({cache_write} AS "
            "HUGEINT), 0)"
        )
        output = _get(a, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens")
        service = _get(res, "service.name")
        both = f"list_concat({a}, {res})"
        unique = (
            f"list_filter({both}, lambda x, i: list_position(list_transform({both}, lambda y: y.k), x.k) = i)"
        )
        exprs = {
            "record_no": "row_number() OVER (ORDER BY doc_no, rs_no, ss_no, span_no)",
            "source_record_id": (
                f"nullif(concat_ws(':', {jtext('span', '$.traceId')}, {jtext('span', '$.spanId')}), '')"
            ),
            "ts_start": start,
            "ts_end": end,
            "provider": _get(a, "gen_ai.provider.name", "gen_ai.system"),
            "model_raw": _get(a, "gen_ai.response.model", "gen_ai.request.model"),
            "workload": service,
            "user": _get(a, "user.id", "enduser.id", "gen_ai.user.id"),
            "service_tier": _get(
                a,
                "openai.response.service_tier",
                "openai.request.service_tier",
                "gen_ai.openai.response.service_tier",
                "gen_ai.openai.request.service_tier",
            ),
            "region": _get(res, "cloud.region"),
            "requests": "1",
            "input_tokens": inp,
            "cache_read_tokens": cache_read,
            "cache_write_tokens": cache_write,
            "output_tokens": (
                f"CASE WHEN {output} IS NULL AND {inp} IS NOT NULL AND {_embedding(a)} THEN '0' "
                f"ELSE {output} END"
            ),
            "reasoning_tokens": _get(a, "gen_ai.usage.reasoning.output_tokens"),
            "reject_reason": "_bad",
            "service_name": service,
            "input_includes_cache": f"NOT ({cache} > coalesce(TRY_CAST({inp} AS HUGEINT), 0))",
            "metadata": f"CASE WHEN {a} IS NOT NULL THEN to_json(map_from_entries({unique})) END",
        }
        return StagedSource(self.name, staged_select(exprs, spans), reader.params)


ADAPTER = OtelAdapter()
