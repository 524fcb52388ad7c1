"""The embedded DuckDB store: connection, ordered migrations, idempotent loads and quarantine."""

from __future__ import annotations

from llm_tco.store.connection import MEMORY, default_db_path, open_store, resolve_db_path, schema_version

__all__ = ["MEMORY", "default_db_path", "open_store", "resolve_db_path", "schema_version"]
