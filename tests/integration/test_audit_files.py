"""End to end on real files and a real DuckDB store: idempotent re-ingest, duplicates across files, a kill
in the middle of an ingest, unknown models, empty files and rejected files among good ones."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

HEADER = "request_id,timestamp,model,prompt_tokens,completion_tokens,cached_tokens\n"


def _csv(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text(header + "".join(r + "\n" for r in rows))
    return path


def _rows(n: int, prefix: str = "r", model: str = "gpt-4o-mini") -> list[str]:
    return [
        f"{prefix}{i},2026-09-{1 + i % 28:02d}T10:00:00Z,{model},{1000 + i},{100 + i},0" for i in range(n)
    ]


def test_reingesting_a_file_changes_nothing_and_reports_every_record_as_duplicate(
    tmp_path: Path, cli: Any
) -> None:
    f = _csv(tmp_path / "a.csv", _rows(20))
    db = str(tmp_path / "s.duckdb")
    first = cli("audit", f, "--db", db, "--json").json()
    second = cli("audit", f, "--db", db, "--json").json()
    assert first["rows"] == {"read": 20, "accepted": 20, "quarantined": 0, "duplicates": 0}
    assert second["rows"] == {"read": 20, "accepted": 0, "quarantined": 0, "duplicates": 20}
    assert second["totals"] == first["totals"]
    con = duckdb.connect(db, read_only=True)
    assert con.execute("SELECT count(*) FROM usage").fetchone() == (20,)
    assert con.execute("SELECT count(*) FROM ingested_files").fetchone() == (1,)


def test_same_request_ids_in_another_file_are_duplicates_but_split_rows_count_once_each(
    tmp_path: Path, cli: Any
) -> None:
    rows = _rows(10)
    db = str(tmp_path / "s.duckdb")
    # The same requests exported twice (overlapping exports): ids make the second copy duplicates.
    cli("audit", _csv(tmp_path / "a.csv", rows[:6]), "--db", db, "--json")
    doc = cli("audit", _csv(tmp_path / "b.csv", rows[4:]), "--db", db, "--json").json()
    assert doc["rows"] == {"read": 6, "accepted": 4, "quarantined": 0, "duplicates": 2}
    assert doc["totals"]["requests"] == 10
    # Rows without ids split over two files: both halves count (ids are fingerprint + position).
    no_id = "timestamp,model,prompt_tokens,completion_tokens\n"
    body = [f"2026-09-02T00:00:00Z,gpt-4o-mini,{10 + i},1" for i in range(6)]
    db2 = str(tmp_path / "t.duckdb")
    cli("audit", _csv(tmp_path / "c.csv", body[:3], no_id), "--db", db2, "--json")
    doc2 = cli("audit", _csv(tmp_path / "d.csv", body[3:], no_id), "--db", db2, "--json").json()
    assert doc2["totals"]["requests"] == 6
    assert doc2["totals"]["input_tokens"] == sum(10 + i for i in range(6))


def test_a_duplicate_id_within_one_file_counts_once(tmp_path: Path, cli: Any) -> None:
    rows = [*_rows(3), _rows(3)[1]]
    doc = cli("audit", _csv(tmp_path / "a.csv", rows), "--db", ":memory:", "--json").json()
    assert doc["rows"] == {"read": 4, "accepted": 3, "quarantined": 0, "duplicates": 1}


def test_kill_during_ingest_leaves_the_store_exactly_as_before(tmp_path: Path, cli: Any) -> None:
    db = str(tmp_path / "s.duckdb")
    cli("audit", _csv(tmp_path / "a.csv", _rows(5)), "--db", db, "--json")
    before = _snapshot(db)
    bad_and_good = [*_rows(30, prefix="k"), "x1,not-a-time,gpt-4o-mini,1,1,0"]
    target = _csv(tmp_path / "b.csv", bad_and_good)
    for steps in (1, 2, 3, 4, 5):
        env = {**os.environ, "LLM_TCO_FAULT_AFTER_STEPS": str(steps), "LLM_TCO_NOW": "2026-11-25T12:00:00Z"}
        proc = subprocess.run(
            [sys.executable, "-m", "llm_tco.cli.main", "audit", str(target), "--db", db, "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 137, proc.stderr  # killed mid-transaction
        assert _snapshot(db) == before
    # Without the fault the same file loads completely.
    doc = cli("audit", str(target), "--db", db, "--json").json()
    assert doc["rows"] == {"read": 31, "accepted": 30, "quarantined": 1, "duplicates": 0}


def _snapshot(db: str) -> tuple[Any, ...]:
    con = duckdb.connect(db, read_only=True)
    try:
        return tuple(
            con.execute(f"SELECT count(*), {agg} FROM {table}").fetchone()
            for table, agg in (
                ("usage", "coalesce(sum(input_tokens), 0)"),
                ("quarantine", "count(DISTINCT record_no)"),
                ("ingested_files", "count(DISTINCT fingerprint)"),
                ("usage_series", "count(DISTINCT series_id)"),
            )
        )
    finally:
        con.close()


def test_unknown_model_is_unpriced_with_suggestions_never_zero(tmp_path: Path, cli: Any) -> None:
    f = _csv(tmp_path / "a.csv", _rows(3) + _rows(2, prefix="u", model="gpt-4o-minii"))
    doc = cli("audit", f, "--db", ":memory:", "--json").json()
    unpriced = doc["unpriced"]
    assert len(unpriced) == 1
    assert unpriced[0]["model_raw"] == "gpt-4o-minii"
    assert unpriced[0]["requests"] == 2
    assert unpriced[0]["input_tokens"] == 1000 + 1001
    assert any("gpt-4o-mini" in s for s in unpriced[0]["suggestions"])
    by_model = {m["model_raw"]: m for m in doc["by_model"]}
    assert by_model["gpt-4o-minii"]["cost_usd"] is None
    assert by_model["gpt-4o-minii"]["priced"] is False
    # Totals: tokens cover all usage, cost only the priced part.
    assert doc["totals"]["input_tokens"] == sum(1000 + i for i in range(3)) + 1000 + 1001
    assert doc["totals"]["cost_usd"] == by_model["gpt-4o-mini"]["cost_usd"]


def test_empty_files_are_zero_rows_with_a_warning(tmp_path: Path, cli: Any) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    header_only = _csv(tmp_path / "header.csv", [])
    result = cli("audit", str(empty), str(header_only), "--db", ":memory:", "--json")
    assert result.code == 0
    doc = result.json()
    assert doc["rows"] == {"read": 0, "accepted": 0, "quarantined": 0, "duplicates": 0}
    assert sum("empty file" in n for n in doc["notes"]) == 2


def test_a_rejected_file_among_good_ones_exits_2_after_reporting_the_good_ones(
    tmp_path: Path, cli: Any
) -> None:
    good = _csv(tmp_path / "good.csv", _rows(4))
    missing_col = _csv(
        tmp_path / "nomodel.csv", ["2026-09-01,1,1"], header="timestamp,prompt_tokens,completion_tokens\n"
    )
    # (a truncated JSON array cannot be split into records; a truncated JSON-lines file can, and only its
    # last record is quarantined)
    truncated = tmp_path / "trunc.json"
    truncated.write_text(
        '[{"timestamp": "2026-09-01", "model": "gpt-4o", "prompt_tokens": 1, "completion_tokens": 1},'
        ' {"timest'
    )
    not_usage = tmp_path / "config.json"
    not_usage.write_text('{"name": "my-app", "version": 3}')
    result = cli(
        "audit", str(good), str(missing_col), str(truncated), str(not_usage), "--db", ":memory:", "--json"
    )
    assert result.code == 2
    doc = result.json()  # the report for what was accepted is still printed
    assert doc["rows"]["accepted"] == 4
    reasons = {Path(r["file"]).name: r["reason"] for r in doc["rejected_files"]}
    assert set(reasons) == {"nomodel.csv", "trunc.json", "config.json"}
    assert "missing required column 'model_raw'" in reasons["nomodel.csv"]
    assert "JSON" in reasons["trunc.json"]
    assert "not a known usage format" in reasons["config.json"]
    stderr_lines = [line for line in result.err.splitlines() if "rejected" in line]
    assert len(stderr_lines) == 3
    assert all(str(tmp_path) in line for line in stderr_lines)


def test_bad_usage_is_a_one_line_error_exit_2(tmp_path: Path, cli: Any) -> None:
    result = cli("audit", str(tmp_path / "nope.csv"), "--db", ":memory:", "--json")
    assert result.code == 2
    result = cli("audit", "--db", ":memory:", "--since", "yesterday")
    assert result.code == 2
    assert result.err.strip().count("\n") == 0
    assert "--since 'yesterday'" in result.err


def test_records_without_an_id_are_identified_by_file_fingerprint_and_position(
    tmp_path: Path, cli: Any
) -> None:
    import hashlib

    body = [f"2026-09-02T00:00:00Z,gpt-4o-mini,{10 + i},1" for i in range(3)]
    path = _csv(tmp_path / "c.csv", body, "timestamp,model,prompt_tokens,completion_tokens\n")
    db = str(tmp_path / "s.duckdb")
    cli("audit", path, "--db", db, "--json")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    con = duckdb.connect(db, read_only=True)
    ids = [r[0] for r in con.execute("SELECT source_record_id FROM usage_rows ORDER BY record_no").fetchall()]
    assert ids == [f"fp:{sha}:1", f"fp:{sha}:2", f"fp:{sha}:3"]


def test_auditing_a_missing_store_named_explicitly_is_an_error(tmp_path: Path, cli: Any) -> None:
    """A read of a store named by --db that does not exist is a typo to report (exit 2), not an audit."""
    missing = tmp_path / "never-created.duckdb"
    result = cli("audit", "--db", missing)
    assert result.code == 2
    assert f"--db {missing}: no such store" in result.err
    assert not missing.exists()  # a read never creates the store


def test_auditing_the_absent_default_store_says_so(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    result = cli("audit")
    assert result.code == 0
    assert "no usage in the store" in result.out
    assert not list((tmp_path).rglob("*.duckdb"))  # a read never creates the store
    doc = cli("audit", "--json").json()
    assert doc["totals"]["input_tokens"] == 0
    assert doc["totals"]["cost_usd"] is None
