"""Many small files in one audit: the per-run shortcuts (the stored paths are read once per run, not
looked up per file) must still recognise a file met a second time, in the same run or a later one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _requests(path: Path, first: int, n: int) -> None:
    path.write_text(
        "".join(
            json.dumps(
                {
                    "request_id": f"r{i}",
                    "timestamp": "2026-09-03T10:00:00Z",
                    "model": "gpt-4o-mini",
                    "prompt_tokens": 100 * i,
                    "completion_tokens": i,
                }
            )
            + "\n"
            for i in range(first, first + n)
        )
    )


def test_a_file_met_twice_in_one_run_is_counted_once(tmp_path: Path, cli: Any) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    _requests(logs / "a.jsonl", 1, 3)
    _requests(logs / "b.jsonl", 4, 2)
    db = str(tmp_path / "s.duckdb")
    # The folder, then one of its files again under another spelling: ingested during this run.
    doc = cli("audit", logs, logs / ".." / "logs" / "a.jsonl", "--db", db, "--json").json()
    assert doc["rows"] == {"read": 8, "accepted": 5, "quarantined": 0, "duplicates": 3}
    # prompt tokens 100 * (1 + ... + 5), each request once
    assert doc["totals"]["input_tokens"] == 1500
    assert doc["totals"]["requests"] == 5


def test_a_second_run_still_sees_every_path_of_the_first(tmp_path: Path, cli: Any) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    for k in range(6):
        _requests(logs / f"u{k}.jsonl", 10 * k, 2)
    db = str(tmp_path / "s.duckdb")
    first = cli("audit", logs, "--db", db, "--json").json()
    assert first["rows"] == {"read": 12, "accepted": 12, "quarantined": 0, "duplicates": 0}
    _requests(logs / "u2.jsonl", 20, 3)  # grown by one record: r22
    _requests(logs / "u6.jsonl", 60, 1)  # a new file
    again = cli("audit", logs, "--db", db, "--json").json()
    # 5 unchanged files (10 duplicates), the grown one reads only its new record, the new one its own
    assert again["rows"] == {"read": 12, "accepted": 2, "quarantined": 0, "duplicates": 10}
    assert again["totals"]["requests"] == 14
