"""Loading several small files of one shape in one pass and one transaction.

The files (admitted by ``llm_tco.ingest.small_files``) are read by one DuckDB reader over their list
(``filename = true``), validated by the one validation query (``llm_tco.ingest.validate``), checked for
repeats, keyed, inserted and summed into the rollup together — a few dozen statements for the batch
instead of for each file. Each file keeps what the per-file load (``llm_tco.ingest.load``) gives it: its
own ``ingested_files`` row with its fingerprint and counts, its records numbered from 1, its quarantine
reasons under its own name, and keys from its own fingerprint.

While the batch is validated, a record's ``record_no`` carries its file too: ``file × 2^32 + position``.
Ordered by it, the batch's records are in the order a file-by-file load would meet them, so a record
repeating one of an earlier file of the batch is classified as it would be against that stored file
(``llm_tco.ingest.identity``). The position is split out when the records are stored.

Any failure of the shared read or of a check (a file changed while read, a count the screen did not
expect) abandons the whole transaction with :class:`BatchNotUsableError`: the caller then loads each file
on its own, which reports what is wrong with which file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import duckdb

from llm_tco.ingest.costs import ReportedCounts
from llm_tco.ingest.history import ChangedWhileReadError, unchanged_since
from llm_tco.ingest.identity import CONFLICT_PREFIX, classify_repeats
from llm_tco.ingest.reader_sql import quote_ident
from llm_tco.ingest.records import AccountingError, FileCounts, check_balance
from llm_tco.ingest.series import assign_series
from llm_tco.ingest.small_files import Shape, SmallFile
from llm_tco.ingest.stream import USAGE_INSERT_COLUMNS
from llm_tco.ingest.validate import ValidationSql, fingerprint_key_base
from llm_tco.store.rollup import RollupLayout, append_stored_rollup_files
from llm_tco.store.temp_tables import create_temp_table, scalar_int

__all__ = [
    "POSITION_BITS",
    "BatchNotUsableError",
    "drop_work_tables",
    "load_batch",
    "not_usable",
    "read_batch",
]

POSITION_BITS = 32
"""Low bits of a batch record number that hold its position in its file."""
_POSITION_MASK = (1 << POSITION_BITS) - 1
_MARKER = "\x00batch"
"""The name given to the batch as a whole when repeats inside it are classified: a conflict with an
earlier record of the batch names it, and is rewritten to name that record's own file."""
_WORK_TABLES = (
    "_batch_raw",
    "_batch_files",
    "_validated",
    "_dupes",
    "_combos",
    "_combo_ids",
    "_series_keys",
    "_series_map",
)
_FORMAT = "table"
"""The generic adapter's format: the only one whose files are loaded together."""


class BatchNotUsableError(Exception):
    """The files cannot be loaded together (the store is as before): load each on its own."""


def not_usable(exc: duckdb.Error) -> BatchNotUsableError:
    """The batch's failure from a failed query — unless the query was stopped by Ctrl-C: then the run
    stops (``KeyboardInterrupt``) instead of loading the files again one by one."""
    if isinstance(exc, duckdb.InterruptException):
        raise KeyboardInterrupt from exc
    return BatchNotUsableError(str(exc))


def drop_work_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("".join(f"DROP TABLE IF EXISTS {t};" for t in _WORK_TABLES))


def read_batch(con: duckdb.DuckDBPyConnection, files: Sequence[SmallFile], shape: Shape) -> str:
    """Read every file into ``_batch_raw`` with one reader and return the staged table: the files'
    columns as text, ``_reject_reason`` NULL and the batch ``record_no``. Outside any transaction (work
    tables only). Raises :class:`BatchNotUsableError` when the reader fails or finds other records than the
    screen counted."""
    create_temp_table(
        con,
        "_batch_files",
        [
            ("file_idx", "BIGINT"),
            ("duck_name", "VARCHAR"),
            ("source_file", "VARCHAR"),
            ("key_base", "UBIGINT"),
            ("records", "BIGINT"),
        ],
        [
            (i, str(f.path), f.name, fingerprint_key_base(f.digest.fingerprint), f.records)
            for i, f in enumerate(files)
        ],
    )
    paths = [str(f.path) for f in files]
    if shape.kind == "csv":
        reader = (
            "read_csv(?, all_varchar = true, header = true, compression = 'none', null_padding = false, "
            "delim = ?, encoding = 'utf-8', filename = true)"
        )
        params: list[object] = [paths, shape.delimiter]
    else:
        spec = "{" + ", ".join(f"'{c.replace(chr(39), chr(39) * 2)}': 'VARCHAR'" for c in shape.columns) + "}"
        reader = (
            f"read_json(?, format = 'newline_delimited', columns = {spec}, compression = 'none', "
            "filename = true)"
        )
        params = [paths]
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _batch_raw AS SELECT * FROM {reader}", params)
        # every file found with exactly the records the screen counted, or the batch is not used
        mismatched = scalar_int(
            con,
            "SELECT count(*) FROM _batch_files f LEFT JOIN (SELECT filename, count(*) AS n FROM _batch_raw "
            "GROUP BY filename) r ON r.filename = f.duck_name WHERE r.n IS DISTINCT FROM f.records",
        )
    except duckdb.Error as exc:
        raise not_usable(exc) from exc
    if mismatched:
        raise BatchNotUsableError("records read differ from records counted")
    columns = ", ".join(quote_ident(c) for c in shape.columns)
    # _batch_raw keeps the read's order (files in list order, records in file order): rowid follows it
    return (
        f"(SELECT (f.file_idx << {POSITION_BITS}) + row_number() OVER (PARTITION BY f.file_idx "
        f"ORDER BY r.rowid) AS record_no, NULL::VARCHAR AS _reject_reason, {columns} "
        "FROM _batch_raw r JOIN _batch_files f ON f.duck_name = r.filename)"
    )


