"""``audit --engine spark``: the same audit as DuckDB's, on a real local Spark session.

Every test compares the Spark path with the DuckDB path on the same generated files (the DuckDB audit is
the reference the rest of the suite holds to genai-prices and to hand counts), including each pricing
feature that splits buckets: time-of-day prices (deepseek-chat), a long-context tier (claude-sonnet-4-5 above
200k input tokens), a price change inside the window (claude-opus-4-5 on 2026-10-14), cache reads and
writes, an unknown model, duplicates, an id conflict and invalid records. The totals must be equal to the
cent and every token column exactly; the quarantine reasons must be the same records with the same words.
"""

from __future__ import annotations

import csv
import random
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

_MODELS = [
    ("deepseek-chat", "deepseek"),  # time-of-day prices
    ("claude-sonnet-4-5", "anthropic"),  # long-context tier above 200k
    ("claude-opus-4-5", "anthropic"),  # a price change on 2026-10-14
    ("gpt-4o", "openai"),
    ("no-such-model-xyz", None),  # unpriced
]


def _rows(seed: int, n: int, prefix: str) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    for i in range(n):
        model, provider = _MODELS[i % len(_MODELS)]
        day = 1 + rng.randrange(80)  # 2026-09-01 .. 2026-11-19
        month, dom = (9, day) if day <= 30 else (10, day - 30) if day <= 61 else (11, day - 61)
        hour, minute = rng.randrange(24), rng.randrange(60)
        long_context = model == "claude-sonnet-4-5" and i % 3 == 0
        input_tokens = 250_000 if long_context else rng.randrange(100, 20_000)
        cache_read = rng.randrange(0, input_tokens // 2)
        cache_write = rng.randrange(0, (input_tokens - cache_read) // 2) if provider == "anthropic" else 0
        rows.append(
            {
                "request_id": f"{prefix}{i}",
                "timestamp": f"2026-{month:02d}-{dom:02d}T{hour:02d}:{minute:02d}:{rng.randrange(60):02d}Z",
                "provider": provider or "",
                "model": model,
                "workload": ["support", "search", "agents"][i % 3],
                "input_tokens": str(input_tokens),
                "cache_read_tokens": str(cache_read),
                "cache_write_tokens": str(cache_write),
                "output_tokens": str(rng.randrange(1, 2_000)),
            }
        )
    # a true duplicate, an id conflict and invalid records, with reasons worded by the validation
    rows.append(dict(rows[3]))
    rows.append({**rows[4], "output_tokens": str(int(rows[4]["output_tokens"]) + 1)})
    rows.append({**rows[5], "request_id": f"{prefix}bad-time", "timestamp": "yesterday"})
    rows.append({**rows[6], "request_id": f"{prefix}bad-count", "input_tokens": "-3"})
    rows.append({**rows[7], "request_id": f"{prefix}bad-model", "model": ""})
    rows.append({**rows[8], "request_id": f"{prefix}bad-number", "output_tokens": "12.5"})
    return rows


def _write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _write_jsonl(path: Path, rows: list[dict[str, str]]) -> Path:
    import json

    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _write_parquet(path: Path, rows: list[dict[str, str]]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {key: [r[key] for r in rows] for key in rows[0]}
    typed: dict[str, Any] = dict(columns)
    for key in ("input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens"):
        typed[key] = [float(v) for v in columns[key]]  # 12.5 and -3 stay as the source wrote them
    pq.write_table(pa.table(typed), path)
    return path


def _audit(cli: Any, *args: object) -> dict[str, Any]:
    result = cli("audit", *args, "--json")
    assert result.code == 0, result.err
    document: dict[str, Any] = result.json()
    return document


def _comparable(doc: dict[str, Any]) -> dict[str, Any]:
    """What both engines must agree on (the store label and timings may differ)."""
    quarantine = sorted((q["file"], q["record"], q["reason"]) for q in doc["quarantine"])
    return {
        "rows": doc["rows"],
        "totals": doc["totals"],
        "by_model": sorted(doc["by_model"], key=lambda r: (r["provider"] or "", r["model"])),
        "by_workload": sorted(doc["by_workload"], key=lambda r: r["workload"]),
        "by_month": doc["by_month"],
        "unpriced": doc["unpriced"],
        "quarantine": quarantine,
        "files": [
            {k: f[k] for k in ("file", "read", "accepted", "quarantined", "duplicates")} for f in doc["files"]
        ],
    }


@pytest.mark.parametrize(
    ("kind", "shuffled"), [("csv", False), ("parquet", False), ("jsonl", False), ("csv", True)]
)
def test_spark_and_duckdb_audit_alike(
    spark: Any, cli: Any, tmp_path: Path, kind: str, shuffled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shuffled:  # repeated ids joined by shuffling, as when two large exports overlap, and the
        # aggregate spread over more partitions than the session's (as for a 100M-record log)
        monkeypatch.setattr("llm_tco.spark.api.BROADCAST_IDS", 0)
        monkeypatch.setattr("llm_tco.spark.aggregate.RECORDS_PER_PARTITION", 50)
    rows = _rows(7, 400, "a-")
    write = {"csv": _write_csv, "parquet": _write_parquet, "jsonl": _write_jsonl}[kind]
    first = write(tmp_path / f"a.{kind}", rows)
    second = write(tmp_path / f"b.{kind}", _rows(8, 150, "a-")[:150])  # repeats ids of the first file
    duck = _audit(cli, first, second, "--db", ":memory:")
    on_spark = _audit(cli, first, second, "--db", ":memory:", "--engine", "spark")
    assert _comparable(on_spark) == _comparable(duck)
    # the checks above compared like with like; these say the data exercised what it was made for
    assert duck["rows"]["read"] == len(rows) + 150
    assert duck["rows"]["duplicates"] >= 1 and duck["id_conflicts"] >= 1
    reasons = {q[2] for q in _comparable(duck)["quarantine"]}
    assert "unparseable timestamp 'yesterday'" in reasons
    assert any(r.startswith("negative input_tokens") for r in reasons)
    assert "missing model" in reasons
    assert any(r.startswith("id conflict with ") for r in reasons)
    months = {m["month"] for m in duck["by_month"]}
    assert {"2026-09", "2026-10", "2026-11"} <= months
    assert any(u["model_raw"] == "no-such-model-xyz" for u in duck["unpriced"])


def test_unique_ids_take_the_path_without_ranking(spark: Any, cli: Any, tmp_path: Path) -> None:
    """Per-request logs give each request its own id: nothing is ranked, and the audit is still the
    DuckDB one (invalid records quarantined with the same words)."""
    rows = _rows(5, 300, "u-")[:300] + _rows(5, 300, "u-")[-4:]  # 300 unique ids, 4 invalid records
    data = _write_parquet(tmp_path / "unique.parquet", rows)
    duck = _audit(cli, data, "--db", ":memory:")
    on_spark = _audit(cli, data, "--db", ":memory:", "--engine", "spark")
    assert _comparable(on_spark) == _comparable(duck)
    assert duck["rows"] == {"read": 304, "accepted": 300, "quarantined": 4, "duplicates": 0}


def test_a_clean_log_with_repeated_ids_is_found_from_its_id_column(
    spark: Any, cli: Any, tmp_path: Path
) -> None:
    """Every record plainly valid, one id repeated with the same usage and one with other usage: the
    narrow pass over the id column finds both shared ids (no record needs the DuckDB lane), and the
    audit is still the DuckDB one."""
    from llm_tco.spark.census import shared_source_ids, take_census
    from llm_tco.spark.native import fast_lane
    from llm_tco.spark.source import list_inputs, read_files
    from llm_tco.spark.validate import ValidationSettings

    rows = _rows(9, 200, "c-")[:200]
    rows += [dict(rows[3]), {**rows[4], "output_tokens": str(int(rows[4]["output_tokens"]) + 1)}]
    data = _write_parquet(tmp_path / "clean.parquet", rows)
    frame = read_files(spark, list_inputs(spark, [str(data)]), {}, None)
    settings = ValidationSettings(frame.matched, True, 10_000_000, datetime(2026, 11, 25), "table")
    census = take_census(frame.frame, fast_lane(frame.frame.schema, settings), frame.matched)
    assert (census.read, census.doubtful) == ({0: 202}, 0)
    assert shared_source_ids(frame.frame, "request_id") == 2
    assert shared_source_ids(frame.frame.filter("record_no <= 200"), "request_id") == 0
    duck = _audit(cli, data, "--db", ":memory:")
    on_spark = _audit(cli, data, "--db", ":memory:", "--engine", "spark")
    assert _comparable(on_spark) == _comparable(duck)
    assert duck["rows"] == {"read": 202, "accepted": 200, "quarantined": 1, "duplicates": 1}


def test_ids_the_store_holds_are_judged_against_it(spark: Any, cli: Any, tmp_path: Path) -> None:
    """A file audited by DuckDB into a store, then a file repeating some of its ids audited by Spark into
    the same store: the repeats are duplicates or id conflicts exactly as DuckDB judges them."""
    first_rows = _rows(21, 200, "k-")[:200]
    first = _write_csv(tmp_path / "first.csv", first_rows)
    later = [dict(first_rows[10]), {**first_rows[11], "output_tokens": "7"}, *_rows(22, 50, "n-")[:50]]
    second = _write_csv(tmp_path / "second.csv", later)
    reference_store, spark_store = tmp_path / "reference.duckdb", tmp_path / "spark.duckdb"
    for store in (reference_store, spark_store):
        _audit(cli, first, "--db", store)
    duck = _audit(cli, second, "--db", reference_store)
    on_spark = _audit(cli, second, "--db", spark_store, "--engine", "spark")
    assert _comparable(on_spark) == _comparable(duck)
    assert duck["rows"]["duplicates"] == 1 and duck["id_conflicts"] == 1
    conflict = next(q for q in duck["quarantine"] if q["reason"].startswith("id conflict with "))
    assert conflict["reason"] == f"id conflict with {first}:12"  # the 12th record of the first file


def test_a_spark_audit_fills_a_store_that_plan_and_duckdb_read(spark: Any, cli: Any, tmp_path: Path) -> None:
    data = _write_csv(tmp_path / "usage.csv", _rows(11, 300, "s-"))
    store = tmp_path / "store.duckdb"
    on_spark = _audit(cli, data, "--db", store, "--engine", "spark")
    reference = _audit(cli, data, "--db", ":memory:")
    assert on_spark["totals"] == reference["totals"]
    # the store holds the file by its fingerprint: the DuckDB engine recognises it
    again = _audit(cli, data, "--db", store)
    assert again["rows"]["accepted"] == 0
    assert again["rows"]["duplicates"] == reference["rows"]["read"]
    assert again["totals"] == reference["totals"]
    # and plan reads the store as it reads any audit's
    planned = cli("plan", "--db", store, "--json", "--draws", "0")
    assert planned.code == 0, planned.err
    workloads = {w["workload"] for w in planned.json()["workloads"]}
    assert workloads == {"support", "search", "agents"}


def test_a_running_context_is_not_taken_for_a_stopped_one(spark: Any) -> None:
    """What ``job_failures`` asks the JVM when a job fails: a live session's context is running."""
    from llm_tco.spark.session import _context_stopped

    assert spark.sparkContext._jsc.sc().isStopped() is False
    assert _context_stopped() is False


def test_library_entry_point_reuses_the_session(spark: Any, tmp_path: Path) -> None:
    from llm_tco.spark import audit

    data = _write_csv(tmp_path / "lib.csv", _rows(3, 60, "l-"))
    document = audit(spark, str(data))
    assert document.rows.read == 66
    assert spark.conf.get("spark.sql.session.timeZone") == "UTC"


def test_without_pyspark_the_flag_exits_2_with_the_install_command(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark now raises ImportError
    data = _write_csv(tmp_path / "u.csv", _rows(1, 5, "x-"))
    result = cli("audit", data, "--db", ":memory:", "--engine", "spark")
    assert result.code == 2
    assert "pip install 'llm-tco[spark]'" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_bad_spark_conf_exits_2(cli: Any, tmp_path: Path) -> None:
    data = _write_csv(tmp_path / "u.csv", _rows(1, 5, "x-"))
    result = cli("audit", data, "--engine", "spark", "--spark-conf", "no-equals-sign")
    assert result.code == 2 and "--spark-conf" in result.err


def test_the_session_multiplies_money_exactly(spark: Any) -> None:
    """A rate (24 decimal places) times a count keeps every place: with Spark's default precision loss the
    product is cut to 6 places, and over a month's buckets the Spark total then missed the store's by a
    cent (seen on a 1M-row benchmark before this setting)."""
    from decimal import Decimal

    row = spark.sql(
        "SELECT CAST('0.000000150000000000000001' AS DECIMAL(38, 24)) * CAST(3 AS DECIMAL(38, 0)) AS cost"
    ).first()
    assert row is not None and row["cost"] == Decimal("0.000000450000000000000003")


def test_a_job_failing_in_spark_is_one_line_naming_its_cause(spark: Any) -> None:
    from llm_tco.errors import SparkJobError
    from llm_tco.spark.session import job_failures

    with pytest.raises(SparkJobError) as raised, job_failures():
        spark.sql("SELECT raise_error('the executor lost its disk')").collect()
    message = str(raised.value)
    assert raised.value.exit_code == 3
    assert "\n" not in message and "the executor lost its disk" in message
    assert message.startswith("the Spark job failed: ") and "\tat " not in message
    with pytest.raises(ValueError, match="not Spark's"), job_failures():
        raise ValueError("not Spark's")  # other errors pass unchanged


@pytest.mark.parametrize(("keep_rows", "stored_rows"), [(True, 3), (False, 1)])
def test_the_store_keeps_hours_and_a_one_shot_audit_months(
    spark: Any, tmp_path: Path, keep_rows: bool, stored_rows: int
) -> None:
    """Three requests of one series in one month without a price change, two of them on one day in
    different hours: a store that is read later (``plan`` sizes fleets by the hour) keeps a row per hour;
    a one-shot audit sums the month into one row. The cost is the same either way."""
    from llm_tco.ingest.base import IngestOptions
    from llm_tco.pricing.query import prepare_pricing, priced_usage_sql
    from llm_tco.spark.api import spark_ingest
    from llm_tco.store import open_store

    base = _rows(4, 10, "h-")[3]  # gpt-4o: one price all day
    assert base["model"] == "gpt-4o"
    rows = [
        {**base, "timestamp": f"2026-09-{day}T{hour}:15:00Z", "request_id": f"h-{day}-{hour}"}
        for day, hour in (("02", "08"), ("02", "17"), ("20", "08"))
    ]
    data = _write_csv(tmp_path / "hours.csv", rows)
    con = open_store(":memory:")
    report = spark_ingest(spark, con, [str(data)], IngestOptions(keep_rows=keep_rows))
    assert (report.read, report.accepted) == (3, 3)
    assert con.execute("SELECT count(*) FROM usage").fetchone() == (stored_rows,)
    pricing = prepare_pricing(con)
    sql, params = priced_usage_sql(grain="month", pricing=pricing)
    cost = con.execute(f"SELECT sum(cost_usd) FROM ({sql})", params).fetchone()
    reference = open_store(":memory:")
    from llm_tco.ingest.pipeline import ingest_files

    ingest_files(reference, [str(data)], IngestOptions())
    ref_sql, ref_params = priced_usage_sql(grain="month", pricing=prepare_pricing(reference))
    assert cost == reference.execute(f"SELECT sum(cost_usd) FROM ({ref_sql})", ref_params).fetchone()
    assert cost is not None and cost[0] is not None and cost[0] > 0
