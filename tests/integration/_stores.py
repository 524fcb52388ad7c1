"""Stores as an older llm-tco wrote them: the schema migrations up to a version, applied as they shipped."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb

from llm_tco.store.migrations import MIGRATIONS


def store_at_version(path: str, version: int) -> None:
    """Create the store at ``path`` with the migrations up to ``version`` only."""
    con = duckdb.connect(path)
    try:
        con.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
            "applied_at TIMESTAMP NOT NULL)"
        )
        for migration in MIGRATIONS:
            if migration.version > version:
                break
            con.execute(migration.sql)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                [migration.version, migration.name, datetime.now(UTC).replace(tzinfo=None)],
            )
    finally:
        con.close()
