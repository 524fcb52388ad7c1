"""AWS Bedrock model-invocation logs (FORMATS.md section 6), as delivered to S3 (JSON lines, usually
gzip) or exported from CloudWatch Logs (``<timestamp> <json>`` lines); a JSON array of records works too.

Convention: ``input.inputTokenCount`` is **uncached** input; ``input.cacheReadInputTokenCount`` and
``input.cacheWriteInputTokenCount`` are the cache parts (logs show inputTokenCount=2 beside
cacheReadInputTokenCount=95,500). The adapter stages input exclusive of cache and validation adds the
parts back, so stored input is inclusive.

Pricing is by the ``modelId`` **as logged**, cross-region inference-profile prefixes (``us.``, ``eu.``,
``apac.``, ``global.``) included, because a profile can be priced differently from the base model; a
foundation-model or inference-profile ARN is reduced to its id (``…:inference-profile/us.anthropic…`` ->
``us.anthropic…``). An application-inference-profile ARN names no model and stays as logged (unpriced
until a price override names it). The region is ``inferenceRegion`` when present (where the request
ran), else the record's ``region``. Each record is one request (``requests`` = 1, id ``requestId``).

Natural workload: a ``workload`` key of ``requestMetadata`` when present, else the inference profile or
model id. ``requestMetadata`` is the record's metadata for attribution rules; ``identity.arn`` the user.

The fields are read once per record (``llm_tco.ingest.json_fields``): the request and response bodies a
log may carry are never parsed into values.
"""

from __future__ import annotations

import duckdb

from llm_tco.ingest.base import IngestOptions, Probe, StagedSource
from llm_tco.ingest.formats._sql import lit, require_kind, staged_select
from llm_tco.ingest.json_fields import JsonRead, Shape, json_fields

__all__ = ["ADAPTER", "BedrockAdapter"]

_ARN_MODEL = r"^arn:aws[a-z-]*:bedrock:[^:]*:[^:]*:(?:foundation-model|inference-profile)/(.+)$"
_FIELDS: dict[str, Shape] = {
    "$.schemaType": "VARCHAR",
    "$.timestamp": "VARCHAR",
    "$.accountId": "VARCHAR",
    "$.region": "VARCHAR",
    "$.inferenceRegion": "VARCHAR",
    "$.requestId": "VARCHAR",
    "$.modelId": "VARCHAR",
    "$.identity.arn": "VARCHAR",
    "$.requestMetadata": "JSON",
    "$.input.inputTokenCount": "VARCHAR",
    "$.input.cacheReadInputTokenCount": "VARCHAR",
    "$.input.cacheWriteInputTokenCount": "VARCHAR",
    "$.output.outputTokenCount": "VARCHAR",
}
_METADATA_KEYS = ("$.workload", "$.Workload", "$.team", "$.Team", "$.project", "$.Project")
"""``requestMetadata`` keys read, extracted in one call per record (one parse of the object)."""


class BedrockAdapter:
    name = "bedrock"
    description = "AWS Bedrock model-invocation logs (JSON lines, optionally gzip; CloudWatch exports)"

    def detect(self, probe: Probe) -> bool:
        return '"schemaType"' in probe.head and "ModelInvocationLog" in probe.head

    def stage(self, con: duckdb.DuckDBPyConnection, probe: Probe, options: IngestOptions) -> StagedSource:
        require_kind(probe, self.name, "json", "jsonl", "csv", "unknown")
        return self._stage(con, probe, read="fast")

    def _stage(self, con: duckdb.DuckDBPyConnection, probe: Probe, *, read: JsonRead) -> StagedSource:
        fields = json_fields(con, probe, _FIELDS, strip_line_prefix=probe.kind != "json", read=read)
        f = fields.get
        meta = f("$.requestMetadata")
        keys = "[" + ", ".join(lit(k) for k in _METADATA_KEYS) + "]"
        source = (
            f"(SELECT *, CASE WHEN json_type({meta}) = 'OBJECT' THEN {meta} END AS _meta,"
            f" json_extract_string({meta}, {keys}) AS _mk FROM {fields.reader.table})"
        )
        model_id = f("$.modelId")
        model = f"coalesce(nullif(regexp_extract({model_id}, '{_ARN_MODEL}', 1), ''), {model_id})"
        output = f("$.output.outputTokenCount")
        exprs = {
            "record_no": "record_no",
            "source_record_id": f("$.requestId"),
            "id_scope": f("$.accountId"),  # request ids are the account's
            "ts_start": f("$.timestamp"),
            "provider": "'bedrock'",
            "model_raw": model,
            "workload": f"coalesce(_mk[1], _mk[2], {model})",
            "team": "coalesce(_mk[3], _mk[4])",
            "project": "coalesce(_mk[5], _mk[6])",
            "user": f("$.identity.arn"),
            "region": f"coalesce({f('$.inferenceRegion')}, {f('$.region')})",
            "requests": "1",
            "input_tokens": f("$.input.inputTokenCount"),
            "cache_read_tokens": f("$.input.cacheReadInputTokenCount"),
            "cache_write_tokens": f("$.input.cacheWriteInputTokenCount"),
            # Embedding models log no output: zero output tokens, not a missing count.
            "output_tokens": f"CASE WHEN {output} IS NULL AND contains(lower({model_id}), 'embed') THEN '0' "
            f"ELSE {output} END",
            "reject_reason": (
                f"coalesce(_reject_reason, CASE WHEN {f('$.schemaType')} IS DISTINCT FROM "
                "'ModelInvocationLog' THEN 'not a Bedrock ModelInvocationLog record' END)"
            ),
            "metadata": "_meta",
        }
        return StagedSource(
            self.name,
            staged_select(exprs, source),
            fields.reader.params,
            input_includes_cache=False,
            materialize=True,
            fallback=None if read != "fast" else lambda: self._stage(con, probe, read="per_record"),
            lenient=None if read != "fast" else lambda: self._stage(con, probe, read="lenient"),
            unread_lines=fields.reader.unread,
        )


ADAPTER = BedrockAdapter()
