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
"""

from __future__ import annotations

import duckdb

from llm_tco.ingest.base import IngestOptions, Probe, StagedSource
from llm_tco.ingest.formats._sql import first_of, jtext, require_kind, staged_select
from llm_tco.ingest.readers import json_documents

__all__ = ["ADAPTER", "BedrockAdapter"]

_ARN_MODEL = r"^arn:aws[a-z-]*:bedrock:[^:]*:[^:]*:(?:foundation-model|inference-profile)/(.+)$"


class BedrockAdapter:
    name = "bedrock"
    description = "AWS Bedrock model-invocation logs (JSON lines, optionally gzip; CloudWatch exports)"

    def detect(self, probe: Probe) -> bool:
        return '"schemaType"' in probe.head and "ModelInvocationLog" in probe.head

    def stage(self, con: duckdb.DuckDBPyConnection, probe: Probe, options: IngestOptions) -> StagedSource:
        require_kind(probe, self.name, "json", "jsonl", "csv", "unknown")
        reader = json_documents(con, probe, strip_line_prefix=probe.kind != "json")
        d = "doc"
        model_id = jtext(d, "$.modelId")
        model = f"coalesce(nullif(regexp_extract({model_id}, '{_ARN_MODEL}', 1), ''), {model_id})"
        meta = f"json_extract({d}, '$.requestMetadata')"
        workload = first_of(d, ["$.requestMetadata.workload", "$.requestMetadata.Workload"])
        output = jtext(d, "$.output.outputTokenCount")
        exprs = {
            "record_no": "doc_no",
            "source_record_id": jtext(d, "$.requestId"),
            "id_scope": jtext(d, "$.accountId"),  # request ids are the account's
            "ts_start": jtext(d, "$.timestamp"),
            "provider": "'bedrock'",
            "model_raw": model,
            "workload": f"coalesce({workload}, {model})",
            "team": first_of(d, ["$.requestMetadata.team", "$.requestMetadata.Team"]),
            "project": first_of(d, ["$.requestMetadata.project", "$.requestMetadata.Project"]),
            "user": jtext(d, "$.identity.arn"),
            "region": first_of(d, ["$.inferenceRegion", "$.region"]),
            "requests": "1",
            "input_tokens": jtext(d, "$.input.inputTokenCount"),
            "cache_read_tokens": jtext(d, "$.input.cacheReadInputTokenCount"),
            "cache_write_tokens": jtext(d, "$.input.cacheWriteInputTokenCount"),
            # Embedding models log no output: zero output tokens, not a missing count.
            "output_tokens": f"CASE WHEN {output} IS NULL AND contains(lower({model_id}), 'embed') THEN '0' "
            f"ELSE {output} END",
            "reject_reason": (
                f"coalesce(_reject_reason, CASE WHEN {jtext(d, '$.schemaType')} IS DISTINCT "
                "FROM "
                "'ModelInvocationLog' THEN 'not a Bedrock ModelInvocationLog record' END)"
            ),
            "metadata": f"CASE WHEN json_type({meta}) = 'OBJECT' THEN {meta} END",
        }
        return StagedSource(
            self.name, staged_select(exprs, reader.table), reader.params, input_includes_cache=False
        )


ADAPTER = BedrockAdapter()
