"""Checking staged records and converting them to canonical rows, in one SQL query.

Every record gets either converted values or a ``reason`` (the first rule it breaks); nothing is dropped.
Rules (issue "Validation, quarantine, accounting"): token counts must be numbers, finite, non-negative,
whole, within 64 bits and within the per-request ceiling (× ``requests`` for bucketed rows; not applied when
the request count is unknown); parts never exceed their totals; timestamps parse (no zone = UTC) and are
not in the future; the model is present. The SQL is generated per staged column *type*
(:mod:`llm_tco.ingest.value_sql`), so typed Parquet columns skip the text parsing that CSV fields need.

The query is layered — parse (``p``), canonical input (``c``), reason (``r``), output — so that each
expression is evaluated once per record: a single-level SELECT that reuses the reason through a column
alias makes DuckDB re-evaluate the whole reason ``CASE`` in every output column (15× slower).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

import duckdb

from llm_tco.config.attribution import AttributionRule
from llm_tco.ingest.attribution import check_workload_from
from llm_tco.ingest.base import ATTRIBUTE_COLUMNS, TOKEN_COLUMNS
from llm_tco.ingest.kept_metadata import projection_sql
from llm_tco.ingest.series_hash import SERIES_HASH_COLUMN, SeriesHash, hashed_columns, series_hash
from llm_tco.ingest.value_sql import (
    FUTURE_SKEW_S,
    MAX_INT64,
    bool_sql,
    count_reason_sql,
    count_sql,
    number_sql,
    staged_columns,
    timestamp_reasons_sql,
    timestamp_sql,
)

__all__ = [
    "FINGERPRINT_KEY_VARIABLE",
    "ID_KEY",
    "SUBSET_TABLE",
    "ValidationSql",
    "bind_fingerprint",
    "fingerprint_key_base",
    "validation_sql",
]

ID_KEY = "md5_number(record_id)"
"""The 128-bit ``record_key`` of a record with a source id, from its ``record_id`` (the de-duplication key;
``llm_tco.ingest.keyed`` computes it from the id alone, for the few records it needs it of)."""


@dataclass(frozen=True)
class ValidationSql:
    """The validation query and, apart, the query of the distinct attribute combinations it yields."""

    sql: str
    params: list[object]
    combos_sql: str = ""
    """One row per distinct combination of a record's attributes (the validated attribute columns and
    ``attr_hash``, exactly as ``sql`` computes them), records without a model left out. It groups records by
    the hash of their raw staged values, so the per-record cost is a hash of raw (often
    dictionary-encoded) columns; the attributes are computed once per combination."""
    combos_params: list[object] = dataclasses.field(default_factory=list)
    constants: dict[str, int] = dataclasses.field(default_factory=dict)
    """Canonical count columns whose value is the same in every accepted record (a token count the source
    does not have is 0; ``requests`` of a source without counts is 1): sums of them are counts."""
    has_ids: bool = True
    """False when the source has no id column: no record has a ``record_id``, so none can repeat one."""
    subset_sql: str = ""
    """``sql`` over only the staged records whose ``record_no`` the TEMP table :data:`SUBSET_TABLE` lists
    (same parameters): a pass that needs a few records validated (those whose id repeats,
    ``llm_tco.ingest.keyed``) filters the staged rows before the validation, not its output, which
    DuckDB would compute for every record first."""


SUBSET_TABLE = "_validate_subset"
"""TEMP table ``(record_no BIGINT)`` of the records :attr:`ValidationSql.subset_sql` validates."""


FINGERPRINT_KEY_VARIABLE = "llm_tco_fingerprint_key"
"""Session variable the validation query reads the file's :func:`fingerprint_key_base` from: set by
:func:`bind_fingerprint` when the fingerprint is known, which can be after the query is built (the
fingerprint of a large file is computed while its first pass runs)."""


def fingerprint_key_base(fingerprint: str) -> int:
    """The high 64 bits of the record keys of a file's records that have no source id."""
    return int(fingerprint[:16], 16)


def bind_fingerprint(con: duckdb.DuckDBPyConnection, fingerprint: str) -> None:
    """Make the validation queries on ``con`` key records without a source id by ``fingerprint``."""
    con.execute(f"SET VARIABLE {FINGERPRINT_KEY_VARIABLE} = ?", [fingerprint_key_base(fingerprint)])


