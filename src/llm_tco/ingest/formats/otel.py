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
attribution rules (a span's first value of a key, then its resource's); ``service.name`` is the service
name.

Natural workload: the resource's ``service.name``.
"""

from __future__ import annotations

import duckdb

from llm_tco.ingest.base import IngestOptions, Probe, StagedSource
from llm_tco.ingest.formats._sql import lit, require_kind, staged_select
from llm_tco.ingest.json_fields import JsonRead, Shape, json_fields

__all__ = ["ADAPTER", "OtelAdapter"]

_VALUE: dict[str, Shape] = {
    "stringValue": "VARCHAR",
    "intValue": "VARCHAR",
    "doubleValue": "VARCHAR",
    "boolValue": "VARCHAR",
    "arrayValue": "JSON",
    "kvlistValue": "JSON",
    "bytesValue": "VARCHAR",
}
_ATTRIBUTES: Shape = [{"key": "VARCHAR", "value": _VALUE}]
_SPAN: dict[str, Shape] = {
    "traceId": "VARCHAR",
    "spanId": "VARCHAR",
    "startTimeUnixNano": "VARCHAR",
    "endTimeUnixNano": "VARCHAR",
    "attributes": _ATTRIBUTES,
}
_FIELDS: dict[str, Shape] = {
    "$.resourceSpans": [{"resource": {"attributes": _ATTRIBUTES}, "scopeSpans": [{"spans": [_SPAN]}]}]
}
"""What is read of an ``ExportTraceServiceRequest``; span events, links and the rest are not."""
_USAGE_KEYS = (
    "gen_ai.usage.input_tokens",
    "gen_ai.usage.output_tokens",
    "gen_ai.usage.prompt_tokens",
    "gen_ai.usage.completion_tokens",
)


def _value(v: str) -> str:
    """An attribute's ``AnyValue`` as text: the scalar it holds, an array or key-value list as its JSON."""
    return (
        f"coalesce({v}['stringValue'], {v}['intValue'], {v}['doubleValue'], {v}['boolValue'], "
        f"CAST({v}['arrayValue'] AS VARCHAR), CAST({v}['kvlistValue'] AS VARCHAR), {v}['bytesValue'])"
    )


def _pairs(attributes: str) -> str:
    """OTLP ``[{key, value}]`` as a struct of two lists, the keys ``k`` and their values ``v`` as text."""
    return (
        f"{{'k': list_transform({attributes}, lambda a: a.key), "
        f"'v': list_transform({attributes}, lambda a: {_value('a.value')})}}"
    )


def _get(attrs: str, *keys: str) -> str:
    """The first attribute present among ``keys`` (text; the first of a key given twice)."""
    found = [f"{attrs}.v[list_position({attrs}.k, {lit(k)})]" for k in keys]
    return found[0] if len(found) == 1 else f"coalesce({', '.join(found)})"


_UNREAD_REQUEST = '{"resourceSpans": [{"scopeSpans": [{"spans": [null]}]}]}'
"""What a line that could not be read stands for (``json_fields``'s ``unread_as``)."""


