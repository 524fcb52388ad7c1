"""Small files loaded together (one read over the list of files, one transaction) give exactly what
loading them one by one gives: the same store, the same audit document — per-file counts, quarantine
reasons naming each file and record, duplicates and id conflicts across the files of one batch, grown
and changed files among them, a file the shared read cannot take — and a kill mid-batch leaves the
store as it was.

Each comparison audits the same folder twice in-process: as it is (small files batched) and with
batching switched off (the small-file limit set to 0 bytes, so every file goes the per-file way)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
from _kill import audit, kill_at_every_step, totals

import llm_tco.ingest.batch as batch_module
from llm_tco.ingest import small_files

JSONL_KEYS = ("request_id", "timestamp", "model", "prompt_tokens", "completion_tokens")
CSV_HEADER = "timestamp,model,prompt_tokens,completion_tokens\n"


def _jsonl(path: Path, *records: tuple[str, str, int, int]) -> Path:
    """JSON lines of (request id, timestamp, input tokens, output tokens), all gpt-4o-mini."""
    path.write_text(
        "".join(
            json.dumps(dict(zip(JSONL_KEYS, (rid, ts, "gpt-4o-mini", tin, tout), strict=True))) + "\n"
            for rid, ts, tin, tout in records
        )
    )
    return path


def _csv(path: Path, *rows: tuple[str, int, int]) -> Path:
    path.write_text(CSV_HEADER + "".join(f"{ts},gpt-4o-mini,{tin},{tout}\n" for ts, tin, tout in rows))
    return path


TS = "2026-09-01T10:00:00Z"


def _dateless(text: str) -> str:
    return re.sub(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?( UTC|Z)?", "DATE", text)


def _store(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The store's tables, series by their identity (series keys are numbered in order of creation)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        by_series = (
            "SELECT s.series_id, x.* EXCLUDE (series_key) FROM {} x JOIN usage_series s USING (series_key)"
        )
        queries = {
            "usage": by_series.format("usage") + " ORDER BY file_id, record_no",
            "usage_rollup": by_series.format("usage_rollup") + " ORDER BY ALL",
            "usage_series": "SELECT * EXCLUDE (series_key) FROM usage_series ORDER BY series_id",
            "quarantine": "SELECT * FROM quarantine ORDER BY file_id, record_no",
            "ingested_files": "SELECT * EXCLUDE (ingested_at) FROM ingested_files ORDER BY file_id",
        }
        return {name: con.execute(sql).fetchall() for name, sql in queries.items()}
    finally:
        con.close()


class _Runs:
    """Audits of one folder into two stores: batched, and file by file."""

    def __init__(self, tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.cli, self.monkeypatch = cli, monkeypatch
        self.batched_db, self.alone_db = tmp_path / "batched.duckdb", tmp_path / "alone.duckdb"
        self.batches: list[int] = []
        real = batch_module.read_batch

        def counting(con: Any, files: Any, *args: Any) -> Any:  # the real read, its batches counted
            self.batches.append(len(files))
            return real(con, files, *args)

        monkeypatch.setattr(batch_module, "read_batch", counting)

    def audit(self, *args: object) -> tuple[dict[str, Any], dict[str, Any]]:
        """(batched document, file-by-file document) of ``audit ARGS --json``; the stores must agree."""
        batched = self.cli("audit", *args, "--db", self.batched_db, "--json")
        with self.monkeypatch.context() as m:
            m.setattr(small_files, "SMALL_FILE_BYTES", 0)
            alone = self.cli("audit", *args, "--db", self.alone_db, "--json")
        assert (batched.code, alone.code) == (0, 0), batched.err + alone.err
        # the same notes and warnings (an earlier version's time of ingest is each store's own)
        assert _dateless(batched.err) == _dateless(alone.err)
        assert _store(self.batched_db) == _store(self.alone_db)
        return batched.json(), alone.json()


@pytest.fixture
def runs(tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch) -> _Runs:
    return _Runs(tmp_path, cli, monkeypatch)


def _same(batched: dict[str, Any], alone: dict[str, Any]) -> None:
    for key in (
        "rows",
        "files",
        "totals",
        "by_model",
        "by_month",
        "quarantine",
        "id_conflicts",
    ):
        assert batched[key] == alone[key], key


def _without_times(changed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Changed files as listed, without when their earlier version was ingested (each store's own)."""
    return [{k: v for k, v in c.items() if k != "ingested_at"} for c in changed]


