"""The generic tabular adapter: any CSV, JSON/JSON-lines or Parquet file with one usage record per row.

Columns are matched by name (``llm_tco.ingest.columns``). Required: a timestamp, the model, input and
output tokens. The provider is optional (inferred from the model later, through genai-prices). The
workload is the column named by ``--workload-from``, else a ``workload`` column, else the model. The
token convention is stated by ``--input-includes-cache`` (default yes, OpenAI/OpenTelemetry).
"""

from __future__ import annotations

import duckdb

from llm_tco.errors import InputFileError
from llm_tco.ingest.base import ATTRIBUTE_COLUMNS, TOKEN_COLUMNS, IngestOptions, Probe, StagedSource
from llm_tco.ingest.columns import REQUIRED_FIELDS, ambiguous_columns, match_columns
from llm_tco.ingest.reader_sql import quote_ident
from llm_tco.ingest.readers import table_reader

__all__ = ["GenericTableAdapter", "matched_fields", "staged_select"]


class GenericTableAdapter:
    """One record per row, columns named like the canonical fields (or mapped with ``--map``)."""

    name = "table"
    description = "CSV, JSON lines or Parquet with one usage record per row (columns matched by name)"

    def detect(self, probe: Probe) -> bool:
        if probe.kind not in ("csv", "jsonl", "json", "parquet"):
            return False
        matched = match_columns(probe.columns, {})
        return all(f in matched for f in REQUIRED_FIELDS)

    def stage(self, con: duckdb.DuckDBPyConnection, probe: Probe, options: IngestOptions) -> StagedSource:
        reader, columns = table_reader(con, probe)
        matched = matched_fields(probe, columns, options)
        sql = staged_select(reader.table, matched, defaults={"requests": "1"})
        return StagedSource(
            format=self.name,
            sql=sql,
            params=reader.params,
            input_includes_cache=options.input_includes_cache,
            setup_sql=reader.setup,
            workload_from_applied=True,
            sliceable=probe.kind == "parquet",
            streamable=probe.kind in ("parquet", "csv"),
            one_request_per_record="requests" not in matched,
        )


def matched_fields(probe: Probe, columns: list[str], options: IngestOptions) -> dict[str, str]:
    """Canonical field -> column of a file with ``columns`` (``--map`` and ``--workload-from`` applied);
    ``InputFileError`` when a named column is absent, two columns claim a field, or a required field has
    no column. Shared with the loading of small files together (``llm_tco.ingest.batch``), so that a file
    is matched alike whichever way it is loaded."""
    overrides = dict(options.column_map)
    if options.workload_from:
        overrides["workload"] = options.workload_from
    matched = match_columns(columns, overrides)
    present = set(columns)
    for field, column in overrides.items():
        if column not in present:
            raise InputFileError(str(probe.path), f"column {column!r} (for {field}) not found in the file")
    # a CSV or Parquet file states its column names (a JSON record's keys are checked per record)
    ambiguity = ambiguous_columns(probe.columns if probe.kind in ("csv", "parquet") else (), matched)
    if ambiguity is not None:
        raise InputFileError(str(probe.path), ambiguity)
    missing = [f for f in REQUIRED_FIELDS if f not in matched]
    if missing:
        names = ", ".join(_describe_field(f) for f in missing)
        raise InputFileError(str(probe.path), f"missing required column {names}")
    return matched


def _describe_field(field: str) -> str:
    from llm_tco.ingest.columns import SYNONYMS

    examples = "/".join(SYNONYMS[field][:3])
    return f"{field!r} (e.g. {examples})"


def staged_select(table: str, matched: dict[str, str], defaults: dict[str, str] | None = None) -> str:
    """``SELECT`` of the staged columns from ``table`` given field -> column names; absent optional
    fields are NULL (or the SQL literal in ``defaults``: e.g. requests = 1 for per-request rows)."""
    defaults = defaults or {}

    def col(field: str) -> str:
        if field in matched:
            return f"{quote_ident(matched[field])}"
        return defaults.get(field, "NULL")

    workload = col("workload") if "workload" in matched else col("model_raw")
    parts = [
        "record_no",
        f"CAST({col('source_record_id')} AS VARCHAR) AS source_record_id",
        f"{col('ts_start')} AS ts_start",
        f"{col('ts_end')} AS ts_end",
    ]
    for attr in ATTRIBUTE_COLUMNS:
        expr = workload if attr == "workload" else col(attr)
        parts.append(f"{expr} AS {quote_ident(attr)}")
    parts.append(f"{col('requests')} AS requests")
    for token in TOKEN_COLUMNS:
        parts.append(f"{col(token)} AS {token}")
    parts.append(f"{col('reported_cost_usd')} AS reported_cost_usd")
    parts.append("_reject_reason AS reject_reason")
    return f"SELECT {', '.join(parts)} FROM {table}"