def load_batch(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[SmallFile],
    usage: ValidationSql,
    layout: RollupLayout,
    step: Callable[[], None],
) -> list[FileCounts]:
    """Load the validated batch (``usage``: the validation query over :func:`read_batch`'s table) in one
    transaction; each file's counts, in order. ``step`` is called between the transaction's steps (the
    deterministic kill of the tests)."""
    mask = _POSITION_MASK
    con.execute("BEGIN TRANSACTION")
    try:
        first_id = scalar_int(con, "SELECT coalesce(max(file_id), 0) + 1 FROM ingested_files")
        # A record without a source id is keyed by its own file's fingerprint and its position in it.
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _validated AS
            SELECT v.* REPLACE (CASE WHEN v.record_id IS NULL
                THEN CAST(f.key_base AS UHUGEINT) * {2**64} + CAST(v.record_no & {mask} AS UHUGEINT)
                ELSE v.record_key END AS record_key)
            FROM ({usage.sql}) v JOIN _batch_files f ON f.file_idx = v.record_no >> {POSITION_BITS}
            """,
            usage.params,
        )
        step()
        own = f"JOIN _batch_files f ON f.file_idx = v.record_no >> {POSITION_BITS}"  # the record's file
        con.execute(
            f"INSERT INTO quarantine SELECT ? + f.file_idx, f.source_file, v.record_no & {mask}, v.reason "
            f"FROM _validated v {own} WHERE v.reason IS NOT NULL ORDER BY v.record_no",
            [first_id],
        )
        step()
        classify_repeats(con, _MARKER)
        _name_batch_conflicts(con)
        con.execute(
            f"INSERT INTO quarantine SELECT ? + f.file_idx, f.source_file, v.record_no & {mask}, v.conflict "
            f"FROM _dupes v {own} WHERE v.conflict IS NOT NULL ORDER BY v.record_no",
            [first_id],
        )
        step()
        fresh = (
            "(SELECT * FROM _validated v WHERE reason IS NULL AND record_no NOT IN (SELECT record_no FROM "
            "_dupes))"
        )
        assign_series(con, fresh, _FORMAT)
        step()
        con.execute(
            f"""
            INSERT INTO usage SELECT {USAGE_INSERT_COLUMNS}
            FROM (SELECT k.series_key, CAST(? + f.file_idx AS INTEGER) AS file_id,
                         v.* REPLACE (v.record_no & {mask} AS record_no)
                  FROM {fresh} v JOIN _series_keys k ON k.attr_hash = v.attr_hash {own}
                  ORDER BY v.record_no)
            """,
            [first_id],
        )
        con.execute(
            f"""
            INSERT INTO usage_cost_details
            SELECT record_key, reported_billed_cost_usd, reported_list_cost_usd FROM {fresh} f
            WHERE reported_billed_cost_usd IS NOT NULL OR reported_list_cost_usd IS NOT NULL
            """
        )
        step()
        last_id = first_id + len(files) - 1
        append_stored_rollup_files(con, first_id, last_id, layout, usage.constants)
        step()
        counts = _counts(con, files, first_id)
        _record_files(con, files, first_id, counts)
        step()
        for f in files:
            unchanged_since(f.path, f.stat)()
        con.execute("COMMIT")
    except ChangedWhileReadError as exc:
        con.execute("ROLLBACK")
        raise BatchNotUsableError("a file changed while it was read") from exc
    except duckdb.Error as exc:
        con.execute("ROLLBACK")
        raise not_usable(exc) from exc
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        drop_work_tables(con)
    return counts


def _name_batch_conflicts(con: duckdb.DuckDBPyConnection) -> None:
    """Rewrite a conflict with an earlier record of the batch to name that record's file and position."""
    lead = f"{CONFLICT_PREFIX}{_MARKER}:"
    number = f"CAST(substr(d.conflict, {len(lead) + 1}) AS BIGINT)"
    con.execute(
        f"""
        UPDATE _dupes d
        SET conflict = ? || f.source_file || ':' || CAST({number} & {_POSITION_MASK} AS VARCHAR)
        FROM _batch_files f
        WHERE starts_with(d.conflict, ?) AND f.file_idx = {number} >> {POSITION_BITS}
        """,
        [CONFLICT_PREFIX, lead],
    )


