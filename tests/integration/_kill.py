"""The deterministic kill test: ``LLM_TCO_FAULT_AFTER_STEPS=N`` kills the process (no rollback, no
clean-up) after N steps of a file's transaction. Run at N = 1, 2, … until the command completes, every
killed run must leave the store exactly as it was; the caller then compares the completed store with a
clean run."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import duckdb

KILLED = 137
MAX_STEPS = 40

SNAPSHOT_SQL = {
    "usage": "count(*), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0)",
    "usage_rollup": "count(*), coalesce(sum(row_count), 0), coalesce(sum(input_tokens), 0)",
    "usage_series": "count(*), count(DISTINCT series_id)",
    "quarantine": "count(*), count(DISTINCT (file_id, record_no))",
    "ingested_files": "count(*), count(DISTINCT fingerprint), coalesce(sum(rows_read), 0)",
    "reported_costs": "count(*), coalesce(sum(amount_usd), 0)",
    "usage_cost_details": "count(*)",
}


def snapshot(db: str) -> dict[str, Any] | None:
    """Every table's row count and sums; None when there is no store."""
    if not os.path.exists(db):  # noqa: PTH110
        return None
    con = duckdb.connect(db, read_only=True)
    try:
        return {t: con.execute(f"SELECT {agg} FROM {t}").fetchone() for t, agg in SNAPSHOT_SQL.items()}
    finally:
        con.close()


def audit(*args: object, steps: int | None = None) -> subprocess.CompletedProcess[str]:
    """``llm-tco audit ARGS --json`` in a fresh process, killed after ``steps`` transaction steps."""
    env = {**os.environ, "LLM_TCO_NOW": "2026-11-25T12:00:00Z"}
    env.pop("LLM_TCO_FAULT_AFTER_STEPS", None)
    if steps is not None:
        env["LLM_TCO_FAULT_AFTER_STEPS"] = str(steps)
    return subprocess.run(
        [sys.executable, "-m", "llm_tco.cli.main", "audit", *map(str, args), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def kill_at_every_step(*args: object, db: str) -> tuple[int, subprocess.CompletedProcess[str]]:
    """Kill ``audit ARGS`` at every step until it completes; returns the kills and the completed run.
    Each killed run exits 137 with no output and leaves the store (``db``; ``:memory:`` has none) as
    it was."""
    before = snapshot(db) if db != ":memory:" else None
    for steps in range(1, MAX_STEPS + 1):
        run = audit(*args, steps=steps)
        if run.returncode != KILLED:
            assert run.returncode == 0, run.stderr
            assert steps > 1, "the command completed before its first step: nothing was killed"
            return steps - 1, run
        assert run.stdout == "", "a killed run printed a partial report"
        if db != ":memory:":
            assert snapshot(db) == before, f"killed after {steps} steps, the store changed"
    raise AssertionError(f"still killed after {MAX_STEPS} steps")


def totals(doc: dict[str, Any]) -> tuple[Any, ...]:
    """What a clean run must equal: totals, per model, per month and the cost-only records."""
    return (doc["totals"], doc["by_model"], doc["by_month"], doc["reported"])
