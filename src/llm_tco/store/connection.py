"""Opening the one DuckDB store that every command shares, and bringing its schema up to date.

Where the store lives, in order of precedence: ``--db PATH``, the ``LLM_TCO_DB`` environment variable, then
``llm-tco.duckdb`` under the user's data directory. ``:memory:`` gives a one-shot store.

The store is a local DuckDB file and nothing else: DuckDB would also take a URL (``s3://``, ``http://``),
a MotherDuck name (``md:``) or a SQLite file, each by downloading and loading an extension. llm-tco works
offline, so such locations are refused, and no extension is ever installed or loaded on its own.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import platformdirs

from llm_tco.errors import StoreError
from llm_tco.store.health import check_store_file
from llm_tco.store.migrations import MIGRATIONS
from llm_tco.store.spill import spill_directory

__all__ = ["MEMORY", "default_db_path", "open_store", "resolve_db_path", "schema_version"]

MEMORY = ":memory:"
DB_ENV_VAR = "LLM_TCO_DB"
MEMORY_LIMIT_ENV = "LLM_TCO_MEMORY_LIMIT"
"""DuckDB's memory limit for this process (e.g. ``1GB``); DuckDB's own default is 80% of the RAM."""
THREADS_ENV = "LLM_TCO_THREADS"
"""How many threads DuckDB may use (a whole number, 1 to 1024); DuckDB's own default is every core, which
a host shared with other work may not want to give."""
READ_ONLY_MEMORY_LIMIT = "768MB"
"""Default limit when only reading the store (audit and plan without files): the queries aggregate as they
scan, so a larger buffer only caches column blocks that are read once — measured on a 100M-row store, the
re-audit ran as fast with 800MB as with DuckDB's default (80% of RAM) and kept the process under 1 GB."""


def default_db_path() -> Path:
    """``llm-tco.duckdb`` in the platform's per-user data directory."""
    return Path(platformdirs.user_data_dir("llm-tco", appauthor=False)) / "llm-tco.duckdb"


CONNECTION_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}
"""Every connection: no extension is downloaded or loaded behind the user's back (the offline promise;
the extensions llm-tco uses, JSON and Parquet, are built into DuckDB)."""

_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")
"""``s3://``, ``https://``, ``md:``, ``sqlite:``…: a scheme of two letters or more (``C:`` is a drive)."""


def resolve_db_path(db: str | None) -> str:
    """The store location for a ``--db`` value (None = not given): option, then env var, then default.

    An empty value is refused rather than read as "not given": ``--db "$STORE"`` with an unset variable
    must not write into the default store."""
    if db is not None:
        return _checked_location(db, "--db")
    env = os.environ.get(DB_ENV_VAR)
    if env is not None:
        return _checked_location(env, DB_ENV_VAR)
    return str(default_db_path())


def _checked_location(value: str, source: str) -> str:
    if not value.strip():
        raise StoreError(f"{source} is empty: name a store file, or ':memory:' for a one-shot run")
    if value != MEMORY and _URL_SCHEME.match(value):
        raise StoreError(
            f"{source} {value!r}: the store must be a local DuckDB file, not a URL or a remote database "
            "(for a local file whose name has a colon, write ./NAME)"
        )
    return value