def _counts(con: duckdb.DuckDBPyConnection, files: Sequence[SmallFile], first_id: int) -> list[FileCounts]:
    """Each file's records counted from the records themselves — read and invalid from the validated
    records, conflicts and duplicates from the repeats, accepted from the rows stored — and checked to
    add up (an imbalance is a bug: :class:`llm_tco.ingest.records.AccountingError`)."""
    rows = con.execute(
        f"""
        WITH v AS (SELECT record_no >> {POSITION_BITS} AS file_idx, count(*) AS n_read,
                          count(reason) AS n_invalid FROM _validated GROUP BY 1),
             d AS (SELECT record_no >> {POSITION_BITS} AS file_idx, count(conflict) AS n_conflicts,
                          count(*) - count(conflict) AS n_dupes FROM _dupes GROUP BY 1),
             u AS (SELECT file_id - ? AS file_idx, count(*) AS n_accepted FROM usage
                   WHERE file_id BETWEEN ? AND ? GROUP BY 1)
        SELECT f.file_idx, coalesce(v.n_read, 0), coalesce(u.n_accepted, 0),
               coalesce(v.n_invalid, 0) + coalesce(d.n_conflicts, 0), coalesce(d.n_dupes, 0)
        FROM _batch_files f LEFT JOIN v USING (file_idx) LEFT JOIN d USING (file_idx)
        LEFT JOIN u USING (file_idx) ORDER BY f.file_idx
        """,
        [first_id, first_id, first_id + len(files) - 1],
    ).fetchall()
    counts: list[FileCounts] = []
    for f, (_, read, accepted, quarantined, duplicates) in zip(files, rows, strict=True):
        if int(read) != f.records:
            raise AccountingError(f"{f.name}: {f.records} usage records in the file but {read} validated")
        check_balance(f.name, "usage", int(read), int(accepted), int(quarantined), int(duplicates))
        counts.append(
            FileCounts.of(
                int(read), int(accepted), int(quarantined), int(duplicates), False, ReportedCounts()
            )
        )
    return counts


_FILE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("file_id", "INTEGER"),
    ("path", "VARCHAR"),
    ("fingerprint", "VARCHAR"),
    ("source_format", "VARCHAR"),
    ("size_bytes", "BIGINT"),
    ("ingested_at", "TIMESTAMP"),
    ("rows_read", "BIGINT"),
    ("rows_accepted", "BIGINT"),
    ("rows_quarantined", "BIGINT"),
    ("rows_duplicate", "BIGINT"),
    ("reported_read", "BIGINT"),
    ("reported_accepted", "BIGINT"),
    ("reported_quarantined", "BIGINT"),
    ("reported_duplicate", "BIGINT"),
    ("content_bytes", "BIGINT"),
    ("content_fingerprint", "VARCHAR"),
    ("key_fingerprint", "VARCHAR"),
    ("usage_records", "BIGINT"),
    ("reported_records", "BIGINT"),
    ("resolved_path", "VARCHAR"),
)


def _record_files(
    con: duckdb.DuckDBPyConnection, files: Sequence[SmallFile], first_id: int, counts: list[FileCounts]
) -> None:
    """One ``ingested_files`` row per file (one statement: a list per column, unnested)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        (
            first_id + i,
            f.name,
            f.digest.fingerprint,
            _FORMAT,
            f.digest.size_bytes,
            now,
            c.read,
            c.accepted,
            c.quarantined,
            c.duplicates,
            0,
            0,
            0,
            0,
            f.digest.content_bytes,
            f.digest.content_fingerprint,
            f.digest.fingerprint,
            c.read,
            0,
            f.resolved,
        )
        for i, (f, c) in enumerate(zip(files, counts, strict=True))
    ]
    names = ", ".join(name for name, _ in _FILE_COLUMNS)
    unnested = ", ".join(f"unnest(?::{sql_type}[])" for _, sql_type in _FILE_COLUMNS)
    con.execute(
        f"INSERT INTO ingested_files ({names}) SELECT {unnested}",
        [[row[i] for row in rows] for i in range(len(_FILE_COLUMNS))],
    )
