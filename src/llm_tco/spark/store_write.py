"""Writing a Spark audit's result into the llm-tco store, so that the same audit document, ``plan`` and a
later DuckDB audit all read it as they read any audit's.

Per input file the store receives what a DuckDB ingest records — an ``ingested_files`` row with the
file's path, fingerprint and its counts, its quarantined records with their reasons, and its usage — except
that the usage is the aggregate of ``llm_tco.spark.aggregate`` (the facts stay in the lake). A later
DuckDB audit of the same file recognises its bytes by the fingerprint and counts its records as
duplicates. Everything is written in one transaction, with the usage rollup of each file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from llm_tco.ingest.costs import ReportedCounts
from llm_tco.ingest.outcome import FileResult
from llm_tco.ingest.records import AccountingError, FileCounts, check_balance
from llm_tco.spark.source import InputFile
from llm_tco.store.rollup import RollupLayout, append_stored_rollup

__all__ = ["FileTally", "write_results"]

SOURCE_FORMAT = "table"
"""The generic adapter's format name: the series and files of a Spark audit are those of generic files."""


@dataclass(frozen=True)
class FileTally:
    """Counts of one file's records, each outcome counted directly."""

    read: int
    accepted: int
    quarantined: int
    duplicates: int


def write_results(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[InputFile],
    tallies: dict[int, FileTally],
    usage: pa.Table,
    quarantine: pa.Table,
    layout: RollupLayout,
) -> list[FileResult]:
    """Store every file's usage rows (``usage``: ``_file_idx``, ``series_key``, ``record_no``, ``records``,
    times, counts) and quarantined records (``_file_idx``, ``record_no``, ``reason``). Runs inside the
    caller's transaction. Raises :class:`AccountingError` when a file's outcomes or its stored records do
    not add up to what was read."""
    con.register("_spark_usage", usage)
    con.register("_spark_quarantine", quarantine)
    results: list[FileResult] = []
    try:
        for item in files:
            tally = tallies.get(item.index, FileTally(0, 0, 0, 0))
            check_balance(item.path, "usage", tally.read, tally.accepted, tally.quarantined, tally.duplicates)
            file_id = _next_file_id(con)
            stored = _insert_usage(con, item, file_id)
            if stored != tally.accepted:
                raise AccountingError(
                    f"{item.path}: {tally.accepted} records accepted but {stored} summed into the store"
                )
            quarantined = _insert_quarantine(con, item, file_id)
            if quarantined != tally.quarantined:
                raise AccountingError(
                    f"{item.path}: {tally.quarantined} records quarantined but {quarantined} stored"
                )
            append_stored_rollup(con, file_id, layout)
            _insert_file(con, item, file_id, tally)
            counts = FileCounts.of(
                tally.read, tally.accepted, tally.quarantined, tally.duplicates, False, ReportedCounts()
            )
            results.append(FileResult(item.path, SOURCE_FORMAT, counts))
    finally:
        con.unregister("_spark_usage")
        con.unregister("_spark_quarantine")
    return results


def _next_file_id(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT coalesce(max(file_id), 0) + 1 FROM ingested_files").fetchone()
    return int(row[0]) if row else 1


def _insert_usage(con: duckdb.DuckDBPyConnection, item: InputFile, file_id: int) -> int:
    """The file's aggregated rows; returns how many records they sum. An aggregate row has no source id:
    its key is made from the file's fingerprint and its first record, like a row of a file without ids."""
    con.execute(
        """
        INSERT INTO usage (series_key, file_id, record_no, record_key, source_record_id, ts_start, ts_end,
                           requests, input_tokens, cache_read_tokens, cache_write_tokens,
                           cache_write_1h_tokens, output_tokens, reasoning_tokens, reported_cost_usd)
        SELECT series_key, ?, record_no, md5_number('spark:' || ? || ':' || record_no), NULL,
               ts_start, ts_end,
               requests, input_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens,
               output_tokens, reasoning_tokens, reported_cost_usd
        FROM _spark_usage WHERE _file_idx = ?
        """,
        [file_id, item.fingerprint, item.index],
    )
    row = con.execute(
        "SELECT coalesce(sum(records), 0) FROM _spark_usage WHERE _file_idx = ?", [item.index]
    ).fetchone()
    return int(row[0]) if row else 0


def _insert_quarantine(con: duckdb.DuckDBPyConnection, item: InputFile, file_id: int) -> int:
    con.execute(
        "INSERT INTO quarantine (file_id, source_file, record_no, reason) "
        "SELECT ?, ?, record_no, reason FROM _spark_quarantine WHERE _file_idx = ?",
        [file_id, item.path, item.index],
    )
    row = con.execute("SELECT count(*) FROM quarantine WHERE file_id = ?", [file_id]).fetchone()
    return int(row[0]) if row else 0


def _insert_file(con: duckdb.DuckDBPyConnection, item: InputFile, file_id: int, tally: FileTally) -> None:
    con.execute(
        "INSERT INTO ingested_files (file_id, path, fingerprint, source_format, size_bytes, ingested_at, "
        "rows_read, rows_accepted, rows_quarantined, rows_duplicate, reported_read, reported_accepted, "
        "reported_quarantined, reported_duplicate, content_bytes, content_fingerprint, key_fingerprint, "
        "usage_records, reported_records, resolved_path) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, ?, ?, ?, ?, 0, ?)",
        [
            file_id,
            item.path,
            item.fingerprint,
            SOURCE_FORMAT,
            item.size_bytes,
            datetime.now(UTC).replace(tzinfo=None),
            tally.read,
            tally.accepted,
            tally.quarantined,
            tally.duplicates,
            item.size_bytes,
            item.fingerprint,
            item.fingerprint,
            tally.read,
            item.resolved,
        ],
    )
