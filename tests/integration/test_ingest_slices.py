"""A large sliceable file that cannot stream is validated and loaded in record-number slices inside one
transaction: the result must be exactly that of loading it whole (counts, record numbers, duplicates
across slices), and that of streaming it (what a Parquet file does)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import llm_tco.ingest.load as load
from llm_tco.ingest.generic import GenericTableAdapter


def _write(path: Path) -> None:
    # 10 records: r3 repeats r1 (a duplicate in a later slice), record 6 has a negative count.
    ids = ["r0", "r1", "r2", "r1", "r4", "r5", "r6", "r7", "r8", "r9"]
    tokens = [100, 101, 102, 101, 104, -5, 106, 107, 108, 109]
    pq.write_table(
        pa.table(
            {
                "request_id": ids,
                "timestamp": ["2026-09-01T00:00:00Z"] * 10,
                "model": ["gpt-4o-mini"] * 10,
                "prompt_tokens": pa.array(tokens, pa.int64()),
                "completion_tokens": pa.array([10] * 10, pa.int64()),
            }
        ),
        path,
        row_group_size=3,
    )


@pytest.mark.parametrize("slice_records", [3, 4, 1_000, None])
def test_sliced_load_equals_whole_load(
    slice_records: int | None, tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``slice_records`` None: the file streams (no slice is loaded)."""
    if slice_records is not None:
        monkeypatch.setattr(load, "SLICE_RECORDS", slice_records)
        real_stage = GenericTableAdapter.stage

        def held(self: GenericTableAdapter, *args: Any) -> Any:
            return dataclasses.replace(real_stage(self, *args), streamable=False)

        monkeypatch.setattr(GenericTableAdapter, "stage", held)
    calls: list[int] = []
    real = load._load_usage

    def counting(*args: Any) -> tuple[int, int, int]:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(load, "_load_usage", counting)
    path = tmp_path / "usage.parquet"
    _write(path)
    doc = cli("audit", path, "--db", tmp_path / "s.duckdb", "--json").json()
    # 10 read: record 4 duplicates record 2 (same request id), record 6 is quarantined.
    assert doc["rows"] == {"read": 10, "accepted": 8, "quarantined": 1, "duplicates": 1}
    assert doc["quarantine"] == [{"file": str(path), "record": 6, "reason": "negative input_tokens (-5)"}]
    assert doc["totals"]["input_tokens"] == 100 + 101 + 102 + 104 + 106 + 107 + 108 + 109
    assert doc["totals"]["requests"] == 8
    # ceil(10 / slice size); none when the file streams
    expected_slices = 0 if slice_records is None else -(-10 // slice_records) if slice_records < 10 else 1
    assert len(calls) == expected_slices
