"""Opening the one DuckDB store that every command shares, and bringing its schema up to date.

Where the store lives, in order of precedence: ``--db PATH``, the ``LLM_TCO_DB`` environment variable, then
``llm-tco.duckdb`` under the user's data directory. ``:memory:`` gives a one-shot store.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import platformdirs

from llm_tco.errors import StoreError
from llm_tco.store.migrations import MIGRATIONS

__all__ = ["MEMORY", "default_db_path", "open_store", "resolve_db_path", "schema_version"]

MEMORY = ":memory:"
DB_ENV_VAR = "LLM_TCO_DB"
MEMORY_LIMIT_ENV = "LLM_TCO_MEMORY_LIMIT"
"""DuckDB's memory limit for this process (e.g. ``1GB``); DuckDB's own default is 80% of the RAM."""
READ_ONLY_MEMORY_LIMIT = "768MB"
"""Default limit when only reading the store (audit and plan without files): the queries aggregate as they
scan, so a larger buffer only caches column blocks that are read once — measured on a 100M-row store, the
re-audit ran as fast with 800MB as with DuckDB's default (80% of RAM) and kept the process under 1 GB."""


def default_db_path() -> Path:
    """``llm-tco.duckdb`` in the platform's per-user data directory."""
    return Path(platformdirs.user_data_dir("llm-tco", appauthor=False)) / "llm-tco.duckdb"


def resolve_db_path(db: str | None) -> str:
    """The store location for a ``--db`` value (None = not given): option, then env var, then default."""
    if db:
        return db
    env = os.environ.get(DB_ENV_VAR)
    if env:
        return env
    return str(default_db_path())


def open_store(db: str | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the store and apply pending migrations.

    A read-only open of a store that does not exist yet gives an empty in-memory store instead, so that
    ``audit`` on a fresh machine reports "no usage" rather than failing.
    """
    path = resolve_db_path(db)
    if path != MEMORY:
        if read_only and not Path(path).exists():
            path = MEMORY
            read_only = False
        else:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(path, read_only=read_only)
    except duckdb.Error as exc:
        raise StoreError(f"cannot open store {path}: {_first_line(exc)}") from exc
    # Naive timestamps in the store are UTC; make every conversion in this session agree, whatever the
    # machine's zone (a zoned source timestamp must land on the same UTC instant everywhere).
    con.execute("SET TimeZone = 'UTC'")
    memory_limit = os.environ.get(MEMORY_LIMIT_ENV) or (READ_ONLY_MEMORY_LIMIT if read_only else None)
    if memory_limit:
        try:
            con.execute(f"SET memory_limit = '{_memory_limit(memory_limit)}'")
        except duckdb.Error as exc:
            raise StoreError(f"{MEMORY_LIMIT_ENV}={memory_limit!r}: {_first_line(exc)}") from exc
    if path == MEMORY:
        # DuckDB spills an in-memory database to ``.tmp`` in the working directory: somewhere private
        # instead, removed when the process ends.
        con.execute(f"SET temp_directory = '{_spill_directory()}'")
    if not read_only:
        migrate(con, path)
    elif _check_version(con, path) < MIGRATIONS[-1].version:
        # a store written by an older llm-tco: migrate it once (a short write), then read as asked
        con.close()
        open_store(path).close()
        return open_store(path, read_only=True)
    return con


@functools.cache
def _spill_directory() -> str:
    """A private directory (under the system's temporary directory) for in-memory stores to spill to."""
    path = tempfile.mkdtemp(prefix="llm-tco-spill-")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path.replace("'", "''")


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


def _memory_limit(value: str) -> str:
    """A DuckDB size such as ``1GB`` or ``512MB``; anything else is refused (it is spliced into a SET)."""
    import re

    if not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", value.strip(), flags=re.IGNORECASE):
        raise StoreError(f"{MEMORY_LIMIT_ENV}={value!r}: expected a size such as 1GB or 512MB")
    return value.strip()


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