def validation_sql(
    con: duckdb.DuckDBPyConnection,
    staged_sql: str,
    staged_params: list[object],
    *,
    input_includes_cache: bool,
    max_tokens_per_request: int,
    now: datetime,
    rules: tuple[AttributionRule, ...] = (),
    workload_from: str | None = None,
    one_request_per_record: bool = False,
    id_namespace: str = "table",
    series: SeriesHash | None = None,
    staged_table: str | None = None,
) -> ValidationSql:
    """Build the query turning staged rows into canonical rows plus a ``reason`` (NULL = accepted).

    ``record_id`` is the source's id within its namespace, ``id:<namespace>:<id>``, NULL without one: the
    namespace is ``id_namespace`` (the format, or the user's ``--id-namespace``) plus ``@<scope>`` where
    the adapter stages the export's own scope (``id_scope``: an organisation, an account, a project), so
    that two sources numbering their records alike never share an id. ``record_key`` (UHUGEINT) is
    its md5, or for a record without an id the fingerprint-and-position key: the de-duplication key (the
    file's fingerprint is bound to the connection with :func:`bind_fingerprint` before the query runs).
    ``rules``/``workload_from`` name the metadata keys kept for attribution (the workload itself is
    derived per series, ``llm_tco.ingest.series``); ``workload_from`` None means the adapter already
    applied it (the generic reader's column). The ``workload`` column is the adapter's natural workload.
    Extra output columns: ``service_name``, ``tags`` and ``metadata`` (the raw inputs attribution reads,
    kept with the series), ``reported_billed_cost_usd`` and ``reported_list_cost_usd`` (FOCUS).
    ``series``: the staged relation has each record's series hash in its column ``SERIES_HASH_COLUMN``,
    computed so (``llm_tco.ingest.series_hash``); None: the query computes it. ``staged_table``: the
    temporary table ``staged_sql`` reads when the source was materialised (``StagedSource.table``).
    """
    staged = staged_columns(con, staged_sql, staged_params)
    raw_staged = staged
    staged = staged.with_clean_text()
    col, text = staged.col, staged.text
    params: list[object] = list(staged_params)
    # --- layer p: parse every staged value once ---------------------------------------------------
    parsed: list[str] = [
        "s.record_no",
        f"{text('source_record_id')} AS _src_id",
    ]
    ts_raw, ts_val = timestamp_sql(*col("ts_start"))
    te_raw, te_val = timestamp_sql(*col("ts_end"))
    parsed += [f"{ts_raw} AS _ts_raw", f"{ts_val} AS _ts", f"{te_raw} AS _te_raw", f"{te_val} AS _te"]
    for name in ("requests", *TOKEN_COLUMNS):
        src, exact = count_sql(*col(name))
        parsed += [f"{src} AS _{name}_src", f"{exact} AS _{name}_int"]
    for name in ("reported_cost_usd", "reported_billed_cost_usd", "reported_list_cost_usd"):
        raw, dbl, _ = number_sql(*col(name))
        parsed += [f"{raw} AS _{name}_raw", f"{dbl} AS _{name}_dbl"]
    # the columns a series is made of (llm_tco.ingest.series_hash)
    attribute_columns = hashed_columns(raw_staged)
    attr_text = {a: text(a) for a in ATTRIBUTE_COLUMNS if a not in ("workload", "batch")}
    attributes = [f'{expr} AS "{attr}"' for attr, expr in attr_text.items()]
    attributes.append(f"{bool_sql(*col('batch'))} AS batch")
    tags_expr, tags_kind = col("tags")
    metadata_expr, metadata_kind = col("metadata")
    # The raw inputs attribution reads, kept with the series so that changed rules can be re-applied
    # without the file (llm_tco.ingest.reattribute): the adapter's natural workload, the service name, the
    # tags, and of the metadata the keys the rules read and the few-valued ones (kept_metadata). The
    # workload itself is derived per series (llm_tco.ingest.series).
    if workload_from is not None:
        check_workload_from(workload_from)
    raw_params: list[object] = []
    attributes.append(f"{text('workload')} AS workload")
    attributes.append(f"{text('service_name')} AS service_name")
    attributes.append(
        f"CAST({tags_expr} AS VARCHAR[]) AS tags" if tags_kind == "list" else "NULL::VARCHAR[] AS tags"
    )
    # The series hash, of the raw staged values (llm_tco.ingest.series_hash): a column of the staged
    # relation when it was computed as the staged table was written (``series``).
    hashing = series or series_hash(
        con, staged_sql, staged_params, rules=rules, workload_from=workload_from, staged=raw_staged
    )
    attr_hash = f's."{SERIES_HASH_COLUMN}"' if series is not None else hashing.sql
    kept_keys = hashing.kept_keys
    parsed.append(f"{attr_hash} AS _attr_hash")
    # NULL: the format has no metadata (a metadata rule cannot match); else an object of the kept keys
    projection = projection_sql(metadata_expr, metadata_kind, list(kept_keys), raw_params)
    attributes.append(f"{projection} AS metadata")
    parsed += attributes
    params += raw_params
    incl = col("input_includes_cache")
    parsed.append(
        f"coalesce(CAST({incl[0]} AS BOOLEAN), {str(input_includes_cache).lower()}) AS _incl"
        if incl[1] != "null"
        else f"{str(input_includes_cache).lower()} AS _incl"
    )
    parsed.append(f"CAST({col('reject_reason')[0]} AS VARCHAR) AS _reject")

    def tok(field: str) -> str:
        return f"coalesce(_{field}_int, 0)"

    # --- layer c: the canonical (inclusive) input ------------------------------------------------
    input_canonical = (
        f"CASE WHEN _incl THEN {tok('input_tokens')} "
        f"ELSE {tok('input_tokens')} + {tok('cache_read_tokens')} + {tok('cache_write_tokens')} END AS _input"
    )
    # --- layer r: the first rule each record breaks ----------------------------------------------
    ceiling = f"(_requests_int * {max_tokens_per_request})" if col("requests")[1] != "null" else None
    reasons = ["WHEN _reject IS NOT NULL THEN _reject"]
    reasons.append("WHEN model_raw IS NULL THEN 'missing model'")
    reasons.append("WHEN _ts_raw IS NULL THEN 'missing timestamp'")
    reasons += timestamp_reasons_sql("_ts_raw", "_ts")
    reasons.append("WHEN _ts IS NULL THEN 'unparseable timestamp ''' || left(_ts_raw, 40) || ''''")
    reasons.append(
        f"WHEN _ts > CAST(? AS TIMESTAMP) + INTERVAL {FUTURE_SKEW_S} SECOND "
        f"THEN 'timestamp ' || CAST(_ts AS VARCHAR) || ' is in the future'"
    )
    reasons.append(
        "WHEN _te_raw IS NOT NULL AND _te IS NULL THEN 'unparseable end timestamp ''' || left(_te_raw, 40) "
        "|| ''''"
    )
    reasons.append("WHEN _te < _ts THEN 'end timestamp before start timestamp'")

    def count_reason(field: str, ceiling_sql: str | None) -> str:
        kind = col(field)[1]
        return count_reason_sql(
            field, f"_{field}_src", f"_{field}_int", ceiling_sql, kind, field in staged.in_int64
        )

    reasons.append(count_reason("requests", None))
    for field in ("input_tokens", "output_tokens"):
        reasons.append(f"WHEN _{field}_src IS NULL THEN 'missing {field}'")
    for field in TOKEN_COLUMNS:
        reasons.append(count_reason(field, ceiling))
    cache = f"({tok('cache_read_tokens')} + {tok('cache_write_tokens')})"
    reasons.append(
        f"WHEN {cache} > _input THEN 'cache_read_tokens + cache_write_tokens (' || {cache} "
        f"|| ') exceed input_tokens (' || _input || ')'"
    )
    reasons.append(
        f"WHEN {tok('cache_write_1h_tokens')} > {tok('cache_write_tokens')} THEN "
        f"'cache_write_1h_tokens exceed cache_write_tokens'"
    )
    reasons.append(
        f"WHEN {tok('reasoning_tokens')} > {tok('output_tokens')} THEN "
        "'reasoning_tokens exceed output_tokens'"
    )
    reasons.append(
        f"WHEN _input > {MAX_INT64} THEN 'input_tokens beyond the 64-bit range after adding cache tokens'"
    )
    for name, label in (
        ("reported_cost_usd", "reported cost"),
        ("reported_billed_cost_usd", "billed cost"),
        ("reported_list_cost_usd", "list cost"),
    ):
        raw, dbl = f"_{name}_raw", f"_{name}_dbl"
        reasons.append(
            f"WHEN {raw} IS NOT NULL AND ({dbl} IS NULL OR isnan({dbl}) OR isinf({dbl})) "
            f"THEN 'non-numeric {label} ''' || left({raw}, 40) || ''''"
        )
    params.append(now.replace(tzinfo=None))
    # The namespace: a constant, plus the export's own scope where the adapter stages one.
    has_scope = staged.kinds.get("id_scope", "null") != "null"
    if has_scope:
        parsed.append(f"{text('id_scope')} AS _id_scope")
    namespace = "? || coalesce('@' || _id_scope, '')" if has_scope else "?"
    params.append(id_namespace)

    ok = "reason IS NULL"
    fingerprint_key = f"CAST(getvariable('{FINGERPRINT_KEY_VARIABLE}') AS UHUGEINT)"
    attrs = ", ".join(
        "workload" if a == "workload" else "batch" if a == "batch" else f'"{a}"' for a in ATTRIBUTE_COLUMNS
    )
    tokens_out = ", ".join(
        f"CASE WHEN {ok} THEN CAST({tok(t)} AS BIGINT) END AS {t}"
        for t in TOKEN_COLUMNS
        if t != "input_tokens"
    )
    costs_out = ", ".join(
        f"CASE WHEN {ok} THEN coalesce(TRY_CAST(_{n}_raw AS DECIMAL(18, 9)), TRY_CAST(_{n}_dbl AS "
        "DECIMAL(18, 9))) "
        f"END AS {n}"
        for n in ("reported_cost_usd", "reported_billed_cost_usd", "reported_list_cost_usd")
    )
    layers = f"""
    p AS (SELECT {", ".join(parsed)} FROM s),
    c AS (SELECT *, {input_canonical} FROM p),
    r AS (SELECT *, CASE {" ".join(reasons)} ELSE NULL END AS reason FROM c),
    i AS (SELECT *, 'id:' || {namespace} || ':' || _src_id AS record_id FROM r)
    -- A record without a source id is identified by the file's fingerprint and its position: its key is
    -- (first 64 bits of the sha256) × 2^64 + record_no — no string to build or hash per record — and its
    -- id text ``fp:<sha256>:<record_no>`` is derived when shown (the usage_rows view). record_no NULL (a
    -- reader that streams in parallel): the loader numbers the record and sets the key then
    -- (llm_tco.ingest.load._number_records).
    SELECT
        record_no, record_id, reason,
        CASE WHEN record_id IS NULL THEN {fingerprint_key} * {2**64} + CAST(record_no AS UHUGEINT)
            ELSE {ID_KEY} END AS record_key,
        CASE WHEN {ok} THEN _ts END AS ts_start,
        CASE WHEN {ok} THEN coalesce(_te, _ts) END AS ts_end,
        {attrs}, service_name, tags, metadata, _attr_hash AS attr_hash,
        CASE WHEN {ok} THEN CAST(_requests_int AS BIGINT) END AS requests,
        CASE WHEN {ok} THEN CAST(_input AS BIGINT) END AS input_tokens,
        {tokens_out},
        {costs_out}
    FROM i
    """
    sql = f"WITH s AS ({staged.cleaning_sql(f'({staged_sql})')}),{layers}"
    subset = f"(SELECT * FROM ({staged_sql}) WHERE record_no IN (SELECT record_no FROM {SUBSET_TABLE}))"
    subset_sql = f"WITH s AS ({staged.cleaning_sql(subset)}),{layers}"
    # One representative of each combination's raw values (they are equal within a hash group), then the
    # attributes computed from it: grouping by the hash is cheaper than a DISTINCT over the columns. From a
    # staged table, the first row of each group is picked by its rowid and only those rows' columns are
    # read: carrying every record's text through the aggregate costs 5x more (0.13 s against 0.03 s for
    # a million LiteLLM records); a file read as it streams is scanned once, with the text in the aggregate.
    if staged_table is None:
        representatives = ", ".join(f'any_value(s."{c}") AS "{c}"' for c in attribute_columns)
        groups = f"SELECT {attr_hash} AS _attr_hash, {representatives} FROM ({staged_sql}) s GROUP BY 1"
    else:
        representatives = ", ".join(f's."{c}"' for c in attribute_columns)
        groups = (
            f"SELECT m._attr_hash, {representatives} FROM (SELECT {attr_hash} AS _attr_hash, "
            f"min(s.rowid) AS _rowid FROM {staged_table} s GROUP BY 1) m "
            f"JOIN {staged_table} s ON s.rowid = m._rowid"
        )
    combos_sql = f"""
    WITH g AS ({groups}),
    s AS ({staged.cleaning_sql("g", attribute_columns)}),
    p AS (SELECT {", ".join(attributes)}, _attr_hash AS attr_hash FROM s)
    SELECT * FROM p WHERE model_raw IS NOT NULL
    """
    constants = {t: 0 for t in TOKEN_COLUMNS if col(t)[1] == "null"}
    if one_request_per_record:
        constants["requests"] = 1
    has_ids = staged.kinds.get("source_record_id", "null") != "null"
    return ValidationSql(
        sql, params, combos_sql, [*staged_params, *raw_params], constants, has_ids, subset_sql
    )
