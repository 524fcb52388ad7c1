"""SQL that reads one staged value by its type: the building blocks of the validation query.

A staged column's DuckDB type decides how its values are read — a typed Parquet integer is used as it is,
a CSV field is cleaned and parsed — and which rules it can break (an integer column is always a whole
number): generating the SQL per type keeps typed files from paying for text parsing.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

__all__ = [
    "EARLIEST_USAGE",
    "FUTURE_SKEW_S",
    "MAX_INT64",
    "MAX_RECORD_COUNT",
    "PAIRS_TYPE",
    "TRUE_WORDS",
    "StagedColumns",
    "bool_sql",
    "column_kinds",
    "count_reason_sql",
    "count_sql",
    "number_sql",
    "staged_columns",
    "text_sql",
    "timestamp_reasons_sql",
    "timestamp_sql",
]

_INT_TYPES = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
}
_CLEAN = "__clean"
"""Suffix of the clean-text copy of a staged text column (``StagedColumns.cleaning_sql``)."""
_INT64_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"}
_FLOAT_TYPES = {"FLOAT", "DOUBLE", "REAL"}
PAIRS_TYPE = "STRUCT(k VARCHAR[], v VARCHAR[])"
"""A staged ``metadata`` of this type (kind ``pairs``) is a list of keys and their values as text, the first
of a key given twice being its value: how OTel spans stage their attributes, so that only the keys a
series keeps are ever looked up (``llm_tco.ingest.validate``) instead of every span's attributes being
written out as a JSON object and parsed again on each pass."""
MAX_INT64 = 9_223_372_036_854_775_807
MAX_RECORD_COUNT = 10**15
"""The largest token or request count one record may hold: a quadrillion, well above any real aggregate
(a month of an organisation's use of one model) and far below 64 bits, so that the sums and costs of a
store's records stay within the store's types. A count above it is quarantined: a store must never
become unreadable through its own data."""


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
    if t.endswith("[]"):
        return "list"
    if t == "JSON":
        return "json"
    if t == PAIRS_TYPE.upper():
        return "pairs"
    return "text"


def column_kinds(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> dict[str, str]:
    """Staged column name -> kind (int, float, ts, tstz, bool, null, list, json, pairs, text)."""
    return {name: _kind(duck_type) for name, duck_type in _column_types(con, sql, params).items()}


def _column_types(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> dict[str, str]:
    return {str(r[0]): str(r[1]) for r in con.execute(f"DESCRIBE {sql}", params).fetchall()}


@dataclass(frozen=True)
class StagedColumns:
    """The staged relation ``s`` as the validation queries see it: each column's SQL and kind; a column the
    adapter did not produce reads as NULL."""

    kinds: dict[str, str]
    in_int64: frozenset[str] = frozenset()
    """Integer columns whose type cannot hold a value beyond the signed 64-bit range."""
    cleaned: bool = False
    """Whether ``s`` carries each text column's clean text (see :meth:`cleaning_sql`) for the rules to use."""

    def col(self, name: str) -> tuple[str, str]:
        if name not in self.kinds:
            return "NULL", "null"
        if self.cleaned and self.kinds[name] == "text":
            return f's."{name}{_CLEAN}"', "clean"
        return f's."{name}"', self.kinds[name]

    def with_clean_text(self) -> StagedColumns:
        return StagedColumns(self.kinds, self.in_int64, cleaned=True)

    def cleaning_sql(self, relation: str, columns: list[str] | None = None) -> str:
        """``relation`` (aliased ``s``) plus each text column's clean text (``text_sql``; of ``columns``
        only, when given), computed once per record: a rule inlines its input several times (a count's
        text is tested for '.', 'e', 'E', 'x' and cast twice), and recomputing the cleaning there was a
        third of a text file's validation."""
        names = [n for n, k in self.kinds.items() if k == "text" and (columns is None or n in columns)]
        extra = "".join(", " + text_sql(f's."{n}"') + f' AS "{n}{_CLEAN}"' for n in names)
        return f"SELECT s.*{extra} FROM {relation} s"

    def text(self, name: str) -> str:
        return text_sql(*self.col(name))


def staged_columns(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> StagedColumns:
    types = _column_types(con, sql, params)
    return StagedColumns(
        {name: _kind(t) for name, t in types.items()},
        frozenset(name for name, t in types.items() if t.upper() in _INT64_TYPES),
    )


def text_sql(col: str, kind: str = "text") -> str:
    """Text of a staged value without surrounding spaces, NULL when blank (``kind='clean'``: it is so
    already).

    ``trim`` only when there is a space to remove: it copies every string, and on a clean file that copy
    was the most expensive part of validation."""
    if kind == "null":
        return "NULL::VARCHAR"
    if kind == "clean":
        return col
    text = f"CAST({col} AS VARCHAR)"
    return (
        f"(CASE WHEN starts_with({text}, ' ') OR ends_with({text}, ' ') THEN nullif(trim({text}), '') "
        f"ELSE nullif({text}, '') END)"
    )


def number_sql(col: str, kind: str) -> tuple[str, str, str]:
    """(raw text for messages, DOUBLE value, exact HUGEINT value) expressions for a staged column."""
    if kind == "null":
        return "NULL::VARCHAR", "NULL::DOUBLE", "NULL::HUGEINT"
    if kind == "int":
        return f"CAST({col} AS VARCHAR)", f"CAST({col} AS DOUBLE)", f"CAST({col} AS HUGEINT)"
    if kind == "float":
        return f"CAST({col} AS VARCHAR)", f"CAST({col} AS DOUBLE)", f"TRY_CAST({col} AS HUGEINT)"
    if kind == "bool":  # a JSON true/false where a count belongs: reported as non-numeric
        return f"CAST({col} AS VARCHAR)", "NULL::DOUBLE", "NULL::HUGEINT"
    text = text_sql(col, kind)
    return text, f"TRY_CAST({text} AS DOUBLE)", f"TRY_CAST({text} AS HUGEINT)"


def count_sql(col: str, kind: str) -> tuple[str, str]:
    """(value as the source gave it, exact whole number or NULL) for a staged count column.

    The exact value is computed once per record on the cheap path: a plain integer literal is cast
    directly; text with a decimal point or an exponent goes through DOUBLE (``'1.0'`` and ``'1e3'`` are
    whole, ``'12.5'`` is not — a direct HUGEINT cast would round it to 13). Why a value is not a whole
    number is worked out only for the records that fail (:func:`count_reason_sql`)."""
    if kind == "null":
        return "NULL::VARCHAR", "NULL::HUGEINT"
    if kind == "int":
        return col, f"CAST({col} AS HUGEINT)"
    if kind == "float":
        return col, f"CASE WHEN {col} = floor({col}) AND abs({col}) < 9.3e18 THEN CAST({col} AS HUGEINT) END"
    if kind == "bool":
        return col, "NULL::HUGEINT"
    text = text_sql(col, kind)
    dbl = f"TRY_CAST({text} AS DOUBLE)"
    # (strpos: a third cheaper than contains on DuckDB 2.0, 0.07 s a million records of six counts)
    plain = " AND ".join(f"strpos({text}, '{c}') = 0" for c in ".eEx")
    # A count spelt as BIGINT spells it ('5307', '-2': no '+', padding zero, point or exponent) is that
    # number, as the branches below would find: taken at once, before their four byte searches (the
    # validation of a million LiteLLM CSV rows: 1.17-1.19 -> 1.11-1.12 CPU-s). Any other spelling ('+5',
    # '05', '1e3', '1.0', a number past 64 bits) goes through them.
    canonical = f"TRY_CAST({text} AS BIGINT)"
    return text, (
        f"CASE WHEN CAST({canonical} AS VARCHAR) = {text} THEN CAST({canonical} AS HUGEINT) "
        f"WHEN {text} IS NULL THEN NULL WHEN {plain} THEN TRY_CAST({text} AS HUGEINT) "
        f"WHEN {dbl} = floor({dbl}) AND abs({dbl}) < 9.3e18 THEN CAST({dbl} AS HUGEINT) END"
    )


def count_reason_sql(
    field: str, src: str, exact: str, ceiling_sql: str | None, kind: str = "text", in_int64: bool = False
) -> str:
    """CASE branches (without CASE/END) giving the reason a count field is invalid, from the source value
    and its exact whole number (NULL when it is not one).

    Branches the staged column's type rules out are left out (an absent column breaks no rule; an
    integer column is always a whole number, and one of at most 64 bits never exceeds the range): each
    branch is a test on every record, and they were a large share of validating a typed file."""
    if kind == "null":
        return ""
    raw = f"CAST({src} AS VARCHAR)"
    shown = f"left({raw}, 40)"
    dbl = f"TRY_CAST({raw} AS DOUBLE)"
    why = (
        f"CASE WHEN {dbl} IS NULL THEN 'non-numeric {field} ''' || {shown} || '''' "
        f"WHEN isnan({dbl}) OR isinf({dbl}) THEN '{field} is NaN or infinite' "
        f"WHEN {dbl} < 0 THEN 'negative {field} (' || {shown} || ')' "
        f"WHEN {dbl} <> floor({dbl}) THEN 'non-integer {field} (' || {shown} || ')' "
        f"ELSE '{field} beyond the 64-bit range (' || {shown} || ')' END"
    )
    branches = [] if kind == "int" else [f"WHEN {src} IS NOT NULL AND {exact} IS NULL THEN {why}"]
    branches.append(f"WHEN {exact} < 0 THEN 'negative {field} (' || {shown} || ')'")
    if not (kind == "int" and in_int64):
        branches.append(
            f"WHEN {exact} > {MAX_INT64} THEN '{field} beyond the 64-bit range (' || {shown} || ')'"
        )
    branches.append(
        f"WHEN {exact} > {MAX_RECORD_COUNT} THEN '{field} = ' || {shown} || "
        f"' is more than one record can hold (at most {MAX_RECORD_COUNT:,})'"
    )
    if ceiling_sql is not None:
        branches.append(
            f"WHEN {exact} > {ceiling_sql} THEN '{field} = ' || {shown} || "
            f"' exceeds the ceiling of ' || CAST({ceiling_sql} AS BIGINT) || "
            "' tokens (per-request limit × requests)'"
        )
    return " ".join(branches)


def timestamp_sql(col: str, kind: str) -> tuple[str, str]:
    """(raw text, parsed naive-UTC TIMESTAMP) for a staged time column. Numbers are Unix epochs (s, ms or
    µs). Text without a zone is UTC; text with an offset is converted to UTC. The conversion never depends
    on the session's ``TimeZone``: an instant becomes naive UTC through its epoch (:func:`_naive_utc`)."""
    if kind == "null":
        return "NULL::VARCHAR", "NULL::TIMESTAMP"
    # A typed timestamp always parses, so its raw text is needed only to tell present from missing:
    # formatting every timestamp as text just for that was a large share of a Parquet file's validation.
    present = f"CASE WHEN {col} IS NULL THEN NULL::VARCHAR ELSE '' END"
    if kind == "ts":
        return present, f"CAST({col} AS TIMESTAMP)"
    if kind == "tstz":
        return present, _naive_utc(col)
    if kind in ("int", "float"):
        return f"CAST({col} AS VARCHAR)", _epoch(f"CAST({col} AS DOUBLE)")
    text = text_sql(col, kind)
    # Three paths. An offset ('+', '-' after the date) goes through TIMESTAMPTZ. A word after the time
    # (a second space, or a last letter other than 'Z') is a zone name, which a cast to TIMESTAMP would
    # ignore ('10:00 PST' read as 10:00 UTC): UTC/GMT and IANA names (with a '/') convert, any other
    # name (an abbreviation) gives NULL and :func:`timestamp_reasons_sql` says why. Anything else is
    # the fast path: a plain TIMESTAMP cast (UTC by convention), or a Unix epoch.
    time_part = f"substr({text}, 11)"
    last = f"substr({text}, -1)"  # its last character (right() cost twice as much, DuckDB 2.0)
    zone = _zone_name(text)
    tz_cast = _naive_utc(f"TRY_CAST({text} AS TIMESTAMPTZ)")
    plain = f"coalesce(TRY_CAST({text} AS TIMESTAMP), {_epoch(f'TRY_CAST({text} AS DOUBLE)')})"
    # The common shape (no '+' at all, no '-' or inner space in the time, ending in a digit or 'Z') takes
    # the fast path at once: these four byte searches cost half of the three tests below, which it
    # passes by construction (2 x 0.1 s of a million records' validation with two time columns).
    common = (
        f"strpos({text}, '+') = 0 AND strpos({time_part}, '-') = 0 AND strpos(substr({text}, 12), ' ') = 0 "
        f"AND (ends_with({text}, 'Z') OR {last} BETWEEN '0' AND '9')"
    )
    parsed = (
        f"CASE WHEN {common} THEN {plain} "
        f"WHEN contains({time_part}, '+') OR contains({time_part}, '-') THEN {tz_cast} "
        f"WHEN contains(substr({text}, 12), ' ') "
        f"OR (upper({last}) <> lower({last}) AND upper({last}) <> 'Z') "
        f"THEN (CASE WHEN upper({zone}) IN ('UTC', 'GMT') THEN TRY_CAST({text} AS TIMESTAMP) "
        f"WHEN contains({zone}, '/') THEN {tz_cast} END) "
        f"ELSE {plain} END"
    )
    return text, parsed


FUTURE_SKEW_S = 300
"""Clock skew tolerated before a timestamp counts as "in the future" (5 minutes)."""

TRUE_WORDS = ("true", "t", "1", "yes", "y", "batch")
"""The words a text ``batch`` column is read as true by (any case, surrounding spaces trimmed)."""

EARLIEST_USAGE = "2020-01-01"
"""Usage dated before this day is quarantined as implausible. No LLM API billed tokens before 2020 (the
first, GPT-3's, opened in June 2020), so such a date is a parsing or export fault — an epoch of 0, a
default ``0001-01-01``, a spreadsheet's 1900 — never real usage, and no tariff prices it."""


def _zone_name(text: str) -> str:
    """The word after the digits of a time (``PST``, ``UTC``, ``Europe/Paris``); '' when there is none."""
    return f"regexp_extract({text}, '[0-9\\s]([A-Za-z][A-Za-z0-9_/]*)$', 1)"


def timestamp_reasons_sql(raw: str, parsed: str) -> list[str]:
    """CASE branches (without CASE/END) for a time that did not parse because of its zone name, or that
    parsed to a date before :data:`EARLIEST_USAGE`; ``raw`` and ``parsed`` are :func:`timestamp_sql`'s.

    A zone abbreviation is refused, not guessed: ``IST`` and ``CST`` each name three zones, and a record
    placed hours off moves between days and months. The reason names the fix: an offset or an IANA name."""
    zone = _zone_name(raw)
    unknown = (
        f"WHEN {parsed} IS NULL AND {raw} IS NOT NULL "
        f"AND upper({zone}) NOT IN ('', 'AM', 'PM', 'UTC', 'GMT') AND NOT contains({zone}, '/') "
        f"AND TRY_CAST(left({raw}, length({raw}) - length({zone})) AS TIMESTAMP) IS NOT NULL "
        f"THEN 'unknown time zone ''' || left({zone}, 40) || ''' (write an offset such as -08:00, or a "
        "zone name such as America/Los_Angeles)'"
    )
    early = (
        f"WHEN {parsed} < TIMESTAMP '{EARLIEST_USAGE}' THEN 'implausible date ' || "
        f"CAST(CAST({parsed} AS DATE) AS VARCHAR) || "
        f"' (before {EARLIEST_USAGE}: no LLM API billed usage then)'"
    )
    return [unknown, early]


def _naive_utc(instant: str) -> str:
    """A TIMESTAMPTZ as naive UTC, through its epoch in microseconds: exact, independent of the session's
    time zone, and five times faster than ``timezone('UTC', …)`` (ICU), which was half the validation
    time of a typed Parquet file."""
    return f"make_timestamp(epoch_us({instant}))"


def _epoch(dbl: str) -> str:
    return (
        f"(CASE WHEN {dbl} IS NULL OR isnan({dbl}) OR isinf({dbl}) OR {dbl} < 0 OR {dbl} > 1e17 THEN NULL "
        f"WHEN {dbl} > 1e14 THEN make_timestamp(CAST({dbl} AS BIGINT)) "
        f"WHEN {dbl} > 1e11 THEN CAST(epoch_ms(CAST({dbl} AS BIGINT)) AS TIMESTAMP) "
        f"ELSE {_naive_utc(f'to_timestamp({dbl})')} END)"
    )


def bool_sql(col: str, kind: str) -> str:
    if kind == "bool":
        return f"coalesce({col}, false)"
    if kind == "null":
        return "false"
    words = ", ".join(f"'{w}'" for w in TRUE_WORDS)
    return f"coalesce(lower({text_sql(col, kind)}) IN ({words}), false)"
