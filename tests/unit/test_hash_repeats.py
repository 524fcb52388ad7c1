"""The repeated 64-bit values of a relation are the same whichever way they are found: split by their top
bit into the two ends of one buffer and sorted on two threads, in one pass or many, with the buffer grown
when the relation has more values than announced — checked against a plain count of the values."""

from __future__ import annotations

from collections import Counter

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from llm_tco.ingest import hash_repeats
from llm_tco.ingest.hash_repeats import repeated_hashes, repeats_of

TOP = 1 << 63


def _expected(values: np.ndarray) -> tuple[list[int], int]:
    """The values occurring more than once, sorted, and how many values hold one of them (a plain count)."""
    counts = Counter(int(v) for v in values)
    return sorted(v for v, n in counts.items() if n > 1), sum(n for n in counts.values() if n > 1)


def _relation(values: np.ndarray) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.register("v", pa.table({"h": pa.array(values, pa.uint64())}))
    return con


def _boundary_values() -> np.ndarray:
    """Values on both sides of 2⁶³ and at both ends of the range, repeated and not, shuffled: a repeat of
    2⁶³ − 1 and one of 2⁶³ fall into different halves, each with its copies."""
    rng = np.random.default_rng(11)
    edges = np.array([0, 1, TOP - 2, TOP - 1, TOP, TOP + 1, (1 << 64) - 1], dtype=np.uint64)
    unique = rng.integers(0, 2**64 - 1, 5_000, dtype=np.uint64, endpoint=True)
    values = np.concatenate([unique, edges, edges[[1, 3, 4, 6]], edges[[3, 4]], unique[:40], unique[:3]])
    rng.shuffle(values)
    return values


@pytest.mark.parametrize("per_pass", [None, 2_000, 999, 300])
def test_repeats_across_the_split_are_found_in_one_pass_or_many(per_pass: int | None) -> None:
    values = _boundary_values()
    found = repeated_hashes(_relation(values), "SELECT h FROM v", [], len(values), per_pass)
    hashes, rows = _expected(values)
    assert sorted(int(v) for v in found.hashes) == hashes
    assert found.rows == rows
    # every value of a repeated group counted: 0 once, 1 and 2⁶⁴−1 twice, 2⁶³−1 and 2⁶³ three times...
    assert {TOP - 1, TOP, 1, (1 << 64) - 1} <= set(hashes)
    assert 0 not in hashes and TOP + 1 not in hashes


@pytest.mark.parametrize("side", ["low", "high"])
def test_values_all_in_one_half_fill_the_buffer_from_one_end(side: str) -> None:
    """Every value below 2⁶³ (or every one above): one half holds them all and the other is empty."""
    rng = np.random.default_rng(5)
    values = rng.integers(0, TOP - 1, 3_000, dtype=np.uint64)
    if side == "high":
        values = values + np.uint64(TOP)
    values = np.concatenate([values, values[:25]])
    found = repeated_hashes(_relation(values), "SELECT h FROM v", [], len(values))
    assert (sorted(int(v) for v in found.hashes), found.rows) == _expected(values)


def test_more_values_than_announced_grow_the_buffer(monkeypatch: pytest.MonkeyPatch) -> None:
    """``at_most`` 10 for 5,000+ values, read in batches of 64: the buffer grows many times, keeping the
    values already read at both its ends."""
    monkeypatch.setattr(hash_repeats, "_BATCH_ROWS", 64)
    values = _boundary_values()
    found = repeated_hashes(_relation(values), "SELECT h FROM v", [], 10, per_pass=10_000)
    assert (sorted(int(v) for v in found.hashes), found.rows) == _expected(values)


def test_no_values_and_no_repeats() -> None:
    empty = np.empty(0, dtype=np.uint64)
    found = repeated_hashes(_relation(empty), "SELECT h FROM v", [], 0)
    assert found.hashes.size == 0 and found.rows == 0
    distinct = np.arange(1_000, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    assert repeats_of(distinct.copy()).rows == 0