def test_a_mixed_folder_batched_equals_file_by_file(tmp_path: Path, runs: _Runs) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    a1 = _jsonl(logs / "a1.jsonl", ("r1", TS, 1_000_000, 100_000), ("r2", TS, 2_000_000, 200_000))
    a2 = _jsonl(logs / "a2.jsonl", ("r3", TS, 3_000_000, 300_000), ("r4", "yesterday", 1, 1))
    # r1 again as it is (a duplicate), r2 again with other usage (an id conflict), r5 new
    a3 = _jsonl(
        logs / "a3.jsonl",
        ("r1", TS, 1_000_000, 100_000),
        ("r2", TS, 2_000_001, 200_000),
        ("r5", TS, 5_000_000, 500_000),
    )
    b1 = _csv(logs / "b1.csv", (TS, 100_000, 10_000), (TS, 200_000, 20_000))
    b2 = _csv(logs / "b2.csv", (TS, 300_000, 30_000), ("soon", 1, 1))
    batched, alone = runs.audit(logs)
    _same(batched, alone)
    assert runs.batches == [3, 2]  # the JSON lines together, the CSV files together
    assert batched["rows"] == {"read": 11, "accepted": 7, "quarantined": 3, "duplicates": 1}
    per_file = {
        f["file"]: (f["read"], f["accepted"], f["quarantined"], f["duplicates"]) for f in batched["files"]
    }
    assert per_file == {
        str(a1): (2, 2, 0, 0),
        str(a2): (2, 1, 1, 0),
        str(a3): (3, 1, 1, 1),
        str(b1): (2, 2, 0, 0),
        str(b2): (2, 1, 1, 0),
    }
    assert batched["quarantine"] == [
        {"file": str(a2), "record": 2, "reason": "unparseable timestamp 'yesterday'"},
        {"file": str(a3), "record": 2, "reason": f"id conflict with {a1}:2"},
        {"file": str(b2), "record": 2, "reason": "unparseable timestamp 'soon'"},
    ]
    # accepted: r1, r2, r3, r5 and the three CSV rows; gpt-4o-mini at $0.15 in / $0.60 out per million
    input_tokens = 1_000_000 + 2_000_000 + 3_000_000 + 5_000_000 + 100_000 + 200_000 + 300_000
    output_tokens = 100_000 + 200_000 + 300_000 + 500_000 + 10_000 + 20_000 + 30_000
    assert (batched["totals"]["input_tokens"], batched["totals"]["output_tokens"]) == (11_600_000, 1_160_000)
    assert (input_tokens, output_tokens) == (11_600_000, 1_160_000)
    assert round(batched["totals"]["cost_usd"], 2) == round(11.6 * 0.15 + 1.16 * 0.60, 2)


