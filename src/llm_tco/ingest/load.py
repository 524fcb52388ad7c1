"""Loading one validated file into the store: one transaction, idempotent, nothing lost or counted twice.

Every record ends as exactly one of accepted, quarantined or duplicate, and the file's counts are
recorded with it in ``ingested_files``. A file whose exact content was ingested before changes nothing:
all its records are duplicates. A record whose id (request id, else file fingerprint + position) is
already stored, or appears earlier in the same file, is a duplicate. Cost-only records of the file
(``llm_tco.ingest.costs``) are stored in the same transaction and counted apart.

The steps run inside one transaction; ``LLM_TCO_FAULT_AFTER_STEPS=N`` kills the process (``os._exit``)
after N steps, which is how the tests prove that an interrupted ingest leaves the store as it was.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from llm_tco.ingest.costs import ReportedCounts, load_costs
from llm_tco.ingest.series import assign_series
from llm_tco.ingest.stream import USAGE_INSERT_COLUMNS, assign_stream_series, load_streaming
from llm_tco.ingest.validate import ValidationSql, bind_fingerprint, fingerprint_key_base
from llm_tco.store.rollup import RollupLayout, append_stored_rollup
from llm_tco.store.temp_tables import scalar_int

__all__ = ["FileCounts", "ReportedCounts", "load_file"]

FAULT_ENV = "LLM_TCO_FAULT_AFTER_STEPS"
SLICE_RECORDS = 5_000_000
"""Records validated and loaded at a time from a sliceable (Parquet) file: about 1.5 GiB of working
memory at the measured ~0.3 GiB per million validated records."""


@dataclass(frozen=True)
class FileCounts:
    """A file's usage records (``read = accepted + quarantined + duplicates``) and, apart, its cost-only
    records (``reported_read = reported + reported_quarantined + reported_duplicates``)."""

    read: int
    accepted: int
    quarantined: int
    duplicates: int
    already_ingested: bool = False
    reported: int = 0
    """Cost-only records stored (``reported.records`` in the audit output)."""
    reported_read: int = 0
    reported_quarantined: int = 0
    reported_duplicates: int = 0

    @property
    def reported_counts(self) -> ReportedCounts:
        return ReportedCounts(
            self.reported_read, self.reported, self.reported_quarantined, self.reported_duplicates
        )

    @classmethod
    def of(
        cls, read: int, accepted: int, quarantined: int, duplicates: int, already: bool, costs: ReportedCounts
    ) -> FileCounts:
        return cls(
            read,
            accepted,
            quarantined,
            duplicates,
            already,
            costs.records,
            costs.read,
            costs.quarantined,
            costs.duplicates,
        )


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
    source_file: str,
    size_bytes: int,
    fingerprint: Callable[[], str],
    source_format: str,
    usage: ValidationSql | None,
    cost_sql: str | None = None,
    cost_params: list[object] | None = None,
    sliceable: bool = False,
    streamable: bool = False,
    keep_rows: bool = True,
    layout: RollupLayout,
) -> FileCounts:
    """Insert one file's validated usage records (``llm_tco.ingest.validate``) and cost-only records
    (``llm_tco.ingest.costs``) in a single transaction, with the usage's rollup sums (``layout``: the
    rollup's boundaries). ``source_file`` is what the store records as the file (a path, or a redacted
    database URL). ``fingerprint`` returns the file's fingerprint: a streamable file's first pass runs
    before it is asked for (it may still be being computed). ``streamable`` and ``keep_rows``: see
    ``StagedSource`` and ``IngestOptions``."""
    stream = usage is not None and streamable
    # A file recorded before under the same name and size is most likely the same bytes (a folder audited
    # again): its fingerprint is checked first, so that an unchanged file costs only its hash.
    overlap = (
        stream
        and scalar_int(
            con,
            "SELECT count(*) FROM ingested_files WHERE path = ? AND size_bytes = ?",
            [source_file, size_bytes],
        )
        == 0
    )
    if not overlap:
        seen = _seen_before(con, fingerprint())
        if seen is not None:
            return seen
    steps = _Steps()
    con.execute("BEGIN TRANSACTION")
    try:
        series_before = assign_stream_series(con, usage, source_format) if usage and stream else 0
        file_fingerprint = fingerprint()
        seen = _seen_before(con, file_fingerprint) if overlap else None
        if seen is not None:
            con.execute("ROLLBACK")
            return seen
        bind_fingerprint(con, file_fingerprint)
        steps.step()
        file_id = scalar_int(con, "SELECT coalesce(max(file_id), 0) + 1 FROM ingested_files")
        read = accepted = quarantined = 0
        if usage is not None and stream:
            read, accepted, quarantined = load_streaming(
                con,
                file_id=file_id,
                source_file=source_file,
                usage=usage,
                series_before=series_before,
                keep_rows=keep_rows,
                layout=layout,
                step=steps.step,
            )
        elif usage is not None:
            for sql, params in _slices(con, usage.sql, usage.params, sliceable):
                counts = _load_usage(
                    con, file_id, source_file, source_format, sql, params, file_fingerprint, steps
                )
                read, accepted, quarantined = read + counts[0], accepted + counts[1], quarantined + counts[2]
            append_stored_rollup(con, file_id, layout, usage.constants)
            steps.step()
        reported = ReportedCounts()
        if cost_sql is not None:
            reported = load_costs(
                con,
                file_id=file_id,
                source_file=source_file,
                source_format=source_format,
                validated_sql=cost_sql,
                validated_params=cost_params or [],
            )
            steps.step()
        duplicates = read - quarantined - accepted
        con.execute(
            "INSERT INTO ingested_files (file_id, path, fingerprint, source_format, size_bytes, ingested_at, "
            "rows_read, rows_accepted, rows_quarantined, rows_duplicate, reported_read, reported_accepted, "
            "reported_quarantined, reported_duplicate) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                file_id,
                source_file,
                file_fingerprint,
                source_format,
                size_bytes,
                datetime.now(UTC).replace(tzinfo=None),
                read,
                accepted,
                quarantined,
                duplicates,
                reported.read,
                reported.records,
                reported.quarantined,
                reported.duplicates,
            ],
        )
        steps.step()
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        for table in ("_validated", "_dupes", "_combos", "_combo_ids", "_series_keys", "_series_map"):
            con.execute(f"DROP TABLE IF EXISTS {table}")
    return FileCounts.of(read, accepted, quarantined, duplicates, False, reported)


def _seen_before(con: duckdb.DuckDBPyConnection, fingerprint: str) -> FileCounts | None:
    """The counts of a file whose exact bytes were ingested before: every record is a duplicate, and how
    many there are was recorded then — nothing of the file is read again. None for a new file."""
    earlier = con.execute(
        "SELECT rows_read, reported_read FROM ingested_files WHERE fingerprint = ? LIMIT 1", [fingerprint]
    ).fetchone()
    if earlier is None:
        return None
    read, cost_read = int(earlier[0]), int(earlier[1] or 0)
    return FileCounts.of(read, 0, 0, read, True, ReportedCounts(cost_read, 0, 0, cost_read))


def _number_records(con: duckdb.DuckDBPyConnection, fingerprint: str) -> None:
    """Give records staged without a position (``record_no`` NULL: readers that stream in parallel) their
    1-based position — the materialised table keeps the staged order, so it follows ``rowid`` — and, for
    records without a source id, the key that depends on it (``llm_tco.ingest.validate``)."""
    if scalar_int(con, "SELECT count(*) FROM _validated WHERE record_no IS NULL") == 0:
        return
    # Row ids of a table created inside a transaction start at an offset (transaction-local storage), so
    # the position is counted from the smallest one.
    con.execute(
        "UPDATE _validated SET record_no = rowid - (SELECT min(rowid) FROM _validated) + 1 "
        "WHERE record_no IS NULL"
    )
    con.execute(
        f"UPDATE _validated SET record_key = CAST(? AS UHUGEINT) * {2**64} + CAST(record_no AS UHUGEINT) "
        "WHERE record_id IS NULL",
        [fingerprint_key_base(fingerprint)],
    )


def _slices(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[object], sliceable: bool
) -> list[tuple[str, list[object]]]:
    """The validated query, whole or — for a large sliceable file — in record-number ranges of
    ``SLICE_RECORDS``: each slice is validated, de-duplicated (against the store, which already holds the
    earlier slices inside this transaction) and inserted before the next, so a file of any size loads
    in bounded memory and still in one transaction."""
    if not sliceable:
        return [(sql, params)]
    last = scalar_int(con, f"SELECT coalesce(max(record_no), 0) FROM ({sql})", params)
    if last <= SLICE_RECORDS:
        return [(sql, params)]
    return [
        (f"SELECT * FROM ({sql}) WHERE record_no BETWEEN ? AND ?", [*params, lo, lo + SLICE_RECORDS - 1])
        for lo in range(1, last + 1, SLICE_RECORDS)
    ]


def _load_usage(
    con: duckdb.DuckDBPyConnection,
    file_id: int,
    source_file: str,
    source_format: str,
    validated_sql: str,
    validated_params: list[object],
    fingerprint: str,
    steps: _Steps,
) -> tuple[int, int, int]:
    """Quarantine, de-duplicate and insert the usage rows; returns (read, accepted, quarantined)."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _validated AS {validated_sql}", validated_params)
    _number_records(con, fingerprint)
    steps.step()
    con.execute(
        "INSERT INTO quarantine SELECT ?, ?, record_no, reason FROM _validated WHERE reason IS NOT NULL",
        [file_id, source_file],
    )
    steps.step()
    # Duplicates: a later record of this file with the same key (found through the few repeated keys
    # only, so the common all-unique file costs one hash aggregate), or a key already stored. Only
    # records with a source id can be duplicates: the others' keys hold this file's fingerprint, and a
    # file with the same fingerprint was recognised as a whole before anything was loaded.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _dupes AS
        SELECT record_no FROM (
            SELECT record_no, row_number() OVER (PARTITION BY record_key ORDER BY record_no) AS _nth
            FROM _validated
            WHERE reason IS NULL AND record_id IS NOT NULL AND record_key IN (
                SELECT record_key FROM _validated WHERE reason IS NULL AND record_id IS NOT NULL
                GROUP BY record_key HAVING count(*) > 1)
        ) WHERE _nth > 1
        UNION
        SELECT v.record_no FROM _validated v SEMI JOIN usage u ON u.record_key = v.record_key
        WHERE v.reason IS NULL AND v.record_id IS NOT NULL
        """
    )
    steps.step()
    fresh = (
        "(SELECT * FROM _validated v WHERE reason IS NULL AND record_no NOT IN (SELECT record_no FROM "
        "_dupes))"
    )
    assign_series(con, fresh, source_format)
    steps.step()
    inserted = con.execute(
        f"""
        INSERT INTO usage SELECT {USAGE_INSERT_COLUMNS}
        FROM (SELECT k.series_key, CAST(? AS INTEGER) AS file_id, f.*
              FROM {fresh} f JOIN _series_keys k ON k.attr_hash = f.attr_hash)
        """,
        [file_id],
    ).fetchone()
    accepted = int(inserted[0]) if inserted else 0
    con.execute(
        f"""
        INSERT INTO usage_cost_details
        SELECT record_key, reported_billed_cost_usd, reported_list_cost_usd FROM {fresh} f
        WHERE reported_billed_cost_usd IS NOT NULL OR reported_list_cost_usd IS NOT NULL
        """
    )
    steps.step()
    row = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE reason IS NOT NULL) FROM _validated"
    ).fetchone()
    read, quarantined = (int(row[0]), int(row[1])) if row else (0, 0)
    return read, accepted, quarantined
