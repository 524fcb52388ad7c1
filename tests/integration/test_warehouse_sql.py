"""The warehouse SQL prices a usage table as ``llm-tco audit`` does, in every dialect it is generated for.

The same generic CSV is audited natively (``llm-tco audit --json``) and priced by the generated query
over the exported price tables (``llm-tco catalog export-prices``), run by DuckDB and, where PySpark is
installed, by a local Spark session. The data carries every pricing feature: a model tiered at 200k
input tokens on both sides of the tier, a price change inside the window (claude-sonnet-4-6 changes on
2026-03-13), cache writes of both lifetimes, time-of-day prices (deepseek-chat is cheaper 16:30-00:30
UTC), reasoning tokens, a dated name resolved through the matching rules without a provider, an OpenAI
model logged under Azure (priced through Azure's fallback provider), and an unknown model.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
import sqlglot

from llm_tco.canonical import TOKEN_COLUMNS
from llm_tco.catalog.price_data import PRICES_FILE_ENV_VAR
from llm_tco.warehouse.query import DIALECTS

HEADER = (
    "timestamp,provider,model,workload,requests,input_tokens,cache_read_tokens,cache_write_tokens,"
    "cache_write_1h_tokens,output_tokens,reasoning_tokens"
)
ROWS = (
    # tiered model, base band, before its price change; cache writes of both lifetimes
    "2026-03-01T10:00:00Z,anthropic,claude-sonnet-4-6,chat,2,300000,1000,4000,1000,2000,0",
    # the same model, long band (mean 250000 > 200000), before and after the price change
    "2026-03-10T23:59:59Z,anthropic,claude-sonnet-4-6,chat,1,250000,0,0,0,100,0",
    "2026-03-20T08:00:00Z,anthropic,claude-sonnet-4-6,rag,1,250000,0,10000,0,100,0",
    "2026-03-20T09:00:00Z,anthropic,claude-sonnet-4-6,rag,4,400000,50000,0,0,800,0",
    # time-of-day prices: inside and outside the discount window, on the boundary second
    "2026-03-05T16:29:59Z,deepseek,deepseek-chat,chat,1,10000,2000,0,0,500,0",
    "2026-03-05T16:30:00Z,deepseek,deepseek-chat,chat,1,10000,2000,0,0,500,0",
    "2026-04-02T00:29:00Z,deepseek,deepseek-chat,chat,3,30000,0,0,0,900,0",
    # no provider: inferred from the name's rules; a dated snapshot name; reasoning tokens
    "2026-04-03T12:00:00Z,,gpt-4o-2024-08-06,chat,1,1000,0,0,0,100,0",
    "2026-04-03T12:00:00Z,openai,o3,agent,2,5000,1000,0,0,4000,3000",
    # an OpenAI model under Azure: priced through Azure's fallback provider
    "2026-04-04T12:00:00Z,azure,gpt-4o,agent,1,2000,0,0,0,200,0",
    # no request count: one request
    "2026-04-05T12:00:00Z,openai,gpt-4o,agent,,1000,0,0,0,100,0",
    # provider spellings and prefixed names as gateways log them: a gateway naming no provider, a
    # provider-prefixed name, a name prefixed by its provider's alias, a capitalised provider and model
    "2026-04-07T12:00:00Z,litellm,openai/gpt-4o-mini,agent,1,1000,0,0,0,100,0",
    "2026-04-07T12:00:00Z,google,models/gemini-2.5-pro,agent,1,300000,0,0,0,100,0",
    "2026-04-07T13:00:00Z,,vertex_ai/gemini-2.5-flash,agent,1,1000,0,0,0,100,0",
    "2026-04-07T14:00:00Z,OpenAI,GPT-4o,agent,1,1000,0,0,0,100,0",
    # unknown model: counted, never priced
    "2026-04-06T12:00:00Z,openai,no-such-model-xyz,agent,1,1000,0,0,0,100,0",
)
CENT = Decimal("0.01")


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "llm_tco.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("warehouse")
    usage = tmp / "usage.csv"
    usage.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    env = {**os.environ, PRICES_FILE_ENV_VAR: str(tmp / "no-prices.json"), "HOME": str(tmp)}
    env["PYTHONPATH"] = os.pathsep.join(p for p in [str(Path("src").resolve()), env.get("PYTHONPATH")] if p)
    audit = _run("audit", str(usage), "--db", ":memory:", "--json", env=env)
    assert audit.returncode == 0, audit.stderr
    exported = _run("catalog", "export-prices", str(tmp / "prices.parquet"), env=env)
    assert exported.returncode == 0, exported.stderr
    yield {"tmp": tmp, "usage": usage, "env": env, "audit": json.loads(audit.stdout)}


def _sql(setup: dict[str, Any], dialect: str) -> str:
    result = _run(
        "warehouse-sql",
        "--dialect",
        dialect,
        "--usage-table",
        "usage",
        "--prices-table",
        "prices",
        "--time-column",
        "timestamp",
        env=setup["env"],
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("dialect", DIALECTS)
def test_sql_parses_in_every_dialect(setup: dict[str, Any], dialect: str) -> None:
    sql = _sql(setup, dialect)
    [statement] = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    assert isinstance(statement, sqlglot.exp.Query)
    tables = {t.name for t in statement.find_all(sqlglot.exp.Table)}
    assert {"usage", "prices", "prices_rules"} <= tables


def test_bad_dialect_exits_2(setup: dict[str, Any]) -> None:
    result = _run(
        "warehouse-sql", "--dialect", "oracle", "--usage-table", "u", "--prices-table", "p", env=setup["env"]
    )
    assert result.returncode == 2
    assert "oracle" in result.stderr and "Traceback" not in result.stderr


def test_bad_table_name_exits_2(setup: dict[str, Any]) -> None:
    result = _run(
        "warehouse-sql",
        "--dialect",
        "duckdb",
        "--usage-table",
        "u; DROP TABLE x",
        "--prices-table",
        "p",
        env=setup["env"],
    )
    assert result.returncode == 2
    assert "--usage-table" in result.stderr and "Traceback" not in result.stderr


def _by_model(rows: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Rows summed per (provider, model): the grain both sides share."""
    out: dict[tuple[str, str], dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        key = (row["provider"], row["model"])
        for c in ("requests", *TOKEN_COLUMNS):
            out[key][c] += int(row[c])
        cost = row["cost_usd"]
        out[key]["cost_usd"] = (
            None
            if cost is None or out[key].get("cost_usd", 0) is None
            else out[key]["cost_usd"] + Decimal(str(cost))
        )
    return {k: dict(v) for k, v in out.items()}


def _audit_by_model(audit: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    rows = [
        {**r, "model": r["model"] if r["model"] is not None else r["model_raw"]} for r in audit["by_model"]
    ]
    return _by_model(rows)


UNCOUNTED: dict[tuple[str, str], int] = {("openai", "gpt-4o"): 1}
"""Rows without a request count, per model: the audit keeps their count unknown (it bills them as one
request), the warehouse query counts them as one request."""


def _assert_equal(
    got: dict[tuple[str, str], dict[str, Any]], want: dict[tuple[str, str], dict[str, Any]]
) -> None:
    assert set(got) == set(want)
    for key, expected in want.items():
        assert got[key]["requests"] == expected["requests"] + UNCOUNTED.get(key, 0), key
        for c in TOKEN_COLUMNS:
            assert got[key][c] == expected[c], (key, c)
        if expected["cost_usd"] is None:
            assert got[key]["cost_usd"] is None, key
        else:
            assert got[key]["cost_usd"].quantize(CENT) == expected["cost_usd"].quantize(CENT), key


def _duckdb_rows(setup: dict[str, Any]) -> list[dict[str, Any]]:
    tmp: Path = setup["tmp"]
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        "CREATE TABLE usage AS SELECT CAST(timestamp AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS timestamp, "
        "* EXCLUDE (timestamp) FROM read_csv(?, header = true, all_varchar = false)",
        [str(setup["usage"])],
    )
    con.execute("CREATE TABLE prices AS SELECT * FROM read_parquet(?)", [str(tmp / "prices.parquet")])
    con.execute(
        "CREATE TABLE prices_rules AS SELECT * FROM read_parquet(?)", [str(tmp / "prices_rules.parquet")]
    )
    cursor = con.execute(_sql(setup, "duckdb"))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_duckdb_variant_equals_the_audit(setup: dict[str, Any]) -> None:
    rows = _duckdb_rows(setup)
    audit = setup["audit"]
    # every usage row is counted once: 2+1+1+4+1+1+3+1+2+1+1+1+1+1+1+1 requests, written out by hand
    # (the row without a count is one request here, an unknown count in the audit)
    assert sum(r["requests"] for r in rows) == 23 == audit["totals"]["requests"] + 1
    _assert_equal(_by_model(rows), _audit_by_model(audit))
    priced = sum((Decimal(str(r["cost_usd"])) for r in rows if r["cost_usd"] is not None), Decimal(0))
    assert priced.quantize(CENT) == Decimal(str(audit["totals"]["cost_usd"])).quantize(CENT)
    # the unknown model is counted with NULL cost, the azure row priced as gpt-4o
    unknown = [r for r in rows if r["model"] == "no-such-model-xyz"]
    assert len(unknown) == 1 and unknown[0]["cost_usd"] is None and unknown[0]["input_tokens"] == 1000
    azure = [r for r in rows if r["provider"] == "azure"]
    # gpt-4o: 2000 input × $2.50/M + 200 output × $10/M, by hand
    assert [(r["model"], r["cost_usd"].quantize(Decimal("0.000001"))) for r in azure] == [
        ("gpt-4o", Decimal("0.007000"))
    ]
    months = {(str(r["month"])[:7], r["workload"]) for r in rows}
    assert months == {("2026-03", "chat"), ("2026-03", "rag"), ("2026-04", "chat"), ("2026-04", "agent")}


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    pyspark_sql = pytest.importorskip("pyspark.sql")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        pyspark_sql.SparkSession.builder.master("local[1]")
        .appName("llm-tco-warehouse-sql-test")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    yield session
    session.stop()


def test_spark_variant_equals_the_audit(setup: dict[str, Any], spark: Any) -> None:
    tmp: Path = setup["tmp"]
    spark.read.csv(str(setup["usage"]), header=True, inferSchema=True).createOrReplaceTempView("usage")
    spark.read.parquet(str(tmp / "prices.parquet")).createOrReplaceTempView("prices")
    spark.read.parquet(str(tmp / "prices_rules.parquet")).createOrReplaceTempView("prices_rules")
    sql = _sql(setup, "spark").rstrip().rstrip(";")
    rows = [r.asDict() for r in spark.sql(sql).collect()]
    _assert_equal(_by_model(rows), _audit_by_model(setup["audit"]))
    # Spark keeps the cost's fractional digits (it cuts a 38-digit product to 6 places)
    scales = {-r["cost_usd"].as_tuple().exponent for r in rows if r["cost_usd"] is not None}
    assert scales and min(scales) >= 12


def test_missing_columns_count_as_zero_tokens_and_one_request(setup: dict[str, Any]) -> None:
    """A usage table with only time, model and input/output tokens, named with --columns."""
    result = _run(
        "warehouse-sql",
        "--dialect",
        "duckdb",
        "--usage-table",
        "thin",
        "--prices-table",
        "prices",
        "--columns",
        "model,input_tokens,output_tokens",
        env=setup["env"],
    )
    assert result.returncode == 0, result.stderr
    tmp: Path = setup["tmp"]
    con = duckdb.connect(":memory:")
    con.execute(
        "CREATE TABLE thin AS SELECT * FROM (VALUES "
        "(TIMESTAMP '2026-04-03 12:00:00', 'gpt-4o', 1000, 100), "
        "(TIMESTAMP '2026-04-04 12:00:00', 'gpt-4o-2024-08-06', 3000, NULL)) "
        "t(ts_start, model, input_tokens, output_tokens)"
    )
    con.execute("CREATE TABLE prices AS SELECT * FROM read_parquet(?)", [str(tmp / "prices.parquet")])
    rules = str(tmp / "prices_rules.parquet")
    con.execute("CREATE TABLE prices_rules AS SELECT * FROM read_parquet(?)", [rules])
    [row] = con.execute(result.stdout).fetchall()
    month, workload, provider, model, requests, *tokens, cost = row
    assert (str(month), workload, provider, model, requests) == ("2026-04-01", None, "openai", "gpt-4o", 2)
    assert tokens == [4000, 0, 0, 0, 100, 0]
    # gpt-4o at $2.50/M input and $10/M output, by hand: 4000 × 2.5e-6 + 100 × 1e-5
    assert cost == Decimal("0.011")


def test_export_prices_csv_carries_exact_rates_and_rules(setup: dict[str, Any]) -> None:
    tmp: Path = setup["tmp"]
    target = tmp / "export" / "prices.csv"
    target.parent.mkdir()
    result = _run("catalog", "export-prices", str(target), "--format", "csv", env=setup["env"])
    assert result.returncode == 0, result.stderr
    con = duckdb.connect(":memory:")
    rate = con.execute(
        "SELECT DISTINCT uncached_input_usd_per_token, output_usd_per_token, input_to_tokens "
        "FROM read_csv(?, header = true, all_varchar = true) WHERE provider = 'openai' AND model = 'gpt-4o'",
        [str(target)],
    ).fetchall()
    # $2.50 and $10.00 per million tokens in every period, written as exact decimals; one untiered band
    assert rate == [("0.000002500000000000000000", "0.000010000000000000000000", None)]
    kinds = {
        k
        for (k,) in con.execute(
            "SELECT DISTINCT match_kind FROM read_csv(?, header = true)",
            [str(tmp / "export" / "prices_rules.csv")],
        ).fetchall()
    }
    assert {"equals", "starts_with", "regex", "not_regex"} <= kinds


def test_export_prices_bad_format_exits_2(setup: dict[str, Any]) -> None:
    tmp: Path = setup["tmp"]
    result = _run("catalog", "export-prices", str(tmp / "p.xlsx"), "--format", "xlsx", env=setup["env"])
    assert result.returncode == 2
    assert "--format" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp / "p.xlsx").exists()
