"""The key sample of a JSON lines file: the union of the top-level keys of its first records only."""

from __future__ import annotations

from pathlib import Path

import duckdb

from llm_tco.ingest.files import probe_file
from llm_tco.ingest.json_readers import json_keys


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def test_keys_union_over_the_head_past_blank_and_malformed_lines(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "x.jsonl",
        [
            '{"id": 1, "model": "m"}',
            "",
            "{not json",
            "[1, 2]",
            '{"id": 2, "model": "m", "extra": {"a": 1}, "métadonnées \\"q\\"": [{"b": 2}]}',
        ],
    )
    keys = json_keys(duckdb.connect(), probe_file(path))
    # the probe's columns come first, in its order; a key first seen later still counts; nested keys do not
    assert set(keys) == {"id", "model", "extra", 'métadonnées "q"'}
    assert keys[:2] == ["id", "model"]


def test_keys_past_the_sample_are_not_read(tmp_path: Path) -> None:
    head = [f'{{"id": {i}, "model": "m"}}' for i in range(50)]
    path = _write(tmp_path / "y.jsonl", [*head, '{"id": 51, "model": "m", "late": true}'])
    con = duckdb.connect()
    assert "late" not in json_keys(con, probe_file(path), sample_rows=50)
    assert "late" in json_keys(con, probe_file(path), sample_rows=51)
