"""Checking staged records and converting them to canonical rows, in one SQL query.

Every record gets either converted values or a ``reason`` (the first rule it breaks); nothing is dropped.
Rules (issue "Validation, quarantine, accounting"): token counts must be numbers, finite, non-negative,
whole, within 64 bits and within the per-request ceiling (× ``requests`` for bucketed rows; not applied when
the request count is unknown); parts never exceed their totals; timestamps parse (no zone = UTC) and are
not in the future; the model is present. The SQL is generated per staged column *type*, so typed Parquet
columns skip the text parsing that CSV fields need.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from llm_tco.ingest.base import ATTRIBUTE_COLUMNS, TOKEN_COLUMNS

__all__ = ["ValidationSql", "validation_sql"]

_INT_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
              "UBIGINT", "UHUGEINT"}
_FLOAT_TYPES = {"FLOAT", "DOUBLE", "REAL"}
_MAX_INT64 = 9_223_372_036_854_775_807
_FUTURE_SKEW_S = 300
"""Clock skew tolerated before a timestamp counts as "in the future" (5 minutes)."""


@dataclass(frozen=True)
class ValidationSql:
    sql: str
    params: list[object]


def _kind(duck_type: str) -> str:
    t = duck_type.upper()
    if t in _INT_TYPES:
        return "int"
    if t in _FLOAT_TYPES or t.startswith("DECIMAL"):
        return "float"
    if t.startswith("TIMESTAMP WITH TIME ZONE") or t == "TIMESTAMPTZ":
        return "tstz"
    if t.startswith("TIMESTAMP") or t == "DATE":
        return "ts"
    if t == "BOOLEAN":
        return "bool"
    if t == '"NULL"' or t == "NULL":
        return "null"
    return "text"


def _text(col: str) -> str:
    return f"nullif(trim(CAST({col} AS VARCHAR)), '')"


def _number(col: str, kind: str) -> tuple[str, str, str]:
    """(raw text for messages, DOUBLE value, exact HUGEINT value) expressions for a staged column."""
    if kind == "null":
        return "NULL::VARCHAR", "NULL::DOUBLE", "NULL::HUGEINT"
    if kind == "int":
        return f"CAST({col} AS VARCHAR)", f"CAST({col} AS DOUBLE)", f"CAST({col} AS HUGEINT)"
    if kind == "float":
        return f"CAST({col} AS VARCHAR)", f"CAST({col} AS DOUBLE)", f"TRY_CAST({col} AS HUGEINT)"
    text = _text(col)
    return text, f"TRY_CAST({text} AS DOUBLE)", f"TRY_CAST({text} AS HUGEINT)"


def _count_reason(field: str, raw: str, dbl: str, ceiling_sql: str | None) -> str:
    """CASE branches (without CASE/END) giving the reason a count field is invalid."""
    shown = f"left({raw}, 40)"
    branches = [
        f"WHEN {raw} IS NOT NULL AND {dbl} IS NULL THEN 'non-numeric {field} ''' || {shown} || ''''",
        f"WHEN isnan({dbl}) OR isinf({dbl}) THEN '{field} is NaN or infinite'",
        f"WHEN {dbl} < 0 THEN 'negative {field} (' || {shown} || ')'",
        f"WHEN {dbl} <> floor({dbl}) THEN 'non-integer {field} (' || {shown} || ')'",
        f"WHEN {dbl} > {_MAX_INT64}.0 THEN '{field} beyond the 64-bit range (' || {shown} || ')'",
    ]
    if ceiling_sql is not None:
        branches.append(
            f"WHEN {ceiling_sql} IS NOT NULL AND {dbl} > {ceiling_sql} THEN '{field} = ' || {shown} || "
            f"' exceeds the ceiling of ' || CAST({ceiling_sql} AS BIGINT) || ' tokens (per-request limit × requests)'"
        )
    return " ".join(branches)


def _timestamp(col: str, kind: str) -> tuple[str, str]:
    """(raw text, parsed UTC TIMESTAMP) for a staged time column. Numbers are Unix epochs (s, ms or µs)."""
    if kind == "null":
        return "NULL::VARCHAR", "NULL::TIMESTAMP"
    if kind == "ts":
        return f"CAST({col} AS VARCHAR)", f"CAST({col} AS TIMESTAMP)"
    if kind == "tstz":
        return f"CAST({col} AS VARCHAR)", f"CAST({col} AS TIMESTAMP)"
    if kind in ("int", "float"):
        return f"CAST({col} AS VARCHAR)", _epoch(f"CAST({col} AS DOUBLE)")
    text = _text(col)
    parsed = f"coalesce(CAST(TRY_CAST({text} AS TIMESTAMPTZ) AS TIMESTAMP), {_epoch(f'TRY_CAST({text} AS DOUBLE)')})"
    return text, parsed


def _epoch(dbl: str) -> str:
    return (
        f"(CASE WHEN {dbl} IS NULL OR isnan({dbl}) OR isinf({dbl}) OR {dbl} < 0 OR {dbl} > 1e17 THEN NULL "
        f"WHEN {dbl} > 1e14 THEN make_timestamp(CAST({dbl} AS BIGINT)) "
        f"WHEN {dbl} > 1e11 THEN CAST(epoch_ms(CAST({dbl} AS BIGINT)) AS TIMESTAMP) "
        f"ELSE CAST(to_timestamp({dbl}) AS TIMESTAMP) END)"
    )


def _bool(col: str, kind: str) -> str:
    if kind == "bool":
        return f"coalesce({col}, false)"
    if kind == "null":
        return "false"
    return f"coalesce(lower({_text(col)}) IN ('true', 't', '1', 'yes', 'y', 'batch'), false)"


def validation_sql(
    con: duckdb.DuckDBPyConnection,
    staged_sql: str,
    staged_params: list[object],
    *,
    fingerprint: str,
    input_includes_cache: bool,
    max_tokens_per_request: int,
    now: datetime,
) -> ValidationSql:
    """Build the query turning staged rows into canonical rows plus a ``reason`` (NULL = accepted).

    ``record_id`` is the source's id (prefixed ``id:``) or ``fp:<sha256>:<record_no>``; ``record_key`` is
    its md5 as UHUGEINT, the de-duplication key stored with the row.
    """
    types = {r[0]: _kind(str(r[1])) for r in con.execute(f"DESCRIBE {staged_sql}", staged_params).fetchall()}
    c = {name: f's."{name}"' for name in types}

    req_raw, req_dbl, req_exact = _number(c["requests"], types["requests"])
    ceiling = f"({req_dbl} * {max_tokens_per_request}.0)" if types["requests"] != "null" else None
    # When requests is NULL (unknown count) the ceiling expression is NULL and the rule does not apply.
    token_exprs: dict[str, tuple[str, str, str]] = {
        t: _number(c[t], types[t]) for t in TOKEN_COLUMNS
    }
    ts_raw, ts_val = _timestamp(c["ts_start"], types["ts_start"])
    te_raw, te_val = _timestamp(c["ts_end"], types["ts_end"])

    reasons = ["WHEN s.reject_reason IS NOT NULL THEN CAST(s.reject_reason AS VARCHAR)"]
    reasons.append(f"WHEN {_text(c['model_raw'])} IS NULL THEN 'missing model'")
    reasons.append(f"WHEN {ts_raw} IS NULL THEN 'missing timestamp'")
    reasons.append(f"WHEN {ts_val} IS NULL THEN 'unparseable timestamp ''' || left({ts_raw}, 40) || ''''")
    reasons.append(
        f"WHEN {ts_val} > CAST(? AS TIMESTAMP) + INTERVAL {_FUTURE_SKEW_S} SECOND "
        f"THEN 'timestamp ' || CAST({ts_val} AS VARCHAR) || ' is in the future'"
    )
    reasons.append(
        f"WHEN {te_raw} IS NOT NULL AND {te_val} IS NULL THEN 'unparseable end timestamp ''' || left({te_raw}, 40) || ''''"
    )
    reasons.append(f"WHEN {te_val} < {ts_val} THEN 'end timestamp before start timestamp'")
    reasons.append(_count_reason("requests", req_raw, req_dbl, None))
    for field in ("input_tokens", "output_tokens"):
        raw, _, _ = token_exprs[field]
        reasons.append(f"WHEN {raw} IS NULL THEN 'missing {field}'")
    for field in TOKEN_COLUMNS:
        raw, dbl, _ = token_exprs[field]
        reasons.append(_count_reason(field, raw, dbl, ceiling))

    def tok(field: str) -> str:
        return f"coalesce({token_exprs[field][2]}, 0)"

    input_canonical = tok("input_tokens") if input_includes_cache else (
        f"({tok('input_tokens')} + {tok('cache_read_tokens')} + {tok('cache_write_tokens')})"
    )
    # Part-whole rules, checked on the canonical (inclusive) values.
    reasons.append(
        f"WHEN {tok('cache_read_tokens')} + {tok('cache_write_tokens')} > {input_canonical} THEN "
        f"'cache_read_tokens + cache_write_tokens (' || ({tok('cache_read_tokens')} + {tok('cache_write_tokens')}) "
        f"|| ') exceed input_tokens (' || {input_canonical} || ')'"
    )
    reasons.append(
        f"WHEN {tok('cache_write_1h_tokens')} > {tok('cache_write_tokens')} THEN "
        f"'cache_write_1h_tokens exceed cache_write_tokens'"
    )
    reasons.append(
        f"WHEN {tok('reasoning_tokens')} > {tok('output_tokens')} THEN 'reasoning_tokens exceed output_tokens'"
    )
    reasons.append(
        f"WHEN {input_canonical} > {_MAX_INT64} THEN 'input_tokens beyond the 64-bit range after adding cache tokens'"
    )
    cost_raw, cost_dbl, _ = _number(c["reported_cost_usd"], types["reported_cost_usd"])
    reasons.append(
        f"WHEN {cost_raw} IS NOT NULL AND ({cost_dbl} IS NULL OR isnan({cost_dbl}) OR isinf({cost_dbl})) "
        f"THEN 'non-numeric reported cost ''' || left({cost_raw}, 40) || ''''"
    )
    reason_sql = "CASE " + " ".join(reasons) + " ELSE NULL END"

    src_id = _text(c["source_record_id"])
    attrs = []
    for attr in ATTRIBUTE_COLUMNS:
        if attr == "batch":
            attrs.append(f"{_bool(c['batch'], types['batch'])} AS batch")
        elif attr == "workload":
            attrs.append(f"coalesce({_text(c['workload'])}, {_text(c['model_raw'])}) AS workload")
        else:
            attrs.append(f'{_text(c[attr])} AS "{attr}"')
    tokens_out = ", ".join(
        f"CASE WHEN _ok THEN CAST({tok(t)} AS BIGINT) END AS {t}" for t in TOKEN_COLUMNS if t != "input_tokens"
    )
    sql = f"""
    SELECT * EXCLUDE (_ok) FROM (
    SELECT
        s.record_no,
        coalesce('id:' || {src_id}, 'fp:' || ? || ':' || s.record_no) AS record_id,
        {reason_sql} AS reason,
        reason IS NULL AS _ok,
        md5_number(record_id) AS record_key,
        CASE WHEN _ok THEN {ts_val} END AS ts_start,
        CASE WHEN _ok THEN coalesce({te_val}, {ts_val}) END AS ts_end,
        {", ".join(attrs)},
        CASE WHEN _ok THEN CAST({req_exact} AS BIGINT) END AS requests,
        CASE WHEN _ok THEN CAST({input_canonical} AS BIGINT) END AS input_tokens,
        {tokens_out},
        CASE WHEN _ok THEN TRY_CAST({cost_dbl} AS DECIMAL(18, 9)) END AS reported_cost_usd
    FROM ({staged_sql}) s)
    """
    params = [fingerprint, now.replace(tzinfo=None), *staged_params]
    return ValidationSql(sql, params)