class OtelAdapter:
    name = "otel"
    description = "OpenTelemetry GenAI spans in OTLP/JSON (resourceSpans → scopeSpans → spans)"

    def detect(self, probe: Probe) -> bool:
        return probe.kind in ("json", "jsonl") and '"resourceSpans"' in probe.head

    def stage(self, con: duckdb.DuckDBPyConnection, probe: Probe, options: IngestOptions) -> StagedSource:
        require_kind(probe, self.name, "json", "jsonl")
        return self._stage(con, probe, read="fast")

    def _stage(self, con: duckdb.DuckDBPyConnection, probe: Probe, *, read: JsonRead) -> StagedSource:
        # A line that could not be read stands for a request of one span, null: it unnests to one row
        fields = json_fields(con, probe, _FIELDS, read=read, nested=True, unread_as=_UNREAD_REQUEST)
        # One pipeline of unnests, so that the spans (and the one row of a malformed line) keep file order:
        # the record number is the position (llm_tco.ingest.staging).
        usage_keys = "[" + ", ".join(lit(k) for k in _USAGE_KEYS) + "]"
        spans = f"""(
            SELECT _bad, resource_attrs, span, {_pairs("span['attributes']")} AS attrs
            FROM (
                SELECT _bad, resource_attrs, unnest(ss['spans']) AS span
                FROM (
                    SELECT _bad, {_pairs("rs['resource']['attributes']")} AS resource_attrs,
                        unnest(rs['scopeSpans']) AS ss
                    FROM (
                        SELECT _reject_reason AS _bad, unnest("resourceSpans") AS rs
                        FROM {fields.reader.table}
                    )
                )
            )
        )"""
        keep = f"(SELECT * FROM {spans} WHERE _bad IS NOT NULL OR list_has_any(attrs.k, {usage_keys}))"
        a, res = "attrs", "resource_attrs"
        # Each attribute looked up once per span, in a layer below the expressions that use it: a lookup
        # scans the span's keys, and several staged columns read the same ones (input, model, output).
        lookups = {
            "_provider": _get(a, "gen_ai.provider.name", "gen_ai.system"),
            "_model": _get(a, "gen_ai.response.model", "gen_ai.request.model"),
            "_operation": _get(a, "gen_ai.operation.name", "llm.request.type"),
            "_input": _get(a, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"),
            "_output": _get(a, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"),
            "_cache_read": _get(
                a, "gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens"
            ),
            "_cache_write": _get(
                a, "gen_ai.usage.cache_creation.input_tokens", "gen_ai.usage.cache_creation_input_tokens"
            ),
            "_service": _get(res, "service.name"),
        }
        looked_up = f"(SELECT *, {', '.join(f'{e} AS {n}' for n, e in lookups.items())} FROM {keep})"

        def timestamp(nanos: str) -> str:
            # BIGINT holds every nanosecond time to 2262 and is cast three times faster than HUGEINT,
            # which parses the same texts the same way (it is kept for larger values).
            return (
                f"CASE WHEN TRY_CAST({nanos} AS BIGINT) IS NOT NULL "
                f"THEN CAST(make_timestamp(TRY_CAST({nanos} AS BIGINT) // 1000) AS VARCHAR) "
                f"WHEN TRY_CAST({nanos} AS HUGEINT) IS NOT NULL "
                f"THEN CAST(make_timestamp(CAST(TRY_CAST({nanos} AS HUGEINT) // 1000 AS BIGINT)) AS VARCHAR) "
                f"ELSE {nanos} END"
            )

        start = timestamp("span['startTimeUnixNano']")
        end = timestamp("span['endTimeUnixNano']")
        cache = (
            "coalesce(TRY_CAST(_cache_read AS HUGEINT), 0) + coalesce(TRY_CAST(_cache_write AS HUGEINT), 0)"
        )
        # Embeddings: by the operation, else by the model's name.
        embedding = (
            "(lower(coalesce(_operation, '')) IN ('embeddings', 'embedding') "
            "OR contains(lower(coalesce(_model, '')), 'embed'))"
        )
        # span attributes, then the resource's, as pairs (kind ``pairs``, llm_tco.ingest.kept_metadata):
        # a key given twice is read at its first position; only the keys a series keeps are looked up
        metadata = f"{{'k': list_concat({a}.k, {res}.k), 'v': list_concat({a}.v, {res}.v)}}"
        exprs = {
            "record_no": "NULL::BIGINT",
            "source_record_id": "nullif(concat_ws(':', span['traceId'], span['spanId']), '')",
            "ts_start": start,
            "ts_end": end,
            "provider": "_provider",
            "model_raw": "_model",
            "workload": "_service",
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
            "input_tokens": "_input",
            "cache_read_tokens": "_cache_read",
            "cache_write_tokens": "_cache_write",
            "output_tokens": (
                f"CASE WHEN _output IS NULL AND _input IS NOT NULL AND {embedding} THEN '0' ELSE _output END"
            ),
            "reasoning_tokens": _get(a, "gen_ai.usage.reasoning.output_tokens"),
            "reject_reason": "_bad",
            "service_name": "_service",
            "input_includes_cache": f"NOT ({cache} > coalesce(TRY_CAST(_input AS HUGEINT), 0))",
            "metadata": f"CASE WHEN _bad IS NULL THEN {metadata} END",
        }
        return StagedSource(
            self.name,
            staged_select(exprs, looked_up),
            fields.reader.params,
            materialize=True,
            fallback=None if read != "fast" else lambda: self._stage(con, probe, read="per_record"),
            lenient=None if read != "fast" else lambda: self._stage(con, probe, read="lenient"),
            unread_lines=fields.reader.unread,
        )


ADAPTER = OtelAdapter()