def open_store(db: str | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the store and apply pending migrations.

    A read-only open of a store that does not exist yet gives an empty in-memory store instead, so that
    ``audit`` on a fresh machine reports "no usage" rather than failing.
    """
    path = resolve_db_path(db)
    memory_limit = os.environ.get(MEMORY_LIMIT_ENV) or (READ_ONLY_MEMORY_LIMIT if read_only else None)
    if memory_limit:
        memory_limit = _memory_limit(memory_limit)  # refused before anything is created
    threads = _threads(os.environ.get(THREADS_ENV))
    if path != MEMORY:
        try:
            exists = Path(path).exists()
            if not exists and not read_only:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot use store {path}: {exc.strerror or exc}") from exc
        if read_only and not exists:
            path = MEMORY
            read_only = False
    try:
        con = duckdb.connect(path, read_only=read_only, config=CONNECTION_CONFIG)
    except duckdb.Error as exc:
        raise StoreError(f"cannot open store {path}: {_open_failure(path, exc)}") from exc
    except OSError as exc:
        raise StoreError(f"cannot open store {path}: {exc.strerror or exc}") from exc
    if path != MEMORY:
        try:
            check_store_file(con, path)
        except StoreError:
            con.close()
            raise
    # Naive timestamps in the store are UTC; make every conversion in this session agree, whatever the
    # machine's zone (a zoned source timestamp must land on the same UTC instant everywhere).
    con.execute("SET TimeZone = 'UTC'")
    # DuckDB draws its own progress bar on stdout when it takes the process for an interactive one
    # (``python -c``): a statement of over two seconds put it at the head of ``--json`` output. The
    # audit draws its own, on stderr.
    con.execute("SET enable_progress_bar = false")
    if memory_limit:
        try:
            con.execute(f"SET memory_limit = '{memory_limit}'")
        except duckdb.Error as exc:
            con.close()
            raise StoreError(f"{MEMORY_LIMIT_ENV}={memory_limit!r}: {_first_line(exc)}") from exc
    if threads is not None:
        con.execute(f"SET threads = {threads}")
    if path == MEMORY:
        # DuckDB spills an in-memory database to ``.tmp`` in the working directory: somewhere private
        # instead, removed when the process ends.
        con.execute(f"SET temp_directory = '{spill_directory()}'")
    if not read_only:
        migrate(con, path)
    elif _check_version(con, path) < MIGRATIONS[-1].version:
        # a store written by an older llm-tco: migrate it once (a short write), then read as asked
        con.close()
        open_store(path).close()
        return open_store(path, read_only=True)
    return con


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The highest migration recorded in the store (0 for an empty store)."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()
    if not exists or exists[0] == 0:
        return 0
    row = con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
    return int(row[0]) if row else 0


def migrate(con: duckdb.DuckDBPyConnection, path: str = MEMORY) -> None:
    """Apply, in order and each in its own transaction, the migrations the store has not recorded."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    current = _check_version(con, path)
    for migration in MIGRATIONS:
        if migration.version <= current:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(migration.sql)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                [migration.version, migration.name, datetime.now(UTC).replace(tzinfo=None)],
            )
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise StoreError(f"cannot migrate store {path} to version {migration.version}: {exc}") from exc


def _check_version(con: duckdb.DuckDBPyConnection, path: str) -> int:
    current = schema_version(con)
    known = MIGRATIONS[-1].version
    if current > known:
        raise StoreError(
            f"store {path} has schema version {current}, newer than this llm-tco knows ({known}); "
            "upgrade llm-tco"
        )
    return current


MIN_MEMORY_LIMIT_BYTES = 64 * 1000**2
"""Smallest memory limit taken. At zero or about a megabyte DuckDB fails on the first block it allocates
(out-of-memory errors that would read like a fault of the data, or of llm-tco); 64 MB is a floor far below
any useful run, not a measured minimum."""

_SIZE_UNITS = {"kb": 1000, "mb": 1000**2, "gb": 1000**3, "tb": 1000**4}
_SIZE_UNITS.update({"kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4})


def _memory_limit(value: str) -> str:
    """A DuckDB size such as ``1GB`` or ``512MB``, at least 64 MB; anything else is refused (it is spliced
    into a SET, and a zero or tiny limit would make every later query fail)."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMGT]i?B)", value.strip(), flags=re.IGNORECASE)
    if not match:
        raise StoreError(f"{MEMORY_LIMIT_ENV}={value!r}: expected a size such as 1GB or 512MB")
    size_bytes = float(match.group(1)) * _SIZE_UNITS[match.group(2).lower()]
    if size_bytes < MIN_MEMORY_LIMIT_BYTES:
        raise StoreError(f"{MEMORY_LIMIT_ENV}={value!r}: too small; give at least 64MB (1GB is a good start)")
    return value.strip()


MAX_THREADS = 1024
"""The most threads ``LLM_TCO_THREADS`` may ask for: DuckDB takes any number and starts them at the first
query, so a mistyped 100000 would start that many."""


def _threads(value: str | None) -> int | None:
    """``LLM_TCO_THREADS`` as a number of threads (None when unset or blank); anything but a whole number
    from 1 to :data:`MAX_THREADS` is refused, naming the variable."""
    if value is None or not value.strip():
        return None
    if not re.fullmatch(r"\d+", value.strip()) or not 1 <= int(value) <= MAX_THREADS:
        raise StoreError(f"{THREADS_ENV}={value!r}: expected a whole number of threads, 1 to {MAX_THREADS}")
    return int(value)


def _open_failure(path: str, exc: duckdb.Error) -> str:
    """Why DuckDB could not open ``path``, in the user's terms: a file that is not a DuckDB store is named
    as such (DuckDB's own message asks to install the extension that would read it)."""
    text = str(exc)
    if "not a valid DuckDB database file" in text or ("Extension" in text and "not found" in text):
        return "not a DuckDB store (is it a SQLite or other database file?)"
    return _first_line(exc)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
