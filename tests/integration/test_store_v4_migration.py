"""A store written before record ids had namespaces (schema version 3) is migrated: its ids and keys
become those the same records get now, so re-auditing its files — unchanged, overlapping or grown —
counts nothing twice."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
from _stores import store_at_version

from llm_tco.store import open_store
from llm_tco.store.migrations import MIGRATIONS

HEADER_IDS = "request_id,timestamp,model,prompt_tokens,completion_tokens\n"
HEADER = "timestamp,model,prompt_tokens,completion_tokens\n"


def _v3_store(db: str, with_ids: Path, without_ids: Path) -> None:
    """The rows version 3 wrote for the two files: ids as ``id:<source id>`` keyed by their md5; records
    without an id keyed by the file fingerprint's first 64 bits × 2^64 + record number."""
    store_at_version(db, 3)
    con = duckdb.connect(db)
    try:
        con.execute(
            "INSERT INTO usage_series (series_key, series_id, source_format, provider, model_raw, model, "
            "workload, batch) VALUES (1, 7, 'table', 'openai', 'gpt-4o-mini', 'gpt-4o-mini', "
            "'gpt-4o-mini', false)"
        )
        for file_id, path, n in ((1, with_ids, 2), (2, without_ids, 2)):
            data = path.read_bytes()
            con.execute(
                "INSERT INTO ingested_files VALUES (?, ?, ?, 'table', ?, ?, ?, ?, 0, 0, 0, 0, 0, 0)",
                [
                    file_id,
                    str(path),
                    hashlib.sha256(data).hexdigest(),
                    len(data),
                    datetime(2026, 10, 1),
                    n,
                    n,
                ],
            )
        fp_base = int(hashlib.sha256(without_ids.read_bytes()).hexdigest()[:16], 16)
        for n in (1, 2):
            con.execute(
                "INSERT INTO usage VALUES (1, 1, ?, md5_number(?), ?, '2026-09-01 10:00:00', "
                "'2026-09-01 10:00:00', 1, ?, 0, 0, 0, 1, 0, NULL)",
                [n, f"id:r{n}", f"id:r{n}", 100 * n],
            )
            con.execute(
                "INSERT INTO usage VALUES (1, 2, ?, CAST(? AS UHUGEINT), NULL, '2026-09-02 10:00:00', "
                "'2026-09-02 10:00:00', 1, ?, 0, 0, 0, 1, 0, NULL)",
                [n, fp_base * 2**64 + n, 10 * n],
            )
        con.execute("INSERT INTO usage_cost_details VALUES (md5_number('id:r1'), 0.5, 0.6)")
    finally:
        con.close()


def test_a_v3_store_keeps_its_records_and_counts_nothing_twice(tmp_path: Path, cli: Any) -> None:
    a = tmp_path / "a.csv"
    a.write_text(HEADER_IDS + "".join(f"r{n},2026-09-01T10:00:00Z,gpt-4o-mini,{100 * n},1\n" for n in (1, 2)))
    b = tmp_path / "b.csv"
    b_v1 = HEADER + "".join(f"2026-09-02T10:00:00Z,gpt-4o-mini,{10 * n},1\n" for n in (1, 2))
    b.write_text(b_v1)
    db = str(tmp_path / "old.duckdb")
    _v3_store(db, a, b)

    con = open_store(db)
    assert con.execute("SELECT max(version) FROM schema_migrations").fetchone() == (MIGRATIONS[-1].version,)
    ids = [
        r[0]
        for r in con.execute(
            "SELECT source_record_id FROM usage_rows ORDER BY source_file, record_no"
        ).fetchall()
    ]
    sha_b = hashlib.sha256(b_v1.encode()).hexdigest()
    assert ids == ["id:table:r1", "id:table:r2", f"fp:{sha_b}:1", f"fp:{sha_b}:2"]
    keys = con.execute(
        "SELECT count(*) FROM usage u JOIN usage_cost_details d USING (record_key) "
        "WHERE u.record_key = md5_number('id:table:r1')"
    ).fetchone()
    assert keys == (1,)  # the cost details follow their record's new key
    con.close()

    # The same files again: all duplicates.
    again = cli("audit", a, b, "--db", db, "--json").json()
    assert again["rows"] == {"read": 4, "accepted": 0, "quarantined": 0, "duplicates": 4}
    # An overlapping export: the stored record is recognised under its migrated key.
    overlap = tmp_path / "later.csv"
    overlap.write_text(
        HEADER_IDS + "r2,2026-09-01T10:00:00Z,gpt-4o-mini,200,1\nr3,2026-09-01T10:00:00Z,gpt-4o-mini,300,1\n"
    )
    doc = cli("audit", overlap, "--db", db, "--json").json()
    assert doc["rows"] == {"read": 2, "accepted": 1, "quarantined": 0, "duplicates": 1}
    # The id-less file grew: only the new line is read, and its key continues the old ones.
    b.write_text(b_v1 + "2026-09-02T10:00:00Z,gpt-4o-mini,30,1\n")
    grown = cli("audit", b, "--db", db, "--json").json()
    assert grown["rows"] == {"read": 1, "accepted": 1, "quarantined": 0, "duplicates": 0}
    assert grown["totals"]["requests"] == 2 + 2 + 1 + 1
    assert grown["totals"]["input_tokens"] == 100 + 200 + 10 + 20 + 300 + 30
    con = duckdb.connect(db, read_only=True)
    b_ids = con.execute(
        "SELECT source_record_id FROM usage_rows WHERE source_file = ? ORDER BY record_no", [str(b)]
    ).fetchall()
    assert b_ids == [(f"fp:{sha_b}:1",), (f"fp:{sha_b}:2",), (f"fp:{sha_b}:3",)]