def test_records_keep_their_own_file_numbers_and_keys(tmp_path: Path, runs: _Runs) -> None:
    """Records without ids are keyed by their own file's fingerprint and position: two files with the same
    rows in another order are different records, and each numbers its rows from 1."""
    logs = tmp_path / "logs"
    logs.mkdir()
    _csv(logs / "x.csv", (TS, 10, 1), (TS, 20, 2))
    _csv(logs / "y.csv", (TS, 20, 2), (TS, 10, 1))
    batched, _ = runs.audit(logs)
    assert runs.batches == [2]
    assert batched["rows"] == {"read": 4, "accepted": 4, "quarantined": 0, "duplicates": 0}
    con = duckdb.connect(str(runs.batched_db), read_only=True)
    try:
        rows = con.execute(
            "SELECT f.path, u.record_no, u.input_tokens, u.record_key >> 64 = "
            "('0x' || left(f.fingerprint, 16))::UBIGINT FROM usage u JOIN ingested_files f USING (file_id) "
            "ORDER BY f.path, u.record_no"
        ).fetchall()
    finally:
        con.close()
    x, y = str(logs / "x.csv"), str(logs / "y.csv")
    assert rows == [(x, 1, 10, True), (x, 2, 20, True), (y, 1, 20, True), (y, 2, 10, True)]


def test_grown_and_changed_files_among_new_ones(tmp_path: Path, runs: _Runs) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    grown = _jsonl(logs / "f2.jsonl", ("g1", TS, 100, 10), ("g2", TS, 200, 20))
    changed = _jsonl(logs / "f4.jsonl", ("c1", TS, 300, 30), ("c2", TS, 400, 40))
    first, _ = runs.audit(logs)
    assert first["rows"] == {"read": 4, "accepted": 4, "quarantined": 0, "duplicates": 0}
    runs.batches.clear()
    with grown.open("a") as fh:
        fh.write(json.dumps(dict(zip(JSONL_KEYS, ("g3", TS, "gpt-4o-mini", 500, 50), strict=True))) + "\n")
    # the same records in another order: changed otherwise than by growing
    _jsonl(changed, ("c2", TS, 400, 40), ("c1", TS, 300, 30))
    for name in ("f1a", "f1b", "f3a", "f3b", "f5a", "f5b"):
        _jsonl(logs / f"{name}.jsonl", (f"{name}-1", TS, 1000, 100), (f"{name}-2", TS, 2000, 200))
    batched, alone = runs.audit(logs)
    _same(batched, alone)
    assert _without_times(batched["changed_files"]) == _without_times(alone["changed_files"])
    # f1a+f1b, f3a+f3b, f5a+f5b together; the grown and the changed file each on their own
    assert runs.batches == [2, 2, 2]
    # six new files of two records, and the grown file's one new record; the changed file is left out
    assert batched["rows"] == {"read": 13, "accepted": 13, "quarantined": 0, "duplicates": 0}
    assert [c["path"] for c in batched["changed_files"]] == [str(changed)]
    assert batched["totals"]["input_tokens"] == 100 + 200 + 300 + 400 + 500 + 6 * 3000


def test_a_file_the_shared_read_cannot_take_is_the_only_one_affected(tmp_path: Path, runs: _Runs) -> None:
    """b.jsonl passes the screen (Python reads a lone surrogate escape) but not DuckDB's reader: the
    batch is abandoned and each file loaded on its own, so only b.jsonl's bad record is quarantined. The
    CSV with invalid UTF-8 is not admitted to a batch at all."""
    logs = tmp_path / "logs"
    logs.mkdir()
    _jsonl(logs / "a.jsonl", ("a1", TS, 100, 10))
    bad = logs / "b.jsonl"
    _jsonl(bad, ("b1", TS, 200, 20), ("b2", TS, 300, 30))
    bad.write_text(bad.read_text().replace('"b2"', '"b2\\ud800"'))
    _jsonl(logs / "c.jsonl", ("c1", TS, 400, 40))
    _csv(logs / "d1.csv", (TS, 500, 50))
    broken = logs / "d2.csv"
    broken.write_bytes(
        CSV_HEADER.encode()
        + b"2026-09-01T10:00:00Z,gpt-4o-mini,60\xff0,60\n"
        + f"{TS},gpt-4o-mini,700,70\n".encode()
    )
    _csv(logs / "d3.csv", (TS, 800, 80))
    batched, alone = runs.audit(logs)
    _same(batched, alone)
    assert runs.batches == [3]  # tried, abandoned; d1, d2 and d3 are each on their own
    per_file = {Path(f["file"]).name: (f["read"], f["accepted"], f["quarantined"]) for f in batched["files"]}
    assert per_file == {
        "a.jsonl": (1, 1, 0),
        "b.jsonl": (2, 1, 1),
        "c.jsonl": (1, 1, 0),
        "d1.csv": (1, 1, 0),
        "d2.csv": (2, 1, 1),
        "d3.csv": (1, 1, 0),
    }
    assert [(Path(q["file"]).name, q["record"]) for q in batched["quarantine"]] == [
        ("b.jsonl", 2),
        ("d2.csv", 1),
    ]
    assert batched["rejected_files"] == []


