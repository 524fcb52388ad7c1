"""The warehouse query: price and aggregate a usage table against the exported price tables.

Written once, in DuckDB's dialect, and translated by sqlglot to the requested engine. Names resolve as
:func:`llm_tco.catalog.model_names.resolve_model` resolves them: ``u`` reads the usage table (a missing
count is 0 tokens, a missing ``requests`` one request); ``spelled`` maps each provider as logged, and each
``prefix/`` of a model name, to its genai-prices id (a gateway such as ``litellm`` names none);
``candidates`` are the names to try, first match wins: the name under the given provider, the name
without its prefix under the given provider, and under the provider its prefix names (only when none is
given or both agree); a candidate without a provider takes the first provider whose own rule matches it;
``resolved`` keeps the first model rule (by attempt, then ``rule_priority``) all of whose conditions
hold, with the provider whose prices apply. ``priced`` joins every usage row to the rate row of its day,
time of day (whole seconds after UTC midnight) and long-context band (mean input tokens per request;
a row of zero requests is banded as one request of its whole input, as in the audit),
and the final stage sums per month, workload, provider and model, with ``cost_usd`` NULL when any row of
the group is unpriced. Names are compared lower-cased and trimmed, as genai-prices matches them.

Not modelled here: batch and service-tier price variants (the query prices standard requests), user
price overrides, and genai-prices' retry of compact dated names (``-20251211`` as ``-2025-12-11``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from llm_tco.canonical import TOKEN_COLUMNS
from llm_tco.errors import UsageError

__all__ = ["DIALECTS", "USAGE_COLUMNS", "QueryTables", "warehouse_sql"]

DIALECTS: Final = ("spark", "databricks", "snowflake", "bigquery", "trino", "duckdb")
USAGE_COLUMNS: Final = ("provider", "model", "workload", "requests", *TOKEN_COLUMNS)
"""Columns read from the usage table besides its time column."""


@dataclass(frozen=True)
class QueryTables:
    """The three tables (names as the warehouse spells them, optionally ``catalog.schema.table``)."""

    usage: str
    prices: str
    rules: str
    time_column: str = "ts_start"
    present_columns: Sequence[str] | None = None
    """The usage columns the table has (None: all of them); the others read as NULL."""


def _table(name: str, option: str) -> str:
    try:
        table = exp.to_table(name, dialect="duckdb")
    except (ParseError, ValueError) as exc:
        raise UsageError(f"{option}: {name!r} is not a table name") from exc
    if not isinstance(table, exp.Table) or not table.name or table.sql(dialect="duckdb") != name:
        raise UsageError(f"{option}: {name!r} is not a plain table name (letters, digits, _ and dots)")
    return name


def _column(name: str, option: str) -> str:
    if not name.replace("_", "").isalnum() or name[0].isdigit():
        raise UsageError(f"{option}: {name!r} is not a plain column name")
    return name


def _match_sql(kind: str, value: str, ref: str) -> str:
    """One condition of a flattened rule, true when the lower-cased name ``ref`` satisfies it.

    genai-prices searches a regex anywhere in the name; some engines' regex call matches the whole
    string (Snowflake's ``REGEXP_LIKE``), so the pattern is wrapped as ``^.*(pattern).*$``, which is the
    same search everywhere (model names have no line breaks)."""
    search = f"'^.*(' || {value} || ').*$'"
    return f"""CASE {kind}
            WHEN 'equals' THEN {ref} = LOWER({value})
            WHEN 'starts_with' THEN LEFT({ref}, LENGTH({value})) = LOWER({value})
            WHEN 'ends_with' THEN RIGHT({ref}, LENGTH({value})) = LOWER({value})
            WHEN 'contains' THEN STRPOS({ref}, LOWER({value})) > 0
            WHEN 'regex' THEN REGEXP_MATCHES({ref}, {search})
            WHEN 'not_regex' THEN NOT REGEXP_MATCHES({ref}, {search})
            ELSE FALSE END"""


def _part_cost(count: str, rate: str) -> str:
    """Count × rate as an exact decimal product.

    The operands are cast to the precision they need (a row's count below 10^12, a rate below 100 USD
    per token or request, at 24 places) rather than 38 digits each: Spark caps a decimal at 38 digits
    and, past that, cuts the scale of each product and sum (to 6 places for two 38-digit operands); with
    these operands a row's cost keeps 17 places, an error below 10^-8 USD over 10^9 rows."""
    return f"CAST({count} AS DECIMAL(12, 0)) * CAST(p.{rate} AS DECIMAL(26, 24))"


def _definition(tables: QueryTables) -> str:
    present = set(tables.present_columns) if tables.present_columns is not None else set(USAGE_COLUMNS)

    def col(name: str, missing: int) -> str:
        """A count column: ``missing`` where the table lacks it or the row has NULL."""
        return f"COALESCE({name}, {missing})" if name in present else f"CAST({missing} AS BIGINT)"

    def text(name: str) -> str:
        return name if name in present else "CAST(NULL AS VARCHAR)"

    tokens = ",\n        ".join(f"{col(c, 0)} AS {c}" for c in TOKEN_COLUMNS)

    def match(ref: str) -> str:
        return _match_sql("r.match_kind", "r.match_value", ref)

    sums = ",\n    ".join(f"SUM({c}) AS {c}" for c in TOKEN_COLUMNS)
    cost = " + ".join(
        _part_cost(count, rate)
        for count, rate in (
            ("input_tokens - cache_read_tokens - cache_write_tokens", "uncached_input_usd_per_token"),
            ("cache_read_tokens", "cache_read_usd_per_token"),
            ("cache_write_tokens - cache_write_1h_tokens", "cache_write_5m_usd_per_token"),
            ("cache_write_1h_tokens", "cache_write_1h_usd_per_token"),
            ("output_tokens - reasoning_tokens", "output_usd_per_token"),
            ("reasoning_tokens", "reasoning_output_usd_per_token"),
            ("requests", "usd_per_request"),
        )
    )
    return f"""
WITH u AS (
    SELECT CAST({tables.time_column} AS TIMESTAMP) AS ts,
        LOWER(TRIM(COALESCE({text("provider")}, ''))) AS provider_key,
        {text("model")} AS model_raw,
        {text("workload")} AS workload,
        {col("requests", 1)} AS requests,
        CASE WHEN {col("requests", 1)} > 0 THEN {col("requests", 1)} ELSE 1 END AS band_requests,
        {tokens}
    FROM {tables.usage}
),
names AS (
    SELECT DISTINCT provider_key, model_raw, LOWER(TRIM(model_raw)) AS ref FROM u
),
split AS (
    SELECT provider_key, model_raw, ref, STRPOS(ref, '/') > 0 AS has_slash,
        CASE WHEN STRPOS(ref, '/') > 0 THEN SUBSTRING(ref, 1, STRPOS(ref, '/') - 1) ELSE '' END AS prefix,
        CASE WHEN STRPOS(ref, '/') > 0 THEN SUBSTRING(ref, STRPOS(ref, '/') + 1) ELSE ref END AS rest
    FROM names
),
spellings AS (
    SELECT provider_key AS spelling FROM split WHERE provider_key <> ''
    UNION
    SELECT prefix AS spelling FROM split WHERE prefix <> ''
),
spelling_hits AS (
    SELECT n.spelling, r.provider, r.rule_priority
    FROM spellings n JOIN {tables.rules} r ON r.applies_to = 'provider_spelling'
    GROUP BY n.spelling, r.provider, r.rule_priority, r.conj_id, r.n_conditions
    HAVING SUM(CASE WHEN {match("n.spelling")} THEN 1 ELSE 0 END) = r.n_conditions
),
spelled AS (
    SELECT s.spelling, CASE WHEN h.rn IS NULL THEN s.spelling ELSE h.provider END AS provider
    FROM spellings s LEFT JOIN (
        SELECT spelling, provider,
            ROW_NUMBER() OVER (PARTITION BY spelling ORDER BY rule_priority) AS rn
        FROM spelling_hits) h
        ON h.spelling = s.spelling AND h.rn = 1
),
base AS (
    SELECT n.provider_key, n.model_raw, n.ref, n.has_slash, n.rest,
        g.provider AS given, pp.provider AS prefix_provider
    FROM split n
    LEFT JOIN spelled g ON g.spelling = n.provider_key
    LEFT JOIN spelled pp ON pp.spelling = n.prefix
),
candidates AS (
    SELECT provider_key, model_raw, 0 AS attempt, given AS provider, ref AS cand_ref FROM base
    UNION ALL
    SELECT provider_key, model_raw, 1 AS attempt, given AS provider, rest AS cand_ref
    FROM base WHERE has_slash AND given IS NOT NULL
    UNION ALL
    SELECT provider_key, model_raw, 2 AS attempt, prefix_provider AS provider, rest AS cand_ref
    FROM base
    WHERE has_slash AND prefix_provider IS NOT NULL AND (given IS NULL OR given = prefix_provider)
),
provider_hits AS (
    SELECT n.provider_key, n.model_raw, r.provider, r.rule_priority
    FROM candidates n JOIN {tables.rules} r ON r.applies_to = 'provider_of_model'
    WHERE n.provider IS NULL
    GROUP BY n.provider_key, n.model_raw, r.provider, r.rule_priority, r.conj_id, r.n_conditions
    HAVING SUM(CASE WHEN {match("n.cand_ref")} THEN 1 ELSE 0 END) = r.n_conditions
),
named AS (
    SELECT n.provider_key, n.model_raw, n.attempt, n.cand_ref,
        CASE WHEN n.provider IS NULL THEN i.provider ELSE n.provider END AS provider
    FROM candidates n LEFT JOIN (
        SELECT provider_key, model_raw, provider,
            ROW_NUMBER() OVER (PARTITION BY provider_key, model_raw ORDER BY rule_priority) AS rn
        FROM provider_hits) i
        ON n.provider IS NULL AND i.provider_key = n.provider_key AND i.model_raw = n.model_raw
        AND i.rn = 1
),
model_hits AS (
    SELECT n.provider_key, n.model_raw, n.attempt, n.provider, r.model, r.price_provider, r.rule_priority
    FROM named n JOIN {tables.rules} r ON r.applies_to = 'model' AND r.provider = n.provider
    GROUP BY n.provider_key, n.model_raw, n.attempt, n.provider, r.model, r.price_provider,
        r.rule_priority, r.conj_id, r.n_conditions
    HAVING SUM(CASE WHEN {match("n.cand_ref")} THEN 1 ELSE 0 END) = r.n_conditions
),
resolved AS (
    SELECT n.provider_key, n.model_raw, COALESCE(h.provider, n.provider) AS provider, h.model,
        h.price_provider
    FROM named n LEFT JOIN (
        SELECT provider_key, model_raw, provider, model, price_provider,
            ROW_NUMBER() OVER (PARTITION BY provider_key, model_raw ORDER BY attempt, rule_priority) AS rn
        FROM model_hits) h
        ON h.provider_key = n.provider_key AND h.model_raw = n.model_raw AND h.rn = 1
    WHERE n.attempt = 0
),
priced AS (
    SELECT CAST(DATE_TRUNC('month', u.ts) AS DATE) AS month, u.workload, m.provider,
        COALESCE(m.model, u.model_raw) AS model, u.requests, {", ".join(f"u.{c}" for c in TOKEN_COLUMNS)},
        p.model IS NOT NULL AS is_priced,
        {cost} AS cost_usd
    FROM u
    JOIN resolved m ON m.provider_key = u.provider_key AND m.model_raw = u.model_raw
    LEFT JOIN {tables.prices} p
        ON p.provider = m.price_provider AND p.model = m.model
        AND CAST(u.ts AS DATE) >= p.valid_from AND CAST(u.ts AS DATE) < p.valid_to
        AND CAST(EXTRACT(HOUR FROM u.ts) * 3600 + EXTRACT(MINUTE FROM u.ts) * 60
            + FLOOR(EXTRACT(SECOND FROM u.ts)) AS BIGINT) >= p.tod_from_s
        AND CAST(EXTRACT(HOUR FROM u.ts) * 3600 + EXTRACT(MINUTE FROM u.ts) * 60
            + FLOOR(EXTRACT(SECOND FROM u.ts)) AS BIGINT) < p.tod_to_s
        AND (p.input_from_tokens = 0 OR u.input_tokens > p.input_from_tokens * u.band_requests)
        AND (p.input_to_tokens IS NULL OR u.input_tokens <= p.input_to_tokens * u.band_requests)
)
SELECT month, workload, provider, model,
    SUM(requests) AS requests,
    {sums},
    CASE WHEN SUM(CASE WHEN is_priced THEN 0 ELSE 1 END) = 0 THEN SUM(cost_usd) END AS cost_usd
FROM priced
GROUP BY month, workload, provider, model
ORDER BY month, workload, provider, model
"""


def warehouse_sql(tables: QueryTables, dialect: str) -> str:
    """The query for ``dialect`` (one of :data:`DIALECTS`), translated from the one definition."""
    if dialect not in DIALECTS:
        raise UsageError(f"--dialect: {dialect!r} is not one of {', '.join(DIALECTS)}")
    _table(tables.usage, "--usage-table")
    _table(tables.prices, "--prices-table")
    _table(tables.rules, "--rules-table")
    _column(tables.time_column, "--time-column")
    for name in tables.present_columns or ():
        if name not in USAGE_COLUMNS:
            raise UsageError(f"--columns: {name!r} is not one of {', '.join(USAGE_COLUMNS)}")
    if tables.present_columns is not None and "model" not in tables.present_columns:
        raise UsageError("--columns: the usage table needs its model column")
    [statement] = sqlglot.transpile(_definition(tables), read="duckdb", write=dialect, pretty=True)
    return statement + ";\n"
