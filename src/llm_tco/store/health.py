"""Telling a damaged store, or a disk that cannot take more, from a bug: each is the user's to fix (exit 2).

- A truncated store file (a copy cut short, a full disk during a backup) opens, and fails only when a
  query reaches a missing block: :func:`check_store_file` compares the file's size with the blocks its
  header lists when the store is opened.
- A store whose tables were dropped or altered by hand fails with "table ... does not exist" deep inside
  a query, exactly like a bug in llm-tco's own SQL would. So the store's schema is compared with what the
  migrations build only after such a failure (:func:`diagnose_failure`): the happy path pays nothing.
- A write that fails (disk full, a file-size limit, a read-only file system) is a fault of where the store
  or its temporary files live — never of the input file being read (:func:`store_write_failure`).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import duckdb

from llm_tco.errors import StoreError

__all__ = ["check_store_file", "diagnose_failure", "raise_store_write_failure", "store_write_failure"]

_HEADER_BYTES = 3 * 4096
"""A DuckDB file begins with a main header and two database headers of 4 KiB each, then its blocks."""

_opened: set[str] = set()
"""Store files opened by this process: where to look when a query fails as if a table were missing."""

_WRITE_FAILURE = re.compile(
    r"No space left on device|File too large|Disk quota exceeded|Read-only file system|Could not write"
    # a file only the store writes (its write-ahead log, DuckDB's spill blocks, the private spill folder)
    # that cannot be opened: the store's directory is not writable
    r"|Cannot open file \"[^\"]*(?:\.wal|duckdb_temp_[^\"]*|llm-tco-spill-[^\"]*)\"",
    flags=re.IGNORECASE,
)


def check_store_file(con: duckdb.DuckDBPyConnection, path: str) -> None:
    """Refuse a store file too short to hold the blocks in use that its header lists (truncated by a copy
    or a crash of the disk, not by DuckDB: DuckDB writes blocks before the header that lists them).

    Free blocks are left out: DuckDB trims free blocks at the end of the file, and a used block can sit
    anywhere, so the used blocks alone give the size the file cannot be below. A truncation that this
    misses is caught when a query reads past the end (:func:`diagnose_failure`)."""
    _opened.add(path)
    if Path(f"{path}.wal").exists():
        return  # blocks replayed from the write-ahead log are not in the file yet
    row = con.execute("SELECT block_size, used_blocks FROM pragma_database_size()").fetchone()
    if row is None:
        return
    expected_bytes = _HEADER_BYTES + int(row[0]) * int(row[1])
    actual_bytes = Path(path).stat().st_size
    if actual_bytes < expected_bytes:
        raise StoreError(
            f"store {path} is damaged: the file is {actual_bytes:,} bytes but its blocks need "
            f"{expected_bytes:,} (a truncated copy?); restore it from a backup, or move it aside to start "
            "a new store"
        )


def store_write_failure(exc: BaseException | None) -> StoreError | None:
    """The store error to report when ``exc`` is a failed write (disk full, file-size limit, read-only
    file system), else None. Inputs are only ever read, so a write that fails is the store's."""
    if exc is None or not _WRITE_FAILURE.search(str(exc)):
        return None
    first = str(exc).strip().splitlines()[0]
    return StoreError(f"cannot write the store or its temporary files (disk full or not writable?): {first}")


def raise_store_write_failure(exc: BaseException | None) -> None:
    """Raise the store error when ``exc`` is a failed write (see :func:`store_write_failure`)."""
    failure = store_write_failure(exc)
    if failure is not None:
        raise failure from exc


def diagnose_failure(exc: BaseException) -> StoreError | None:
    """For an unexpected failure: the store error it really is (a failed write, a store missing tables or
    columns that its schema version promises), or None when it is not the store's (a bug)."""
    written = store_write_failure(exc)
    if written is not None:
        return written
    text = str(exc)
    for path in sorted(_opened):
        if "Could not read enough bytes" in text and f'"{Path(path).resolve()}"' in text:
            return StoreError(
                f"store {path} is damaged: {text.strip().splitlines()[0]} (a truncated copy?); restore it "
                "from a backup, or move it aside to start a new store"
            )
    if not isinstance(exc, duckdb.CatalogException | duckdb.BinderException):
        return None
    for path in sorted(_opened):
        missing = _missing_schema(path)
        if missing:
            return StoreError(
                f"store {path} is damaged: {missing} (changed by hand?); restore it from a backup, or move "
                "it aside to start a new store"
            )
    return None


def _missing_schema(path: str) -> str | None:
    """What the store at ``path`` lacks of the schema the migrations build (None when nothing, or when
    the store cannot be read to tell)."""
    try:
        con = duckdb.connect(
            path,
            read_only=True,
            config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
        )
    except duckdb.Error:
        return None
    try:
        present = _columns(con)
    except duckdb.Error:
        return None
    finally:
        con.close()
    expected = _expected_columns()
    tables = sorted({t for t, _ in expected} - {t for t, _ in present})
    if tables:
        return f"table {tables[0]!r} is missing" + (
            f" (and {len(tables) - 1} more)" if len(tables) > 1 else ""
        )
    columns = sorted(expected - present)
    if columns:
        return f"column {columns[0][0]}.{columns[0][1]} is missing"
    return None


@functools.cache
def _expected_columns() -> frozenset[tuple[str, str]]:
    """(table, column) of every table and view the migrations create, built once in memory."""
    from llm_tco.store.connection import migrate

    con = duckdb.connect(":memory:")
    try:
        migrate(con)
        return _columns(con)
    finally:
        con.close()


def _columns(con: duckdb.DuckDBPyConnection) -> frozenset[tuple[str, str]]:
    rows = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_catalog = current_database() AND table_schema = 'main'"
    ).fetchall()
    return frozenset((str(t), str(c)) for t, c in rows)