def test_the_same_content_twice_in_one_folder_is_recognised(tmp_path: Path, runs: _Runs) -> None:
    """A copy of a file met in the same batch is recognised as that content (all duplicates), as the
    per-file way does — never keyed again by position."""
    logs = tmp_path / "logs"
    logs.mkdir()
    original = _csv(logs / "a.csv", (TS, 10, 1), (TS, 20, 2))
    shutil.copy(original, logs / "b.csv")
    _csv(logs / "c.csv", (TS, 30, 3))
    _csv(logs / "d.csv", (TS, 40, 4))
    batched, alone = runs.audit(logs)
    _same(batched, alone)
    assert batched["rows"] == {"read": 6, "accepted": 4, "quarantined": 0, "duplicates": 2}
    assert batched["totals"]["input_tokens"] == 100


@pytest.mark.slow
def test_kill_at_every_step_of_a_batch(tmp_path: Path) -> None:
    base = _csv(tmp_path / "earlier.csv", (TS, 5, 1))
    db = str(tmp_path / "s.duckdb")
    assert audit(base, "--db", db).returncode == 0
    logs = tmp_path / "logs"
    logs.mkdir()
    _jsonl(logs / "a.jsonl", ("r1", TS, 100, 10), ("r2", "never", 1, 1))
    _jsonl(logs / "b.jsonl", ("r1", TS, 100, 10), ("r3", TS, 300, 30))
    _jsonl(logs / "c.jsonl", ("r3", TS, 301, 30))
    kills, done = kill_at_every_step(logs, "--db", db, db=db)
    assert kills >= 6  # every step of the batch's transaction
    doc = json.loads(done.stdout)
    assert doc["rows"] == {"read": 5, "accepted": 2, "quarantined": 2, "duplicates": 1}
    clean = tmp_path / "clean"
    shutil.copytree(logs, clean / "logs")
    shutil.copy(base, clean / "earlier.csv")
    run = audit(clean / "earlier.csv", clean / "logs", "--db", clean / "s.duckdb")
    assert run.returncode == 0, run.stderr
    assert totals(doc) == totals(json.loads(run.stdout))


def test_a_one_shot_audit_batches_json_lines(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a store (``--db :memory:``) JSON lines are still loaded together, with the same report."""
    logs = tmp_path / "logs"
    logs.mkdir()
    _jsonl(logs / "a.jsonl", ("r1", TS, 100, 10), ("r2", "later", 1, 1))
    _jsonl(logs / "b.jsonl", ("r1", TS, 100, 10), ("r3", TS, 300, 30))
    runs = _Runs(tmp_path, cli, monkeypatch)
    batched = cli("audit", logs, "--db", ":memory:", "--json")
    with monkeypatch.context() as m:
        m.setattr(small_files, "SMALL_FILE_BYTES", 0)
        alone = cli("audit", logs, "--db", ":memory:", "--json")
    assert runs.batches == [2]
    _same(batched.json(), alone.json())
    assert batched.json()["rows"] == {"read": 4, "accepted": 2, "quarantined": 1, "duplicates": 1}
    assert batched.json()["totals"]["input_tokens"] == 400
