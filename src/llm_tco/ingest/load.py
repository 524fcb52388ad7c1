"""Loading one validated file into the store: one transaction, idempotent, nothing lost or counted twice.

Every record ends as exactly one of accepted, quarantined or duplicate, and the file's counts are
recorded with it in ``ingested_files``. A file whose exact content was ingested before changes nothing:
all its records are duplicates. A record whose id (request id, else file fingerprint + position) is
already stored, or appears earlier in the same file, is a duplicate.

The steps run inside one transaction; ``LLM_TCO_FAULT_AFTER_STEPS=N`` kills the process (``os._exit``)
after N steps, which is how the tests prove that an interrupted ingest leaves the store as it was.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from llm_tco.ingest.base import ATTRIBUTE_COLUMNS
from llm_tco.ingest.series import assign_series

__all__ = ["FileCounts", "load_file"]

FAULT_ENV = "LLM_TCO_FAULT_AFTER_STEPS"


@dataclass(frozen=True)
class FileCounts:
    read: int
    accepted: int
    quarantined: int
    duplicates: int
    already_ingested: bool = False


class _Steps:
    """Counts transaction steps for deterministic fault injection."""

    def __init__(self) -> None:
        limit = os.environ.get(FAULT_ENV)
        self.limit = int(limit) if limit else None
        self.done = 0

    def step(self) -> None:
        self.done += 1
        if self.limit is not None and self.done >= self.limit:
            os._exit(137)  # simulate a kill: no rollback, no cleanup, no flush


def load_file(
    con: duckdb.DuckDBPyConnection,
    *,
    path: Path,
    fingerprint: str,
    source_format: str,
    validated_sql: str,
    validated_params: list[object],
) -> FileCounts:
    """Insert one file's validated records (see ``llm_tco.ingest.validate``) in a single transaction."""
    size = path.stat().st_size
    already = con.execute("SELECT count(*) FROM ingested_files WHERE fingerprint = ?", [fingerprint]).fetchone()
    if already and already[0] > 0:
        n = con.execute(f"SELECT count(*) FROM ({validated_sql})", validated_params).fetchone()
        read = int(n[0]) if n else 0
        return FileCounts(read, 0, 0, read, already_ingested=True)

    steps = _Steps()
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _validated AS {validated_sql}", validated_params
        )
        steps.step()
        file_id_row = con.execute("SELECT coalesce(max(file_id), 0) + 1 FROM ingested_files").fetchone()
        file_id = int(file_id_row[0]) if file_id_row else 1
        con.execute(
            "INSERT INTO quarantine SELECT ?, ?, record_no, reason FROM _validated WHERE reason IS NOT NULL",
            [file_id, str(path)],
        )
        steps.step()
        # Duplicates: an earlier record of this file with the same key, or a key already stored.
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE _fresh AS
            SELECT v.* FROM (
                SELECT *, row_number() OVER (PARTITION BY record_key ORDER BY record_no) AS _nth
                FROM _validated WHERE reason IS NULL
            ) v
            WHERE v._nth = 1
              AND NOT EXISTS (SELECT 1 FROM usage u WHERE u.record_key = v.record_key)
            """
        )
        steps.step()
        assign_series(con, "_fresh", source_format)
        steps.step()
        attrs = " AND ".join(
            f'f."{a}" IS NOT DISTINCT FROM s."{a}"' for a in ATTRIBUTE_COLUMNS if a != "provider"
        )
        con.execute(
            f"""
            INSERT INTO usage
            SELECT s.series_key, ?, f.record_no, f.record_key, f.record_id, f.ts_start, f.ts_end, f.requests,
                   f.input_tokens, f.cache_read_tokens, f.cache_write_tokens, f.cache_write_1h_tokens,
                   f.output_tokens, f.reasoning_tokens, f.reported_cost_usd
            FROM _fresh f
            JOIN _series_map m ON m.provider_raw IS NOT DISTINCT FROM f.provider AND m.model_raw = f.model_raw
            JOIN usage_series s ON s.source_format = ? AND s.provider IS NOT DISTINCT FROM m.provider
                 AND s.model IS NOT DISTINCT FROM m.model AND {attrs}
            """,
            [file_id, source_format],
        )
        steps.step()
        counts = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE reason IS NOT NULL) FROM _validated"
        ).fetchone()
        fresh = con.execute("SELECT count(*) FROM _fresh").fetchone()
        read = int(counts[0]) if counts else 0
        quarantined = int(counts[1]) if counts else 0
        accepted = int(fresh[0]) if fresh else 0
        duplicates = read - quarantined - accepted
        con.execute(
            "INSERT INTO ingested_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [file_id, str(path), fingerprint, source_format, size, datetime.now(UTC).replace(tzinfo=None),
             read, accepted, quarantined, duplicates],
        )
        steps.step()
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.execute("DROP TABLE IF EXISTS _validated")
        con.execute("DROP TABLE IF EXISTS _fresh")
    return FileCounts(read, accepted, quarantined, duplicates)
