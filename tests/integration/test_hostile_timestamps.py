"""Timestamps that would be misread: a zone abbreviation is not UTC, and a date before any LLM API billed
usage is a fault upstream. Both are quarantined with their reason; real zones still convert."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

HEADER = "timestamp,model,prompt_tokens,completion_tokens\n"
ZONE_HELP = "(write an offset such as -08:00, or a zone name such as America/Los_Angeles)"


def _audit(cli: Any, path: Path, db: Path) -> dict[str, Any]:
    result = cli("audit", str(path), "--db", str(db), "--json")
    assert result.code == 0, result.err
    doc: dict[str, Any] = result.json()
    return doc


def _stored_times(db: Path) -> list[datetime]:
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT ts_start FROM usage_rows ORDER BY record_no").fetchall()
    con.close()
    return [r[0] for r in rows]


def test_zone_abbreviations_are_quarantined_not_read_as_utc(tmp_path: Path, cli: Any) -> None:
    f = tmp_path / "zones.csv"
    f.write_text(
        HEADER
        + "2026-09-01 10:00:00 PST,gpt-4o-mini,100,1\n"
        + "2026-09-01T10:00:00 IST,gpt-4o-mini,100,1\n"
        + "2026-09-01 10:00:00 UTC,gpt-4o-mini,100,1\n"
        + "2026-09-01 10:00:00 Europe/Paris,gpt-4o-mini,100,1\n"
        + "2026-09-01T10:00:00-08:00,gpt-4o-mini,100,1\n"
        + "2026-09-01T10:00:00Z,gpt-4o-mini,100,1\n"
        # a zone written against the time, found by its last letter alone
        + "2026-09-01T10:00:00PST,gpt-4o-mini,100,1\n"
    )
    db = tmp_path / "s.duckdb"
    doc = _audit(cli, f, db)
    assert doc["rows"] == {"read": 7, "accepted": 4, "quarantined": 3, "duplicates": 0}
    assert {q["record"]: q["reason"] for q in doc["quarantine"]} == {
        1: f"unknown time zone 'PST' {ZONE_HELP}",
        2: f"unknown time zone 'IST' {ZONE_HELP}",
        7: f"unknown time zone 'PST' {ZONE_HELP}",
    }
    # UTC as is; Paris is UTC+2 in September (summer time); -08:00 is 8 hours behind UTC
    assert _stored_times(db) == [
        datetime(2026, 9, 1, 10),
        datetime(2026, 9, 1, 8),
        datetime(2026, 9, 1, 18),
        datetime(2026, 9, 1, 10),
    ]


@pytest.mark.parametrize(
    ("value", "date"),
    [
        ("0", "1970-01-01"),
        ("1970-01-01T00:00:00Z", "1970-01-01"),
        ("0001-01-01T00:00:00Z", "0001-01-01"),
        ("1900-01-01", "1900-01-01"),
        ("2019-12-31T23:59:59Z", "2019-12-31"),
    ],
)
def test_dates_before_2020_are_implausible_usage(tmp_path: Path, cli: Any, value: str, date: str) -> None:
    f = tmp_path / "old.csv"
    f.write_text(HEADER + f"{value},gpt-4o-mini,100,1\n2020-01-01T00:00:00Z,gpt-4o-mini,7,1\n")
    doc = _audit(cli, f, tmp_path / "s.duckdb")
    assert doc["rows"] == {"read": 2, "accepted": 1, "quarantined": 1, "duplicates": 0}
    assert doc["quarantine"][0]["record"] == 1
    assert doc["quarantine"][0]["reason"] == (
        f"implausible date {date} (before 2020-01-01: no LLM API billed usage then)"
    )
    assert doc["totals"]["input_tokens"] == 7  # the first day of 2020 is plausible


def test_an_epoch_zero_in_json_is_implausible_too(tmp_path: Path, cli: Any) -> None:
    f = tmp_path / "old.jsonl"
    recs = [
        {"timestamp": 0, "model": "gpt-4o-mini", "prompt_tokens": 1, "completion_tokens": 1},
        {"timestamp": 1_788_000_000, "model": "gpt-4o-mini", "prompt_tokens": 2, "completion_tokens": 1},
    ]
    f.write_text("".join(json.dumps(r) + "\n" for r in recs))
    doc = _audit(cli, f, tmp_path / "s.duckdb")
    assert doc["rows"]["quarantined"] == 1
    assert doc["quarantine"][0]["reason"].startswith("implausible date 1970-01-01")


def test_text_that_is_no_time_is_unparseable_and_a_word_after_a_time_is_an_unknown_zone(
    tmp_path: Path, cli: Any
) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(HEADER + "yesterday,gpt-4o-mini,1,1\n2026-09-01 10:00 XYZ123,gpt-4o-mini,1,1\n")
    doc = _audit(cli, f, tmp_path / "s.duckdb")
    assert [q["reason"] for q in doc["quarantine"]] == [
        "unparseable timestamp 'yesterday'",
        f"unknown time zone 'XYZ123' {ZONE_HELP}",
    ]
