"""Loading one validated file into the store: one transaction, idempotent, nothing lost or counted twice.

Every record ends as exactly one of accepted, quarantined or duplicate — each counted from the records
themselves, and ``read = accepted + quarantined + duplicates`` checked: an imbalance is a bug and fails
the file's transaction (exit 3) rather than being reported as duplicates. The counts are recorded with
the file in ``ingested_files``, with what was read of it (``llm_tco.ingest.history``). A file whose exact
content was ingested before changes nothing: all its records are duplicates. A record whose key (source
id within its namespace, else file fingerprint + position) is already stored, or appears earlier in the
same file, is a duplicate when its usage is the same and an id conflict otherwise
(``llm_tco.ingest.identity``). A file that grew since it was read loads only the records after the ones
read then, keyed by its first version's fingerprint; a replaced file's earlier records are deleted in the
same transaction. Cost-only records of the file (``llm_tco.ingest.costs``) are stored in the same
transaction and counted apart.

The steps run inside one transaction; ``LLM_TCO_FAULT_AFTER_STEPS=N`` kills the process (``os._exit``)
after N steps, which is how the tests prove that an interrupted ingest leaves the store as it was.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import duckdb

from llm_tco.ingest.costs import ReportedCounts, load_costs
from llm_tco.ingest.digest import ContentDigest
from llm_tco.ingest.history import Continuation
from llm_tco.ingest.identity import classify_repeats
from llm_tco.ingest.ingested import delete_files, record_copy, seen_before
from llm_tco.ingest.keyed import ID_CANDIDATES
from llm_tco.ingest.records import AccountingError, FileCounts, check_balance
from llm_tco.ingest.series import assign_series
from llm_tco.ingest.stream import USAGE_INSERT_COLUMNS, assign_stream_series, load_streaming
from llm_tco.ingest.validate import SUBSET_TABLE, ValidationSql, bind_fingerprint, fingerprint_key_base
from llm_tco.store.rollup import RollupLayout, append_stored_rollup
from llm_tco.store.temp_tables import scalar_int

__all__ = ["AccountingError", "FileCounts", "ReportedCounts", "load_file"]

FAULT_ENV = "LLM_TCO_FAULT_AFTER_STEPS"
_DROP_WORK_TABLES = "".join(
    f"DROP TABLE IF EXISTS {table};"
    for table in (
        "_validated",
        "_dupes",
        "_combos",
        "_combo_ids",
        "_series_keys",
        "_series_map",
        "_repeat_hashes",
        "_repeat_text_hashes",
        SUBSET_TABLE,
        ID_CANDIDATES,
    )
)
SLICE_RECORDS = 5_000_000
"""Records validated and loaded at a time from a sliceable (Parquet) file: about 1.5 GiB of working
memory at the measured ~0.3 GiB per million validated records."""


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
    digest: Callable[[], ContentDigest],
    source_format: str,
    usage: ValidationSql | None,
    cost_sql: str | None = None,
    cost_params: list[object] | None = None,
    sliceable: bool = False,
    streamable: bool = False,
    keep_rows: bool = True,
    keep_keys: bool = True,
    layout: RollupLayout,
    continuation: Continuation | None = None,
    before_commit: Callable[[], None] | None = None,
) -> FileCounts:
    """Insert one file's validated usage records (``llm_tco.ingest.validate``) and cost-only records
    (``llm_tco.ingest.costs``) in a single transaction, with the usage's rollup sums (``layout``: the
    rollup's boundaries). ``source_file`` is what the store records as the file (a path, or a redacted
    database URL). ``digest`` returns what was read of the file (``ContentDigest``): a streamable new
    file's first pass runs before it is asked for (it may still be being computed). ``streamable``,
    ``keep_rows`` and ``keep_keys``: see ``StagedSource`` and ``IngestOptions`` (``more_inputs``).
    ``continuation``: how the file continues earlier versions of it (records to skip, the key fingerprint,
    file ids to replace) and its resolved path; None for a database. ``before_commit`` may raise to
    abandon the transaction (the file changed while it was read)."""
    cont = continuation or Continuation()
    stream = usage is not None and streamable
    # A file not ingested under this name before is most likely new bytes: its fingerprint is computed
    # while the first pass runs (a path seen before was hashed by the caller, to compare versions).
    overlap = stream and not (cont.replace_file_ids or cont.usage_after or cont.reported_after)
    if not overlap:
        seen = seen_before(con, digest().fingerprint, cont.replace_file_ids)
        if seen is not None:
            return record_copy(con, seen, source_file, digest(), cont)
    if usage is not None and cont.usage_after and stream:
        after = "SELECT * FROM ({}) WHERE record_no > ?"
        usage = replace(
            usage,
            sql=after.format(usage.sql),
            subset_sql=after.format(usage.subset_sql),
            params=[*usage.params, cont.usage_after],
        )
    steps = _Steps()
    con.execute("BEGIN TRANSACTION")
    try:
        series_before = assign_stream_series(con, usage, source_format) if usage and stream else 0
        read_digest = digest()
        file_fingerprint = read_digest.fingerprint
        seen = seen_before(con, file_fingerprint, cont.replace_file_ids) if overlap else None
        if seen is not None:
            con.execute("ROLLBACK")
            return record_copy(con, seen, source_file, read_digest, cont)
        key_fingerprint = cont.key_fingerprint or file_fingerprint
        bind_fingerprint(con, key_fingerprint)
        if cont.replace_file_ids:
            delete_files(con, cont.replace_file_ids)
        steps.step()
        file_id = scalar_int(con, "SELECT coalesce(max(file_id), 0) + 1 FROM ingested_files")
        read = accepted = quarantined = duplicates = 0
        if usage is not None and stream:
            read, accepted, quarantined, duplicates = load_streaming(
                con,
                file_id=file_id,
                source_file=source_file,
                usage=usage,
                series_before=series_before,
                keep_rows=keep_rows,
                layout=layout,
                step=steps.step,
                keep_keys=keep_keys,
            )
        elif usage is not None:
            for sql, params in _slices(con, usage.sql, usage.params, sliceable):
                counts = _load_usage(
                    con,
                    file_id,
                    source_file,
                    source_format,
                    sql,
                    params,
                    key_fingerprint,
                    steps,
                    cont.usage_after,
                )
                read, accepted = read + counts[0], accepted + counts[1]
                quarantined, duplicates = quarantined + counts[2], duplicates + counts[3]
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
        check_balance(source_file, "usage", read, accepted, quarantined, duplicates)
        check_balance(
            source_file, "cost", reported.read, reported.records, reported.quarantined, reported.duplicates
        )
        con.execute(
            "INSERT INTO ingested_files (file_id, path, fingerprint, source_format, size_bytes, ingested_at, "
            "rows_read, rows_accepted, rows_quarantined, rows_duplicate, reported_read, reported_accepted, "
            "reported_quarantined, reported_duplicate, content_bytes, content_fingerprint, key_fingerprint, "
            "usage_records, reported_records, resolved_path) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                file_id,
                source_file,
                file_fingerprint,
                source_format,
                read_digest.size_bytes,
                datetime.now(UTC).replace(tzinfo=None),
                read,
                accepted,
                quarantined,
                duplicates,
                reported.read,
                reported.records,
                reported.quarantined,
                reported.duplicates,
                read_digest.content_bytes,
                read_digest.content_fingerprint,
                key_fingerprint,
                cont.usage_after + read,
                cont.reported_after + reported.read,
                cont.resolved_path,
            ],
        )
        steps.step()
        if before_commit is not None:
            before_commit()
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        # one call for the statements: a tiny file pays for each round trip
        con.execute(_DROP_WORK_TABLES)
    return FileCounts.of(read, accepted, quarantined, duplicates, False, reported)


def _number_records(con: duckdb.DuckDBPyConnection, fingerprint: str) -> None:
    """Give records staged without a position (``record_no`` NULL: readers that stream in parallel) their
    1-based position — the materialised table keeps the staged order, so it follows ``rowid`` — and, for
    records without a source id, the key that depends on it (``llm_tco.ingest.validate``)."""
    # Row ids of a table created inside a transaction start at an offset (transaction-local storage), so
    # the position is counted from the smallest one. One statement, a no-op when every record has its
    # position: the SET expressions read the row's old values, so the key repeats the position's formula.
    position = "(rowid - (SELECT min(rowid) FROM _validated) + 1)"
    con.execute(
        f"UPDATE _validated SET record_no = {position}, record_key = CASE WHEN record_id IS NULL "
        f"THEN CAST(? AS UHUGEINT) * {2**64} + CAST({position} AS UHUGEINT) ELSE record_key END "
        "WHERE record_no IS NULL",
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
    after_record: int = 0,
) -> tuple[int, int, int, int]:
    """Quarantine, de-duplicate and insert the usage rows; returns (read, accepted, quarantined,
    duplicates), each counted. ``after_record``: the records up to it were read from an earlier version
    of the file (it grew since) and are left out."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _validated AS {validated_sql}", validated_params)
    _number_records(con, fingerprint)
    if after_record:
        con.execute("DELETE FROM _validated WHERE record_no <= ?", [after_record])
    steps.step()
    con.execute(
        "INSERT INTO quarantine SELECT ?, ?, record_no, reason FROM _validated WHERE reason IS NOT NULL",
        [file_id, source_file],
    )
    steps.step()
    # Duplicates and id conflicts: a record whose key was seen before, earlier in the file or stored.
    classify_repeats(con, source_file)
    con.execute(
        "INSERT INTO quarantine SELECT ?, ?, record_no, conflict FROM _dupes WHERE conflict IS NOT NULL",
        [file_id, source_file],
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
        "SELECT count(*), count(*) FILTER (WHERE reason IS NOT NULL), "
        "(SELECT count(*) FILTER (WHERE conflict IS NOT NULL) FROM _dupes), "
        "(SELECT count(*) FILTER (WHERE conflict IS NULL) FROM _dupes) FROM _validated"
    ).fetchone()
    read, invalid, conflicts, duplicates = tuple(int(v) for v in row) if row else (0, 0, 0, 0)
    return read, accepted, invalid + conflicts, duplicates
