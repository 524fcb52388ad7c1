"""End to end: every bad-input class, in CSV, JSON lines and Parquet, is quarantined with its reason and
record number while the same file's good records load; accounting always balances."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

GOOD = {
    "timestamp": "2026-09-01T10:00:00Z",
    "model": "gpt-4o-mini",
    "prompt_tokens": 1000,
    "completion_tokens": 100,
}

# (field overrides, expected reason fragment). Each bad record sits between good ones.
BAD_CASES: list[tuple[dict[str, Any], str]] = [
    ({"prompt_tokens": -5}, "negative input_tokens"),
    ({"completion_tokens": 1.5}, "non-integer output_tokens"),
    ({"prompt_tokens": float("nan")}, "input_tokens is NaN or infinite"),
    ({"prompt_tokens": float("inf")}, "input_tokens is NaN or infinite"),
    ({"prompt_tokens": 1e30}, "input_tokens beyond the 64-bit range"),
    ({"prompt_tokens": 20_000_000}, "exceeds the ceiling of 10000000"),
    ({"cached_tokens": 5000}, "exceed input_tokens"),
    ({"timestamp": "not a time"}, "unparseable timestamp 'not a time'"),
    ({"timestamp": "2031-01-01T00:00:00Z"}, "is in the future"),
    ({"model": ""}, "missing model"),
]


def _records() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for overrides, _ in BAD_CASES:
        rows.append({**GOOD, "cached_tokens": 0})
        rows.append({**GOOD, "cached_tokens": 0, **overrides})
    rows.append({**GOOD, "cached_tokens": 0})
    return rows


def _write(kind: str, folder: Path) -> Path:
    rows = _records()
    if kind == "csv":
        path = folder / "usage.csv"
        lines = ["timestamp,model,prompt_tokens,completion_tokens,cached_tokens"]
        for r in rows:
            lines.append(
                ",".join(
                    _csv_value(r[k])
                    for k in ("timestamp", "model", "prompt_tokens", "completion_tokens", "cached_tokens")
                )
            )
        path.write_text("\n".join(lines) + "\n")
    elif kind == "jsonl":
        path = folder / "usage.jsonl"
        # NaN/inf are not JSON: sources that emit them write strings, which is what we test.
        path.write_text("\n".join(json.dumps({k: _json_value(v) for k, v in r.items()}) for r in rows) + "\n")
    else:
        path = folder / "usage.parquet"
        table = pa.table(
            {
                "timestamp": pa.array([r["timestamp"] for r in rows]),
                "model": pa.array([r["model"] for r in rows]),
                "prompt_tokens": pa.array([float(r["prompt_tokens"]) for r in rows]),
                "completion_tokens": pa.array([float(r["completion_tokens"]) for r in rows]),
                "cached_tokens": pa.array([int(r["cached_tokens"]) for r in rows], pa.int64()),
            }
        )
        pq.write_table(table, path)
    return path


def _csv_value(v: Any) -> str:
    if isinstance(v, float) and v != v:
        return "NaN"
    if isinstance(v, float) and v in (float("inf"), float("-inf")):
        return "inf"
    return str(v)


def _json_value(v: Any) -> Any:
    if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
        return _csv_value(v)
    return v


@pytest.mark.parametrize("kind", ["csv", "jsonl", "parquet"])
def test_each_bad_record_is_quarantined_with_reason_and_record_number(
    kind: str, tmp_path: Path, cli: Any
) -> None:
    path = _write(kind, tmp_path)
    result = cli("audit", str(path), "--db", str(tmp_path / "s.duckdb"), "--json")
    assert result.code == 0, result.err
    doc = result.json()
    n_bad = len(BAD_CASES)
    n_good = n_bad + 1
    assert doc["rows"] == {"read": n_bad + n_good, "accepted": n_good, "quarantined": n_bad, "duplicates": 0}
    by_record = {q["record"]: q["reason"] for q in doc["quarantine"]}
    for i, (_, reason) in enumerate(BAD_CASES):
        record = 2 * i + 2  # 1-based over data records: good, bad, good, bad, ...
        assert reason in by_record[record], (record, by_record.get(record))
        assert doc["quarantine"][i]["file"] == str(path)
    # The good records all loaded: tokens are exactly n_good × the good record's.
    assert doc["totals"]["input_tokens"] == n_good * 1000
    assert doc["totals"]["output_tokens"] == n_good * 100
    assert doc["totals"]["requests"] == n_good


def test_invalid_utf8_in_a_csv_field_is_quarantined(tmp_path: Path, cli: Any) -> None:
    path = tmp_path / "utf8.csv"
    path.write_bytes(
        b"timestamp,model,prompt_tokens,completion_tokens,workload\n"
        b"2026-09-01T10:00:00Z,gpt-4o-mini,10,1,ok\n"
        b"2026-09-01T10:00:00Z,gpt-4o-mini,10,1,bad\xff\xfename\n"
        b"2026-09-01T10:00:00Z,gpt-4o-mini,10,1,ok\n"
    )
    doc = cli("audit", str(path), "--db", ":memory:", "--json").json()
    assert doc["rows"] == {"read": 3, "accepted": 2, "quarantined": 1, "duplicates": 0}
    assert doc["quarantine"] == [
        {"file": str(path), "record": 2, "reason": "invalid UTF-8 in field 'workload'"}
    ]


def test_per_request_ceiling_scales_with_bucket_requests(tmp_path: Path, cli: Any) -> None:
    path = tmp_path / "buckets.csv"
    path.write_text(
        "timestamp,model,prompt_tokens,completion_tokens,num_requests\n"
        "2026-09-01,gpt-4o-mini,30000000,10,5\n"  # 30M over 5 requests = 6M each: fine
        "2026-09-01,gpt-4o-mini,30000000,10,2\n"  # 15M each: absurd
    )
    doc = cli("audit", str(path), "--db", ":memory:", "--json", "--max-tokens-per-request", "10000000").json()
    assert doc["rows"]["accepted"] == 1
    assert doc["quarantine"][0]["record"] == 2
    assert "exceeds the ceiling of 20000000" in doc["quarantine"][0]["reason"]


def test_input_exclusive_of_cache_is_converted(tmp_path: Path, cli: Any) -> None:
    path = tmp_path / "anthropic_style.csv"
    path.write_text(
        "timestamp,model,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens\n"
        "2026-09-01T00:00:00Z,claude-sonnet-4-5,100,50,900,200\n"
    )
    doc = cli("audit", str(path), "--db", ":memory:", "--json", "--input-includes-cache", "no").json()
    # Canonical input includes cache: 100 uncached + 900 read + 200 written.
    assert doc["totals"]["input_tokens"] == 1200
    assert doc["totals"]["cache_read_tokens"] == 900
    assert doc["totals"]["cache_write_tokens"] == 200
