"""The store's record of files already ingested: recognising the same bytes, recording a copy, and
deleting a replaced file's records.

A file whose exact bytes were ingested before (under any name) is not read again: every record is a
duplicate, and how many there are was recorded then. The copy is recorded under its own path too — no
records, only what was read and the key fingerprint of the file it copies — so that when the copy is the
log that goes on growing, its next audit continues from where the copied content ended instead of
reading it all again under other keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from llm_tco.ingest.costs import ReportedCounts
from llm_tco.ingest.digest import ContentDigest
from llm_tco.ingest.history import Continuation
from llm_tco.ingest.records import FileCounts
from llm_tco.store.temp_tables import scalar_int

__all__ = ["SeenFile", "delete_files", "record_copy", "seen_before"]


@dataclass(frozen=True)
class SeenFile:
    """An ingested file with the same bytes."""

    file_id: int
    source_format: str
    key_fingerprint: str
    usage_records: int
    reported_records: int


def seen_before(
    con: duckdb.DuckDBPyConnection, fingerprint: str, replaced: tuple[int, ...] = ()
) -> SeenFile | None:
    """The ingested file with these exact bytes (other than the ``replaced`` ones), or None."""
    row = con.execute(
        "SELECT file_id, source_format, coalesce(key_fingerprint, fingerprint), "
        "coalesce(usage_records, rows_read), coalesce(reported_records, reported_read, 0) "
        "FROM ingested_files WHERE fingerprint = ? AND NOT list_contains(?::INTEGER[], file_id) "
        "ORDER BY file_id LIMIT 1",
        [fingerprint, list(replaced)],
    ).fetchone()
    if row is None:
        return None
    return SeenFile(int(row[0]), str(row[1]), str(row[2]), int(row[3]), int(row[4] or 0))


def record_copy(
    con: duckdb.DuckDBPyConnection,
    seen: SeenFile,
    source_file: str,
    digest: ContentDigest,
    cont: Continuation,
) -> FileCounts:
    """Account for a file whose bytes were ingested before as ``seen``: all its records are duplicates.
    In one transaction, a replaced file's earlier records are deleted and a file (not a database) is
    recorded under its path with no records of its own."""
    if cont.replace_file_ids or cont.resolved_path is not None:
        con.execute("BEGIN TRANSACTION")
        try:
            if cont.replace_file_ids:
                delete_files(con, cont.replace_file_ids)
            if cont.resolved_path is not None:
                _insert_copy(con, seen, source_file, digest, cont.resolved_path)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    usage, costs = seen.usage_records, seen.reported_records
    return FileCounts.of(usage, 0, 0, usage, True, ReportedCounts(costs, 0, 0, costs))


def _insert_copy(
    con: duckdb.DuckDBPyConnection, seen: SeenFile, source_file: str, digest: ContentDigest, resolved: str
) -> None:
    file_id = scalar_int(con, "SELECT coalesce(max(file_id), 0) + 1 FROM ingested_files")
    usage, costs = seen.usage_records, seen.reported_records
    con.execute(
        "INSERT INTO ingested_files (file_id, path, fingerprint, source_format, size_bytes, ingested_at, "
        "rows_read, rows_accepted, rows_quarantined, rows_duplicate, reported_read, reported_accepted, "
        "reported_quarantined, reported_duplicate, content_bytes, content_fingerprint, key_fingerprint, "
        "usage_records, reported_records, resolved_path) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, 0, 0, ?, ?, ?, ?, ?, ?, ?)",
        [
            file_id,
            source_file,
            digest.fingerprint,
            seen.source_format,
            digest.size_bytes,
            datetime.now(UTC).replace(tzinfo=None),
            usage,
            usage,
            costs,
            costs,
            digest.content_bytes,
            digest.content_fingerprint,
            seen.key_fingerprint,
            usage,
            costs,
            resolved,
        ],
    )


_FILE_TABLES = ("usage_rollup", "quarantine", "reported_costs", "usage", "ingested_files")
"""Every table holding a file's records, by ``file_id`` (``usage_cost_details`` goes by the usage keys)."""


def delete_files(con: duckdb.DuckDBPyConnection, file_ids: tuple[int, ...]) -> None:
    """Delete the records of the files ``file_ids`` (a replaced file's earlier versions) from every
    table, inside the caller's transaction."""
    ids = list(file_ids)
    con.execute(
        "DELETE FROM usage_cost_details WHERE record_key IN "
        "(SELECT record_key FROM usage WHERE list_contains(?::INTEGER[], file_id))",
        [ids],
    )
    for table in _FILE_TABLES:
        con.execute(f"DELETE FROM {table} WHERE list_contains(?::INTEGER[], file_id)", [ids])
