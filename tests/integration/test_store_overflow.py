"""A store never becomes unreadable through its own data: counts too large for one record are quarantined,
and sums beyond 64 bits of counts each within the limit are still audited and planned."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

LIMIT = 10**15  # the documented per-record limit on a token or request count


def _bucket_csv(path: Path, rows: list[tuple[int, int]]) -> Path:
    """Aggregated rows (requests, prompt tokens), one a day from 2026-09-01, for gpt-4o-mini."""
    lines = ["timestamp,model,requests,prompt_tokens,completion_tokens"]
    lines += [
        f"2026-09-{1 + i % 28:02d}T00:00:00Z,gpt-4o-mini,{requests},{prompt},0"
        for i, (requests, prompt) in enumerate(rows)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_counts_whose_sums_could_overflow_are_quarantined_and_the_store_stays_readable(
    tmp_path: Path, cli: Any
) -> None:
    db = tmp_path / "s.duckdb"
    path = _bucket_csv(
        tmp_path / "buckets.csv",
        [(10**12, 9 * 10**18), (10**12, 9 * 10**18), (10**9, LIMIT), (10**9, LIMIT + 1), (3, 300)],
    )
    first = cli("audit", path, "--db", db, "--json")
    assert first.code == 0, first.err
    doc = first.json()
    assert doc["rows"] == {"read": 5, "accepted": 2, "quarantined": 3, "duplicates": 0}
    reasons = {q["record"]: q["reason"] for q in doc["quarantine"]}
    too_many = " is more than one record can hold (at most 1,000,000,000,000,000)"
    assert reasons == {
        1: "input_tokens = 9000000000000000000" + too_many,
        2: "input_tokens = 9000000000000000000" + too_many,
        4: "input_tokens = 1000000000000001" + too_many,
    }
    assert doc["totals"]["input_tokens"] == LIMIT + 300  # the record at the limit is kept
    for args in (("audit", "--db", db), ("audit", "--db", db, "--json"), ("plan", "--db", db)):
        again = cli(*args)
        assert again.code == 0, (args, again.err)


def test_store_sums_beyond_64_bits_are_audited_and_planned(tmp_path: Path, cli: Any) -> None:
    """10,000 records at the per-record limit sum to 10^19 input tokens, beyond 2^63 - 1."""
    n = 10_000
    assert n * LIMIT > 2**63 - 1
    db = tmp_path / "s.duckdb"
    first = cli("audit", _bucket_csv(tmp_path / "big.csv", [(10**9, LIMIT)] * n), "--db", db, "--json")
    assert first.code == 0, first.err
    assert first.json()["rows"]["accepted"] == n
    # gpt-4o-mini input: $0.15 per million tokens
    expected_cost = Decimal(n * LIMIT) * Decimal("0.15") / Decimal(1_000_000)
    for args in (
        ("audit", "--db", db, "--json"),
        ("audit", "--db", db, "--until", "2026-09-28T12:00:00", "--json"),
    ):
        again = cli(*args)
        assert again.code == 0, (args, again.err)
        totals = again.json()["totals"]
        assert (totals["input_tokens"], totals["requests"]) == (n * LIMIT, n * 10**9)
        assert Decimal(str(totals["cost_usd"])) == expected_cost
    terminal = cli("audit", "--db", db)
    assert terminal.code == 0, terminal.err
    plan = cli("plan", "--db", db)
    assert plan.code == 0, plan.err
